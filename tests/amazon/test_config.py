"""`type: amazon` in causeway.yaml: validated with clear errors, built by the registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from causeway.config import parse_config
from causeway.config.systems import AmazonSystem, System
from causeway.connectors.amazon import AmazonConnector
from causeway.connectors.amazon_notifications import queue_settings
from causeway.connectors.registry import build_connector, build_queue_readers, build_receivers
from causeway.engine.rate import RateBudgets
from causeway.flows.cancellations.declaration import CancellationsFlow
from causeway.flows.orders_to_erp.declaration import OrdersToErpFlow
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


def amazon_hub(tmp_path: Path, **amazon: Any) -> dict[str, Any]:
    """The files hub with an Amazon account beside its drop folder, in both order flows."""
    data = hub_config(tmp_path)
    data["systems"]["amazon"] = {**GOOD, **amazon}
    data["flows"]["orders-to-erp"] = {
        "target": "erp",
        "channels": [{"system": "csv"}, {"system": "amazon", "reference_prefix": "AMZ-"}],
    }
    data["flows"]["cancellations"] = {"target": "erp", "channels": [{"system": "amazon"}]}
    return data


def test_amazon_is_a_channel_of_orders_to_erp_and_cancellations(tmp_path: Path) -> None:
    config = parse_config(amazon_hub(tmp_path), env={})
    orders, cancellations = (config.flows.settings(f) for f in ("orders-to-erp", "cancellations"))
    assert isinstance(orders, OrdersToErpFlow) and isinstance(cancellations, CancellationsFlow)
    assert orders.sources == ["csv", "amazon"]
    assert cancellations.stores == ["amazon"]


def test_the_single_store_form_takes_amazon_too(tmp_path: Path) -> None:
    data = hub_config(tmp_path)
    data["systems"]["amazon"] = dict(GOOD)
    data["flows"] = {"orders-to-erp": {"source": "amazon", "target": "erp"}}
    orders = parse_config(data, env={}).flows.settings("orders-to-erp")
    assert isinstance(orders, OrdersToErpFlow) and orders.sources == ["amazon"]


NOTIFICATIONS = {
    "queue_url": "https://sqs.us-east-1.amazonaws.com/123456789012/order-change",
    "region": "us-east-1",
    "access_key_id": "AKIAEXAMPLE",
    "secret_access_key": "aws-secret",
}


def test_a_notifications_queue_is_read_by_the_hub_with_its_key(tmp_path: Path) -> None:
    config = parse_config(amazon_hub(tmp_path, notifications=NOTIFICATIONS), env={})
    amazon = config.systems["amazon"]
    assert isinstance(amazon, AmazonSystem) and amazon.notifications is not None
    assert "aws-secret" not in repr(amazon) and "AKIAEXAMPLE" not in repr(amazon)
    readers = build_queue_readers(config.systems, inbox=None)  # type: ignore[arg-type]
    assert list(readers) == ["amazon"]
    settings = queue_settings(amazon.notifications)
    assert settings.client_kwargs()["aws_access_key_id"] == "AKIAEXAMPLE"
    assert settings.client_kwargs()["aws_secret_access_key"] == "aws-secret"
    assert settings.wait_seconds == 20


def test_without_a_notifications_block_no_queue_is_read(tmp_path: Path) -> None:
    config = parse_config(amazon_hub(tmp_path), env={})
    assert build_queue_readers(config.systems, inbox=None) == {}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"secret_access_key": None}, "give both access_key_id and secret_access_key"),
        ({"queue_url": "http://sqs.us-east-1.amazonaws.com/1/q"}, "use https://"),
        ({"region": ""}, "at least 1 character"),
        ({"wait_seconds": 30}, "less than or equal to 20"),
        ({"queue": "x"}, "Extra inputs are not permitted"),
    ],
)
def test_a_wrong_notifications_setting_is_refused(changes: dict[str, Any], message: str) -> None:
    notifications = {k: v for k, v in (NOTIFICATIONS | changes).items() if v is not None}
    with pytest.raises(ValidationError, match=message):
        system(notifications=notifications)


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
