"""orders-to-erp over several stores: each channel's reference prefix, taxes and sale terms
reach the sales placed for it, the single-store form of older configs still works, and a
config that would make two channels' sales collide is refused with the fix."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.engine.jobs import Job
from causeway.errors import ConfigError, PermanentError
from causeway.flows.base import Outcomes
from causeway.flows.cancellations import Cancellations
from causeway.flows.orders_to_erp import OrdersFromChannels, OrdersToErp
from causeway.flows.orders_to_erp.declaration import channel_fulfilled_terms, channel_terms
from causeway.hub import Hub
from causeway.model.sale_terms import SaleTerms
from tests.unit.hub_configs import hub_yaml, systems

EU = {"system": "shop", "reference_prefix": "EU-", "tax_map": {"@ 20%": "VAT 20%"}}
EU_TERMS = {"price_list": "EUR Retail", "warehouse": "WH", "payment_term": "30 days"}
US = {"system": "shop_us", "reference_prefix": "US-", "customer_group": "US web"}


def config(tmp_path: Path, orders: dict[str, Any], **more_flows: Any) -> dict[str, Any]:
    data = hub_yaml(tmp_path, {"orders-to-erp": orders, **more_flows})
    data["systems"]["shop_us"] = systems(tmp_path)["shop"] | {"shop_url": "http://127.0.0.1:8"}
    return data


def two_stores(tmp_path: Path, **more_flows: Any) -> Hub:
    orders = {"target": "erp", "channels": [EU | EU_TERMS, US]}
    return Hub(parse_config(config(tmp_path, orders, **more_flows), env={}))


def refusal(tmp_path: Path, orders: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as refused:
        parse_config(config(tmp_path, orders), env={})
    return str(refused.value)


def test_an_old_single_store_config_is_one_channel_with_its_prefix_and_taxes(
    tmp_path: Path,
) -> None:
    orders = {"source": "shop", "target": "erp", "reference_prefix": "web-"}
    settings = parse_config(config(tmp_path, orders | {"tax_map": {"@ 6%": "KY"}}), env={})
    (channel,) = settings.flows.orders_to_erp.channels  # type: ignore[union-attr]
    assert (channel.system, channel.prefix) == ("shop", "web-")
    assert channel.taxes().erp_tax("Sales tax", Decimal("0.06")) == "KY"
    assert channel.terms() == SaleTerms()  # the ERP's defaults, as before channel lists


def test_each_channel_is_placed_by_its_own_flow_with_its_prefix_taxes_and_terms(
    tmp_path: Path,
) -> None:
    hub = two_stores(tmp_path)
    try:
        flow = hub.flows["orders-to-erp"]
        assert isinstance(flow, OrdersFromChannels)
        eu, us = flow.channel("shop"), flow.channel("shop_us")
        assert (eu.source, eu.prefix, eu.target) == ("shop", "EU-", "erp")
        assert eu.terms == SaleTerms(
            price_list="EUR Retail", warehouse="WH", payment_term="30 days"
        )
        assert eu.tax_map is not None and eu.tax_map.erp_tax("VAT", Decimal("0.2")) == "VAT 20%"
        assert (us.source, us.prefix, us.terms) == (
            "shop_us",
            "US-",
            SaleTerms(customer_group="US web"),
        )
        # Webhooks of both stores start its jobs; `causeway check` checks both channels' terms.
        assert set(hub.flows.enabled["orders-to-erp"].sources) == {"shop", "shop_us"}
        assert set(channel_terms(hub.config.flows, "erp")) == {"shop", "shop_us"}
        assert channel_terms(hub.config.flows, "another-erp") == {}
    finally:
        hub.stop()


def test_a_channel_that_fulfils_orders_itself_places_them_from_its_own_warehouse(
    tmp_path: Path,
) -> None:
    fba = {"channel_fulfilled_warehouse": "Amazon FBA"}
    orders = {"target": "erp", "channels": [EU | EU_TERMS | fba, US]}
    hub = Hub(parse_config(config(tmp_path, orders), env={}))
    try:
        flow = hub.flows["orders-to-erp"]
        assert isinstance(flow, OrdersFromChannels)
        on_amazon = EU_TERMS | {"warehouse": "Amazon FBA", "shipped_by_channel": True}
        assert flow.channel("shop").fulfilled_terms == SaleTerms(**on_amazon)
        assert flow.channel("shop_us").fulfilled_terms is None  # its FBA orders park
        # `causeway check` looks for the FBA warehouse too; stock keeps the channels' own.
        assert channel_fulfilled_terms(hub.config.flows, "erp") == {
            "shop (fulfilled by the channel)": SaleTerms(**on_amazon)
        }
        assert channel_terms(hub.config.flows, "erp")["shop"].warehouse == "WH"
    finally:
        hub.stop()


def test_cancellations_of_each_store_find_the_sale_by_that_stores_prefix(tmp_path: Path) -> None:
    cancellations = {"target": "erp", "channels": [{"system": "shop_us"}, {"system": "shop"}]}
    hub = two_stores(tmp_path, cancellations=cancellations)
    try:
        flow = hub.flows["cancellations"]
        assert isinstance(flow, Cancellations)
        assert {system: c.prefix for system, c in flow.channels.items()} == {
            "shop_us": "US-",
            "shop": "EU-",
        }
    finally:
        hub.stop()


def test_a_batch_is_split_by_store_and_a_job_of_no_channel_is_refused(tmp_path: Path) -> None:
    hub = two_stores(tmp_path)
    try:
        flow = hub.flows["orders-to-erp"]
        assert isinstance(flow, OrdersFromChannels)
        handed: dict[str, list[int]] = {}

        def recording(system: str, channel: OrdersToErp) -> Any:
            def handle(jobs: Sequence[Job]) -> Outcomes:
                handed[system] = [job.id for job in jobs]
                return {job.id: None for job in jobs}

            return handle

        for system, channel in flow.channels.items():
            channel.handle = recording(system, channel)  # type: ignore[method-assign]
        jobs = [
            Job(1, "orders-to-erp", "shop:order:1", {"inbox_id": 1}, 0, 12),
            Job(2, "orders-to-erp", "shop_us:order:1", {"inbox_id": 2}, 0, 12),
            Job(3, "orders-to-erp", "shop:order:2", {"inbox_id": 3}, 0, 12),
            Job(4, "orders-to-erp", "woo:order:9", {"inbox_id": 4}, 0, 12),
        ]
        outcomes = flow.handle(jobs)
        assert handed == {"shop": [1, 3], "shop_us": [2]}
        assert [outcomes[i] for i in (1, 2, 3)] == [None, None, None]
        assert isinstance(outcomes[4], PermanentError) and "woo" in str(outcomes[4])
    finally:
        hub.stop()


def test_source_and_channels_together_are_refused_showing_the_channels_form(
    tmp_path: Path,
) -> None:
    message = refusal(tmp_path, {"source": "shop", "target": "erp", "channels": [US]})
    assert "give either source or channels, not both" in message
    assert "channels:" in message and "- {system: shop_eu, reference_prefix: EU-" in message


def test_two_channels_with_one_reference_prefix_are_refused(tmp_path: Path) -> None:
    same = {"target": "erp", "channels": [EU, US | {"reference_prefix": "EU-"}]}
    message = refusal(tmp_path, same)
    assert "channels 'shop' and 'shop_us' share the reference prefix 'EU-'" in message


def test_a_store_listed_twice_or_top_level_taxes_beside_channels_are_refused(
    tmp_path: Path,
) -> None:
    twice = {"target": "erp", "channels": [EU, EU | {"reference_prefix": "X-"}]}
    assert "a store is listed twice in channels" in refusal(tmp_path, twice)
    beside = {"target": "erp", "channels": [US], "tax_map": {"@ 6%": "KY"}}
    assert "belong to each channel" in refusal(tmp_path, beside)
    assert "name the stores the orders come from" in refusal(tmp_path, {"target": "erp"})


def test_a_channel_naming_no_store_is_refused_naming_the_key(tmp_path: Path) -> None:
    message = refusal(tmp_path, {"target": "erp", "channels": [{"system": "erp"}]})
    assert "flows.orders-to-erp.channels: system 'erp'" in message
