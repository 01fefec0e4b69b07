"""Shopify's checkout arithmetic: discounts allocated to lines, taxes per line, totals.

Pure functions, used by the sandbox's checkout (orders.py) and by tests that build
consistent variants of Shopify's own sample order. What Shopify does, and so what
this does:

- a line discount (a merchant's manual discount on one line) is a discount
  application of its own (target selection explicit), allocated to that line;
  discount codes come after it, in the order given, each on what earlier
  discounts left;
- a percentage code takes that percentage of each entitled line (rounded per line); a
  fixed code is spread across the entitled lines in proportion to what is left of
  them, the last line taking the cents the proportion leaves over; gift cards are
  never discounted; a shipping code takes its value (or all of it) off shipping;
- each taxable line's tax is its rate times its amount after discounts, rounded half
  up per line (of the amount, when prices include tax); shipping is taxed the same way
  on its discounted price when it is taxable; gift cards are never taxed;
- the order's tax lines sum the lines' per title and rate;
- subtotal = the lines after discounts; total discounts = every allocation (lines and
  shipping); total = subtotal + shipping after discounts + tax (unless included) + tip.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from causeway_sandbox.shopify.formats import money, rest_money

ZERO = Decimal(0)


@dataclass(frozen=True)
class LinePrice:
    price: Decimal
    quantity: int
    taxable: bool = True
    gift_card: bool = False
    tax_rate: Decimal | None = None  # None: the order's rate
    tax_title: str | None = None
    discount: Decimal = ZERO  # a merchant's fixed discount on this line


@dataclass(frozen=True)
class Code:
    code: str
    kind: Literal["fixed_amount", "percentage", "shipping"] = "fixed_amount"
    value: Decimal | None = None  # shipping: None takes all of it off


@dataclass
class Priced:
    """The REST fields a checkout computes (the amounts part of an order)."""

    lines: list[dict[str, Any]] = field(default_factory=list)  # per input line
    shipping: dict[str, Any] = field(default_factory=dict)
    order: dict[str, Any] = field(default_factory=dict)


def tax_lines(amount: Decimal, rate: Decimal, title: str, included: bool) -> list[dict[str, Any]]:
    """A line's REST tax lines: its rate times its amount (of it, taxes included), half up."""
    if not rate:
        return []
    tax = amount * rate / (1 + rate) if included else amount * rate
    return [{"price": rest_money(tax), "rate": float(rate), "title": title}]


def _spread(value: Decimal, amounts: list[Decimal]) -> list[Decimal]:
    """A fixed amount across lines in proportion to them; the last takes the cents left."""
    total = sum(amounts, ZERO)
    value = min(value, total)
    if not total:
        return [ZERO] * len(amounts)
    shares = [money(value * a / total) for a in amounts]
    last = max(i for i, a in enumerate(amounts) if a)
    shares[last] += value - sum(shares, ZERO)
    return shares


def price_checkout(
    lines: list[LinePrice],
    *,
    codes: Sequence[Code] = (),
    shipping_price: Decimal = ZERO,
    shipping_taxable: bool = False,
    tax_rate: Decimal = ZERO,
    tax_title: str = "Tax",
    taxes_included: bool = False,
    tip: Decimal = ZERO,
) -> Priced:
    applications: list[dict[str, Any]] = []
    allocations: list[list[dict[str, Any]]] = [[] for _ in lines]
    shipping_allocations: list[dict[str, Any]] = []
    left = [money(line.price * line.quantity) for line in lines]

    def allocate(index: int, amounts: list[Decimal]) -> None:
        for i, amount in enumerate(amounts):
            if amount:
                allocations[i].append(
                    {"amount": rest_money(amount), "discount_application_index": index}
                )
                left[i] -= amount

    for i, line in enumerate(lines):
        if line.discount and not line.gift_card:
            index = len(applications)
            applications.append(
                {
                    "type": "manual",
                    "title": "Line discount",
                    "description": "Line discount",
                    "value": str(money(line.discount)),
                    "value_type": "fixed_amount",
                    "allocation_method": "across",
                    "target_selection": "explicit",
                    "target_type": "line_item",
                }
            )
            amounts = [ZERO] * len(lines)
            amounts[i] = min(money(line.discount), left[i])
            allocate(index, amounts)
    shipping_left = money(shipping_price)
    for code in codes:
        index = len(applications)
        entitled = [ZERO if line.gift_card else left[i] for i, line in enumerate(lines)]
        if code.kind == "shipping":
            value = shipping_left if code.value is None else min(money(code.value), shipping_left)
            applications.append(_code_application(code, value, "shipping_line", "each"))
            if value:
                shipping_allocations.append(
                    {"amount": rest_money(value), "discount_application_index": index}
                )
                shipping_left -= value
            continue
        if code.kind == "percentage":
            percent = Decimal(code.value or 0)
            applications.append(_code_application(code, percent, "line_item", "across"))
            allocate(index, [money(a * percent / 100) for a in entitled])
        else:
            applications.append(
                _code_application(code, money(code.value or 0), "line_item", "across")
            )
            allocate(index, _spread(money(code.value or 0), entitled))

    priced = Priced()
    every_tax: list[dict[str, Any]] = []
    for i, line in enumerate(lines):
        rate = line.tax_rate if line.tax_rate is not None else tax_rate
        taxed = line.taxable and not line.gift_card
        taxes = (
            tax_lines(left[i], rate, line.tax_title or tax_title, taxes_included) if taxed else []
        )
        every_tax += taxes
        priced.lines.append(
            {
                "discount_allocations": allocations[i],
                "total_discount": rest_money(line_level_discount(applications, allocations[i])),
                "tax_lines": taxes,
                "taxable": taxed,
                "gift_card": line.gift_card,
            }
        )
    shipping_taxes = (
        tax_lines(shipping_left, tax_rate, tax_title, taxes_included) if shipping_taxable else []
    )
    every_tax += shipping_taxes
    priced.shipping = {
        "price": rest_money(shipping_price),
        "discounted_price": rest_money(shipping_left),
        "discount_allocations": shipping_allocations,
        "tax_lines": shipping_taxes,
    }
    grouped: OrderedDict[tuple[str, float], Decimal] = OrderedDict()
    for tax in every_tax:
        key = (tax["title"], tax["rate"])
        grouped[key] = grouped.get(key, ZERO) + Decimal(tax["price"])
    total_tax = sum(grouped.values(), ZERO)
    items = sum((money(line.price * line.quantity) for line in lines), ZERO)
    subtotal = sum(left, ZERO)
    discounts = (items - subtotal) + (money(shipping_price) - shipping_left)
    total = subtotal + shipping_left + (ZERO if taxes_included else total_tax) + money(tip)
    priced.order = {
        "discount_applications": applications,
        "discount_codes": [
            {
                "code": a["code"],
                "amount": _code_amount(i, allocations, shipping_allocations),
                "type": "shipping" if a["target_type"] == "shipping_line" else a["value_type"],
            }
            for i, a in enumerate(applications)
            if a["type"] == "discount_code"
        ],
        "tax_lines": [
            {"price": rest_money(amount), "rate": rate, "title": title}
            for (title, rate), amount in grouped.items()
        ],
        "total_line_items_price": rest_money(items),
        "subtotal_price": rest_money(subtotal),
        "total_discounts": rest_money(discounts),
        "total_tax": rest_money(total_tax),
        "total_tip_received": rest_money(money(tip)),
        "total_price": rest_money(total),
        "taxes_included": taxes_included,
    }
    return priced


def line_level_discount(
    applications: Sequence[dict[str, Any]], allocations: Sequence[dict[str, Any]]
) -> Decimal:
    """What a line's own discounts took off: REST's (deprecated) total_discount, like
    GraphQL's totalDiscountSet, leaves order-level and code discounts out and counts only
    the discounts aimed at the line explicitly."""
    return sum(
        (
            Decimal(a["amount"])
            for a in allocations
            if applications[a["discount_application_index"]]["target_selection"] == "explicit"
        ),
        ZERO,
    )


def share(amount: Decimal, ordered: int, current: int) -> Decimal:
    """An amount Shopify states for the quantity ordered, for the quantity held now."""
    if current == ordered or ordered <= 0:
        return amount
    return money(amount * current / ordered)


def _code_application(code: Code, value: Decimal, target: str, allocation: str) -> dict[str, Any]:
    percentage = code.kind == "percentage"
    return {
        "type": "discount_code",
        "code": code.code,
        "value": str(value),
        "value_type": "percentage" if percentage else "fixed_amount",
        "allocation_method": allocation,
        "target_selection": "all",
        "target_type": target,
    }


def _code_amount(
    index: int, lines: list[list[dict[str, Any]]], shipping: list[dict[str, Any]]
) -> str:
    """What one discount application took off the order, over every line it touched."""
    every = [a for line in lines for a in line] + shipping
    return rest_money(
        sum(
            (Decimal(a["amount"]) for a in every if a["discount_application_index"] == index),
            ZERO,
        )
    )
