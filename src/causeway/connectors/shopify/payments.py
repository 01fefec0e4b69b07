"""A Shopify order webhook (orders/paid, orders/updated) read as an OrderPayment.

Shopify's order webhooks do not carry transactions; the order itself says what was
received: `current_total_price` (the total after edits; `total_price` in older
payloads) minus `total_outstanding`. A payload without `total_outstanding` (older
API versions, the vendor sample) counts as fully received only when its
financial_status is paid.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from causeway.connectors.shopify.order_normalise import financial_status
from causeway.connectors.shopify.rest_models import Money, RestId, RestModel, parse_rest
from causeway.model.order import FinancialStatus
from causeway.model.payment import OrderPayment


class RestOrderPayment(RestModel):
    id: RestId
    name: str
    currency: str
    updated_at: datetime
    total_price: Money
    current_total_price: Money | None = None
    total_outstanding: Money | None = None
    financial_status: str | None = None


def payment_from_rest(payload: Mapping[str, Any]) -> OrderPayment:
    """Raises InvalidPayloadError, naming the field, when the payload is not an order."""
    o = parse_rest(RestOrderPayment, payload, key="order")
    status = financial_status(o.financial_status)
    total = o.current_total_price if o.current_total_price is not None else o.total_price
    if o.total_outstanding is not None:
        received = total - o.total_outstanding
    else:
        received = total if status == FinancialStatus.PAID else Decimal(0)
    updated = o.updated_at if o.updated_at.tzinfo else o.updated_at.replace(tzinfo=UTC)
    return OrderPayment(
        order_external_id=str(o.id),
        order_number=o.name,
        financial_status=status,
        currency=o.currency,
        received=received,
        updated_at=updated.astimezone(UTC),
    )
