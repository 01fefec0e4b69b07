"""quotes-to-erp: a deal won in the CRM becomes one confirmed ERP sale, and the deal
shows the sale's number and, later, its shipping and invoice state.

Triggered by the CRM's dealstage webhook (inbox topic deal.propertyChange.dealstage,
entity `deal:<id>`) and by the flow's scheduled run, which searches deals won
since a watermark (for webhooks that never came) and reads the state of every sale
it placed back from the ERP. Both paths go through the inbox, so a deal is always
placed by a job keyed `<crm>:deal:<id>`.

Exactly once: the sale's reference is `<crm>-deal-<id>` and the ERP connector
searches it before creating; the link (crm, deal, id) <-> (erp, sale, id) written
afterwards makes every later event of the deal a no-op. The sale link's fingerprint
is the ERP state last written to the deal (None until written), so a crash between
placing the sale and updating the deal is finished by the next event or run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, Protocol

from causeway.engine import links, timeline
from causeway.engine.cursors import Cursor
from causeway.engine.inbox import Inbox, InboxRecord, StoredEvent
from causeway.engine.jobs import NewJob, ordering_key
from causeway.engine.store import Store
from causeway.errors import PermanentError
from causeway.flows.base import FlowBase, Outcomes
from causeway.flows.events import json_object
from causeway.model import Order
from causeway.model.ports.crm import DEAL_FIELDS, CrmDeals
from causeway.model.ports.erp import ErpOrders, ErpSaleFigures, PlacedSale
from causeway.notifications.order_mail import UNCONFIRMED, OrderMail, order_facts
from causeway.orders.record import SALE, record_placed, timestamp, update_order

log = logging.getLogger("causeway.flows.quotes_to_erp")

NAME = "quotes-to-erp"
STAGE_TOPIC = "deal.propertyChange.dealstage"
POLL_TOPIC = "deals/poll"  # inbox topic of won deals found by the reconciling poll
TOPICS = (STAGE_TOPIC, POLL_TOPIC)
DEAL = "deal"
PLACED = "in_erp"


class ErpSales(ErpOrders, ErpSaleFigures, Protocol):
    """The ERP places the won deals' sales and reports how far each got."""


@dataclass(frozen=True)
class Placed:
    """A deal the ERP has: its hub id, sale id and the state last written to the deal."""

    hub_id: str
    deal_id: str
    sale_id: str
    written: str | None


# The parts of an ERP state (SaleFigures.progress) that are order milestones (timeline.py).
STATE_MILESTONES = {
    "partially shipped": "partially_shipped",
    "shipped": "shipped",
    "invoiced": "invoiced",
    "partially paid": "invoiced",
    "paid": "paid",
    "cancelled": "cancelled",
}


# The milestones of a deal's sale that the deal's contact hears of by e-mail. Its invoice
# is payments-and-invoices' (one e-mail per invoice, with its number).
QUOTE_EMAILS = {"shipped": "shipped", "cancelled": "cancelled"}


def milestones_of(state: str) -> list[str]:
    """The timeline milestones an ERP state such as "shipped, invoiced" has reached."""
    return [STATE_MILESTONES[p] for p in state.split(", ") if p in STATE_MILESTONES]


def deal_reference(system: str, deal_id: str) -> str:
    """The ERP's sale.reference of a deal: readable and unique per CRM ("crm-deal-1001")."""
    return f"{system}-deal-{deal_id}"


def deal_job(source: str, record: InboxRecord, inbox_id: int) -> NewJob:
    return NewJob(NAME, ordering_key(source, record.entity_key), {"inbox_id": inbox_id})


def is_won_event(topic: str, stage: str | None, won_stages: Collection[str]) -> bool:
    """A dealstage change to a won stage (a polled deal always is one)."""
    if topic == POLL_TOPIC:
        return True
    return (stage or "") in won_stages


class QuotesToErp(FlowBase[tuple[str, Order]]):
    name = NAME
    # Won deals are few: one batch at a time, so the run that writes every sale's state
    # back never crosses a deal's own write-back. A deal's new customer is found-or-created
    # under the same customer lock as an order's (the ERP connector takes it for both), so
    # a deal and an order of one new customer make one party.
    exclusive = True

    def __init__(
        self,
        store: Store,
        inbox: Inbox,
        *,
        source: str,
        crm: CrmDeals,
        target: str,
        erp: ErpSales,
        won_stages: Collection[str] = ("closedwon",),
        currency: str = "USD",
        tax_rate: Decimal | None = None,
        batch_size: int = 10,
        overlap: timedelta = timedelta(minutes=10),
        mail: OrderMail | None = None,
    ) -> None:
        self.store = store
        self.mail = mail  # e-mails to the deal's contact (docs/notifications.md)
        self.inbox: Inbox = inbox
        self.source = source
        self.crm = crm
        self.target = target
        self.erp = erp
        self.won_stages = frozenset(won_stages)
        self.currency = currency
        self.tax_rate = tax_rate
        self.batch_size = batch_size
        self.cursor = Cursor(store, source, "won-deals", overlap, flow=NAME)
        self._properties_ready = False

    # -- the job handler ------------------------------------------------------
    def on_run(self, payload: Mapping[str, Any]) -> None:
        self.run()

    def validate_event(self, event: StoredEvent) -> object:
        """The deal's stage change as the CRM connector reads it (a polled deal: a JSON
        object); the deal itself is read from the CRM when the job runs."""
        if event.topic == POLL_TOPIC:
            return json_object(event)
        return self.crm.property_change(json_object(event))

    def on_event(self, event: StoredEvent) -> tuple[str, Order] | None:
        """A deal won: (its sale reference, its order) to place with the batch's others,
        or None when there is nothing to place."""
        deal_id = event.entity_key.removeprefix(f"{DEAL}:")
        if not self._is_won(event):
            return None  # another stage change: not ours
        placed = self._placed([deal_id]).get(deal_id)
        if placed is not None:
            self._write_back_if_due(placed)
            return None
        order = self._order(deal_id)
        return None if order is None else (deal_reference(self.source, deal_id), order)

    def _is_won(self, event: StoredEvent) -> bool:
        if event.topic == POLL_TOPIC:
            return True
        change = self.crm.property_change(json_object(event))
        return is_won_event(event.topic, change.value, self.won_stages)

    def _order(self, deal_id: str) -> Order | None:
        """The deal as an order, or None when it is no longer in a won stage."""
        return self.crm.won_deal(
            deal_id,
            won_stages=self.won_stages,
            default_currency=self.currency,
            tax_rate=self.tax_rate,
        )

    def on_batch(self, orders: dict[int, tuple[str, Order]]) -> Outcomes:
        """Place the won deals in one ERP call (should it fail, every job shares the error)."""
        results = self.erp.place_orders(list(orders.values()))
        outcomes: Outcomes = {}
        for job_id, (reference, order) in orders.items():
            result = results.get(reference)
            if result is None:
                outcomes[job_id] = PermanentError(f"{self.target} gave no result for {reference}")
            elif isinstance(result, BaseException):
                outcomes[job_id] = result
            else:
                placed = self._record(order, reference, result)
                outcomes[job_id] = self.guard(
                    job_id, partial(self._write_back, placed, result.number, result.state)
                )
        return outcomes

    def _record(self, order: Order, reference: str, sale: PlacedSale) -> Placed:
        """Link deal and sale to one hub entity, with its summary and milestones."""
        with self.store.transaction() as conn:
            existing = links.find(conn, self.source, DEAL, order.external_id)
            hub_id = existing.hub_id if existing else links.new_hub_id()
            # The sale link's fingerprint is the state last written to the deal: none yet.
            record_placed(
                conn,
                hub_id,
                order=order,
                source=self.source,
                source_type=DEAL,
                reference=reference,
                sale=sale,
                target=self.target,
                state=PLACED,
                received_at=timestamp(order.updated_at),
                sale_fingerprint=None,
                channel=f"{self.source} deal",
            )
            if self.mail is not None and sale.state not in UNCONFIRMED:
                facts = order_facts(order)
                self.mail.send(conn, hub_id, "confirmed", channel=self.source, facts=facts)
        return Placed(hub_id, order.external_id, str(sale.sale_id), None)

    # -- writing the ERP's view back to the deal ------------------------------
    def _ready(self) -> None:
        if not self._properties_ready:
            self.crm.ensure_fields("deals", DEAL_FIELDS)
            self._properties_ready = True

    def _write_back_if_due(self, placed: Placed) -> None:
        if placed.written is not None:
            return  # a redelivery of a deal the ERP has and the deal shows: nothing to do
        figures = self.erp.sale_figures([int(placed.sale_id)], with_costs=False)
        sale = figures.get(int(placed.sale_id))
        if sale is None:
            raise PermanentError(
                f"{self.target} sale {placed.sale_id} of deal {placed.deal_id} is gone"
            )
        self._write_back(placed, sale.number, sale.progress)

    def _write_back(self, placed: Placed, number: str | None, state: str) -> None:
        self._ready()
        self.crm.update_deal(
            placed.deal_id, {"causeway_erp_order": number or "", "causeway_erp_state": state}
        )
        with self.store.transaction() as conn:
            links.save(
                conn,
                hub_id=placed.hub_id,
                system=self.target,
                entity_type=SALE,
                external_id=placed.sale_id,
                fingerprint=state,
            )
            update_order(conn, placed.hub_id, erp_state=state)
            for milestone in milestones_of(state):
                timeline.record(conn, placed.hub_id, milestone, detail={"erp_state": state})
                if self.mail is not None and milestone in QUOTE_EMAILS:
                    # The ERP's sale state is all this flow sees: no carrier nor tracking.
                    event = QUOTE_EMAILS[milestone]
                    self.mail.send(conn, placed.hub_id, event, channel=self.source)

    def _placed(self, deal_ids: list[str]) -> dict[str, Placed]:
        with self.store.read() as conn:
            deals = links.find_many(conn, self.source, DEAL, deal_ids)
            sales = links.of_hubs(conn, self.target, SALE, [d.hub_id for d in deals.values()])
        found = {}
        for deal_id, link in deals.items():
            sale = sales.get(link.hub_id)
            if link.fingerprint == PLACED and sale is not None:
                found[deal_id] = Placed(link.hub_id, deal_id, sale.external_id, sale.fingerprint)
        return found

    # -- the scheduled run ----------------------------------------------------
    def run(self) -> None:
        """Reconcile won deals, then carry each placed sale's state to its deal."""
        self.reconcile()
        self.refresh_states()

    def reconcile(self) -> int:
        """Put won deals the hub has not placed into the inbox; returns how many were new."""
        seen: datetime | None = None
        fresh = 0
        found = self.crm.won_deals_since(self.cursor.window_start())
        placed = self._placed([d.deal_id for d in found])
        for deal in found:
            changed = deal.modified_at
            seen = max(seen, changed) if seen else changed
            if deal.deal_id in placed:
                continue
            record = InboxRecord(
                source=self.source,
                event_id=f"poll:{deal.deal_id}:{changed.isoformat()}",
                topic=POLL_TOPIC,
                entity_key=f"{DEAL}:{deal.deal_id}",
                body=json.dumps(deal.record).encode(),
            )
            fresh += sum(self.inbox.accept([record]))
        self.cursor.advance(seen)
        if fresh:
            log.info("reconcile found %d won deals the webhooks had not delivered", fresh)
        return fresh

    def refresh_states(self) -> int:
        """Write each placed sale's state to its deal when it changed; returns how many."""
        with self.store.read() as conn:
            deal_ids = list(links.all_of_type(conn, self.source, DEAL, fingerprint=PLACED))
        placed = self._placed(deal_ids)
        by_sale = {int(p.sale_id): p for p in placed.values()}
        figures = self.erp.sale_figures(list(by_sale), with_costs=False)
        written, problems = 0, []
        for sale_id, sale in figures.items():
            item = by_sale[sale_id]
            state = sale.progress
            if state == item.written:
                continue
            try:
                self._write_back(item, sale.number, state)
                written += 1
            except PermanentError as exc:  # one deleted deal must not stop the others
                problems.append(str(exc))
        if problems:
            raise PermanentError("; ".join(problems))
        return written
