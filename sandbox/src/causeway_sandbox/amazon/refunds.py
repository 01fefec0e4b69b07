"""A refund of a shipped Amazon order, as the Finances API v0 posts it: one event of
RefundEventList (a ShipmentEvent in financesV0.json) with the refund's fee changes.

    POST /_sandbox/orders/{orderId}/refund   {"items": [{"orderItemId" | "sku", "quantity"}],
                                              "kind": "refund" | "claim" | "chargeback"}
                                             (no items: every unit not refunded yet)

`kind` (default "refund"): a guarantee claim (A-to-z) Amazon granted the buyer, or a
chargeback of the buyer's card, posts the same event in GuaranteeClaimEventList or
ChargebackEventList (the model's FinancialEvents: both ShipmentEventLists, like
RefundEventList), with the same fee changes; a unit is paid back once whatever the kind.

Per refunded item (`quantity` units of the `quantityOrdered`) the event's
`ShipmentItemAdjustmentList` entry has, as Amazon posts it:
- `OrderAdjustmentItemId`: an id of the sandbox's own for this adjustment (stable);
- `ItemChargeAdjustmentList`: the Principal paid back to the buyer (negative);
- `ItemFeeAdjustmentList`: the referral fee given back to the seller pro rata (positive:
  `ReferralFee`, the type the shipment event charged) and the refund administration fee
  Amazon keeps (negative: `RefundCommission`, `refund_commission_percent` of the fee given
  back, at most `refund_commission_cap` a unit: Amazon's rule is the lesser of 20 % and
  5.00). The FBA fulfilment fee is not given back (Amazon keeps it on a return).
The order itself does not change (still Shipped, lastUpdatedTime as it was): a refund is
seen only in the order's financial events, which is why the hub asks again about orders
it has booked the fees of.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CENT = Decimal("0.01")


class RefundLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    orderItemId: str | None = None
    sku: str | None = None
    quantity: int = Field(ge=1)


Kind = Literal["refund", "claim", "chargeback"]

# The FinancialEvents list each kind's events are posted in (financesV0.json).
EVENT_LISTS: dict[str, str] = {
    "refund": "RefundEventList",
    "claim": "GuaranteeClaimEventList",
    "chargeback": "ChargebackEventList",
}


class RefundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[RefundLine] = []
    kind: Kind = "refund"


class RefundRefused(ValueError):
    """The refund is not possible for this order (the control API answers 409)."""


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount: Decimal, currency: str) -> dict[str, Any]:
    # Amazon's Currency.CurrencyAmount is a JSON number (BigDecimal).
    return {"CurrencyCode": currency, "CurrencyAmount": float(cents(amount))}


def fee(kind: str, amount: Decimal, currency: str) -> dict[str, Any]:
    return {"FeeType": kind, "FeeAmount": money(amount, currency)}


def refund_event(
    order: dict[str, Any],
    request: RefundRequest,
    refunded: dict[str, int],
    *,
    referral_percent: Decimal,
    commission_percent: Decimal,
    commission_cap: Decimal,
    posted: str,
    adjustment_ids: list[str],
) -> dict[str, Any]:
    """The RefundEventList event of refunding `request`'s units of the order (all units
    not refunded yet when it names none). `refunded`: order item id -> units refunded
    before, updated here; `adjustment_ids` gives each item adjustment its id."""
    if (order.get("fulfillment") or {}).get("fulfillmentStatus") != "SHIPPED":
        raise RefundRefused("only a shipped order is refunded (Amazon cancels the others)")
    items: dict[str, dict[str, Any]] = {
        str(i.get("orderItemId")): i for i in order.get("orderItems", [])
    }
    by_sku = {str((i.get("product") or {}).get("sellerSku")): k for k, i in items.items()}
    wanted: dict[str, int] = {}
    lines = request.items or [
        RefundLine(orderItemId=k, quantity=int(i.get("quantityOrdered") or 0) - refunded.get(k, 0))
        for k, i in items.items()
        if int(i.get("quantityOrdered") or 0) > refunded.get(k, 0)
    ]
    for line in lines:
        key = line.orderItemId or by_sku.get(str(line.sku))
        if key is None or key not in items:
            raise RefundRefused(f"no item {line.orderItemId or line.sku} in the order")
        wanted[key] = wanted.get(key, 0) + line.quantity
    if not wanted:
        raise RefundRefused("every unit of the order is refunded already")
    adjustments: list[dict[str, Any]] = []
    for key, quantity in wanted.items():
        item = items[key]
        ordered = int(item.get("quantityOrdered") or 0)
        if refunded.get(key, 0) + quantity > ordered:
            raise RefundRefused(
                f"item {key}: {quantity} more refunded of {ordered}, "
                f"{refunded.get(key, 0)} refunded already"
            )
        unit = ((item.get("product") or {}).get("price") or {}).get("unitPrice") or {}
        currency = unit.get("currencyCode", "USD")
        unit_price = Decimal(str(unit.get("amount", "0")))
        # The shipment's referral fee (finances.py: of the whole line), given back pro rata.
        referral = cents(unit_price * ordered * referral_percent / 100)
        given_back = cents(referral * quantity / ordered)
        kept = min(cents(given_back * commission_percent / 100), commission_cap * quantity)
        adjustments.append(
            {
                "SellerSKU": (item.get("product") or {}).get("sellerSku"),
                "OrderItemId": key,
                "OrderAdjustmentItemId": adjustment_ids[len(adjustments)],
                "QuantityShipped": quantity,
                "ItemChargeAdjustmentList": [
                    {
                        "ChargeType": "Principal",
                        "ChargeAmount": money(-unit_price * quantity, currency),
                    }
                ],
                "ItemFeeAdjustmentList": [
                    fee("ReferralFee", given_back, currency),
                    fee("RefundCommission", -kept, currency),
                ],
            }
        )
    for key, quantity in wanted.items():
        refunded[key] = refunded.get(key, 0) + quantity
    return {
        "AmazonOrderId": order["orderId"],
        "MarketplaceName": "Amazon.com",
        "PostedDate": posted,
        "ShipmentItemAdjustmentList": adjustments,
    }
