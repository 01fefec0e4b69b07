"""Fulfilling Shopify orders: read an order's fulfillment orders, create a fulfillment.

Shopify ships by fulfillment order (API 2023-01 on): a fulfillment names the
fulfillment order line items and quantities it ships, with tracking info. The
order's existing fulfillments are read with the fulfillment orders, so a caller
can see whether a shipment already reached the store (by tracking number) before
it creates anything: the guard against a crash between the store write and the
hub's own record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel

from causeway.connectors.shopify.client import ShopifyGraphQL
from causeway.connectors.shopify.graphql_models import shaped
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.model.ports.channel import (
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentOrderLine,
    FulfillmentState,
    PublishedFulfillment,
    Tracking,
)

MAX_FULFILLMENT_ORDERS = 5  # an order has one per location; 5 x 100 lines stays under 1000 points
MAX_FULFILLMENT_ORDER_LINES = 100
MAX_FULFILLMENTS = 20
# Shopify's fulfillment statuses that leave nothing fulfilled.
FAILED = ("CANCELLED", "ERROR", "FAILURE")

ORDER_FULFILLMENT = f"""
query OrderFulfillment($id: ID!) {{
  order(id: $id) {{
    id name displayFulfillmentStatus
    fulfillments(first: {MAX_FULFILLMENTS}) {{
      id status trackingInfo(first: 5) {{ company number url }}
    }}
    fulfillmentOrders(first: {MAX_FULFILLMENT_ORDERS}) {{
      nodes {{
        id status
        lineItems(first: {MAX_FULFILLMENT_ORDER_LINES}) {{
          nodes {{ id sku remainingQuantity totalQuantity }}
        }}
      }}
    }}
  }}
}}
"""

FULFILLMENT_CREATE = """
mutation FulfillmentCreate($fulfillment: FulfillmentInput!, $message: String) {
  fulfillmentCreate(fulfillment: $fulfillment, message: $message) {
    fulfillment { id name status trackingInfo(first: 5) { company number url } }
    userErrors { field message }
  }
}
"""


class _Gql(BaseModel):
    model_config = {"extra": "ignore"}


class GqlTrackingInfo(_Gql):
    company: str | None = None
    number: str | None = None
    url: str | None = None


class GqlFulfillment(_Gql):
    id: str
    name: str | None = None
    status: str
    trackingInfo: list[GqlTrackingInfo] = []


class GqlFulfillmentOrderLine(_Gql):
    id: str
    sku: str | None = None
    remainingQuantity: int
    totalQuantity: int


class GqlFulfillmentOrderLines(_Gql):
    nodes: list[GqlFulfillmentOrderLine]


class GqlFulfillmentOrder(_Gql):
    id: str
    status: str
    lineItems: GqlFulfillmentOrderLines


class GqlFulfillmentOrders(_Gql):
    nodes: list[GqlFulfillmentOrder]


class GqlOrderFulfillment(_Gql):
    id: str
    name: str
    displayFulfillmentStatus: str
    fulfillments: list[GqlFulfillment]
    fulfillmentOrders: GqlFulfillmentOrders

    @property
    def tracking_numbers(self) -> set[str]:
        """Tracking numbers of the fulfillments that stand (not cancelled or failed)."""
        return {
            t.number
            for f in self.fulfillments
            if f.status not in FAILED
            for t in f.trackingInfo
            if t.number
        }


class GqlUserErrorLite(_Gql):
    field: list[str] | None = None
    message: str


def as_published(fulfillment: GqlFulfillment) -> PublishedFulfillment:
    """A Shopify fulfillment in the channel port's terms."""
    return PublishedFulfillment(
        id=fulfillment.id,
        stands=fulfillment.status not in FAILED,
        tracking_numbers=tuple(t.number for t in fulfillment.trackingInfo if t.number),
    )


def _fulfillment_order_status(status: str) -> Literal["open", "closed", "cancelled"]:
    if status == "CLOSED":
        return "closed"
    return "cancelled" if status == "CANCELLED" else "open"  # in progress, on hold...: open


def as_state(order: GqlOrderFulfillment) -> FulfillmentState:
    """An order's fulfillment orders and fulfillments in the channel port's terms."""
    return FulfillmentState(
        order_name=order.name,
        fully_fulfilled=order.displayFulfillmentStatus == "FULFILLED",
        fulfillment_orders=tuple(
            FulfillmentOrder(
                id=fo.id,
                status=_fulfillment_order_status(fo.status),
                lines=tuple(
                    FulfillmentOrderLine(id=ln.id, sku=ln.sku, remaining=ln.remainingQuantity)
                    for ln in fo.lineItems.nodes
                ),
            )
            for fo in order.fulfillmentOrders.nodes
        ),
        fulfillments=tuple(as_published(f) for f in order.fulfillments),
    )


def order_fulfillment(client: ShopifyGraphQL, order_gid: str, system: str) -> GqlOrderFulfillment:
    """The order's fulfillment orders (open lines, remaining quantities) and fulfillments."""
    data = client.execute(ORDER_FULFILLMENT, {"id": order_gid})
    node = data.get("order")
    if not isinstance(node, dict):
        raise PermanentError(
            f"order {order_gid} not found in {system}: it was deleted, or the id belongs to "
            f"another shop"
        )
    return shaped(GqlOrderFulfillment, node, "order fulfillment orders")


def create_fulfillment(
    client: ShopifyGraphQL,
    lines: Sequence[FulfillmentLine],
    *,
    tracking: Tracking | None,
    notify_customer: bool,
    system: str,
    message: str | None = None,
) -> GqlFulfillment:
    """fulfillmentCreate for these lines; a refusal (userErrors) is a PermanentError."""
    by_order: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_order.setdefault(line.fulfillment_order_id, []).append(
            {"id": line.line_item_id, "quantity": line.quantity}
        )
    fulfillment: dict[str, Any] = {
        "lineItemsByFulfillmentOrder": [
            {"fulfillmentOrderId": fo, "fulfillmentOrderLineItems": items}
            for fo, items in by_order.items()
        ],
        "notifyCustomer": notify_customer,
    }
    if tracking is not None:
        info = {k: v for k, v in vars(tracking).items() if v}
        if info:
            fulfillment["trackingInfo"] = info
    data = client.execute(FULFILLMENT_CREATE, {"fulfillment": fulfillment, "message": message})
    payload = data.get("fulfillmentCreate") or {}
    errors = [
        shaped(GqlUserErrorLite, e, "fulfillmentCreate") for e in payload.get("userErrors") or []
    ]
    if errors:
        reasons = "; ".join(
            e.message + (f" ({'.'.join(e.field)})" if e.field else "") for e in errors
        )
        raise PermanentError(f"{system} refused the fulfillment: {reasons}")
    created = payload.get("fulfillment")
    if not isinstance(created, dict):
        raise InvalidPayloadError("unexpected Shopify answer: fulfillmentCreate.fulfillment")
    return shaped(GqlFulfillment, created, "fulfillmentCreate")
