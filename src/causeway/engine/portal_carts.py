"""A portal person's cart, per company: one line per SKU with its quantity (Decimal).
Prices are never kept here: they are the ERP's, read when the cart is shown and again
at checkout (portal/)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, Connection, delete, insert, select, update

from causeway.engine.schema import portal_cart_lines
from causeway.engine.store import Store, now


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: Decimal


def _mine(company_id: int, user_id: int) -> list[ColumnElement[bool]]:
    return [portal_cart_lines.c.company_id == company_id, portal_cart_lines.c.user_id == user_id]


def lines(store: Store, company_id: int, user_id: int) -> list[CartLine]:
    with store.read() as conn:
        rows = conn.execute(
            select(portal_cart_lines.c.sku, portal_cart_lines.c.quantity)
            .where(*_mine(company_id, user_id))
            .order_by(portal_cart_lines.c.added_at, portal_cart_lines.c.id)
        ).all()
    return [CartLine(row.sku, Decimal(row.quantity)) for row in rows]


def put(
    store: Store, company_id: int, user_id: int, sku: str, quantity: Decimal, *, add: bool = False
) -> None:
    """Set the SKU's quantity (`add`: add it to what is there); 0 or less removes it."""
    with store.transaction() as conn:
        where = [*_mine(company_id, user_id), portal_cart_lines.c.sku == sku]
        row = conn.execute(select(portal_cart_lines.c.quantity).where(*where)).first()
        new = quantity + (Decimal(row.quantity) if add and row is not None else 0)
        if new <= 0:
            conn.execute(delete(portal_cart_lines).where(*where))
        elif row is not None:
            conn.execute(update(portal_cart_lines).where(*where).values(quantity=str(new)))
        else:
            conn.execute(
                insert(portal_cart_lines).values(
                    company_id=company_id, user_id=user_id, sku=sku, quantity=str(new),
                    added_at=now(),
                )
            )  # fmt: skip


def clear(conn: Connection, company_id: int, user_id: int) -> None:
    """Empty the cart, in the caller's transaction (the checkout's)."""
    conn.execute(delete(portal_cart_lines).where(*_mine(company_id, user_id)))
