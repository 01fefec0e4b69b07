"""A WooCommerce store in causeway.yaml: what is accepted, what is refused with its fix,
and its secrets kept out of every message."""

from __future__ import annotations

from typing import Any

import pytest

from causeway.config import WooCommerceSystem, parse_config
from causeway.connectors.woocommerce import build_connector
from causeway.engine.rate import RateBudgets
from causeway.errors import ConfigError
from causeway.redaction import Redactor

KEY, SECRET, HOOKS = "ck_4f0c8a3e5d9b", "cs_8e2d4b6a0c9f", "whsec_3b1d9e7f"


def woo(**settings: Any) -> dict[str, Any]:
    base = {
        "type": "woocommerce",
        "url": "https://shop.example.com",
        "consumer_key": "${WOO_KEY}",
        "consumer_secret": "${WOO_SECRET}",
        "webhook_secret": "${WOO_HOOKS}",
    }
    return base | settings


def load(**settings: Any) -> Any:
    env = {"WOO_KEY": KEY, "WOO_SECRET": SECRET, "WOO_HOOKS": HOOKS, "EMPTY": ""}
    return parse_config({"systems": {"woo": woo(**settings)}, "flows": {}}, env=env)


def test_a_store_with_its_key_and_defaults() -> None:
    system = load().systems["woo"]
    assert isinstance(system, WooCommerceSystem)
    assert (system.auth, system.per_page, system.shipment_tracking) == ("header", 100, "auto")
    assert system.consumer_secret.get_secret_value() == SECRET
    assert SECRET not in repr(system) and KEY not in repr(system)


def test_the_query_string_fallback_is_a_setting() -> None:
    assert load(auth="query").systems["woo"].auth == "query"
    with pytest.raises(ConfigError, match="auth"):
        load(auth="oauth1")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost", "http://[::1]:9"])
def test_plain_http_is_accepted_on_this_machine_only(url: str) -> None:
    assert load(url=url).systems["woo"].url == url


def test_plain_http_to_another_machine_is_refused_naming_the_fix() -> None:
    with pytest.raises(ConfigError, match=r"use https://.*accepted only for localhost"):
        load(url="http://shop.example.com")


def test_a_key_in_the_url_is_refused_pointing_to_its_settings() -> None:
    with pytest.raises(ConfigError, match="consumer_key"):
        load(url="https://ck_1:cs_2@shop.example.com")


@pytest.mark.parametrize("secret", ["consumer_key", "consumer_secret", "webhook_secret"])
def test_an_empty_secret_is_refused(secret: str) -> None:
    with pytest.raises(ConfigError, match=f"{secret}.*is empty"):
        load(**{secret: "${EMPTY}"})


def test_per_page_is_woocommerces_100_at_most() -> None:
    with pytest.raises(ConfigError, match="per_page"):
        load(per_page=250)


def test_the_secrets_never_show_in_a_message_even_in_a_query_string() -> None:
    redact = Redactor.from_config(load())
    text = (
        f"GET https://shop.example.com/wp-json/wc/v3/orders?consumer_key={KEY}"
        f"&consumer_secret={SECRET}&page=2 failed; signed with {HOOKS}"
    )
    cleaned = redact(text)
    assert KEY not in cleaned and SECRET not in cleaned and HOOKS not in cleaned
    assert "consumer_secret=***&page=2" in cleaned
    # Any key in a query string, even one the configuration does not hold.
    assert Redactor()("x?consumer_key=ck_other&y=1") == "x?consumer_key=***&y=1"


def test_the_connector_of_a_configured_store_shares_its_keys_budget() -> None:
    budgets = RateBudgets()
    system = load(requests_per_second=2, auth="query").systems["woo"]
    connector = build_connector("woo", system, budgets)
    assert (connector.system, connector.client.auth) == ("woo", "query")
    (budget,) = budgets.all()
    assert budget.refill_per_second == 2 and KEY not in budget.name
    assert build_connector("woo-again", system, budgets).client.budget is budget
