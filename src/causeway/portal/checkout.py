"""Checkout: the decision (approved at once, or waiting and why), making the checkout
exactly once, and approving or rejecting a waiting one (docs/portal/ordering.md).

The decision, `decide()`, is pure:
- over the buyer's own order limit (portal_members.order_limit): it waits for the
  company's approver;
- over the credit limit (the order's untaxed total plus the credit the ERP counts as
  used, read with the checkout's quote, above the party's limit): it waits for the
  company's approver or for staff in the console;
- otherwise it is approved at once, and the portal-orders flow places it.

`submit()` prices the cart with the ERP (the prices the sale will get, the delivery
address checked against the party's), reads the party's credit position from the ERP
(never kept), decides, and in one transaction makes the checkout (once per
idempotency key), the hub's order record (orders/record.py: its id, the received
milestone, the search terms), clears the cart, and either queues the awaiting_approval
e-mail or hands the checkout to the flow through the inbox (dedupe key: the checkout).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from causeway.config.notifications import NotificationsSettings
from causeway.config.portal import PortalSettings
from causeway.engine import portal_carts, portal_checkouts
from causeway.engine.inbox import Inbox
from causeway.engine.portal_accounts import Company, Membership
from causeway.engine.portal_checkouts import (
    APPROVED,
    AWAITING_APPROVAL,
    REJECTED,
    Checkout,
    CheckoutLine,
)
from causeway.engine.store import Store
from causeway.errors import CausewayError
from causeway.model.ports.portal import CreditPosition, ErpPortalSales, PortalSale, PortalSaleLine
from causeway.portal import order_record

# Words only a credit hold's reason has (decide() here, or the ERP's refusal in the
# portal-orders flow): staff may approve only those (the company's own approver decides
# about its buyers' order limits).
CREDIT_WORDS = "would bring the credit used to"
ERP_CREDIT_WORDS = "refused by the ERP's credit check"
APPROVER = "approver"
STAFF = "staff"


class CheckoutError(Exception):
    """The checkout cannot be made as asked; the message tells the buyer what to change."""


def money(amount: Decimal, currency: str) -> str:
    return f"{amount.quantize(Decimal('0.01')):,.2f} {currency}"


@dataclass(frozen=True)
class Decision:
    state: str  # approved or awaiting_approval
    reasons: tuple[str, ...] = ()

    @property
    def reason(self) -> str | None:
        return "; ".join(self.reasons) or None


def decide(
    total: Decimal,
    currency: str,
    *,
    order_limit: Decimal | None,
    credit: CreditPosition | None,
) -> Decision:
    """Whether an order of `total` (untaxed) is approved at once or waits, and why."""
    reasons = []
    if order_limit is not None and total > order_limit:
        reasons.append(
            f"the order of {money(total, currency)} is over your order limit of "
            f"{money(order_limit, currency)}: your company's approver decides"
        )
    if credit is not None and credit.limit is not None and credit.used + total > credit.limit:
        reasons.append(
            f"the order of {money(total, currency)} {CREDIT_WORDS} "
            f"{money(credit.used + total, credit.currency)}, over the limit of "
            f"{money(credit.limit, credit.currency)}"
        )
    return Decision(AWAITING_APPROVAL if reasons else APPROVED, tuple(reasons))


def over_credit(checkout: Checkout) -> bool:
    reason = checkout.hold_reason or ""
    return CREDIT_WORDS in reason or ERP_CREDIT_WORDS in reason


def staff_may_decide(checkout: Checkout) -> bool:
    """Staff approve over-credit orders; a buyer's order limit is the company's affair."""
    return checkout.waiting and over_credit(checkout)


def sale_of(checkout: Checkout, party_id: int) -> PortalSale:
    return PortalSale(
        reference=checkout.reference,
        party_id=party_id,
        lines=tuple(
            PortalSaleLine(sku=line.sku, quantity=line.quantity) for line in checkout.lines
        ),
        shipment_address_id=checkout.shipment_address_id,
        po_number=checkout.po_number,
        # A person approved it: the ERP's own credit warning is acknowledged for it.
        credit_approved=checkout.decided_by is not None and checkout.state != REJECTED,
    )


@dataclass(frozen=True)
class Submitted:
    checkout: Checkout
    new: bool  # False: this key's checkout existed (a double submit or a retry)


def submit(
    store: Store,
    erp: ErpPortalSales,
    inbox: Inbox,
    *,
    portal: PortalSettings,
    notifications: NotificationsSettings,
    erp_system: str,
    company: Company,
    member: Membership,
    idempotency_key: str,
    shipment_address_id: int | None,
    po_number: str | None,
) -> Submitted:
    """Check the cart out once for this key (see the module's docstring). Raises
    CheckoutError with what the buyer should change; the cart is kept then."""
    with store.read() as conn:
        found = portal_checkouts.by_key(conn, idempotency_key)
    if found is not None:
        if found.company_id != company.id or found.user_id != member.user_id:
            raise CheckoutError("this checkout form is not yours: open the checkout again")
        return Submitted(found, False)
    po_number = (po_number or "").strip() or None
    if po_number is not None and len(po_number) > 64:
        raise CheckoutError("the PO number is longer than 64 characters: shorten it")
    cart = portal_carts.lines(store, company.id, member.user_id)
    if not cart:
        raise CheckoutError("your cart is empty: add products before checking out")
    draft = PortalSale(
        reference="quote",
        party_id=company.party_id,
        lines=tuple(PortalSaleLine(sku=line.sku, quantity=line.quantity) for line in cart),
        shipment_address_id=shipment_address_id,
        po_number=po_number,
    )
    try:
        # Prices, the address checked, and the party's credit, as the ERP has them now.
        quote = erp.quote_portal_sale(draft, with_credit=True)
    except CausewayError as exc:
        raise CheckoutError(buyer_reason(exc)) from exc
    lines = [
        CheckoutLine(sku=q.sku, quantity=q.quantity, unit_price=q.unit_price, name=q.name)
        for q in quote.lines
    ]
    decision = decide(
        quote.untaxed_amount, quote.currency, order_limit=member.order_limit, credit=quote.credit
    )
    with store.transaction() as conn:
        checkout, new = portal_checkouts.create(
            conn,
            company_id=company.id,
            user_id=member.user_id,
            idempotency_key=idempotency_key,
            reference_prefix=portal.reference_prefix,
            lines=lines,
            shipment_address_id=shipment_address_id,
            po_number=po_number,
            currency=quote.currency,
            state=decision.state,
            hold_reason=decision.reason,
            actor=member.email,
        )
        if new:
            portal_carts.clear(conn, company.id, member.user_id)
            order_record.received(conn, checkout, company=company, email=member.email)
            if checkout.waiting:
                order_record.notify_event(
                    conn, notifications, checkout, "awaiting_approval", member.email
                )
            else:
                order_record.hand_to_flow(conn, inbox, erp_system, checkout)
    return Submitted(checkout, new)


def decide_waiting(
    store: Store,
    inbox: Inbox,
    checkout: Checkout,
    *,
    approve: bool,
    actor: str,
    note: str | None,
    notifications: NotificationsSettings,
    erp_system: str,
    buyer_email: str,
) -> Checkout:
    """Approve (the flow places it) or reject a waiting checkout, in one transaction with
    its e-mail and its order record. Raises CheckoutStateError when it no longer waits."""
    note = (note or "").strip()[:2000] or None
    to = APPROVED if approve else REJECTED
    with store.transaction() as conn:
        changed = portal_checkouts.change_state(
            conn, checkout, to, actor=actor, note=note, decision=True
        )
        order_record.decided(conn, changed)
        if approve:
            order_record.notify_event(
                conn, notifications, changed, "approved", buyer_email, approver=actor
            )
            order_record.hand_to_flow(conn, inbox, erp_system, changed)
        else:
            order_record.notify_event(conn, notifications, changed, "cancelled", buyer_email)
    return changed


def reorder(store: Store, checkout: Checkout, user_id: int) -> int:
    """Put the checkout's lines in this person's cart (added to what is there)."""
    for line in checkout.lines:
        portal_carts.put(store, checkout.company_id, user_id, line.sku, line.quantity, add=True)
    return len(checkout.lines)


def buyer_reason(exc: BaseException) -> str:
    """An ERP error as a buyer reads it: Tryton's own words, without the plumbing."""
    text = str(getattr(exc, "tryton_message", "") or exc)
    return text.removeprefix("Tryton UserError: ")


def line_total(lines: Sequence[CheckoutLine]) -> Decimal:
    return sum((line.amount for line in lines), Decimal(0))
