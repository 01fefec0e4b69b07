"""An Amazon order (Orders v2026-01-01, as searchOrders and getOrder give it) to the one
canonical Order. The rules (docs/connectors/amazon.md, "How an order maps"):

- the lines are the order's own `orderItems`, as the search returns them: no per-order
  items call; an item of quantity 0 (cancelled before the order was) is left out;
- a line's unit price is its product's `unitPrice`; the ITEM proceeds are what the line
  came to, and a DISCOUNT breakdown (a promotion) lowers it: the difference is the line's
  discount. Without proceeds (not asked for) a line comes to its unit price times quantity;
- Amazon's proceeds exclude tax (TAX is a breakdown of its own, added in proceedsTotal),
  so taxes_included is False; an item's TAX is split by its detailed breakdown (ITEM,
  SHIPPING, ...) onto the line and the charges, all on the line when it gives none; a tax
  line's rate is the tax over what it is charged on, to four places (Amazon sends no rate);
- SHIPPING, GIFT_WRAP, COD_FEE and OTHER proceeds are charges the customer paid: one
  shipping line each, summed over the items; the order's DELIVERY_TIP is its tip;
- the total is the order's grandTotal when sent, else the sum of the above;
- every amount is in the one currency of the order: another one is refused;
- the state is `fulfillment.fulfillmentStatus`, kept verbatim as channel_status; PENDING
  (and a pre-order's PENDING_AVAILABILITY) is not paid yet, UNSHIPPED, PARTIALLY_SHIPPED
  and SHIPPED are, CANCELLED is voided and cancelled at its last update; a PENDING order
  is awaiting_payment (held, placed in the ERP only once paid); fulfilledBy
  AMAZON (FBA) sets fulfilled_by_channel;
- the buyer and the delivery address are as Amazon gives them (a Pending order has
  neither yet; the e-mail is Amazon's anonymised relay, and only on merchant-fulfilled
  orders); Amazon gives no billing address.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from causeway.connectors.amazon.models import (
    AmazonMoney,
    AmazonOrder,
    CustomerAddress,
    GetOrderResponse,
    OrderItem,
    parse,
)
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.model import (
    Address,
    Attribution,
    Customer,
    FinancialStatus,
    Order,
    OrderLine,
    ShippingLine,
    TaxLine,
)

ZERO = Decimal("0.00")
RATE_PLACES = Decimal("0.0001")
TAX_TITLE = "Tax"
NOT_PAID = frozenset({"PENDING", "PENDING_AVAILABILITY"})
PAID = frozenset({"UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"})
FULFILMENT = {"SHIPPED": "fulfilled", "PARTIALLY_SHIPPED": "partial"}
# Proceeds the customer paid beside the item itself: each becomes a shipping line.
CHARGES = {
    "SHIPPING": "Shipping",
    "GIFT_WRAP": "Gift wrap",
    "COD_FEE": "Cash on delivery fee",
    "OTHER": "Other charges",
}


def parse_order(payload: Any) -> AmazonOrder:
    """The Amazon order in a payload: an order, or getOrder's {"order": ...}."""
    if isinstance(payload, dict) and "order" in payload and "orderId" not in payload:
        return parse(GetOrderResponse, payload, "getOrder answer").order
    return parse(AmazonOrder, payload, "order")


def order_from_amazon(payload: Any) -> Order:
    """The canonical Order of an Amazon order payload (a search's order or getOrder's)."""
    return canonical_order(parse_order(payload))


def financial_status(status: str) -> FinancialStatus:
    if status in NOT_PAID:
        return FinancialStatus.PENDING
    if status in PAID:
        return FinancialStatus.PAID
    if status == "CANCELLED":
        return FinancialStatus.VOIDED
    return FinancialStatus.UNKNOWN  # UNFULFILLABLE, or a state Amazon adds later


class _Sums:
    """Amounts of one order, checked to be in its one currency as they are read."""

    def __init__(self, order: AmazonOrder) -> None:
        self.order = order
        self.currency: str | None = None

    def amount(self, money: AmazonMoney, where: str) -> Decimal:
        if self.currency is None:
            self.currency = money.currencyCode
        elif money.currencyCode != self.currency:
            raise InvalidPayloadError(
                f"Amazon order {self.order.orderId} mixes currencies: {where} is in "
                f"{money.currencyCode}, the rest in {self.currency}"
            )
        return money.amount


def canonical_order(o: AmazonOrder) -> Order:
    if o.fulfillment is None:
        raise InvalidPayloadError(
            f"Amazon order {o.orderId} has no fulfillment block, so its state is unknown: "
            f"the order must be read with includedData FULFILLMENT"
        )
    status = o.fulfillment.fulfillmentStatus
    sums = _Sums(o)
    if o.proceeds and o.proceeds.grandTotal:
        sums.amount(o.proceeds.grandTotal, "grandTotal")
    lines: list[OrderLine] = []
    charges: dict[str, Decimal] = defaultdict(lambda: ZERO)
    charge_tax: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in o.orderItems:
        if item.quantityOrdered == 0:
            continue
        line, item_charges, item_charge_tax = _line(o, item, sums)
        lines.append(line)
        for kind, amount in item_charges.items():
            charges[kind] += amount
        for kind, amount in item_charge_tax.items():
            charge_tax[kind] += amount
    if not lines and status != "CANCELLED":
        raise PermanentError(
            f"Amazon order {o.orderId} ({status}) has no item with a quantity: nothing to sell"
        )
    shipping = tuple(
        ShippingLine(
            title=CHARGES[kind],
            code=kind,
            price=charges[kind],
            tax_lines=_tax(charge_tax[kind], charges[kind]),
        )
        for kind in CHARGES
        if charges[kind] or charge_tax[kind]
    )
    tip = _order_breakdown(o, "DELIVERY_TIP", sums)
    subtotal = sum((line.net for line in lines), ZERO)
    all_taxes = [t for line in lines for t in line.tax_lines] + [
        t for s in shipping for t in s.tax_lines
    ]
    total_tax = sum((t.amount for t in all_taxes), ZERO)
    computed = subtotal + sum((s.net for s in shipping), ZERO) + total_tax + tip
    grand = o.proceeds.grandTotal if o.proceeds else None
    address = o.recipient.deliveryAddress if o.recipient else None
    return Order(
        external_id=o.orderId,
        number=o.orderId,  # what the buyer sees in Your Orders
        currency=sums.currency or _no_currency(o),
        created_at=o.createdTime,
        updated_at=o.lastUpdatedTime,
        customer=_customer(o),
        shipping_address=_address(address) if address else None,
        lines=tuple(lines),
        shipping_lines=shipping,
        tax_lines=_summed(all_taxes),
        taxes_included=False,
        subtotal=subtotal,
        total_tax=total_tax,
        total_discounts=sum((line.discount for line in lines), ZERO),
        tip=tip,
        total=grand.amount if grand else computed,
        financial_status=financial_status(status),
        fulfillment_status=FULFILMENT.get(status, "unfulfilled"),
        channel_status=status,
        fulfilled_by_channel=o.fulfillment.fulfilledBy == "AMAZON",
        awaiting_payment=status in NOT_PAID,
        cancelled_at=o.lastUpdatedTime if status == "CANCELLED" else None,
        attribution=Attribution(
            source_name=o.salesChannel.marketplaceName or o.salesChannel.channelName
        ),
    )


def _line(
    o: AmazonOrder, item: OrderItem, sums: _Sums
) -> tuple[OrderLine, dict[str, Decimal], dict[str, Decimal]]:
    quantity = item.quantityOrdered
    product = item.product
    unit = product.price.unitPrice if product.price else None
    breakdowns = item.proceeds.breakdowns if item.proceeds else []
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    tax_on: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for b in breakdowns:
        where = f"item {item.orderItemId}'s {b.type}"
        amount = sums.amount(b.subtotal, where)
        if b.type != "TAX":
            amounts[b.type] += amount
        elif b.detailedBreakdowns:
            for part in b.detailedBreakdowns:
                tax_on[part.subtype] += sums.amount(part.value, where)
        else:
            tax_on["ITEM"] += amount
    if unit is not None:
        unit_price = sums.amount(unit, f"item {item.orderItemId}'s unitPrice")
    elif "ITEM" in amounts:
        unit_price = amounts["ITEM"] / quantity
    else:
        raise InvalidPayloadError(
            f"Amazon order {o.orderId}: item {item.orderItemId} has neither a unit price nor "
            f"ITEM proceeds, so what it costs is unknown"
        )
    item_amount = amounts["ITEM"] if "ITEM" in amounts else unit_price * quantity
    # A promotion's DISCOUNT lowers what the line comes to, whichever sign Amazon gives it.
    net = item_amount - abs(amounts.get("DISCOUNT", ZERO))
    line = OrderLine(
        external_id=item.orderItemId,
        sku=product.sellerSku or None,
        title=product.title or product.sellerSku or product.asin or item.orderItemId,
        quantity=quantity,
        unit_price=unit_price,
        discount=unit_price * quantity - net,
        tax_lines=_tax(tax_on.get("ITEM", ZERO) + tax_on.get("DISCOUNT", ZERO), net),
    )
    charges = {kind: amounts[kind] for kind in CHARGES if kind in amounts}
    charge_tax = {kind: tax_on[kind] for kind in CHARGES if kind in tax_on}
    return line, charges, charge_tax


def _tax(amount: Decimal, base: Decimal) -> tuple[TaxLine, ...]:
    if not amount:
        return ()
    rate = (amount / base).quantize(RATE_PLACES, ROUND_HALF_EVEN) if base else Decimal(0)
    return (TaxLine(title=TAX_TITLE, rate=rate, amount=amount),)


def _summed(taxes: Iterable[TaxLine]) -> tuple[TaxLine, ...]:
    by_rate: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    for t in taxes:
        by_rate[(t.title, t.rate)] += t.amount
    return tuple(TaxLine(title=title, rate=rate, amount=a) for (title, rate), a in by_rate.items())


def _order_breakdown(o: AmazonOrder, kind: str, sums: _Sums) -> Decimal:
    if o.proceeds is None:
        return ZERO
    found = [b.subtotal for b in o.proceeds.breakdowns if b.type == kind]
    return sum((sums.amount(m, f"the order's {kind}") for m in found), ZERO)


def _no_currency(o: AmazonOrder) -> str:
    raise InvalidPayloadError(
        f"Amazon order {o.orderId} names no amount, so its currency is unknown: the order "
        f"must be read with includedData PROCEEDS"
    )


def _customer(o: AmazonOrder) -> Customer:
    buyer = o.buyer
    name = (buyer.buyerName or "").strip() if buyer else ""
    first, _, last = name.rpartition(" ")
    return Customer(
        email=buyer.buyerEmail if buyer else None,
        # Amazon gives one name: its last word is the last name, the rest the first.
        first_name=first if first else last,
        last_name=last if first else "",
    )


def _address(a: CustomerAddress) -> Address:
    street2 = ", ".join(p for p in (a.addressLine2, a.addressLine3) if p and p.strip())
    return Address(
        name=(a.name or "").strip(),
        company=a.companyName or None,
        street=a.addressLine1 or "",
        street2=street2 or None,
        city=a.city or a.municipality or "",
        postal_code=a.postalCode or "",
        region_code=a.stateOrRegion or None,
        country_code=a.countryCode or None,
        phone=a.phone or None,
    )
