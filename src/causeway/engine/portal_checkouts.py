"""Portal checkouts: what a business customer ordered, and where the order stands
(docs/portal/ordering.md).

A checkout is made once per idempotency key (one key per rendering of the checkout
form): a double-submitted form or a retried request finds the row the first one made,
never a second, also when both arrive at once (the insert does nothing on a taken key,
and the caller reads the row that holds it). Its reference, the ERP sale's, is the
portal's prefix and the checkout's number.

States: awaiting_approval -> approved | rejected; approved -> placing -> placed | failed
(or back to awaiting_approval when the ERP's credit check refuses it); failed -> placing
(a replay). Each change is a compare-and-set on the state, with who
and when, and written to the audit log in the same transaction.

Every read a portal page makes names the company: a checkout of another company is
None, exactly as one that does not exist.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import uuid4

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from causeway.engine import audit
from causeway.engine.schema import portal_checkouts
from causeway.engine.store import Store, now

AWAITING_APPROVAL = "awaiting_approval"
APPROVED = "approved"
PLACING = "placing"
PLACED = "placed"
REJECTED = "rejected"
FAILED = "failed"
STATES = (AWAITING_APPROVAL, APPROVED, PLACING, PLACED, REJECTED, FAILED)
# Which state each may change to (replay: a failed checkout is placed again).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    AWAITING_APPROVAL: (APPROVED, REJECTED),
    APPROVED: (PLACING, FAILED),
    # The ERP's credit check refused an order nobody approved over the limit.
    PLACING: (PLACED, FAILED, PLACING, AWAITING_APPROVAL),
    FAILED: (PLACING, PLACED, FAILED),
    PLACED: (),
    REJECTED: (),
}


class CheckoutStateError(ValueError):
    """The checkout is not in a state that allows this change; the message says which."""


@dataclass(frozen=True)
class CheckoutLine:
    """A line as the buyer saw it at checkout: the unit price the ERP gave then."""

    sku: str
    quantity: Decimal
    unit_price: Decimal
    name: str = ""

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price

    def as_json(self) -> dict[str, str]:
        return {
            "sku": self.sku,
            "quantity": str(self.quantity),
            "unit_price": str(self.unit_price),
            "name": self.name,
        }


@dataclass(frozen=True)
class Checkout:
    id: int
    company_id: int
    user_id: int
    idempotency_key: str
    reference: str
    state: str
    lines: tuple[CheckoutLine, ...]
    shipment_address_id: int | None
    po_number: str | None
    currency: str
    total: Decimal  # untaxed, at the prices shown at checkout
    hold_reason: str | None  # why it waits for an approval
    created_at: float
    decided_by: str | None  # who approved or rejected it
    decided_at: float | None
    decision_note: str | None
    sale_id: int | None
    erp_number: str | None
    error: str | None  # why placing it failed

    @property
    def number(self) -> int:
        return self.id

    @property
    def waiting(self) -> bool:
        return self.state == AWAITING_APPROVAL

    @property
    def in_progress(self) -> bool:
        """The hub is still working on it: a page showing it refreshes itself."""
        return self.state in (APPROVED, PLACING)


def _checkout(row: Any) -> Checkout:
    return Checkout(
        id=row.id,
        company_id=row.company_id,
        user_id=row.user_id,
        idempotency_key=row.idempotency_key,
        reference=row.reference,
        state=row.state,
        lines=tuple(
            CheckoutLine(
                sku=line["sku"],
                quantity=Decimal(line["quantity"]),
                unit_price=Decimal(line["unit_price"]),
                name=line.get("name", ""),
            )
            for line in json.loads(row.lines)
        ),
        shipment_address_id=row.shipment_address_id,
        po_number=row.po_number,
        currency=row.currency,
        total=Decimal(row.total),
        hold_reason=row.hold_reason,
        created_at=row.created_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        sale_id=row.sale_id,
        erp_number=row.erp_number,
        error=row.error,
    )


def subject(checkout_id: int) -> str:
    return f"portal-checkout:{checkout_id}"


def create(
    conn: Connection,
    *,
    company_id: int,
    user_id: int,
    idempotency_key: str,
    reference_prefix: str,
    lines: Sequence[CheckoutLine],
    shipment_address_id: int | None,
    po_number: str | None,
    currency: str,
    state: str,
    hold_reason: str | None,
    actor: str,
) -> tuple[Checkout, bool]:
    """The checkout of this idempotency key, made now (True) or found (False), in the
    caller's transaction. A key another company or person used is refused (a key is
    drawn per form, so that is a forged form, never a double click)."""
    if state not in (AWAITING_APPROVAL, APPROVED):
        raise CheckoutStateError(f"a checkout starts awaiting approval or approved, not {state}")
    if not idempotency_key or len(idempotency_key) > 64:
        raise CheckoutStateError("the checkout form has no valid key: open the checkout again")
    values = {
        "company_id": company_id,
        "user_id": user_id,
        "idempotency_key": idempotency_key,
        # Numbered below from the row's id; unique meanwhile, and unique to this attempt:
        # were it the key's, a racing request with the same key would conflict on the
        # reference too, which ON CONFLICT does not arbitrate, and PostgreSQL would see the
        # two inserts wait on each other (a deadlock) instead of one finding the other's row.
        "reference": f"pending:{uuid4().hex}",
        "state": state,
        "lines": json.dumps([line.as_json() for line in lines]),
        "shipment_address_id": shipment_address_id,
        "po_number": po_number or None,
        "currency": currency,
        "total": str(sum((line.amount for line in lines), Decimal(0))),
        "hold_reason": hold_reason,
        "created_at": now(),
    }
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        dialect_insert(portal_checkouts)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(portal_checkouts.c.id)
    )
    made = conn.execute(statement).first()
    if made is None:
        found = by_key(conn, idempotency_key)
        assert found is not None  # the conflict was on this key
        if found.company_id != company_id or found.user_id != user_id:
            raise CheckoutStateError("the checkout form has no valid key: open the checkout again")
        return found, False
    checkout_id = int(made.id)
    reference = f"{reference_prefix}{checkout_id}"
    conn.execute(
        update(portal_checkouts)
        .where(portal_checkouts.c.id == checkout_id)
        .values(reference=reference)
    )
    audit.record(
        conn,
        actor=actor,
        action="portal.checkout.create",
        subject=subject(checkout_id),
        after={"reference": reference, "state": state, "total": values["total"]},
        note=hold_reason,
    )
    checkout = get_in(conn, checkout_id)
    assert checkout is not None
    return checkout, True


def by_key(conn: Connection, idempotency_key: str) -> Checkout | None:
    row = conn.execute(
        select(portal_checkouts).where(portal_checkouts.c.idempotency_key == idempotency_key)
    ).first()
    return _checkout(row) if row is not None else None


def get_in(conn: Connection, checkout_id: int, company_id: int | None = None) -> Checkout | None:
    """The checkout; with `company_id`, only when it is that company's."""
    query = select(portal_checkouts).where(portal_checkouts.c.id == checkout_id)
    if company_id is not None:
        query = query.where(portal_checkouts.c.company_id == company_id)
    row = conn.execute(query).first()
    return _checkout(row) if row is not None else None


def get(store: Store, company_id: int, checkout_id: int) -> Checkout | None:
    """The company's checkout (a portal page's read): another company's is None."""
    with store.read() as conn:
        return get_in(conn, checkout_id, company_id)


def get_for_staff(store: Store, checkout_id: int) -> Checkout | None:
    """Any company's checkout: for the console and the flow, never a portal page."""
    with store.read() as conn:
        return get_in(conn, checkout_id)


def of_company(
    store: Store, company_id: int, *, states: Collection[str] | None = None, limit: int = 100
) -> list[Checkout]:
    """The company's checkouts, newest first."""
    query = select(portal_checkouts).where(portal_checkouts.c.company_id == company_id)
    if states is not None:
        query = query.where(portal_checkouts.c.state.in_(list(states)))
    query = query.order_by(portal_checkouts.c.created_at.desc(), portal_checkouts.c.id.desc())
    with store.read() as conn:
        return [_checkout(row) for row in conn.execute(query.limit(limit))]


def waiting(store: Store, limit: int = 200) -> list[Checkout]:
    """Every company's checkouts awaiting approval, oldest first (the console's list)."""
    query = (
        select(portal_checkouts)
        .where(portal_checkouts.c.state == AWAITING_APPROVAL)
        .order_by(portal_checkouts.c.created_at, portal_checkouts.c.id)
        .limit(limit)
    )
    with store.read() as conn:
        return [_checkout(row) for row in conn.execute(query)]


def change_state(
    conn: Connection,
    checkout: Checkout,
    to: str,
    *,
    actor: str,
    note: str | None = None,
    decision: bool = False,
    **fields: Any,
) -> Checkout:
    """Move the checkout from the state it was read in to `to` (compare-and-set), with
    `fields` (sale_id, erp_number, error); `decision`: an approval or rejection, whose
    actor, time and note are kept on the checkout. Raises CheckoutStateError when the
    change is not allowed or someone else changed the checkout first."""
    if to not in TRANSITIONS.get(checkout.state, ()):
        raise CheckoutStateError(
            f"checkout {checkout.reference} is {checkout.state.replace('_', ' ')}: "
            f"it cannot become {to.replace('_', ' ')}"
        )
    values: dict[str, Any] = {"state": to, **fields}
    if decision:
        values.update(decided_by=actor, decided_at=now(), decision_note=note or None)
    changed = conn.execute(
        update(portal_checkouts)
        .where(portal_checkouts.c.id == checkout.id, portal_checkouts.c.state == checkout.state)
        .values(**values)
    ).rowcount
    if changed != 1:
        raise CheckoutStateError(
            f"checkout {checkout.reference} was changed meanwhile: reload it and try again"
        )
    audit.record(
        conn,
        actor=actor,
        action=f"portal.checkout.{to}",
        subject=subject(checkout.id),
        before={"state": checkout.state},
        after={"state": to, **{k: v for k, v in fields.items() if v is not None}},
        note=note,
    )
    found = get_in(conn, checkout.id)
    assert found is not None
    return found
