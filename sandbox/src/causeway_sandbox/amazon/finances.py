"""The Finances API v0's listFinancialEventsByOrderId, as Amazon's public model has it
(financesV0.json in Amazon's selling-partner-api-models; docs/connectors/amazon.md, "Fees").

    GET /finances/v0/orders/{orderId}/financialEvents?MaxResultsPerPage=&NextToken=
    -> {"payload": {"FinancialEvents": {"ShipmentEventList": [...],
                                        "RefundEventList": [...],
                                        "GuaranteeClaimEventList": [...],
                                        "ChargebackEventList": [...]}, "NextToken": "..."}}

An order's shipment events are, in this order of precedence:
- those the control API seeded for it (POST /_sandbox/financial-events/{orderId});
- else, once the order is SHIPPED, one event derived from it as Amazon would post it:
  per item a Principal charge (unit price x quantity), a ReferralFee of
  `referral_percent` of it, and on an order fulfilled by Amazon an
  FBAPerUnitFulfillmentFee of `fba_fee_per_unit` per unit, fees negative;
- else none: Amazon posts an order's events after it ships.
Its refund events (RefundEventList) are those seeded for it (the same control route with
{"RefundEventList": [...]}) and those of refunding it (POST
/_sandbox/orders/{orderId}/refund: refunds.py), in the order they were posted; likewise
its guarantee claim and chargeback events (GuaranteeClaimEventList, ChargebackEventList:
seeded under those keys, or the refund route with {"kind": "claim" | "chargeback"}).
Pages hold MaxResultsPerPage events (1..100) with an opaque NextToken; the operation has
its own token bucket (usage plan 0.5/s, burst 30 at Amazon). The same events, of every
order, by the date range they were posted in: listFinancialEvents (finance_range.py).
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from causeway_sandbox.amazon import finance_range
from causeway_sandbox.amazon.faults import error_body
from causeway_sandbox.amazon.refunds import (
    EVENT_LISTS,
    RefundRefused,
    RefundRequest,
    refund_event,
)
from causeway_sandbox.amazon.store import BLOCKS, decode_token, encode_token, iso

OPERATION = "listFinancialEventsByOrderId"
PATH = "/finances/v0/orders/{order_id}/financialEvents"
CENT = Decimal("0.01")
ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")  # Amazon's 3-7-7 order ids

# The fee schedule's settings (POST /_sandbox/fee-schedule).
SCHEDULE = (
    "referral_percent",
    "fba_fee_per_unit",
    "refund_commission_percent",
    "refund_commission_cap",
)

Edge = Callable[[Request, str], Awaitable[Response | None]]
Log = Callable[[Request, str, Response], Response]


class FinancialEvents:
    """Seeded shipment events and refund events per order, and the fee schedule derived
    events use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seeded: dict[str, list[dict[str, Any]]] = {}
        # order -> (its list in FinancialEvents, event) of its refunds, claims, chargebacks
        self._refunds: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self._refunded: dict[str, dict[str, int]] = {}  # order -> item -> units refunded
        self._adjustments = 0
        self.schedule_defaults()

    def schedule_defaults(self) -> None:
        self.referral_percent = Decimal(15)
        self.fba_fee_per_unit = Decimal("3.22")
        self.refund_commission_percent = Decimal(20)
        self.refund_commission_cap = Decimal("5.00")

    def reset(self) -> None:
        with self._lock:
            self._seeded.clear()
            self._refunds.clear()
            self._refunded.clear()
        self.schedule_defaults()

    def seed(self, order_id: str, events: list[dict[str, Any]]) -> int:
        with self._lock:
            held = self._seeded.setdefault(order_id, [])
            held += copy.deepcopy(events)
            return len(held)

    def seed_refunds(
        self, order_id: str, events: list[dict[str, Any]], into: str = "RefundEventList"
    ) -> int:
        with self._lock:
            held = self._refunds.setdefault(order_id, [])
            held += [(into, e) for e in copy.deepcopy(events)]
            return sum(1 for kind, _ in held if kind == into)

    def refund(self, order: dict[str, Any], request: RefundRequest, posted: str) -> dict[str, Any]:
        """Refund units of a shipped order: its RefundEventList event (GuaranteeClaimEventList,
        ChargebackEventList by the request's kind), kept and returned."""
        with self._lock:
            refunded = self._refunded.setdefault(order["orderId"], {})
            first = self._adjustments + 1
            ids = [f"ADJ-{first + i:07d}" for i in range(len(order.get("orderItems", [])) or 1)]
            event = refund_event(
                order,
                request,
                refunded,
                referral_percent=self.referral_percent,
                commission_percent=self.refund_commission_percent,
                commission_cap=self.refund_commission_cap,
                posted=posted,
                adjustment_ids=ids,
            )
            self._adjustments += len(event["ShipmentItemAdjustmentList"])
            into = EVENT_LISTS[request.kind]
            self._refunds.setdefault(order["orderId"], []).append((into, event))
            return copy.deepcopy(event)

    def order_ids(self) -> set[str]:
        """The orders with seeded or refund events (listFinancialEvents reads them all)."""
        with self._lock:
            return set(self._seeded) | set(self._refunds)

    def refunds_of(self, order_id: str) -> list[tuple[str, dict[str, Any]]]:
        """(list name, event) of the order's refunds, claims and chargebacks, as posted."""
        with self._lock:
            return copy.deepcopy(self._refunds.get(order_id, []))

    def of_order(self, order_id: str, order: dict[str, Any] | None) -> list[dict[str, Any]]:
        with self._lock:
            seeded = copy.deepcopy(self._seeded.get(order_id))
        if seeded is not None:
            return seeded
        if order is None or (order.get("fulfillment") or {}).get("fulfillmentStatus") != "SHIPPED":
            return []
        return [self.derived(order)]

    def derived(self, order: dict[str, Any]) -> dict[str, Any]:
        by_amazon = (order.get("fulfillment") or {}).get("fulfilledBy") == "AMAZON"
        items = []
        for item in order.get("orderItems", []):
            unit = ((item.get("product") or {}).get("price") or {}).get("unitPrice") or {}
            currency = unit.get("currencyCode", "USD")
            quantity = int(item.get("quantityOrdered") or 0)
            principal = Decimal(str(unit.get("amount", "0"))) * quantity
            fees = [_fee("ReferralFee", -_cents(principal * self.referral_percent / 100), currency)]
            if by_amazon:
                fees.append(
                    _fee("FBAPerUnitFulfillmentFee", -self.fba_fee_per_unit * quantity, currency)
                )
            items.append(
                {
                    "SellerSKU": (item.get("product") or {}).get("sellerSku"),
                    "OrderItemId": item.get("orderItemId"),
                    "QuantityShipped": quantity,
                    "ItemChargeList": [
                        {"ChargeType": "Principal", "ChargeAmount": _money(principal, currency)}
                    ],
                    "ItemFeeList": fees,
                }
            )
        return {
            "AmazonOrderId": order["orderId"],
            "MarketplaceName": "Amazon.com",
            "PostedDate": order.get("lastUpdatedTime") or iso(datetime.now(UTC)),
            "ShipmentItemList": items,
        }


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _money(amount: Decimal, currency: str) -> dict[str, Any]:
    # Amazon's Currency.CurrencyAmount is a JSON number (BigDecimal).
    return {"CurrencyCode": currency, "CurrencyAmount": float(_cents(amount))}


def _fee(kind: str, amount: Decimal, currency: str) -> dict[str, Any]:
    return {"FeeType": kind, "FeeAmount": _money(amount, currency)}


def _error(status: int, code: str, message: str, details: str = "") -> Response:
    return Response(error_body(code, message, details), status, media_type="application/json")


def install(app: FastAPI, sandbox: Any, edge: Edge, log: Log) -> None:
    """Add the operation and its control routes to the sandbox's app."""
    events: FinancialEvents = sandbox.finances

    @app.get(PATH)
    async def list_by_order(request: Request, order_id: str) -> Response:
        stopped = await edge(request, OPERATION)
        return log(request, OPERATION, stopped or _page(sandbox, events, request, order_id))

    @app.get(finance_range.PATH)
    async def list_in_range(request: Request) -> Response:
        stopped = await edge(request, finance_range.OPERATION)
        answer = stopped or finance_range.range_page(sandbox, request)
        return log(request, finance_range.OPERATION, answer)

    control = APIRouter(prefix="/_sandbox", tags=["sandbox control (not part of Amazon)"])

    @control.post("/financial-events/{order_id}")
    async def seed(request: Request, order_id: str) -> dict[str, Any]:
        body = await request.json()
        if isinstance(body, dict):
            shipments = body.get("ShipmentEventList")
            adjusted = {name: body.get(name, []) for name in EVENT_LISTS.values()}
        else:
            shipments, adjusted = body, {}
        lists = [*adjusted.values()] if shipments is None else [shipments, *adjusted.values()]
        if not all(isinstance(x, list) and all(isinstance(e, dict) for e in x) for x in lists):
            raise HTTPException(
                422,
                "send a list of ShipmentEvents or {ShipmentEventList, RefundEventList, "
                "GuaranteeClaimEventList, ChargebackEventList}",
            )
        answer: dict[str, Any] = {"order": order_id}
        for kind, name in EVENT_LISTS.items():
            held = events.seed_refunds(order_id, adjusted.get(name, []), into=name)
            if kind == "refund" or adjusted.get(name):
                answer[f"{kind}s"] = held
        if shipments is not None:
            answer["events"] = events.seed(order_id, shipments)
        return answer

    @control.post("/orders/{order_id}/refund")
    async def refund(request: Request, order_id: str) -> dict[str, Any]:
        raw = await request.body()
        try:
            wanted = RefundRequest.model_validate_json(raw or b"{}")
        except ValueError as error:
            raise HTTPException(422, f"not a refund: {error}") from None
        order = sandbox.store.get(order_id, list(BLOCKS))
        if order is None:
            raise HTTPException(404, f"no order {order_id}")
        try:
            return events.refund(order, wanted, iso(sandbox.clock.now()))
        except RefundRefused as refused:
            raise HTTPException(409, str(refused)) from None

    @control.post("/fee-schedule")
    async def schedule(request: Request) -> dict[str, str]:
        body = await request.json()
        for name in SCHEDULE:
            if name in body:
                setattr(events, name, Decimal(str(body[name])))
        return {name: str(getattr(events, name)) for name in SCHEDULE}

    app.include_router(control)


def _page(sandbox: Any, events: FinancialEvents, request: Request, order_id: str) -> Response:
    q = request.query_params
    if not ORDER_ID.fullmatch(order_id):
        return _error(400, "InvalidInput", "Bad order ID provided.")
    try:
        size = int(q.get("MaxResultsPerPage", "100"))
    except ValueError:
        size = 0
    if not 1 <= size <= 100:
        return _error(400, "InvalidInput", "Invalid Input", "MaxResultsPerPage")
    offset = 0
    if "NextToken" in q:
        state = decode_token(q["NextToken"])
        if state is None or state.get("order") != order_id:
            return _error(400, "InvalidInput", "Invalid Input", "NextToken")
        offset = int(state.get("offset", 0))
    order = sandbox.store.get(order_id, list(BLOCKS))
    # One sequence of events, shipments then refunds, claims and chargebacks (posted after
    # them), paged together.
    every = [("ShipmentEventList", e) for e in events.of_order(order_id, order)]
    every += events.refunds_of(order_id)
    lists: dict[str, list[dict[str, Any]]] = {"ShipmentEventList": []}
    for kind, event in every[offset : offset + size]:
        lists.setdefault(kind, []).append(event)
    payload: dict[str, Any] = {"FinancialEvents": lists}
    if offset + size < len(every):
        payload["NextToken"] = encode_token({"order": order_id, "offset": offset + size})
    return JSONResponse({"payload": payload})
