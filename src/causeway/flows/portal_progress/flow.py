"""portal-progress: what the ERP did with a B2B portal order becomes the order's timeline
milestones and its customer's e-mails (docs/flows/portal-progress.md).

A portal order is an ERP sale whose reference starts with `portal.reference_prefix`. A
scheduled run:
1. reads the customer shipments done in the ERP since its cursor (ErpShipments: three
   calls; the first run from now less the overlap: turning the flow on does not e-mail
   about the ERP's past shipments) and keeps the portal sales among theirs;
2. adds the portal orders the hub follows and that are not finished in the ERP (the
   newest `recent` orders with a portal reference whose ERP state is not done or
   cancelled): an invoice posted or a sale cancelled there shows up even with no
   shipment;
3. reads all these sales as they stand (ErpPortalHistory.sales_by_reference: four calls
   whatever their number), and per sale, in one transaction: each done shipment is the
   `shipped` (or `partially_shipped`) milestone and a `shipped` e-mail (occurrence = the
   shipment's number, with carrier, tracking number and tracking page), each posted or
   paid invoice the `invoiced` milestone and an `invoice_issued` e-mail (occurrence =
   the invoice's number), all invoices paid the `paid` milestone, a cancelled sale the
   `cancelled` milestone and e-mail.

Exactly once: a milestone is recorded once per order (engine/timeline.py) and an e-mail
once per (order, event, occurrence) (the outbox's dedupe key), both in the transaction
that records the sale's progress, so a re-run, an overlapping poll or a crash between
two sales sends nothing twice; the cursor moves only after every sale is recorded.

A portal sale the hub has no record of (keyed in the ERP with the portal's prefix) is
adopted: it gets a hub order (linked as the portal's order of that reference and as the
ERP's sale) so its history has a timeline, and its e-mails go to the party's e-mail.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection

from causeway.config.notifications import NotificationsSettings
from causeway.engine import entities, links, timeline
from causeway.engine.cursors import Cursor
from causeway.engine.store import Store
from causeway.flows.base import FlowBase
from causeway.model.ports.erp import DoneShipment
from causeway.model.ports.portal import PartySale
from causeway.notifications.events import PORTAL_CHANNEL, OrderEvent, notify
from causeway.orders.record import ORDER, SALE, update_order
from causeway.orders.tracking import tracking_url

log = logging.getLogger("causeway.flows.portal_progress")

NAME = "portal-progress"
# ERP sale states after which nothing more happens to an order: no longer followed.
FINISHED = ("done", "cancelled")
SHOWN_INVOICE_STATES = ("posted", "paid")


def cancelled(sale: PartySale) -> bool:
    """The ERP cancelled the sale: cancelled as a quotation, or (Tryton's way for a
    confirmed sale) done with every shipment and invoice cancelled and nothing shipped
    or invoiced."""
    if sale.state == "cancelled":
        return True
    return (
        sale.state == "done"
        and bool(sale.shipments or sale.invoices)
        and all(s.state == "cancelled" for s in sale.shipments)
        and all(i.state == "cancelled" for i in sale.invoices)
    )


class ProgressSource(Protocol):
    """What the flow reads of the ERP (ErpShipments and ErpPortalHistory)."""

    def done_shipments_since(
        self, since: datetime | None
    ) -> tuple[list[DoneShipment], datetime | None]: ...

    def sales_by_reference(self, references: Sequence[str]) -> Mapping[str, PartySale]: ...


class PortalProgress(FlowBase[None]):
    name = NAME
    batch_size = 1
    exclusive = True  # one run at a time: two would read the same sales
    runs_only = True  # every job is a run: the flow has no per-entity jobs

    def __init__(
        self,
        store: Store,
        *,
        source: str,
        source_connector: ProgressSource,
        notifications: NotificationsSettings,
        reference_prefix: str,
        tracking_urls: Mapping[str, str] | None = None,
        overlap: timedelta = timedelta(minutes=10),
        recent: int = 500,
    ) -> None:
        if not reference_prefix:
            raise ValueError(f"{NAME} needs portal.reference_prefix to tell portal sales apart")
        self.store = store
        self.source = source
        self.erp = source_connector
        self.notifications = notifications
        self.prefix = reference_prefix
        self.tracking_urls = dict(tracking_urls or {})
        self.recent = recent
        self.cursor = Cursor(store, source, f"{NAME}:shipments", overlap, flow=NAME)

    def on_run(self, payload: Mapping[str, Any]) -> None:
        self.run()

    def run(self) -> int:
        """Record the progress of every portal sale that moved; returns how many sales
        got a new milestone or e-mail."""
        since = self.cursor.window_start()
        if since is None:
            # The first run: from now (less the overlap), not the ERP's whole shipping
            # history, whose portal shipments would each send a late e-mail.
            since = datetime.now(UTC) - self.cursor.overlap
        shipments, seen = self.erp.done_shipments_since(since)
        references = {
            ref
            for shipment in shipments
            for ref in shipment.sales.values()
            if ref is not None and ref.startswith(self.prefix)
        }
        references |= self._followed()
        sales = self.erp.sales_by_reference(sorted(references)) if references else {}
        changed = 0
        for reference in sorted(sales):
            with self.store.transaction() as conn:  # one sale's progress, all or nothing
                changed += self._progress(conn, sales[reference])
        self.cursor.advance(seen)
        if changed:
            log.info("%d portal orders moved on in %s", changed, self.source)
        return changed

    def _followed(self) -> set[str]:
        """References of the hub's recent portal orders the ERP has not finished."""
        with self.store.read() as conn:
            recent = entities.newest(conn, ORDER, self.recent)
        return {
            str(summary["reference"])
            for _, summary in recent
            if str(summary.get("reference") or "").startswith(self.prefix)
            and summary.get("erp_state") not in FINISHED
        }

    # -- one sale ---------------------------------------------------------------------
    def _progress(self, conn: Connection, sale: PartySale) -> int:
        hub_id, summary = self._order(conn, sale)
        recipient = str(summary.get("email") or sale.party_email or "")
        number = str(summary.get("number") or sale.reference)

        def event(kind: str, facts: dict[str, Any], occurrence: str | None = None) -> bool:
            return notify(
                conn,
                self.notifications,
                OrderEvent(
                    event=kind,
                    order_key=hub_id,
                    channel=PORTAL_CHANNEL,
                    recipient=recipient,
                    order_number=number,
                    facts={"erp_number": sale.number, **facts},
                    occurrence=occurrence,
                ),
            )

        news = 0
        live = [s for s in sale.shipments if s.state != "cancelled"]
        for shipment in (s for s in live if s.state == "done"):
            url = tracking_url(
                shipment.carrier, shipment.tracking_number, templates=self.tracking_urls
            )
            facts = {
                "shipment": shipment.number,
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "tracking_url": url,
            }
            complete = all(s.state == "done" for s in live)
            milestone = "shipped" if complete else "partially_shipped"
            news += timeline.record(conn, hub_id, milestone, detail=facts)
            news += event("shipped", facts, occurrence=shipment.number or str(shipment.shipment_id))
        issued = [i for i in sale.invoices if i.state in SHOWN_INVOICE_STATES]
        for invoice in issued:
            facts = {
                "invoice_number": invoice.number,
                "amount": str(invoice.total_amount),
                "currency": sale.currency,
            }
            news += timeline.record(conn, hub_id, "invoiced", detail={"invoice": invoice.number})
            news += event("invoice_issued", facts, occurrence=invoice.number)
        if issued and all(i.state == "paid" for i in issued):
            news += timeline.record(
                conn, hub_id, "paid", detail={"amount": str(sum(i.total_amount for i in issued))}
            )
        if cancelled(sale):
            news += timeline.record(conn, hub_id, "cancelled", detail={"erp_number": sale.number})
            news += event("cancelled", {})
        update_order(conn, hub_id, erp_state=sale.state, erp_number=sale.number)
        return 1 if news else 0

    def _order(self, conn: Connection, sale: PartySale) -> tuple[str, dict[str, Any]]:
        """The hub's order of the sale: by the sale's link, else the portal order of its
        reference (the checkout links (portal, order, <reference>)); adopted when the hub
        has none."""
        reference = sale.reference
        sale_link = links.find(conn, self.source, SALE, str(sale.sale_id))
        link = sale_link or links.find(conn, PORTAL_CHANNEL, ORDER, reference)
        hub_id = link.hub_id if link else links.new_hub_id()
        if link is None:
            log.info(
                "adopting portal sale %s (%s): the hub had no order of it", sale.number, reference
            )
            links.save(
                conn, hub_id=hub_id, system=PORTAL_CHANNEL, entity_type=ORDER, external_id=reference
            )
        if sale_link is None:
            links.save(
                conn,
                hub_id=hub_id,
                system=self.source,
                entity_type=SALE,
                external_id=str(sale.sale_id),
            )
        summary = entities.summary(conn, hub_id)
        if not summary:
            summary = update_order(
                conn,
                hub_id,
                state="in_erp",
                number=reference,  # as the checkout numbers portal orders
                reference=reference,
                channel=PORTAL_CHANNEL,
                party_id=sale.party_id,
                email=sale.party_email,
                total=str(sale.total_amount),
                currency=sale.currency,
            )
        return hub_id, summary
