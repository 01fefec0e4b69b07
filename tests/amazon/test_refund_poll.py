"""Refunds found by date range (the Finances API v0's listFinancialEvents): the sandbox
answers a range with every order's events in pages and refuses a bad range as the model
says; the connector pages, names each refunded order once and never asks closer to the
present than Amazon's two minutes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx

from causeway.connectors.amazon import AmazonConnector, finances
from causeway.connectors.amazon.rates import USAGE_PLANS
from causeway_sandbox.amazon import AmazonSandboxServer
from tests.amazon.test_fee_refunds import refund
from tests.amazon.test_finances import EXCERPT, shipment, validate
from tests.amazon.test_sandbox_contract import token

Connect = Callable[..., AmazonConnector]
RANGE = "listFinancialEvents"
A, B, C = "113-0000000-0000001", "113-0000000-0000002", "113-0000000-0000003"


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(**delta: float) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


def in_range(amazon: AmazonSandboxServer, **params: str) -> httpx.Response:
    return httpx.get(
        f"{amazon.endpoint}/finances/v0/financialEvents",
        params=params,
        headers={"x-amz-access-token": token(amazon)},
    )


def posted(event: dict[str, Any], when: datetime, order_id: str) -> dict[str, Any]:
    return event | {"PostedDate": stamp(when), "AmazonOrderId": order_id}


def seed(amazon: AmazonSandboxServer) -> None:
    """A shipped an hour ago, refunded 30 minutes ago; B refunded twice (10 and 20 minutes
    ago); C refunded 3 days ago (before the ranges asked here) and a minute ago."""
    commission = ("Commission", "1.00")
    body: dict[str, list[dict[str, Any]]] = {
        A: [posted(refund("x", commission), ago(minutes=30), A)],
        B: [posted(refund("x", commission), ago(minutes=m), B) for m in (20, 10)],
        C: [
            posted(refund("x", commission), ago(**when), C)
            for when in ({"days": 3}, {"minutes": 1})
        ],
    }
    amazon.control(
        "POST",
        f"financial-events/{A}",
        json={"ShipmentEventList": [posted(shipment(A, ("Commission", "-1.00")), ago(hours=1), A)]},
    )
    for order_id, refunds in body.items():
        amazon.control("POST", f"financial-events/{order_id}", json={"RefundEventList": refunds})


def range_calls(amazon: AmazonSandboxServer) -> list[dict[str, list[str]]]:
    return [
        parse_qs(c["query"])
        for c in amazon.control("GET", "calls").json()
        if c["operation"] == RANGE
    ]


def test_the_excerpt_has_the_date_range_operation_and_its_usage_plan() -> None:
    operation = EXCERPT["rangeOperation"]
    assert (operation["method"], operation["path"]) == ("GET", finances.RANGE_PATH)
    assert operation["operationId"] == finances.RANGE_OPERATION == RANGE
    plan = USAGE_PLANS[RANGE]
    assert (plan.rate, plan.burst) == (
        operation["usagePlan"]["rate"],
        operation["usagePlan"]["burst"],
    )
    assert "two minutes" in operation["query"]["PostedBefore"]


def test_the_sandbox_pages_every_orders_events_posted_in_the_range(
    amazon: AmazonSandboxServer,
) -> None:
    seed(amazon)
    params = {
        "PostedAfter": stamp(ago(hours=2)),
        "PostedBefore": stamp(ago(minutes=3)),
        "MaxResultsPerPage": "1",
    }
    seen: list[tuple[str, str]] = []
    while True:
        answer = in_range(amazon, **params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        validate(body)
        for kind, found in body["payload"]["FinancialEvents"].items():
            seen += [(kind, e["AmazonOrderId"]) for e in found]
        if "NextToken" not in body["payload"]:
            break
        params = {"NextToken": body["payload"]["NextToken"], "MaxResultsPerPage": "1"}
    # Oldest first; C's refunds are outside the range (3 days ago, a minute ago).
    assert seen == [
        ("ShipmentEventList", A),
        ("RefundEventList", A),
        ("RefundEventList", B),
        ("RefundEventList", B),
    ]


def test_a_bad_range_is_refused_as_the_model_says(amazon: AmazonSandboxServer) -> None:
    refused = [
        {"PostedAfter": stamp(ago(hours=1)), "PostedBefore": stamp(ago(minutes=1))},
        {"PostedAfter": stamp(ago(minutes=1))},
        {"PostedBefore": stamp(ago(hours=1))},  # PostedBefore needs PostedAfter
        {"PostedAfter": stamp(ago(hours=1)), "PostedBefore": stamp(ago(hours=2))},
        {"PostedAfter": "yesterday"},
        {"PostedAfter": stamp(ago(hours=1)), "MaxResultsPerPage": "101"},
        {"NextToken": "not-a-token"},
    ]
    for params in refused:
        answer = in_range(amazon, **params)
        assert answer.status_code == 400, params
        validate(answer.json())
        (error,) = answer.json()["errors"]
        documented = EXCERPT["examples"]["listFinancialEvents_error400"]["errors"][0]
        assert {k: error[k] for k in ("code", "message")} == documented
    # More than 180 days apart: no events, and no error (the model).
    seed(amazon)
    wide = in_range(amazon, PostedAfter=stamp(ago(days=200)), PostedBefore=stamp(ago(minutes=3)))
    assert wide.status_code == 200
    assert wide.json()["payload"]["FinancialEvents"] == {"ShipmentEventList": []}


def test_the_connector_pages_and_names_each_refunded_order_once(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    seed(amazon)
    before = datetime.now(UTC)
    found = connect().refunded_orders_since(ago(hours=2), page_size=1)
    assert found.order_ids == (A, B)  # C: 3 days ago, and a minute ago (not readable yet)
    asked = range_calls(amazon)
    assert len(asked) == 4  # one event a page: the shipment, three refunds
    first, *rest = asked
    assert set(first) == {"PostedAfter", "PostedBefore", "MaxResultsPerPage"}
    assert all(set(q) == {"NextToken", "MaxResultsPerPage"} for q in rest)
    # Amazon's rule: PostedBefore no later than two minutes before the request.
    end = datetime.fromisoformat(first["PostedBefore"][0].replace("Z", "+00:00"))
    assert end <= before - timedelta(minutes=2)
    assert found.until == end  # the next look starts where this one ended

    # The next look, from there, once C's late refund is readable (4 minutes later).
    amazon.control("POST", "clock", json={"advance_seconds": 240})
    later = finances.refunded_orders_since(
        connect().client, found.until, now=lambda: datetime.now(UTC) + timedelta(minutes=4)
    )
    assert later.order_ids == (C,)


def test_a_look_within_amazons_two_minutes_asks_nothing(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    since = ago(minutes=1)
    found = connect().refunded_orders_since(since)
    assert found.order_ids == ()
    assert found.until <= since
    assert range_calls(amazon) == []


def test_a_range_longer_than_180_days_is_asked_in_spans(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    amazon.control(
        "POST",
        f"financial-events/{A}",
        json={"RefundEventList": [posted(refund("x", ("Commission", "1.00")), ago(days=190), A)]},
    )
    found = connect().refunded_orders_since(ago(days=200))
    assert found.order_ids == (A,)
    spans = [
        (
            datetime.fromisoformat(q["PostedAfter"][0].replace("Z", "+00:00")),
            datetime.fromisoformat(q["PostedBefore"][0].replace("Z", "+00:00")),
        )
        for q in range_calls(amazon)
    ]
    assert len(spans) == 2
    assert all(b - a <= timedelta(days=180) for a, b in spans)
    assert spans[0][1] == spans[1][0]  # no gap between the spans
