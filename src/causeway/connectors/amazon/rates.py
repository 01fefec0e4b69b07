"""The Selling Partner API's usage plans: a token bucket per operation and selling account.

Amazon limits each operation on its own, per selling partner and app: searchOrders
refills 0.0056 requests a second (one every three minutes) up to a burst of 20, getOrder
0.5 a second up to 30 (the "Usage Plan" tables in the operations' descriptions, in
vendor-samples/amazon/orders_2026-01-01.json). So the client keeps one RateBudget per
(endpoint, selling partner, operation), never one per credential, and sizes it from the
documented plan; an answer's `x-amzn-RateLimit-Limit` header carries the rate Amazon
actually applies to this account (a seller with a higher plan gets more), which the
bucket adopts. Amazon does not send the burst: it stays the documented one.

The buckets are the hub's shared ones (RateBudgets.shared): a row each in the store that
every worker process draws from (engine/shared_rate.py), so two processes never spend a
selling account's requests twice; without a store (tests, one-off commands) the process's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from causeway.engine.rate import RateBudget, RateBudgets


@dataclass(frozen=True)
class UsagePlan:
    rate: float  # requests a second, restored continuously
    burst: int  # requests the bucket holds


# Amazon's default usage plans of the operations this connector calls.
USAGE_PLANS: dict[str, UsagePlan] = {
    "searchOrders": UsagePlan(rate=0.0056, burst=20),
    "getOrder": UsagePlan(rate=0.5, burst=30),
    # Orders v0 confirmShipment (vendor-samples/amazon/ordersV0.json's Usage Plan table).
    "confirmShipment": UsagePlan(rate=2.0, burst=10),
    # Stock (feeds_2021-06-30.json, listingsItems_2021-08-01.json).
    "createFeedDocument": UsagePlan(rate=0.5, burst=15),
    "createFeed": UsagePlan(rate=0.0083, burst=15),
    "getFeed": UsagePlan(rate=2.0, burst=15),
    "getFeedDocument": UsagePlan(rate=0.0222, burst=10),
    "searchListingsItems": UsagePlan(rate=5.0, burst=5),
    "getListingsItem": UsagePlan(rate=5.0, burst=10),
    "patchListingsItem": UsagePlan(rate=5.0, burst=5),
    # Finances v0 (financesV0.json, the operation's usage plan): fees of one order.
    "listFinancialEventsByOrderId": UsagePlan(rate=0.5, burst=30),
    # ... and the events of every order posted in a date range (refunds found).
    "listFinancialEvents": UsagePlan(rate=0.5, burst=30),
    # ... the settlement periods (financial event groups) and each one's events.
    "listFinancialEventGroups": UsagePlan(rate=0.5, burst=30),
    "listFinancialEventsByGroupId": UsagePlan(rate=0.5, burst=30),
}
RATE_LIMIT_HEADER = "x-amzn-RateLimit-Limit"


class OperationBudgets:
    """The buckets of one selling account at one endpoint, one per operation."""

    def __init__(
        self,
        budgets: RateBudgets,
        endpoint: str,
        selling_partner_id: str,
        plans: dict[str, UsagePlan] | None = None,
    ) -> None:
        self._budgets = budgets
        self._prefix = f"amazon:{endpoint}:{selling_partner_id}"
        self._plans = plans or USAGE_PLANS

    def plan(self, operation: str) -> UsagePlan:
        try:
            return self._plans[operation]
        except KeyError:
            raise ValueError(f"no usage plan known for Amazon operation {operation}") from None

    def budget(self, operation: str) -> RateBudget:
        plan = self.plan(operation)
        return self._budgets.shared(
            f"{self._prefix}:{operation}", capacity=plan.burst, refill_per_second=plan.rate
        )

    def all(self) -> list[RateBudget]:
        return [self.budget(operation) for operation in self._plans]


def header_rate(value: str | None) -> float | None:
    """The rate x-amzn-RateLimit-Limit states ("0.0056"), or None when absent or unreadable
    (Amazon omits it on some answers: then the bucket keeps what it has)."""
    if not value:
        return None
    try:
        rate = float(value.strip())
    except ValueError:
        return None
    return rate if rate > 0 else None


def adopt_rate(budget: RateBudget, rate: float) -> None:
    """Refill the bucket at Amazon's stated rate from now on, keeping what it holds (one
    statement on a shared bucket, and only when the rate differs from the last seen)."""
    if abs(budget.refill_per_second - rate) > 1e-12:
        budget.observe(refill_per_second=rate)
