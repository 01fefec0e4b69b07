"""Order flow decisions that need no ERP: references and reading stored payloads."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from causeway.engine.inbox import StoredEvent
from causeway.errors import InvalidPayloadError
from causeway.flows.orders_to_erp import parse_event, reference_for
from causeway.model import Customer, Order, OrderLine


def order(number: str = "#1001", cancelled: bool = False, **lines: int) -> Order:
    stamp = datetime(2026, 11, 22, tzinfo=UTC)
    return Order(
        external_id="1",
        number=number,
        currency="USD",
        created_at=stamp,
        updated_at=stamp,
        customer=Customer(email="a@b.c"),
        lines=tuple(
            OrderLine(external_id=sku, sku=sku, title=sku, quantity=q, unit_price=Decimal(1))
            for sku, q in lines.items()
        ),
        subtotal=Decimal(0),
        total_tax=Decimal(0),
        total=Decimal(0),
        cancelled_at=stamp if cancelled else None,
    )


def event(body: bytes, topic: str = "orders/create") -> StoredEvent:
    return StoredEvent(1, "shop", "e1", topic, "order:1", body, {}, 0.0)


class Channel:
    """Bodies name their lines only; webhook and polled bodies read alike."""

    def order_from_webhook(self, body: dict[str, Any]) -> Order:
        return order(**body["lines"])

    order_from_polled = order_from_webhook


CHANNEL = Channel()


def test_the_erp_reference_is_the_prefix_and_the_store_number() -> None:
    assert reference_for("shop-", order("#1001")) == "shop-1001"
    assert reference_for("eu/", order("1002")) == "eu/1002"


def test_a_body_that_is_not_a_json_object_is_an_invalid_payload() -> None:
    with pytest.raises(InvalidPayloadError, match="not a JSON object"):
        parse_event(event(b"[1, 2]"), CHANNEL)
    with pytest.raises(InvalidPayloadError, match="not JSON"):
        parse_event(event(b"\xff\xfe"), CHANNEL)
