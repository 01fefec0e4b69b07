"""The portal's business customers and their people (docs/portal.md, "Accounts").

A **company** is one ERP party (its prices, credit, orders and invoices are the ERP's);
its **members** are portal users, each with a role there (buyer, approver, admin:
access/permissions.py says what each grants) and, for a buyer, the most they may order
without an approval. A person may belong to several companies and switches between
them (engine/portal_sessions.py).

Every change is in the audit log (engine/audit.py), in the transaction of the change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from causeway.access.permissions import PORTAL_ROLES
from causeway.engine import audit
from causeway.engine.schema import portal_companies, portal_members, portal_users
from causeway.engine.store import Store, now


class PortalAccountError(ValueError):
    """A request about portal accounts that cannot be done; the message says why."""


@dataclass(frozen=True)
class Company:
    id: int
    party_id: int
    name: str
    warehouses: tuple[str, ...] | None  # codes; None: every warehouse
    disabled_at: float | None


@dataclass(frozen=True)
class Membership:
    """One person's place in one company."""

    user_id: int
    email: str
    name: str
    company_id: int
    company_name: str
    role: str
    order_limit: Decimal | None  # None: no limit of their own (the credit limit still holds)
    member_id: int = 0  # this membership's own id (the company page's {member_id})


def _company(row: Any) -> Company:
    warehouses = row.warehouses
    return Company(
        id=row.id,
        party_id=row.party_id,
        name=row.name,
        warehouses=tuple(json.loads(warehouses)) if warehouses else None,
        disabled_at=row.disabled_at,
    )


def add_company(
    store: Store,
    party_id: int,
    name: str,
    *,
    actor: str,
    warehouses: list[str] | None = None,
) -> Company:
    """A business customer for this ERP party (one company per party)."""
    values = {
        "party_id": party_id,
        "name": name.strip() or f"Party {party_id}",
        "warehouses": json.dumps(warehouses) if warehouses else None,
        "created_at": now(),
        "created_by": actor,
    }
    try:
        with store.transaction() as conn:
            company_id = conn.execute(
                insert(portal_companies).values(**values)
            ).inserted_primary_key[0]  # type: ignore[index]
            audit.record(
                conn,
                actor=actor,
                action="portal.company.add",
                subject=f"portal-company:{company_id}",
                after={"party_id": party_id, "name": values["name"]},
            )
    except IntegrityError:
        raise PortalAccountError(f"ERP party {party_id} is already a portal company") from None
    found = company(store, int(company_id))
    assert found is not None
    return found


def company(store: Store, company_id: int) -> Company | None:
    with store.read() as conn:
        row = conn.execute(
            select(portal_companies).where(portal_companies.c.id == company_id)
        ).first()
    return _company(row) if row is not None else None


def companies(store: Store) -> list[Company]:
    with store.read() as conn:
        rows = conn.execute(select(portal_companies).order_by(portal_companies.c.name)).all()
    return [_company(row) for row in rows]


def parse_limit(value: str | Decimal | None) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        limit = Decimal(str(value).strip())
    except InvalidOperation:
        raise PortalAccountError(
            f"order limit {value!r} is not an amount: write e.g. 2500.00"
        ) from None
    if not limit.is_finite() or limit < 0:
        raise PortalAccountError(f"order limit {value!r}: write an amount of 0 or more")
    return limit


def user_id_for(conn: Connection, email: str, name: str = "") -> int:
    """The portal user with this e-mail, created (without a password) if new."""
    email = email.strip().lower()
    row = conn.execute(select(portal_users.c.id).where(portal_users.c.email == email)).first()
    if row is not None:
        return int(row.id)
    return int(
        conn.execute(
            insert(portal_users).values(email=email, name=name.strip(), created_at=now())
        ).inserted_primary_key[0]  # type: ignore[index]
    )


def add_member(
    store: Store,
    company_id: int,
    email: str,
    role: str,
    *,
    actor: str,
    name: str = "",
    order_limit: str | Decimal | None = None,
) -> Membership:
    """This person (created if new) in this company with this role."""
    if role not in PORTAL_ROLES:
        raise PortalAccountError(f"unknown portal role {role!r}: use buyer, approver or admin")
    if "@" not in email or len(email) > 254:
        raise PortalAccountError(f"{email!r} is not an e-mail address")
    limit = parse_limit(order_limit)
    try:
        with store.transaction() as conn:
            user_id = user_id_for(conn, email, name)
            conn.execute(
                insert(portal_members).values(
                    user_id=user_id,
                    company_id=company_id,
                    role=role,
                    order_limit=str(limit) if limit is not None else None,
                    created_at=now(),
                )
            )
            audit.record(
                conn,
                actor=actor,
                action="portal.member.add",
                subject=f"portal-company:{company_id}",
                after={
                    "email": email.strip().lower(),
                    "role": role,
                    "order_limit": str(limit) if limit is not None else None,
                },
            )
    except IntegrityError:
        raise PortalAccountError(f"{email} is already a member of this company") from None
    found = membership(store, user_id, company_id)
    assert found is not None
    return found


def _memberships(conn: Connection, *where: Any) -> list[Membership]:
    query = (
        select(
            portal_members,
            portal_users.c.email,
            portal_users.c.name,
            portal_companies.c.name.label("company_name"),
        )
        .join(portal_users, portal_users.c.id == portal_members.c.user_id)
        .join(portal_companies, portal_companies.c.id == portal_members.c.company_id)
        .where(*where)
        .order_by(portal_companies.c.name, portal_users.c.email)
    )
    return [
        Membership(
            user_id=row.user_id,
            email=row.email,
            name=row.name,
            company_id=row.company_id,
            company_name=row.company_name,
            role=row.role,
            order_limit=Decimal(row.order_limit) if row.order_limit is not None else None,
            member_id=row.id,
        )
        for row in conn.execute(query)
    ]


def membership(store: Store, user_id: int, company_id: int) -> Membership | None:
    with store.read() as conn:
        found = _memberships(
            conn, portal_members.c.user_id == user_id, portal_members.c.company_id == company_id
        )
    return found[0] if found else None


def memberships_of(store: Store, user_id: int) -> list[Membership]:
    """Every company this person may act for."""
    with store.read() as conn:
        return _memberships(
            conn, portal_members.c.user_id == user_id, portal_companies.c.disabled_at.is_(None)
        )


def members_of(store: Store, company_id: int) -> list[Membership]:
    with store.read() as conn:
        return _memberships(conn, portal_members.c.company_id == company_id)


def member(store: Store, company_id: int, member_id: int) -> Membership | None:
    """One membership, looked up within this company only (another company's is None)."""
    with store.read() as conn:
        found = _memberships(
            conn, portal_members.c.id == member_id, portal_members.c.company_id == company_id
        )
    return found[0] if found else None


def _admins_left(conn: Connection, company_id: int) -> int:
    rows = conn.execute(
        select(portal_members.c.id).where(
            portal_members.c.company_id == company_id, portal_members.c.role == "admin"
        )
    ).all()
    return len(rows)


def _described(found: Membership) -> dict[str, object]:
    limit = found.order_limit
    return {"email": found.email, "role": found.role, "order_limit": str(limit) if limit else None}


def set_member(
    store: Store,
    company_id: int,
    member_id: int,
    *,
    role: str,
    order_limit: str | Decimal | None,
    actor: str,
) -> tuple[Membership, bool]:
    """Give a member of this company another role and order limit (their sessions pick
    the new role up at their next request); returns the member and whether anything
    changed. The company's last admin stays one, so somebody can still manage it."""
    if role not in PORTAL_ROLES:
        raise PortalAccountError(f"unknown portal role {role!r}: use buyer, approver or admin")
    limit = parse_limit(order_limit)
    before = member(store, company_id, member_id)
    if before is None:
        raise PortalAccountError(f"there is no member {member_id} in this company")
    if before.role == role and before.order_limit == limit:
        return before, False
    with store.transaction() as conn:
        conn.execute(
            update(portal_members)
            .where(portal_members.c.id == member_id, portal_members.c.company_id == company_id)
            .values(role=role, order_limit=str(limit) if limit is not None else None)
        )
        if before.role == "admin" and role != "admin" and _admins_left(conn, company_id) == 0:
            raise PortalAccountError(
                f"{before.email} is this company's last admin: make someone else admin first"
            )
        after = _memberships(conn, portal_members.c.id == member_id)[0]
        audit.record(
            conn, actor=actor, action="portal.member.change",
            subject=f"portal-company:{company_id}",
            before=_described(before), after=_described(after),
        )  # fmt: skip
    return after, True


def remove_member(store: Store, company_id: int, member_id: int, *, actor: str) -> Membership:
    """Take a person out of this company: their sessions acting for it end at their next
    request (engine/portal_sessions.find); their login and other companies stay."""
    before = member(store, company_id, member_id)
    if before is None:
        raise PortalAccountError(f"there is no member {member_id} in this company")
    with store.transaction() as conn:
        conn.execute(
            delete(portal_members).where(
                portal_members.c.id == member_id, portal_members.c.company_id == company_id
            )
        )
        if before.role == "admin" and _admins_left(conn, company_id) == 0:
            raise PortalAccountError(
                f"{before.email} is this company's last admin: make someone else admin first"
            )
        audit.record(
            conn, actor=actor, action="portal.member.remove",
            subject=f"portal-company:{company_id}", before=_described(before), after=None,
        )  # fmt: skip
    return before


def company_of_party(store: Store, party_id: int) -> Company | None:
    with store.read() as conn:
        row = conn.execute(
            select(portal_companies).where(portal_companies.c.party_id == party_id)
        ).first()
    return _company(row) if row is not None else None
