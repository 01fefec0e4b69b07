"""A won HubSpot deal as the hub's canonical Order, and the search for won deals.

A deal is a quote the customer accepted: its line items (hs_sku, quantity, price)
become the order lines, its first associated contact the customer, and its
deal_currency_code the currency. Prices on a deal are net: the ERP's sale carries
the prices the salesperson quoted, taxed at the flow's `tax_rate` when one is set
(Tryton matches it to its tax of that rate), untaxed otherwise.

What cannot become a sale is a PermanentError naming the deal and what to fix:
a deal without line items, a line item without SKU or with a fractional or
non-positive quantity, a deal without a contact, or a contact without email
(the ERP matches customers by email).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from causeway.connectors.hubspot.models import CrmObject, Deal, LineItem, SearchFilter
from causeway.errors import PermanentError
from causeway.model import Address, Customer, Order, OrderLine, TaxLine

WON_STAGE = "closedwon"
CENT = Decimal("0.01")
CONTACT_PROPERTIES = (
    *("email", "firstname", "lastname", "phone", "company"),
    *("address", "city", "zip", "country"),
)
# What the reconciling poll reads of each won deal it finds.
SEARCH_PROPERTIES = ("dealstage", "hs_lastmodifieddate")


def won_since_filters(since: datetime | None, stage: str = WON_STAGE) -> list[SearchFilter]:
    """Search filters for deals in `stage` modified at or after `since`.

    HubSpot compares date-time properties in search as epoch milliseconds.
    """
    filters = [SearchFilter(propertyName="dealstage", value=stage)]
    if since is not None:
        millis = int(since.astimezone(UTC).timestamp() * 1000)
        filters.append(
            SearchFilter(propertyName="hs_lastmodifieddate", operator="GTE", value=str(millis))
        )
    return filters


def modified_at(deal: CrmObject) -> datetime:
    """When a deal last changed: updatedAt, else hs_lastmodifieddate."""
    if deal.updated_at is not None:
        return deal.updated_at
    raw = deal.get("hs_lastmodifieddate")
    if not raw:
        raise PermanentError(f"HubSpot deal {deal.id} has no modification date")
    return _parse_time(raw)


def order_from_deal(
    deal: Deal,
    contact: CrmObject | None,
    *,
    default_currency: str,
    tax_rate: Decimal | None = None,
) -> Order:
    """The canonical Order of a won deal; PermanentError when a person must fix the deal."""
    if not deal.line_items:
        raise PermanentError(
            f"HubSpot deal {deal.id} has no line items: add the products to the deal, then replay"
        )
    if contact is None:
        raise PermanentError(
            f"HubSpot deal {deal.id} has no associated contact: associate the customer's "
            f"contact with the deal, then replay"
        )
    email = (contact.get("email") or "").strip()
    if not email:
        raise PermanentError(
            f"HubSpot contact {contact.id} of deal {deal.id} has no email: the ERP finds "
            f"customers by email; add one, then replay"
        )
    lines = tuple(_line(deal.id, item, tax_rate) for item in deal.line_items)
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    total_tax = sum((t.amount for line in lines for t in line.tax_lines), Decimal(0))
    created = _time_property(deal, "createdate")
    closed = _time_property(deal, "closedate") or created
    customer = Customer(
        email=email,
        first_name=contact.get("firstname") or "",
        last_name=contact.get("lastname") or "",
        phone=contact.get("phone") or None,
        external_id=contact.id,
    )
    address = Address(
        name=customer.full_name,
        company=contact.get("company") or None,
        street=contact.get("address") or "",
        city=contact.get("city") or "",
        postal_code=contact.get("zip") or "",
        country_code=_country_code(contact.get("country")),
        phone=customer.phone,
    )
    stamp = closed or datetime.now(UTC)
    return Order(
        external_id=deal.id,
        number=f"deal-{deal.id}",
        currency=(deal.properties.get("deal_currency_code") or default_currency).upper(),
        created_at=created or stamp,
        updated_at=stamp,
        customer=customer,
        billing_address=address,
        shipping_address=address,
        lines=lines,
        subtotal=subtotal,
        total_tax=total_tax,
        total=subtotal + total_tax,
        note=deal.properties.get("dealname") or None,
    )


def first_contact_id(contact_ids: Sequence[str]) -> str | None:
    """The deal's customer: its first associated contact (lowest id, HubSpot's order)."""
    return min(contact_ids, key=int) if contact_ids else None


def _line(deal_id: str, item: LineItem, tax_rate: Decimal | None) -> OrderLine:
    if not item.sku:
        raise PermanentError(
            f"HubSpot deal {deal_id}: line item {item.id} ({item.name or 'no name'}) has no "
            f"SKU (hs_sku): use a product from the product library, then replay"
        )
    if item.quantity <= 0 or item.quantity != item.quantity.to_integral_value():
        raise PermanentError(
            f"HubSpot deal {deal_id}: line item {item.id} ({item.sku}) has quantity "
            f"{item.quantity}; the ERP takes whole positive quantities"
        )
    taxes: tuple[TaxLine, ...] = ()
    if tax_rate:
        amount = (item.price * item.quantity * tax_rate).quantize(CENT, rounding=ROUND_HALF_UP)
        taxes = (TaxLine(title=f"{(tax_rate * 100).normalize():f}%", rate=tax_rate, amount=amount),)
    return OrderLine(
        external_id=item.id,
        sku=item.sku,
        title=item.name or item.sku,
        quantity=int(item.quantity),
        unit_price=item.price,
        tax_lines=taxes,
    )


def _time_property(deal: Deal, name: str) -> datetime | None:
    raw = deal.properties.get(name)
    return _parse_time(raw) if raw else None


def _parse_time(raw: str) -> datetime:
    """HubSpot writes date-times as ISO 8601, or as epoch milliseconds in some places."""
    try:
        if raw.isdigit():
            return datetime.fromtimestamp(int(raw) / 1000, tz=UTC)
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise PermanentError(f"HubSpot date {raw!r} is neither ISO 8601 nor milliseconds") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _country_code(value: str | None) -> str | None:
    # Only a two-letter code is a country the ERP can match; a full name is left out.
    text = (value or "").strip()
    return text.upper() if len(text) == 2 and text.isalpha() else None
