"""The amounts of a Shopify order, read alike from REST and GraphQL (see mapping.py).

- a line's discount is the sum of its discount allocations (its own discounts and its
  share of order-level ones: REST discount_allocations, GraphQL discountAllocations;
  never GraphQL's totalDiscountSet, which leaves order-level discounts out); a shipping
  line's discount likewise;
- discounts themselves (code or title, fixed or percentage, target, allocation) come
  from discount_applications / discountApplications; a REST payload with only
  discount_codes (older API versions) gives one fixed discount per code;
- an edited order (current quantity differing from the quantity ordered) keeps the
  lines' current quantities; their discounts and taxes, which Shopify states for the
  quantity ordered, are prorated to it, the order's tax lines are summed again from
  the lines, and the totals are Shopify's current_* totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from causeway.connectors.shopify.graphql_models import (
    GqlDiscountAllocation,
    GqlDiscountApplication,
    GqlMoneyBag,
)
from causeway.connectors.shopify.rest_models import (
    CENT,
    ZERO,
    RestDiscountAllocation,
    RestOrder,
    at_least_cents,
)
from causeway.model import Discount, OrderLine, ShippingLine, TaxLine
from causeway.model.consistency import tax_totals


def _words(value: str | None) -> str | None:
    return (value or "").strip() or None


PERCENT_PLACES = Decimal("0.0001")


def discount(
    *,
    code: str | None,
    title: str | None,
    value_type: str | None,
    value: Decimal,
    target_type: str | None,
    allocation_method: str | None,
) -> Discount:
    """One discount application; unknown enum values fall back to the common case."""
    percentage = (value_type or "").strip().lower() == "percentage"
    method = (allocation_method or "").strip().lower()
    allocation: Literal["across", "each", "one"] = (
        "each" if method == "each" else "one" if method == "one" else "across"
    )
    return Discount(
        title=_words(code) or _words(title) or "Discount",
        code=_words(code),
        kind="percentage" if percentage else "fixed_amount",
        value=value.quantize(PERCENT_PLACES) if percentage else at_least_cents(value),
        target="shipping_line"
        if (target_type or "").strip().lower() == "shipping_line"
        else "line_item",
        allocation=allocation,
    )


def share(amount: Decimal, ordered: int, current: int) -> Decimal:
    """A line amount Shopify states for the quantity ordered, for the quantity held now."""
    if current == ordered or ordered <= 0:
        return amount
    return (amount * current / ordered).quantize(CENT, ROUND_HALF_UP)


def edited(quantities: Iterable[tuple[int, int | None]]) -> bool:
    return any(current is not None and current != ordered for ordered, current in quantities)


def summed_taxes(
    lines: Iterable[OrderLine], shipping: Iterable[ShippingLine]
) -> tuple[TaxLine, ...]:
    """The order's tax lines, per title and rate, as the sum of its lines' (Shopify's rule)."""
    every = [t for li in lines for t in li.tax_lines] + [t for s in shipping for t in s.tax_lines]
    return tuple(TaxLine(title=t, rate=r, amount=a) for (t, r), a in tax_totals(every).items())


def current(current: Decimal | None, original: Decimal) -> Decimal:
    """Shopify's current_* total (after edits and refunds) when it sends one."""
    return original if current is None else current


def rest_allocated(allocations: list[RestDiscountAllocation]) -> Decimal:
    return sum((a.amount for a in allocations), ZERO)


def rest_discounts(o: RestOrder) -> tuple[Discount, ...]:
    if o.discount_applications:
        return tuple(
            discount(
                code=a.code,
                title=_words(a.title) or _words(a.description),
                value_type=a.value_type,
                value=a.value,
                target_type=a.target_type,
                allocation_method=a.allocation_method,
            )
            for a in o.discount_applications
        )
    # Older payloads name the codes and what each took off, nothing more.
    return tuple(
        discount(
            code=c.code,
            title=None,
            value_type="fixed_amount",
            value=c.amount,
            target_type="shipping_line" if (c.type or "").lower() == "shipping" else "line_item",
            allocation_method="across",
        )
        for c in o.discount_codes
    )


def gql_allocated(allocations: list[GqlDiscountAllocation]) -> Decimal:
    return sum((a.allocatedAmountSet.shopMoney.amount for a in allocations), ZERO)


def gql_amount(bag: GqlMoneyBag | None) -> Decimal:
    return bag.shopMoney.amount if bag is not None else ZERO


def current_set(current: GqlMoneyBag | None, original: GqlMoneyBag | None) -> Decimal:
    return gql_amount(current if current is not None else original)


def gql_discount(a: GqlDiscountApplication) -> Discount:
    percentage = a.value.percentage is not None
    return discount(
        code=a.code,
        title=a.title,
        value_type="percentage" if percentage else "fixed_amount",
        value=(a.value.percentage if percentage else a.value.amount) or ZERO,
        target_type=a.targetType,
        allocation_method=a.allocationMethod,
    )
