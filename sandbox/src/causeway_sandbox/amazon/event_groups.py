"""The Finances API v0's financial event groups (settlement periods) and the service fees
posted into them, as Amazon's public model has it (financesV0.json in Amazon's
selling-partner-api-models; docs/connectors/amazon.md, "Fees").

    GET /finances/v0/financialEventGroups?FinancialEventGroupStartedAfter=
            &FinancialEventGroupStartedBefore=&MaxResultsPerPage=&NextToken=
    -> {"payload": {"FinancialEventGroupList": [FinancialEventGroup], "NextToken"}}
    GET /finances/v0/financialEventGroups/{eventGroupId}/financialEvents
            ?MaxResultsPerPage=&NextToken=
    -> {"payload": {"FinancialEvents": {"ServiceFeeEventList": [...],
        "ProductAdsPaymentEventList": [...], "CouponPaymentEventList": [...],
        "SellerDealPaymentEventList": [...]}, "NextToken"}}

A group is Open (ProcessingStatus) until it is closed, then Closed with its
FinancialEventGroupEnd, FundTransferDate and FundTransferStatus "Succeeded", and its
OriginalTotal (the sum of its events). Groups are listed by FinancialEventGroupStart,
oldest first, with the same range rules as listFinancialEvents (finance_range.py):
StartedAfter no later than two minutes before the request, StartedBefore later than it and
no later than two minutes before the request, the two more than 180 days apart: none. A
group's events are its service fees and its ads, coupon and deal payments in the order
they were posted, each page naming each event's list (ServiceFeeEvent has no PostedDate in
the model, so PostedAfter/PostedBefore are accepted and not applied); an unknown group is
a 404. Both page by MaxResultsPerPage (1..100) with an opaque NextToken.

Control (not Amazon's):
    POST /_sandbox/financial-event-groups   {"FinancialEventGroupId"?, "start"?}
        opens a group (409 while one is open); start: ISO 8601, default now
    POST /_sandbox/financial-event-groups/service-fees   a ServiceFeeEvent
        posts it into the open group (one opened now when none is)
    POST /_sandbox/financial-event-groups/events/{list}   an event of that list
        (ProductAdsPaymentEventList, CouponPaymentEventList, SellerDealPaymentEventList,
        ServiceFeeEventList), posted the same way, kept as sent (Amazon's schema)
    POST /_sandbox/financial-event-groups/{id}/close   {"end"?}
"""

from __future__ import annotations

import copy
import threading
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from causeway_sandbox.amazon.faults import error_body
from causeway_sandbox.amazon.finance_range import invalid, page_size, when
from causeway_sandbox.amazon.store import decode_token, encode_token, iso, parse_time

GROUPS_OPERATION = "listFinancialEventGroups"
GROUPS_PATH = "/finances/v0/financialEventGroups"
EVENTS_OPERATION = "listFinancialEventsByGroupId"
EVENTS_PATH = "/finances/v0/financialEventGroups/{group_id}/financialEvents"
LAG = timedelta(minutes=2)
LONGEST = timedelta(days=180)
SERVICE_FEES = "ServiceFeeEventList"
# Each list a group's events are posted to, and its event's total (service fees: FeeList).
EVENT_TOTALS: dict[str, str] = {
    SERVICE_FEES: "FeeList",
    "ProductAdsPaymentEventList": "transactionValue",
    "CouponPaymentEventList": "TotalAmount",
    "SellerDealPaymentEventList": "totalAmount",
}


class EventGroups:
    """The seller's financial event groups, oldest first, each with its events (by list)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: list[dict[str, Any]] = []
        self._events: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    def reset(self) -> None:
        with self._lock:
            self._groups.clear()
            self._events.clear()

    def open(self, start: datetime, group_id: str | None = None) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._open(start, group_id))

    def _open(self, start: datetime, group_id: str | None) -> dict[str, Any]:
        if any(g["ProcessingStatus"] == "Open" for g in self._groups):
            raise ValueError("a group is open already: close it first")
        group_id = group_id or uuid.uuid4().hex[:20].upper()
        if group_id in self._events:
            raise ValueError(f"group {group_id} exists already")
        group = {
            "FinancialEventGroupId": group_id,
            "ProcessingStatus": "Open",
            "FinancialEventGroupStart": iso(start),
        }
        self._groups.append(group)
        self._events[group_id] = []
        return group

    def post(
        self, event: dict[str, Any], now: datetime, list_name: str = SERVICE_FEES
    ) -> dict[str, Any]:
        """Post an event of `list_name` into the open group (opened now when none is)."""
        with self._lock:
            open_now = [g for g in self._groups if g["ProcessingStatus"] == "Open"]
            group = open_now[0] if open_now else self._open(now, None)
            held = (list_name, copy.deepcopy(event))
            self._events[group["FinancialEventGroupId"]].append(held)
            return {
                "group": group["FinancialEventGroupId"],
                "events": len(self._events[group["FinancialEventGroupId"]]),
            }

    def close(self, group_id: str, end: datetime) -> dict[str, Any]:
        with self._lock:
            group = next((g for g in self._groups if g["FinancialEventGroupId"] == group_id), None)
            if group is None:
                raise KeyError(group_id)
            if group["ProcessingStatus"] != "Open":
                raise ValueError(f"group {group_id} is closed already")
            totals = _totals(self._events[group_id])
            currency = next(iter(totals), "USD")
            total = {"CurrencyCode": currency, "CurrencyAmount": float(totals.get(currency, 0))}
            group |= {
                "ProcessingStatus": "Closed",
                "FundTransferStatus": "Succeeded",
                "FinancialEventGroupEnd": iso(end),
                "FundTransferDate": iso(end),
                "OriginalTotal": total,
                "ConvertedTotal": total,
            }
            return copy.deepcopy(group)

    def groups(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._groups)

    def events_of(self, group_id: str) -> list[tuple[str, dict[str, Any]]] | None:
        with self._lock:
            held = self._events.get(group_id)
            return None if held is None else copy.deepcopy(held)


def _totals(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = {}
    for list_name, event in events:
        field = EVENT_TOTALS[list_name]
        if list_name == SERVICE_FEES:
            amounts = [fee.get("FeeAmount") or {} for fee in event.get(field) or []]
        else:
            amounts = [event.get(field) or {}]
        for amount in amounts:
            code = str(amount.get("CurrencyCode", "USD"))
            sums[code] = sums.get(code, Decimal(0)) + Decimal(str(amount.get("CurrencyAmount", 0)))
    return sums


def groups_page(sandbox: Any, request: Request) -> Response:
    q = request.query_params
    size = page_size(request)
    if size is None:
        return invalid("MaxResultsPerPage")
    offset = 0
    if "NextToken" in q:
        state = decode_token(q["NextToken"])
        if state is None or state.get("groups") is None:
            return invalid("NextToken")
        after_text, before_text = state["groups"]
        offset = int(state.get("offset", 0))
    else:
        after_text = q.get("FinancialEventGroupStartedAfter")
        before_text = q.get("FinancialEventGroupStartedBefore")
    latest = sandbox.clock.now() - LAG
    after, before = when(after_text), when(before_text)
    if after == "" or (isinstance(after, datetime) and after > latest):
        return invalid("FinancialEventGroupStartedAfter", "Date range is invalid.")
    if before == "":
        return invalid("FinancialEventGroupStartedBefore", "Date range is invalid.")
    if before is None:
        before = latest
    assert isinstance(before, datetime)
    if before > latest or (isinstance(after, datetime) and before <= after):
        return invalid("FinancialEventGroupStartedBefore", "Date range is invalid.")
    too_long = isinstance(after, datetime) and before - after > LONGEST  # the model: none
    chosen = [
        g
        for g in sandbox.event_groups.groups()
        if not too_long
        and (not isinstance(after, datetime) or after <= parse_time(g["FinancialEventGroupStart"]))
        and parse_time(g["FinancialEventGroupStart"]) < before
    ]
    chosen.sort(key=lambda g: parse_time(g["FinancialEventGroupStart"]))
    payload: dict[str, Any] = {"FinancialEventGroupList": chosen[offset : offset + size]}
    if offset + size < len(chosen):
        token = {"groups": [after_text, before.isoformat()], "offset": offset + size}
        payload["NextToken"] = encode_token(token)
    return JSONResponse({"payload": payload})


def events_page(sandbox: Any, request: Request, group_id: str) -> Response:
    q = request.query_params
    size = page_size(request)
    if size is None:
        return invalid("MaxResultsPerPage")
    offset = 0
    if "NextToken" in q:
        state = decode_token(q["NextToken"])
        if state is None or state.get("group") != group_id:
            return invalid("NextToken")
        offset = int(state.get("offset", 0))
    events = sandbox.event_groups.events_of(group_id)
    if events is None:
        body = error_body("NotFound", "The resource specified does not exist.", group_id)
        return Response(body, 404, media_type="application/json")
    lists: dict[str, list[dict[str, Any]]] = {SERVICE_FEES: []}
    for list_name, event in events[offset : offset + size]:
        lists.setdefault(list_name, []).append(event)
    payload: dict[str, Any] = {"FinancialEvents": lists}
    if offset + size < len(events):
        payload["NextToken"] = encode_token({"group": group_id, "offset": offset + size})
    return JSONResponse({"payload": payload})


def install(app: FastAPI, sandbox: Any, edge: Any, log: Any) -> None:
    """Add the two operations and their control routes to the sandbox's app."""
    groups: EventGroups = sandbox.event_groups

    @app.get(GROUPS_PATH)
    async def list_groups(request: Request) -> Response:
        stopped = await edge(request, GROUPS_OPERATION)
        return log(request, GROUPS_OPERATION, stopped or groups_page(sandbox, request))

    @app.get(EVENTS_PATH)
    async def list_group_events(request: Request, group_id: str) -> Response:
        stopped = await edge(request, EVENTS_OPERATION)
        answer = stopped or events_page(sandbox, request, group_id)
        return log(request, EVENTS_OPERATION, answer)

    control = APIRouter(prefix="/_sandbox", tags=["sandbox control (not part of Amazon)"])

    @control.post("/financial-event-groups")
    async def open_group(request: Request) -> dict[str, Any]:
        body = await _body(request)
        start = _control_time(body.get("start"), sandbox.clock.now())
        try:
            return groups.open(start, body.get("FinancialEventGroupId"))
        except ValueError as refused:
            raise HTTPException(409, str(refused)) from None

    @control.post("/financial-event-groups/service-fees")
    async def post_fee(request: Request) -> dict[str, Any]:
        body = await _body(request)
        if not isinstance(body.get("FeeList", []), list):
            raise HTTPException(422, "send a ServiceFeeEvent: FeeList is a list of FeeComponents")
        return groups.post(body, sandbox.clock.now())

    @control.post("/financial-event-groups/events/{list_name}")
    async def post_event(request: Request, list_name: str) -> dict[str, Any]:
        if list_name not in EVENT_TOTALS:
            known = ", ".join(sorted(EVENT_TOTALS))
            raise HTTPException(422, f"no event list {list_name!r}: one of {known}")
        body = await _body(request)
        if list_name == SERVICE_FEES and not isinstance(body.get("FeeList", []), list):
            raise HTTPException(422, "send a ServiceFeeEvent: FeeList is a list of FeeComponents")
        return groups.post(body, sandbox.clock.now(), list_name)

    @control.post("/financial-event-groups/{group_id}/close")
    async def close_group(request: Request, group_id: str) -> dict[str, Any]:
        body = await _body(request)
        end = _control_time(body.get("end"), sandbox.clock.now())
        try:
            return groups.close(group_id, end)
        except KeyError:
            raise HTTPException(404, f"no group {group_id}") from None
        except ValueError as refused:
            raise HTTPException(409, str(refused)) from None

    app.include_router(control)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise HTTPException(422, "send a JSON object")
    return body


def _control_time(value: Any, default: datetime) -> datetime:
    if value is None:
        return default
    try:
        return parse_time(str(value))
    except ValueError:
        raise HTTPException(422, f"not an ISO 8601 date-time: {value!r}") from None
