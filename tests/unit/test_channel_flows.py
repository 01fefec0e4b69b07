"""payments-and-invoices, cancellations and returns-to-erp over several stores: each takes
a list of channels (a Shopify store and a WooCommerce store here), configs written for
one store (`source: shop`) still read as one channel, and a config that cannot work is
refused with the form to write instead."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from causeway.checks.needs import payment_methods
from causeway.config import parse_config
from causeway.connectors.woocommerce.webhooks import woo_topics
from causeway.engine.inbox import InboxRecord, StoredEvent
from causeway.errors import ConfigError, PermanentError
from causeway.flows.cancellations import Cancellations
from causeway.flows.payments_and_invoices import PaymentsAndInvoices
from causeway.flows.returns_to_erp import ReturnsToErp
from causeway.hub import Hub
from tests.unit.hub_configs import hub_yaml
from tests.unit.woocommerce_payloads import order

TWO_STORES = [{"system": "shop"}, {"system": "woo"}]
CHANNEL_FLOWS = ("payments-and-invoices", "cancellations", "returns-to-erp")


def hub(tmp_path: Path, flows: dict[str, Any]) -> Hub:
    orders = {"target": "erp", "channels": [{"system": "shop"}, {"system": "woo"}]}
    orders["channels"][1]["reference_prefix"] = "WOO-"
    return Hub(parse_config(hub_yaml(tmp_path, {"orders-to-erp": orders, **flows}), env={}))


def refusal(tmp_path: Path, flow: str, settings: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as refused:
        parse_config(hub_yaml(tmp_path, {flow: settings}), env={})
    return str(refused.value)


def record(source: str, topic: str) -> InboxRecord:
    return InboxRecord(source, f"{source}-{topic}", topic, "order:77", b"{}")


@pytest.mark.parametrize("flow", CHANNEL_FLOWS)
def test_a_config_written_for_one_store_is_one_channel(tmp_path: Path, flow: str) -> None:
    running = hub(tmp_path, {flow: {"source": "shop", "target": "erp"}})
    try:
        built = running.flows[flow]
        assert isinstance(built, PaymentsAndInvoices | Cancellations | ReturnsToErp)
        assert list(built.channels) == ["shop"]
        assert running.flows.enabled[flow].sources == ("shop",)
    finally:
        running.stop()


def test_each_store_pays_its_invoices_with_its_own_payment_method(tmp_path: Path) -> None:
    payments = {
        "target": "erp",
        "payment_method": "Card payments",
        "channels": [{"system": "shop"}, {"system": "woo", "payment_method": "Stripe US"}],
    }
    running = hub(tmp_path, {"payments-and-invoices": payments})
    try:
        flow = running.flows["payments-and-invoices"]
        assert isinstance(flow, PaymentsAndInvoices)
        assert {s: c.payment_method for s, c in flow.channels.items()} == {
            "shop": "Card payments",
            "woo": "Stripe US",
        }
        # `causeway check` looks for both in the ERP.
        assert payment_methods(running.config, "erp") == ["Card payments", "Stripe US"]
    finally:
        running.stop()


def test_each_stores_cancellations_find_its_sales_by_the_prefix_orders_to_erp_gives_it(
    tmp_path: Path,
) -> None:
    running = hub(tmp_path, {"cancellations": {"target": "erp", "channels": TWO_STORES}})
    try:
        flow = running.flows["cancellations"]
        assert isinstance(flow, Cancellations)
        assert {s: c.prefix for s, c in flow.channels.items()} == {"shop": "shop-", "woo": "WOO-"}
    finally:
        running.stop()


def test_refunds_of_a_shopify_and_a_woocommerce_store_start_returns(tmp_path: Path) -> None:
    running = hub(tmp_path, {"returns-to-erp": {"target": "erp", "channels": TWO_STORES}})
    try:
        for store in ("shop", "woo"):
            (job,) = running.flows.route(record(store, "refunds/create"), 1)
            assert (job.flow, job.ordering_key) == ("returns-to-erp", f"{store}:order:77")
        # Both stores are subscribed to refunds; WooCommerce delivers them as order updates.
        assert "refunds/create" in running.flows.webhook_topics("woo")
        assert "order.updated" in woo_topics(running.flows.webhook_topics("woo"))
    finally:
        running.stop()


def test_the_reconciling_poll_starts_returns_of_woocommerce_orders_only(tmp_path: Path) -> None:
    """A polled WooCommerce order lists its refunds (a lost webhook's are booked); a polled
    Shopify order lists none, so its returns job reads nothing and asks no system."""
    running = hub(tmp_path, {"returns-to-erp": {"target": "erp", "channels": TWO_STORES}})
    try:
        flow = running.flows["returns-to-erp"]
        assert isinstance(flow, ReturnsToErp)
        polled = StoredEvent(1, "shop", "poll:1", "orders/poll", "order:77", b"{}", {}, 0.0)
        assert flow.on_event(polled) is None  # the ERP and the store are unreachable here
        # A WooCommerce order the hub has not placed: left to orders-to-erp, not parked.
        body = json.dumps(order(refunds=[{"id": 730, "total": "-6.00"}])).encode()
        woo = StoredEvent(2, "woo", "poll:727", "orders/poll", "order:727", body, {}, 0.0)
        assert flow.on_event(woo) is None
        with pytest.raises(PermanentError, match="the order is not in erp"):
            flow.on_event(
                StoredEvent(3, "woo", "wc:1:r", "refunds/create", "order:727", body, {}, 0.0)
            )
    finally:
        running.stop()


def test_a_job_of_a_store_no_longer_served_is_parked_naming_the_fix(tmp_path: Path) -> None:
    running = hub(tmp_path, {"returns-to-erp": {"source": "shop", "target": "erp"}})
    try:
        flow = running.flows["returns-to-erp"]
        assert isinstance(flow, ReturnsToErp)
        queued = StoredEvent(9, "woo", "wc:1", "refunds/create", "order:77", b"{}", {}, time.time())
        with pytest.raises(PermanentError) as parked:
            flow.on_event(queued)
        assert "from 'woo', which is not one of its channels ['shop']" in str(parked.value)
        assert "flows.returns-to-erp.channels" in str(parked.value)
    finally:
        running.stop()


@pytest.mark.parametrize("flow", CHANNEL_FLOWS)
def test_source_and_channels_together_are_refused_showing_the_channels_form(
    tmp_path: Path, flow: str
) -> None:
    message = refusal(tmp_path, flow, {"source": "shop", "target": "erp", "channels": TWO_STORES})
    assert "give either source or channels, not both" in message
    assert "channels:" in message and "- {system: shop_us}" in message
    nothing = refusal(tmp_path, flow, {"target": "erp"})
    assert "name the stores this flow serves" in nothing and "channels:" in nothing


def test_the_channels_form_shown_has_what_each_flow_takes_per_store(tmp_path: Path) -> None:
    message = refusal(tmp_path, "payments-and-invoices", {"target": "erp"})
    assert "- {system: shop_eu, payment_method: Stripe EU}" in message


@pytest.mark.parametrize(
    ("settings", "fix"),
    [
        ({"source": ["shop", "woo"]}, "source names one store; for several, use the list"),
        ({"channels": ["shop", "woo"]}, "write each store as an entry, {system: shop}"),
        ({"channels": [{"system": "shop"}, {"system": "shop"}]}, "'shop' listed twice"),
        ({"channels": [{"system": "shop", "prefix": "X-"}]}, "prefix"),
        ({"channels": [{"system": "drop"}]}, "system 'drop' is of type files"),
        ({"channels": [{"system": "shopp"}]}, "no system named 'shopp'"),
    ],
)
def test_a_list_of_channels_that_cannot_work_is_refused_naming_the_fix(
    tmp_path: Path, settings: dict[str, Any], fix: str
) -> None:
    message = refusal(tmp_path, "returns-to-erp", {"target": "erp", **settings})
    assert fix in message
