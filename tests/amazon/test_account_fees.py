"""Amazon's fees on the seller's account, per settlement period (the Finances API v0's
financial event groups): the documented shapes parse, the sandbox's answers match the
model, and the connector reads only closed groups' service fees and their advertising,
coupon and deal payments, in pages, while an open group is only named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from causeway.connectors.amazon import AmazonConnector, account_fees
from causeway.connectors.amazon.account_fees import ListFinancialEventGroupsResponse
from causeway.connectors.amazon.finances import as_costs
from causeway.connectors.amazon.models import parse
from causeway.connectors.amazon.rates import USAGE_PLANS
from causeway.errors import PermanentError
from causeway.model.ports.fees import ChannelFee
from causeway_sandbox.amazon import AmazonSandboxServer
from tests.amazon.test_finances import EXCERPT, validate
from tests.amazon.test_sandbox_contract import token

Connect = Callable[..., AmazonConnector]
GROUPS, GROUP_EVENTS = "listFinancialEventGroups", "listFinancialEventsByGroupId"
# An event posted into a group: a ServiceFeeEvent, or (its list, an event of that list).
Posted = dict[str, Any] | tuple[str, dict[str, Any]]


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


def money(amount: str, currency: str = "USD") -> dict[str, Any]:
    return {"CurrencyCode": currency, "CurrencyAmount": float(amount)}


def ads_payment(kind: str, base: str, tax: str = "0.00") -> tuple[str, dict[str, Any]]:
    """A Sponsored Products payment: a charge negative (taken from the account), a refund
    positive."""
    total = Decimal(base) + Decimal(tax)
    event = {
        "postedDate": "2026-11-30T00:00:00Z",
        "transactionType": kind,
        "invoiceId": f"INV-{kind}-{base}",
        "baseValue": money(base),
        "taxValue": money(tax),
        "transactionValue": money(str(total)),
    }
    return "ProductAdsPaymentEventList", event


def coupon_payment(fee: str, charge: str, redemptions: int = 1) -> tuple[str, dict[str, Any]]:
    """A coupon's payment: its redemption fee and the discounts it charged, both taken."""
    event = {
        "PostedDate": "2026-11-30T00:00:00Z",
        "CouponId": "COUPON-1",
        "SellerCouponDescription": "5 off",
        "ClipOrRedemptionCount": redemptions,
        "PaymentEventId": f"PAY-{fee}-{charge}",
        "FeeComponent": {"FeeType": "CouponRedemptionFee", "FeeAmount": money(fee)},
        "ChargeComponent": {"ChargeType": "CouponCharge", "ChargeAmount": money(charge)},
        "TotalAmount": money(str(Decimal(fee) + Decimal(charge))),
    }
    return "CouponPaymentEventList", event


def deal_payment(fee: str, tax: str = "0.00") -> tuple[str, dict[str, Any]]:
    event = {
        "postedDate": "2026-11-30T00:00:00Z",
        "dealId": "DEAL-1",
        "dealDescription": "Lightning deal",
        "eventType": "SellerDealComplete",
        "feeType": "RunLightningDealFee",
        "feeAmount": money(fee),
        "taxAmount": money(tax),
        "totalAmount": money(str(Decimal(fee) + Decimal(tax))),
    }
    return "SellerDealPaymentEventList", event


def post_event(amazon: AmazonSandboxServer, posted: Posted) -> None:
    """Post a service fee, or an ads, coupon or deal payment, into the open group."""
    if isinstance(posted, tuple):
        list_name, event = posted
        path = f"financial-event-groups/events/{list_name}"
        amazon.control("POST", path, json=event)
    else:
        amazon.control("POST", "financial-event-groups/service-fees", json=posted)


def settlement(
    amazon: AmazonSandboxServer,
    *fees: Posted,
    started: datetime,
    closed: bool = True,
) -> str:
    """A group opened at `started` with these events, closed unless told."""
    group = amazon.control("POST", "financial-event-groups", json={"start": stamp(started)}).json()
    for fee in fees:
        post_event(amazon, fee)
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


def test_a_periods_ads_coupon_and_deal_payments_join_its_account_fees(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    closed = settlement(
        amazon,
        service_fee("Subscription", "Subscription", "-39.99"),
        ads_payment("charge", "-120.00", "-6.00"),
        ads_payment("charge", "-30.50"),
        ads_payment("refund", "10.00", "0.50"),
        coupon_payment("-0.60", "-5.00"),
        coupon_payment("-1.20", "-10.00", redemptions=2),
        deal_payment("-150.00", "-7.50"),
        started=ago(days=14),
    )
    answer = get(amazon, account_fees.group_events_path(closed))
    validate(answer.json())
    lists = answer.json()["payload"]["FinancialEvents"]
    assert {name: len(events) for name, events in lists.items()} == {
        "ServiceFeeEventList": 1,
        "ProductAdsPaymentEventList": 3,
        "CouponPaymentEventList": 2,
        "SellerDealPaymentEventList": 1,
    }
    groups = get(
        amazon, account_fees.GROUPS_PATH, FinancialEventGroupStartedAfter=stamp(ago(days=30))
    )
    (group,) = groups.json()["payload"]["FinancialEventGroupList"]
    # What the period took from the account: its events' totals.
    assert group["OriginalTotal"] == money("-360.29")

    (period,) = connect().account_fees_since(ago(days=30)).closed
    assert period.fees == (
        ChannelFee(fee_type="Coupon", currency="USD", amount=Decimal("16.80")),
        # Both charges, less the refund (its tax too): an ads refund lowers the ads cost.
        ChannelFee(fee_type="ProductAds", currency="USD", amount=Decimal("146.00")),
        ChannelFee(fee_type="RunLightningDealFee", currency="USD", amount=Decimal("157.50")),
        ChannelFee(fee_type="Subscription", currency="USD", amount=Decimal("39.99")),
    )
    assert period.totals() == {"USD": Decimal("360.29")}


def test_a_payment_without_its_total_is_read_by_its_parts_and_a_deal_by_its_kind(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    kind, ads = ads_payment("charge", "-20.00", "-1.00")
    _, deal = deal_payment("-50.00")
    del ads["transactionValue"], deal["feeType"], deal["totalAmount"]
    settlement(amazon, (kind, ads), ("SellerDealPaymentEventList", deal), started=ago(days=3))
    (period,) = connect().account_fees_since(ago(days=30)).closed
    assert period.fees == (
        ChannelFee(fee_type="Deal", currency="USD", amount=Decimal("50.00")),
        ChannelFee(fee_type="ProductAds", currency="USD", amount=Decimal("21.00")),
    )


def test_ads_payments_are_signed_by_their_type_in_either_spelling() -> None:
    """The model states no sign and spells the fields in camelCase; live answers are
    reported in PascalCase and with charges positive: the type says which way it went."""
    charge = {
        "TransactionType": "Charge",
        "TransactionValue": {"CurrencyCode": "USD", "CurrencyAmount": 30.0},
    }
    refund = {
        "transactionType": "refund",
        "transactionValue": {"CurrencyCode": "USD", "CurrencyAmount": -4.0},
    }
    body = {"payload": {"FinancialEvents": {"ProductAdsPaymentEventList": [charge, refund]}}}
    events = parse(account_fees.GroupEventsResponse, body, "test").payload.FinancialEvents
    assert as_costs(events.account_costs()) == (
        ChannelFee(fee_type="ProductAds", currency="USD", amount=Decimal("26.00")),
    )


def test_the_sandbox_refuses_an_event_list_it_does_not_know(amazon: AmazonSandboxServer) -> None:
    with pytest.raises(httpx.HTTPStatusError) as refused:
        amazon.control("POST", "financial-event-groups/events/AdjustmentEventList", json={})
    assert refused.value.response.status_code == 422
    assert "ProductAdsPaymentEventList" in refused.value.response.text


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
