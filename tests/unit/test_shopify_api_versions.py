"""The Shopify Admin API version: its form, Shopify's support window, and the warnings an
operator sees (at start, in `causeway check`, and when Shopify answers as another version)."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import httpx
import pytest
import yaml

from causeway.config import parse_config
from causeway.config.systems import SHOPIFY_API_VERSION
from causeway.connectors.shopify.api_versions import (
    API_VERSION,
    ApiVersion,
    oldest_served,
    support_warning,
)
from causeway.connectors.shopify.connector import ShopifyConnector
from causeway.errors import ConfigError
from tests.unit.test_shopify_client import TOKEN, ok

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "causeway" / "config" / "example.yaml"
ENV = {"SHOPIFY_ACCESS_TOKEN": "shpat_x", "SHOPIFY_WEBHOOK_SECRET": "s", "TRYTON_PASSWORD": "p"}
TODAY = date(2026, 12, 5)
NOT_VERSIONS = ["2026-03", "2026-1", "26-10", "latest", "unstable", "2026-10-01", " ", ""]


def test_the_connector_the_config_and_causeway_init_agree_on_the_version() -> None:
    example = yaml.safe_load(EXAMPLE.read_text())
    assert API_VERSION == SHOPIFY_API_VERSION == example["systems"]["shop"]["api_version"]


@pytest.mark.parametrize("text", NOT_VERSIONS)
def test_a_value_that_is_not_a_quarterly_version_is_refused_with_the_form(text: str) -> None:
    with pytest.raises(ValueError, match=r"write YYYY-MM with MM one of 01, 04, 07 or 10"):
        ApiVersion.parse(text)
    example = yaml.safe_load(EXAMPLE.read_text())
    example["systems"]["shop"]["api_version"] = text
    with pytest.raises(ConfigError, match=r"systems\.shop\.api_version: .*01, 04, 07 or 10"):
        parse_config(example, env=ENV)


def test_four_versions_are_served_at_a_time_and_older_ones_fall_forward() -> None:
    assert str(oldest_served(TODAY)) == "2026-01"
    assert str(oldest_served(date(2026, 12, 31))) == "2026-01"
    assert str(oldest_served(date(2027, 1, 1))) == "2026-04"  # the day 2027-01 comes out
    assert ApiVersion.parse("2026-01").served_until == date(2027, 1, 1)


def test_a_version_past_the_support_window_is_named_with_what_shopify_answers_instead() -> None:
    warning = support_warning("2025-10", TODAY)
    assert warning is not None
    assert "2025-10 is past Shopify's support window" in warning
    assert "Shopify answers every call as 2026-01" in warning
    assert "Set api_version to 2026-10" in warning


def test_the_last_months_of_a_version_are_announced_before_it_falls_forward() -> None:
    warning = support_warning("2026-01", TODAY)
    assert warning is not None and "stops serving Admin API 2026-01 on 2027-01-01" in warning
    assert support_warning("2026-01", date(2026, 9, 1)) is None
    assert support_warning("2026-04", TODAY) is None
    assert support_warning("2026-10", TODAY) is None


def test_a_version_not_released_yet_is_named() -> None:
    warning = support_warning("2027-04", TODAY)
    assert warning is not None and "2027-04 is not released yet" in warning


def test_when_causeway_itself_is_too_old_the_fix_is_to_upgrade_it() -> None:
    warning = support_warning(API_VERSION, date(2028, 6, 1))
    assert warning is not None and "upgrade Causeway" in warning


def test_the_hub_warns_at_start_when_a_store_is_pinned_to_an_unserved_version(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="causeway.connectors.shopify.connector"):
        ShopifyConnector("https://example.myshopify.com", TOKEN, system="eu", api_version="2025-10")
    (record,) = [r for r in caplog.records if r.name == "causeway.connectors.shopify.connector"]
    assert record.getMessage().startswith("eu: Admin API 2025-10 is past")


def test_a_connector_refuses_a_value_that_is_not_a_version() -> None:
    with pytest.raises(ValueError, match="not a Shopify Admin API version"):
        ShopifyConnector("https://example.myshopify.com", TOKEN, api_version="2026-03")


def test_an_answer_as_another_version_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    """Shopify's X-Shopify-API-Version says which version it really answered as."""

    def shop(request: httpx.Request) -> httpx.Response:
        response = ok()
        response.headers["X-Shopify-API-Version"] = "2026-01"
        return response

    connector = ShopifyConnector(
        "https://example.myshopify.com",
        TOKEN,
        api_version="2025-10",
        transport=httpx.MockTransport(shop),
    )
    with caplog.at_level(logging.WARNING, logger="causeway.connectors.shopify.client"):
        connector.access_scopes()
        connector.access_scopes()
    (record,) = [r for r in caplog.records if r.name == "causeway.connectors.shopify.client"]
    assert "answers Admin API 2025-10 as 2026-01" in record.getMessage()
    assert connector.client.served_version == "2026-01"
