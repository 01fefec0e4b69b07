"""The Finances API v0's listFinancialEvents: the events of every order posted in a date
range, as Amazon's public model has it (financesV0.json in Amazon's
selling-partner-api-models; docs/connectors/amazon.md, "Fees").

    GET /finances/v0/financialEvents?PostedAfter=&PostedBefore=&MaxResultsPerPage=&NextToken=
    -> the same ListFinancialEventsResponse as listFinancialEventsByOrderId

The events are those listFinancialEventsByOrderId gives of each order (finances.py:
seeded or derived shipment events, refund, guarantee claim and chargeback events), of
every order the sandbox knows, whose PostedDate is at or after PostedAfter and before
PostedBefore, oldest first. The model's
rules on the range, checked against the sandbox's clock:
- PostedAfter no later than two minutes before the request;
- PostedBefore later than PostedAfter, no later than two minutes before the request,
  only with PostedAfter; default: now minus two minutes;
- the two more than 180 days apart: no events (a 200, not an error).
A range it refuses is a 400 InvalidInput in Amazon's error list (the model's example:
"Input not valid."), with the parameter named in `details`. NextToken carries the range
and the offset: a next page is asked with NextToken (and MaxResultsPerPage) alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from causeway_sandbox.amazon.faults import error_body
from causeway_sandbox.amazon.store import BLOCKS, decode_token, encode_token, parse_time

OPERATION = "listFinancialEvents"
PATH = "/finances/v0/financialEvents"
LAG = timedelta(minutes=2)  # "no later than two minutes before the request was submitted"
LONGEST = timedelta(days=180)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def invalid(details: str, message: str = "Input not valid.") -> Response:
    """Amazon's 400 InvalidInput for the parameter `details` names."""
    body = error_body("InvalidInput", message, details)
    return Response(body, 400, media_type="application/json")


def page_size(request: Request) -> int | None:
    """MaxResultsPerPage (1..100, 100 when not given); None when it is not."""
    try:
        size = int(request.query_params.get("MaxResultsPerPage", "100"))
    except ValueError:
        return None
    return size if 1 <= size <= 100 else None


def when(value: str | None) -> datetime | str | None:
    """The parameter's instant; "" when it is not an ISO 8601 date-time."""
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError:
        return ""


def every_event(sandbox: Any) -> list[tuple[datetime, int, str, dict[str, Any]]]:
    """(PostedDate, rank, list, event) of every order's events that have a PostedDate."""
    orders, _ = sandbox.store.search(
        updated_after=EARLIEST,
        updated_before=None,
        marketplaces=[],
        included=list(BLOCKS),
        page_size=10**9,
        after_key=None,
    )
    known = {o["orderId"]: o for o in orders}
    found: list[tuple[datetime, int, str, dict[str, Any]]] = []
    for order_id in sorted(set(known) | sandbox.finances.order_ids()):
        shipments = sandbox.finances.of_order(order_id, known.get(order_id))
        kinds = [("ShipmentEventList", e) for e in shipments]
        kinds += sandbox.finances.refunds_of(order_id)  # refunds, claims, chargebacks
        for kind, event in kinds:
            posted = when(event.get("PostedDate"))
            if isinstance(posted, datetime):
                found.append((posted, len(found), kind, event))
    found.sort(key=lambda f: (f[0], f[1]))
    return found


def range_page(sandbox: Any, request: Request) -> Response:
    q = request.query_params
    size = page_size(request)
    if size is None:
        return invalid("MaxResultsPerPage")
    offset, from_token = 0, "NextToken" in q
    if from_token:
        state = decode_token(q["NextToken"])
        if state is None or state.get("range") is None:
            return invalid("NextToken")
        after_text, before_text = state["range"]
        offset = int(state.get("offset", 0))
    else:
        after_text, before_text = q.get("PostedAfter"), q.get("PostedBefore")
    latest = sandbox.clock.now() - LAG
    after, before = when(after_text), when(before_text)
    if after == "" or (isinstance(after, datetime) and after > latest):
        return invalid("PostedAfter")
    if before == "" or (before is not None and after is None and not from_token):
        return invalid("PostedBefore")
    if before is None:
        before = latest
    assert isinstance(before, datetime)
    if before > latest or (isinstance(after, datetime) and before <= after):
        return invalid("PostedBefore")
    start = after if isinstance(after, datetime) else EARLIEST
    chosen = (
        []
        if after is not None and before - start > LONGEST  # the model: no events returned
        else [(kind, e) for posted, _, kind, e in every_event(sandbox) if start <= posted < before]
    )
    lists: dict[str, list[dict[str, Any]]] = {"ShipmentEventList": []}
    for kind, event in chosen[offset : offset + size]:
        lists.setdefault(kind, []).append(event)
    payload: dict[str, Any] = {"FinancialEvents": lists}
    if offset + size < len(chosen):
        token = {"range": [after_text, before.isoformat()], "offset": offset + size}
        payload["NextToken"] = encode_token(token)
    return JSONResponse({"payload": payload})
