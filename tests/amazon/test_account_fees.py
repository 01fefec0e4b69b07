"""Amazon's fees on the seller's account, per settlement period (the Finances API v0's
financial event groups): the documented shapes parse, the sandbox's answers match the
model, and the connector reads only closed groups' service fees that name no order, in
pages, while an open group is only named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from causeway.connectors.amazon import AmazonConnector, account_fees
from causeway.connectors.amazon.account_fees import ListFinancialEventGroupsResponse
from causeway.connectors.amazon.models import parse
from causeway.connectors.amazon.rates import USAGE_PLANS
from causeway.errors import PermanentError
from causeway.model.ports.fees import ChannelFee
from causeway_sandbox.amazon import AmazonSandboxServer
from tests.amazon.test_finances import EXCERPT, validate
from tests.amazon.test_sandbox_contract import token

Connect = Callable[..., AmazonConnector]
GROUPS, GROUP_EVENTS = "listFinancialEventGroups", "listFinancialEventsByGroupId"


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(**delta: float) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


def service_fee(
    reason: str, kind: str, amount: str, currency: str = "USD", order: str | None = None
) -> dict[str, Any]:
    """A ServiceFeeEvent as Amazon posts it: the fee negative (money Amazon keeps)."""
    event: dict[str, Any] = {
        "FeeReason": reason,
        "FeeDescription": f"{reason} fee",
        "FeeList": [
            {
                "FeeType": kind,
                "FeeAmount": {"CurrencyCode": currency, "CurrencyAmount": float(amount)},
            }
        ],
    }
    return event | ({"AmazonOrderId": order} if order else {})


def settlement(
    amazon: AmazonSandboxServer,
    *fees: dict[str, Any],
    started: datetime,
    closed: bool = True,
) -> str:
    """A group opened at `started` with these service fees, closed unless told."""
    group = amazon.control("POST", "financial-event-groups", json={"start": stamp(started)}).json()
    for fee in fees:
        amazon.control("POST", "financial-event-groups/service-fees", json=fee)
    group_id = str(group["FinancialEventGroupId"])
    if closed:
        amazon.control("POST", f"financial-event-groups/{group_id}/close")
    return group_id


def get(amazon: AmazonSandboxServer, path: str, **params: str) -> httpx.Response:
    return httpx.get(
        f"{amazon.endpoint}{path}", params=params, headers={"x-amz-access-token": token(amazon)}
    )


def calls(amazon: AmazonSandboxServer, operation: str) -> list[dict[str, Any]]:
    return [c for c in amazon.control("GET", "calls").json() if c["operation"] == operation]


def test_the_excerpt_has_both_operations_with_their_usage_plans() -> None:
    groups, events = EXCERPT["groupsOperation"], EXCERPT["groupEventsOperation"]
    assert (groups["operationId"], groups["path"]) == (GROUPS, account_fees.GROUPS_PATH)
    assert events["operationId"] == GROUP_EVENTS == account_fees.EVENTS_OPERATION
    assert account_fees.group_events_path("G1") == events["path"].replace("{eventGroupId}", "G1")
    for operation in (groups, events):
        plan = USAGE_PLANS[operation["operationId"]]
        assert (plan.rate, plan.burst) == tuple(operation["usagePlan"].values())


def test_the_documented_groups_answer_parses() -> None:
    body = EXCERPT["examples"]["listFinancialEventGroups"]
    validate(body, "ListFinancialEventGroupsResponse")
    page = parse(ListFinancialEventGroupsResponse, body, "answer")
    (group,) = page.payload.FinancialEventGroupList
    assert group.FinancialEventGroupId == "1" and group.OriginalTotal is not None
    validate(
        EXCERPT["examples"]["listFinancialEventGroups_error400"], "ListFinancialEventGroupsResponse"
    )


def test_a_closed_groups_account_fees_are_read_and_an_open_group_only_named(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    closed = settlement(
        amazon,
        service_fee("Subscription", "Subscription", "-39.99"),
        service_fee("FBAStorageFee", "FBAStorageFee", "-12.50"),
        service_fee("FBAStorageFee", "FBAStorageFee", "-0.25"),
        service_fee("Order fee", "FBADisposalFee", "-1.00", order="113-0000000-0000001"),
        started=ago(days=14),
    )
    still_open = settlement(
        amazon,
        service_fee("FBAStorageFee", "FBAStorageFee", "-3.00"),
        started=ago(hours=1),
        closed=False,
    )
    groups = get(
        amazon, account_fees.GROUPS_PATH, FinancialEventGroupStartedAfter=stamp(ago(days=30))
    )
    validate(groups.json(), "ListFinancialEventGroupsResponse")
    assert groups.headers["x-amzn-RateLimit-Limit"]
    listed = {
        g["FinancialEventGroupId"]: g for g in groups.json()["payload"]["FinancialEventGroupList"]
    }
    assert listed[closed]["ProcessingStatus"] == "Closed" and listed[closed]["FundTransferStatus"]
    assert listed[still_open]["ProcessingStatus"] == "Open"
    validate(get(amazon, account_fees.group_events_path(closed)).json())

    found = connect().account_fees_since(ago(days=30))
    (period,) = found.closed
    assert period.group_id == closed and period.ended_at is not None
    assert period.fees == (
        ChannelFee(fee_type="FBADisposalFee", currency="USD", amount=Decimal("1.00")),
        ChannelFee(fee_type="FBAStorageFee", currency="USD", amount=Decimal("12.75")),
        ChannelFee(fee_type="Subscription", currency="USD", amount=Decimal("39.99")),
    )  # a service fee naming an order too: an order's fees are its shipment events' only
    assert [group_id for group_id, _ in found.open] == [still_open]
    assert found.until <= ago(minutes=3) + timedelta(seconds=5)
    assert len(calls(amazon, GROUP_EVENTS)) == 2  # the open group's events are not read


def test_every_page_of_groups_and_of_a_groups_events_is_read(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    first = settlement(
        amazon, *[service_fee("Subscription", "Subscription", "-1.00")] * 3, started=ago(days=20)
    )
    second = settlement(
        amazon, service_fee("FBAStorageFee", "FBAStorageFee", "-2.00"), started=ago(days=10)
    )
    page = get(
        amazon,
        account_fees.GROUPS_PATH,
        FinancialEventGroupStartedAfter=stamp(ago(days=30)),
        MaxResultsPerPage="1",
    )
    validate(page.json(), "ListFinancialEventGroupsResponse")
    assert page.json()["payload"]["NextToken"]
    before = len(amazon.control("GET", "calls").json())

    found = connect().account_fees_since(ago(days=30), page_size=1)
    assert [(p.group_id, p.totals()) for p in found.closed] == [
        (first, {"USD": Decimal("3.00")}),
        (second, {"USD": Decimal("2.00")}),
    ]
    asked = amazon.control("GET", "calls").json()[before:]
    assert [c["operation"] for c in asked].count(GROUPS) == 2
    assert [c["operation"] for c in asked].count(GROUP_EVENTS) == 4  # 3 pages + 1


def test_groups_started_before_the_span_are_not_asked_about(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    settlement(amazon, service_fee("Subscription", "Subscription", "-39.99"), started=ago(days=40))
    found = connect().account_fees_since(ago(days=30))
    assert (found.closed, found.open) == ((), ())


def test_a_bad_range_and_an_unknown_group_are_refused_in_amazons_words(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    too_late = get(
        amazon, account_fees.GROUPS_PATH, FinancialEventGroupStartedAfter=stamp(ago(seconds=10))
    )
    assert too_late.status_code == 400
    validate(too_late.json(), "ListFinancialEventGroupsResponse")
    assert too_late.json()["errors"][0]["code"] == "InvalidInput"
    unknown = get(amazon, account_fees.group_events_path("NO-SUCH-GROUP"))
    assert unknown.status_code == 404
    validate(unknown.json())
    bad_size = get(amazon, account_fees.group_events_path("X"), MaxResultsPerPage="101")
    assert bad_size.status_code == 400


def test_the_sandbox_keeps_one_group_open_at_a_time(amazon: AmazonSandboxServer) -> None:
    settlement(amazon, started=ago(days=1), closed=False)
    with pytest.raises(httpx.HTTPStatusError):
        amazon.control("POST", "financial-event-groups", json={}).raise_for_status()


def test_amazons_refusal_is_a_permanent_error_naming_the_operation(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    with pytest.raises(PermanentError, match=GROUPS):
        account_fees.groups_started(connect().client, ago(seconds=30), ago(seconds=10))
