"""Order edits: a later event of an order the ERP already has, whose lines changed.

orders-to-erp places an order once; after that, most events of the order (paid,
tagged, noted) change nothing the ERP sale holds. Only a change of the lines does:
a quantity changed, an item removed or added. The order's summary keeps a
fingerprint of the quantities per SKU the ERP sale was last made to match; an event
is an edit only if it is newer than the last one applied (a stale, redelivered or
out-of-order event never applies) and its fingerprint differs.

The ERP connector compares with the sale itself before amending, so an amendment
that landed before a crash is not applied twice; the fingerprint only saves the
ERP call for the many events that are not edits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Protocol

from causeway.engine import links
from causeway.engine.links import Link
from causeway.engine.store import Store
from causeway.model import Order
from causeway.orders import changes
from causeway.orders.record import merge_summary, read_summary, rewrite_facts

ORDER, SALE = "order", "sale"
FINGERPRINT_KEY = "lines_fingerprint"


class AmendedFacts(Protocol):
    sale_id: int
    state: str
    total_amount: Decimal
    changed: int


class AmendTarget(Protocol):
    def amend_sale(self, reference: str, order: Order) -> AmendedFacts: ...


def lines_fingerprint(order: Order) -> str:
    """Quantity per SKU, as text, hashed: what an amendment makes the sale match."""
    quantities: dict[str, Decimal] = {}
    for line in order.lines:
        key = line.sku or f"title:{line.title}"
        quantities[key] = quantities.get(key, Decimal(0)) + Decimal(line.quantity)
    text = ";".join(f"{sku}={qty.normalize():f}" for sku, qty in sorted(quantities.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def is_newer(order_updated_at: float, link: Link) -> bool:
    return link.remote_updated_at is None or order_updated_at > link.remote_updated_at


def is_edit(order: Order, order_updated_at: float, link: Link, known: str | None) -> bool:
    """A newer event whose lines differ from those the ERP sale was made to match.

    known is None for orders placed before fingerprints were kept: the connector then
    compares with the sale itself, and an unchanged sale costs one read.
    """
    return is_newer(order_updated_at, link) and lines_fingerprint(order) != known


def same_second_change(
    order: Order, order_updated_at: float, link: Link, known: str | None
) -> bool:
    """Another version of the order, stamped the same second as the one the sale matches.

    Shopify stamps orders to the second, so an edit made within a second of the version
    the ERP has (an upsell app editing a fresh order) carries the same stamp: the stamps
    cannot say which of the two is newer, and neither may simply win. The store's
    current version can (see OrdersToErp._later_event).
    """
    return (
        known is not None
        and link.remote_updated_at is not None
        and order_updated_at == link.remote_updated_at
        and lines_fingerprint(order) != known
    )


class OrderEdits:
    def __init__(self, store: Store, *, source: str, target: str, connector: Any) -> None:
        self.store = store
        self.source = source
        self.target = target
        self.connector: AmendTarget = connector

    def known_fingerprints(self, placed: Mapping[str, Link]) -> dict[str, str | None]:
        with self.store.read() as conn:
            return {
                ext: read_summary(conn, link.hub_id).get(FINGERPRINT_KEY)
                for ext, link in placed.items()
            }

    def apply(self, order: Order, updated_at: float, link: Link, reference: str) -> None:
        """Amend the ERP sale to the edited order, then remember what it now matches."""
        amended = self.connector.amend_sale(reference, order)
        with self.store.transaction() as conn:
            before = changes.known(conn, link.hub_id)
            self._seen(conn, order, updated_at, link)
            links.save(
                conn,
                hub_id=link.hub_id,
                system=self.target,
                entity_type=SALE,
                external_id=str(amended.sale_id),
                fingerprint=amended.state,
            )
            merge_summary(
                conn,
                link.hub_id,
                {
                    FINGERPRINT_KEY: lines_fingerprint(order),
                    "total": str(order.total),
                    "erp_total": str(amended.total_amount),
                },
            )
            after = changes.known(conn, link.hub_id)
            change = changes.edit_change(self.source, order, updated_at, before=before, after=after)
            changes.record(conn, link.hub_id, change)  # the edit as a fact, once per version
            # The warehouse's facts: the new lines and amounts (docs/order-facts.md).
            rewrite_facts(conn, link.hub_id, order, erp_sale_id=str(amended.sale_id))

    def seen(self, order: Order, updated_at: float, link: Link) -> None:
        """A newer event that changed no line: later stale events are recognised as such."""
        if not is_newer(updated_at, link):
            return
        with self.store.transaction() as conn:
            self._seen(conn, order, updated_at, link)

    def _seen(self, conn: Any, order: Order, updated_at: float, link: Link) -> None:
        links.save(
            conn,
            hub_id=link.hub_id,
            system=self.source,
            entity_type=ORDER,
            external_id=order.external_id,
            fingerprint=link.fingerprint,
            remote_updated_at=updated_at,
        )
