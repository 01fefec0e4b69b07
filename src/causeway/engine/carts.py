"""The hub's record of shoppers' checkouts (docs/carts.md): stored and read here only.

The carts flow (flows/carts/) decides; these functions keep what it decided, in the
caller's transaction. A cart is one row per (system, checkout id). Money is kept as the
Decimal's string with its currency; times are epoch seconds like every table's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

from causeway.engine.schema import carts
from causeway.engine.store import Store, now
from causeway.model.carts import Cart


@dataclass(frozen=True)
class CartRow:
    id: int
    system: str
    checkout_id: str
    checkout_token: str | None
    cart_token: str | None
    email: str | None
    currency: str | None
    total: Decimal | None
    line_count: int
    lines: list[dict[str, Any]]
    created_at: float | None
    updated_at: float | None
    completed_at: float | None
    order_id: str | None
    state: str
    abandoned_at: float | None
    recovered_at: float | None


def _row(row: Any) -> CartRow:
    return CartRow(
        id=row.id,
        system=row.system,
        checkout_id=row.checkout_id,
        checkout_token=row.checkout_token,
        cart_token=row.cart_token,
        email=row.email,
        currency=row.currency,
        total=Decimal(row.total) if row.total is not None else None,
        line_count=row.line_count,
        lines=json.loads(row.lines),
        created_at=row.created_at,
        updated_at=row.updated_at,
        completed_at=row.completed_at,
        order_id=row.order_id,
        state=row.state,
        abandoned_at=row.abandoned_at,
        recovered_at=row.recovered_at,
    )


def _contents(cart: Cart) -> dict[str, Any]:
    """The columns a checkout update replaces (never the state or the order)."""
    return {
        "checkout_token": cart.token,
        "cart_token": cart.cart_token,
        "email": cart.email.strip().lower() if cart.email else None,
        "currency": cart.currency,
        "total": str(cart.total),
        "line_count": len(cart.lines),
        "lines": json.dumps(
            [
                {
                    "sku": line.sku,
                    "title": line.title,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                }
                for line in cart.lines
            ]
        ),
        "recovery_url": cart.recovery_url,
        "created_at": cart.created_at.timestamp(),
        "updated_at": cart.updated_at.timestamp(),
    }


def find(conn: Connection, system: str, checkout_id: str) -> CartRow | None:
    row = conn.execute(
        select(carts).where(carts.c.system == system, carts.c.checkout_id == checkout_id)
    ).first()
    return _row(row) if row is not None else None


def find_by_token(conn: Connection, system: str, token: str) -> CartRow | None:
    """The cart whose checkout token or cart token is `token` (an order without a
    checkout id names its checkout by these)."""
    row = conn.execute(
        select(carts)
        .where(
            carts.c.system == system,
            or_(carts.c.checkout_token == token, carts.c.cart_token == token),
        )
        .order_by(carts.c.id)
    ).first()
    return _row(row) if row is not None else None


def insert_cart(conn: Connection, system: str, cart: Cart, state: str) -> None:
    conn.execute(
        insert(carts).values(
            system=system,
            checkout_id=cart.checkout_id,
            state=state,
            received_at=now(),
            **_contents(cart),
        )
    )


# Sent by the webhook only: a polled checkout (GraphQL has no tokens) keeps those stored.
_KEPT_WHEN_UNSENT = ("checkout_token", "cart_token", "recovery_url", "email")


def replace_contents(conn: Connection, cart_id: int, cart: Cart) -> None:
    """What the checkout now holds (the caller checked that `cart` is newer)."""
    values = _contents(cart)
    for key in _KEPT_WHEN_UNSENT:
        if values[key] is None:
            del values[key]
    conn.execute(update(carts).where(carts.c.id == cart_id).values(**values))


def insert_ordered(
    conn: Connection,
    system: str,
    checkout_id: str,
    *,
    state: str,
    order_id: str,
    completed_at: float,
    checkout_token: str | None = None,
    cart_token: str | None = None,
) -> None:
    """A cart known only from its order (the checkout's webhooks are late or lost): what
    the checkout held is filled in when its webhook or the poll brings it."""
    conn.execute(
        insert(carts).values(
            system=system,
            checkout_id=checkout_id,
            checkout_token=checkout_token,
            cart_token=cart_token,
            state=state,
            order_id=order_id,
            completed_at=completed_at,
            received_at=now(),
        )
    )


def set_state(conn: Connection, cart_id: int, state: str, **stamps: Any) -> None:
    """Move a cart to `state`, with the columns that record it (abandoned_at,
    recovered_at, completed_at, order_id)."""
    allowed = {"abandoned_at", "recovered_at", "completed_at", "order_id"}
    unknown = set(stamps) - allowed
    if unknown:
        raise ValueError(f"not a cart state column: {sorted(unknown)}")
    conn.execute(update(carts).where(carts.c.id == cart_id).values(state=state, **stamps))


def changed_before(
    conn: Connection, state: str, systems: Sequence[str], before: float, limit: int = 500
) -> list[CartRow]:
    """Carts in `state` of `systems` last changed at or before `before`, oldest first."""
    rows = conn.execute(
        select(carts)
        .where(
            carts.c.state == state,
            carts.c.system.in_(list(systems)),
            carts.c.updated_at <= before,
        )
        .order_by(carts.c.updated_at, carts.c.id)
        .limit(limit)
    ).all()
    return [_row(row) for row in rows]


def counts(store: Store, system: str | None = None) -> dict[str, int]:
    """How many carts are in each state (of one system, or all)."""
    query = select(carts.c.state, func.count()).group_by(carts.c.state)
    if system is not None:
        query = query.where(carts.c.system == system)
    with store.read() as conn:
        return {state: int(n) for state, n in conn.execute(query).all()}


def get(store: Store, system: str, checkout_id: str) -> CartRow | None:
    with store.read() as conn:
        return find(conn, system, checkout_id)
