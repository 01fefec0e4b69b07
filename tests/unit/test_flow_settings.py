"""Each flow's settings as causeway.yaml gives them: the defaults a merchant gets, and the
facts one flow takes from another's settings (the sale reference prefix of orders-to-erp)."""

from __future__ import annotations

from pathlib import Path

import pytest

from causeway.engine.schedule import INTERVAL, REALTIME
from causeway.errors import ConfigError
from causeway.flows.cancellations import Cancellations
from causeway.flows.fulfillments_to_channels import NAME as FULFILMENTS
from causeway.flows.fulfillments_to_channels import FulfillmentsToChannels
from causeway.hub import Hub
from tests.unit.hub_configs import hub_config
from tests.unit.test_flow_routing import shipment


def test_crm_flows_run_every_five_minutes_with_the_documented_rfm_thresholds(
    tmp_path: Path,
) -> None:
    flows = hub_config(
        tmp_path,
        {
            "customers-to-crm": {"source": "shop", "target": "crm", "rfm": {"recent_days": 30}},
            "cases": {"source": "crm", "target": "shop"},
        },
    ).flows
    customers = flows.customers_to_crm
    assert customers.effective_schedule().mode == INTERVAL
    assert customers.effective_schedule().every_seconds == 300
    assert (customers.rfm.recent_days, customers.rfm.lapsing_days) == (30, 180)
    cases = flows.cases
    assert cases.effective_schedule().mode == REALTIME
    assert cases.effective_schedule().every_seconds == 300
    assert cases.order_property == "causeway_order_number"


def test_customers_and_cases_serve_several_stores_and_still_read_the_one_store_form(
    tmp_path: Path,
) -> None:
    flows = hub_config(
        tmp_path,
        {
            "customers-to-crm": {"sources": ["shop", "woo"], "target": "crm", "currency": "EUR"},
            "cases": {"source": "crm", "stores": ["shop", "woo"]},
        },
    ).flows
    assert flows.customers_to_crm.sources == ["shop", "woo"]
    assert flows.customers_to_crm.currency == "EUR"
    assert flows.cases.stores == ["shop", "woo"]
    old = hub_config(
        tmp_path,
        {
            "customers-to-crm": {"source": "shop", "target": "crm"},
            "cases": {"source": "crm", "target": "shop"},
        },
    ).flows
    assert (old.customers_to_crm.sources, old.cases.stores) == (["shop"], ["shop"])


@pytest.mark.parametrize(
    ("flow", "settings", "message"),
    [
        ("customers-to-crm", {"target": "crm"}, "sources: \\[shop\\]"),
        ("customers-to-crm", {"source": "shop", "sources": ["woo"], "target": "crm"}, "not both"),
        ("customers-to-crm", {"sources": ["shop", "shop"], "target": "crm"}, "listed twice"),
        ("customers-to-crm", {"sources": ["shop"], "target": "crm", "currency": "€"}, "currency"),
        ("cases", {"source": "crm"}, "stores: \\[shop\\]"),
        ("cases", {"source": "crm", "target": "shop", "stores": ["woo"]}, "not both"),
        ("cases", {"source": "crm", "stores": ["erp"]}, "erp"),
    ],
)
def test_a_store_list_written_wrong_is_refused_with_the_form_to_use(
    tmp_path: Path, flow: str, settings: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        hub_config(tmp_path, {flow: settings})


def test_quotes_run_in_real_time_with_a_5_minute_poll_and_margins_every_15_minutes(
    tmp_path: Path,
) -> None:
    flows = hub_config(
        tmp_path,
        {
            "quotes-to-erp": {"source": "crm", "target": "erp"},
            "margins-to-crm": {"source": "erp", "target": "crm"},
        },
    ).flows
    quotes = flows.quotes_to_erp.effective_schedule()
    margins = flows.margins_to_crm.effective_schedule()
    assert (quotes.mode, quotes.every_seconds) == (REALTIME, 300.0)
    assert (margins.mode, margins.every_seconds) == (INTERVAL, 900.0)
    assert flows.quotes_to_erp.won_stages == ["closedwon"]
    with pytest.raises(ConfigError, match="won_stages"):
        no_stage = {"source": "crm", "target": "erp", "won_stages": []}
        hub_config(tmp_path, {"quotes-to-erp": no_stage})


def test_returns_check_receipts_on_their_own_schedule(tmp_path: Path) -> None:
    returns = {"source": "shop", "target": "erp", "receipt_check_every": "10m"}
    hub = Hub(hub_config(tmp_path, {"returns-to-erp": returns}))
    try:
        enabled = hub.flows.enabled["returns-to-erp"]
        assert enabled.schedule.describe() == "realtime, every 10m"
        assert enabled.run_payload == {"poll": True}
    finally:
        hub.stop()


def orders_and(tmp_path: Path, name: str, settings: dict[str, object], **orders: object) -> Hub:
    flows = {"orders-to-erp": {"source": "shop", "target": "erp", **orders}, name: settings}
    return Hub(hub_config(tmp_path, flows))


@pytest.mark.parametrize(
    ("orders", "prefix"), [({"reference_prefix": "eu-"}, "eu-"), ({}, "shop-")]
)
def test_a_cancellation_finds_the_sale_by_the_prefix_orders_to_erp_gave_it(
    tmp_path: Path, orders: dict[str, str], prefix: str
) -> None:
    hub = orders_and(tmp_path, "cancellations", {"source": "shop", "target": "erp"}, **orders)
    try:
        cancellations = hub.flows["cancellations"]
        assert isinstance(cancellations, Cancellations)
        assert cancellations.channels["shop"].prefix == prefix
        assert hub.flows.enabled["cancellations"].run_payload is None  # runs release only
    finally:
        hub.stop()


def test_an_unlinked_sale_with_the_stores_prefix_is_kept_and_a_manual_sale_is_not(
    tmp_path: Path,
) -> None:
    fulfilments = {"source": "erp", "targets": ["shop"]}
    hub = orders_and(tmp_path, FULFILMENTS, fulfilments, reference_prefix="web-")
    try:
        flow = hub.flows[FULFILMENTS]
        assert isinstance(flow, FulfillmentsToChannels)
        unknown = flow._record(shipment("web-1002"))
        assert unknown is not None and unknown.entity_key == "erp:shipment:5"
        assert flow._record(shipment("PHONE-77")) is None
        assert flow._record(shipment(None)) is None
        # The ERP in this configuration is unreachable: any call would fail the poll.
        assert flow.poll() == 0  # before the hub placed any sale it asks the ERP nothing
    finally:
        hub.stop()


def test_without_orders_to_erp_no_shipment_is_taken_for_a_stores_order(tmp_path: Path) -> None:
    hub = Hub(hub_config(tmp_path, {FULFILMENTS: {"source": "erp", "targets": ["shop"]}}))
    try:
        flow = hub.flows[FULFILMENTS]
        assert isinstance(flow, FulfillmentsToChannels)
        assert flow._record(shipment("shop-1002")) is None
    finally:
        hub.stop()
