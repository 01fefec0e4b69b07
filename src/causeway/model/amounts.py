"""An order's amounts as one breakdown (untaxed, tax, total, currency), and how two compare.

The channel order and the ERP sale made from it must agree: the customer paid the channel's
total, and the ERP invoices the sale's. Both sides are put in this one shape so that the
comparison (and what an operator reads when they differ) is the same for every channel.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from causeway.model.order import Order

CENT = Decimal("0.01")


class Amounts(BaseModel):
    """Untaxed + tax = total, in one currency."""

    model_config = ConfigDict(frozen=True)

    untaxed: Decimal
    tax: Decimal
    total: Decimal
    currency: str

    def describe(self) -> str:
        return f"untaxed {self.untaxed} + tax {self.tax} = {self.total} {self.currency}"


def order_amounts(order: Order) -> Amounts:
    """What the customer was charged for the order, as the channel states it.

    The channel's total includes shipping and tax and is net of discounts; whether its
    prices included tax or not, the untaxed amount is the total less the tax.
    """
    return Amounts(
        untaxed=order.total - order.total_tax,
        tax=order.total_tax,
        total=order.total,
        currency=order.currency,
    )


def amount_differences(
    channel: Amounts, erp: Amounts, tolerance: Decimal = CENT
) -> dict[str, Decimal]:
    """Each part (untaxed, tax, total) that differs by more than `tolerance`: ERP - channel.

    Empty when they agree. Amounts in different currencies never agree: the difference
    is reported under "currency" as the channel total, since nothing can be subtracted.
    """
    if channel.currency.upper() != erp.currency.upper():
        return {"currency": channel.total}
    found: dict[str, Decimal] = {}
    for part in ("untaxed", "tax", "total"):
        difference = getattr(erp, part) - getattr(channel, part)
        if abs(difference) > tolerance:
            found[part] = difference
    return found
