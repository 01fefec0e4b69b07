"""Orders a channel fulfils from its own warehouse (Amazon FBA): the setting that names the
ERP warehouse standing for the channel's, and the terms each order of a batch is placed on
(flows/orders_to_erp/channel_fulfilled.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from causeway.errors import PermanentError
from causeway.flows.fulfillments_to_channels.decisions import fulfilled_by_channel
from causeway.flows.orders_to_erp.channel_fulfilled import by_terms
from causeway.flows.orders_to_erp.declaration import OrderChannel, OrdersToErpFlow
from causeway.model import Customer, Order
from causeway.model.sale_terms import SaleTerms

STAMP = datetime(2026, 12, 7, tzinfo=UTC)


def an_order(number: str, *, by_amazon: bool) -> Order:
    return Order(
        external_id=number,
        number=number,
        currency="USD",
        created_at=STAMP,
        updated_at=STAMP,
        customer=Customer(email="b@example.com"),
        lines=(),
        subtotal=Decimal(0),
        total_tax=Decimal(0),
        total=Decimal(0),
        fulfilled_by_channel=by_amazon,
    )


def test_the_fba_warehouse_is_a_setting_of_the_channel_and_keeps_its_other_terms() -> None:
    flow = OrdersToErpFlow.model_validate(
        {
            "target": "erp",
            "channels": [
                {"system": "amazon", "price_list": "Marketplace", "warehouse": "WH",
                 "channel_fulfilled_warehouse": "Amazon FBA"},
                {"system": "shop"},
            ],
        }
    )  # fmt: skip
    amazon, shop = flow.channels
    assert amazon.fulfilled_terms() == SaleTerms(
        price_list="Marketplace", warehouse="Amazon FBA", shipped_by_channel=True
    )
    assert shop.fulfilled_terms() is None  # not configured: such orders park
    assert amazon.terms() == SaleTerms(price_list="Marketplace", warehouse="WH")


def test_the_fba_warehouse_cannot_be_the_merchants_own() -> None:
    with pytest.raises(ValidationError, match=r"also the channel's warehouse"):
        OrderChannel(system="amazon", warehouse="WH", channel_fulfilled_warehouse=" WH ")


def test_a_batch_splits_into_the_merchants_orders_and_the_channels() -> None:
    channel = SaleTerms(warehouse="WH")
    fba = SaleTerms(warehouse="Amazon FBA", shipped_by_channel=True)
    orders = {1: an_order("A", by_amazon=False), 2: an_order("B", by_amazon=True)}

    groups, refused = by_terms(orders, channel, fba, source="amazon")

    assert groups == [(channel, {1: orders[1]}), (fba, {2: orders[2]})]
    assert refused == {}


def test_without_the_setting_an_fba_order_is_refused_naming_it_and_the_others_go_on() -> None:
    orders = {1: an_order("A", by_amazon=False), 2: an_order("114-2", by_amazon=True)}

    groups, refused = by_terms(orders, SaleTerms(warehouse="WH"), None, source="amazon")

    assert groups == [(SaleTerms(warehouse="WH"), {1: orders[1]})]
    assert isinstance(refused[2], PermanentError)
    assert "channel_fulfilled_warehouse" in str(refused[2]) and "114-2" in str(refused[2])


def test_only_an_order_recorded_as_fulfilled_by_its_channel_skips_the_confirmation() -> None:
    assert fulfilled_by_channel({"number": "114-2", "fulfilled_by_channel": True})
    assert not fulfilled_by_channel({"number": "#1001"})  # every order placed before, too
