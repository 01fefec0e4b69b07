"""`type: amazon` in causeway.yaml: validated with clear errors, built by the registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from causeway.config import parse_config
from causeway.config.systems import AmazonSystem, System
from causeway.connectors.amazon import AmazonConnector
from causeway.connectors.registry import build_connector, build_receivers
from causeway.engine.rate import RateBudgets
from causeway.errors import ConfigError
from tests.unit.files_support import hub_config

GOOD: dict[str, Any] = {
    "type": "amazon",
    "client_id": "amzn1.application-oa2-client.x",
    "client_secret": "secret",
    "refresh_token": "Atzr|x",
    "marketplace_ids": ["ATVPDKIKX0DER"],
    "selling_partner_id": "A3SELLER",
}


def system(**changes: Any) -> AmazonSystem:
    value = TypeAdapter(System).validate_python({**GOOD, **changes})
    assert isinstance(value, AmazonSystem)
    return value


def test_a_configured_amazon_system_builds_its_connector_without_a_receiver() -> None:
    settings = system()
    assert settings.endpoint == "https://sellingpartnerapi-na.amazon.com"
    connector = build_connector("amazon", settings, RateBudgets())
    assert isinstance(connector, AmazonConnector)
    assert build_receivers({"amazon": settings}, None) == {}
    assert "Atzr|x" not in repr(settings) and "'secret'" not in repr(settings)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"refresh_token": ""}, "refresh token of the seller's authorisation"),
        ({"client_secret": " "}, "LWA client secret"),
        ({"marketplace_ids": ["amazon.com"]}, "not an Amazon marketplace id"),
        ({"marketplace_ids": []}, "at least 1 item"),
        ({"endpoint": "http://sellingpartnerapi-eu.amazon.com"}, "use https://"),
        ({"token_url": "https://user:pw@api.amazon.com/auth/o2/token"}, "user name or password"),
        ({"selling_partner": "A3SELLER"}, "Extra inputs are not permitted"),
    ],
)
def test_a_wrong_setting_is_refused_naming_it(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        system(**changes)


def test_no_flow_takes_an_amazon_system_until_it_handles_amazons_lifecycle(
    tmp_path: Path,
) -> None:
    """orders-to-erp would place a Pending (unpaid) Amazon order as it is: refused at
    start, naming what the flow takes, rather than placed."""
    data = hub_config(tmp_path)
    data["systems"]["amazon"] = dict(GOOD)
    data["flows"]["orders-to-erp"]["source"] = "amazon"
    with pytest.raises(ConfigError, match=r"'amazon' is .*amazon.*needs one of type shopify"):
        parse_config(data, env={})


def test_stock_to_channels_takes_an_amazon_system_as_a_target(tmp_path: Path) -> None:
    data = hub_config(tmp_path)
    data["systems"]["amazon"] = {**GOOD, "feed_poll_every": "30s", "feed_timeout": "10m"}
    data["flows"]["stock-to-channels"] = {"source": "erp", "targets": ["amazon"]}
    config = parse_config(data, env={})
    amazon = config.systems["amazon"]
    assert isinstance(amazon, AmazonSystem)
    assert (amazon.feed_poll_every, amazon.feed_timeout) == (30.0, 600.0)


def test_a_feed_poll_of_zero_is_refused() -> None:
    with pytest.raises(ValidationError, match="feed_poll_every"):
        system(feed_poll_every=0)
