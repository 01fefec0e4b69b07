"""The checkout decision: approved at once, or waiting for an approver and why."""

from __future__ import annotations

from decimal import Decimal

from causeway.model.ports.portal import CreditPosition
from causeway.portal.checkout import decide

ACME_CREDIT = CreditPosition(currency="USD", limit=Decimal("5000"), used=Decimal("4688"))


def test_within_both_limits_it_is_approved_at_once() -> None:
    decision = decide(Decimal("300"), "USD", order_limit=Decimal("500"), credit=ACME_CREDIT)
    assert decision.state == "approved" and decision.reason is None


def test_over_the_buyers_own_limit_it_waits_for_the_approver() -> None:
    decision = decide(Decimal("612"), "USD", order_limit=Decimal("500"), credit=None)
    assert decision.state == "awaiting_approval"
    assert decision.reason == (
        "the order of 612.00 USD is over your order limit of 500.00 USD: "
        "your company's approver decides"
    )


def test_over_the_credit_limit_it_waits_and_says_by_how_much() -> None:
    decision = decide(Decimal("612"), "USD", order_limit=None, credit=ACME_CREDIT)
    assert decision.state == "awaiting_approval"
    assert decision.reason == (
        "the order of 612.00 USD would bring the credit used to 5,300.00 USD, "
        "over the limit of 5,000.00 USD"
    )


def test_exactly_at_the_limits_it_passes() -> None:
    credit = CreditPosition(currency="USD", limit=Decimal("1000"), used=Decimal("400"))
    decision = decide(Decimal("600"), "USD", order_limit=Decimal("600"), credit=credit)
    assert decision.state == "approved"


def test_no_credit_limit_and_no_order_limit_never_wait() -> None:
    credit = CreditPosition(currency="USD", limit=None, used=Decimal("1000000"))
    assert decide(Decimal("99999"), "USD", order_limit=None, credit=credit).state == "approved"


def test_over_both_gives_both_reasons() -> None:
    decision = decide(Decimal("612"), "USD", order_limit=Decimal("100"), credit=ACME_CREDIT)
    assert len(decision.reasons) == 2
