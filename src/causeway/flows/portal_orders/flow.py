"""portal-orders: an approved portal checkout becomes one confirmed ERP sale, and the
hub records it as one of its orders (docs/flows/portal-orders.md).

Triggered through the inbox: the portal writes an inbox record (topic
portal/checkout.place, source the ERP system, event id `checkout:<id>`) in the
transaction that approves a checkout, at once or after an approval; the inbox's dedupe
key makes that one job per checkout, keyed `<erp>:checkout:<id>`.

Exactly once: the sale's reference is the checkout's (portal.reference_prefix and its
number) and the ERP connector searches it before creating; a retry after a crash finds
the sale, or the quotation it left, and finishes it. The checkout's state says where it
stands: placing while the job runs and retries, placed with the ERP number, failed with
a reason the buyer reads when the ERP refuses the sale or when the job's last attempt
fails too (the job is then parked on the problems page with the ERP's own words; a
replay that places it makes the checkout placed, and the buyer gets the confirmed e-mail).
"""

from __future__ import annotations

import logging

from causeway.config.notifications import NotificationsSettings
from causeway.engine import portal_accounts, portal_checkouts
from causeway.engine.inbox import Inbox, InboxRecord, StoredEvent
from causeway.engine.jobs import Job, NewJob, ordering_key
from causeway.engine.portal_checkouts import (
    AWAITING_APPROVAL,
    FAILED,
    PLACED,
    PLACING,
    Checkout,
)
from causeway.engine.store import Store
from causeway.errors import PermanentError, RetryableError
from causeway.flows.base import FlowBase
from causeway.flows.events import json_object
from causeway.model.ports.portal import CreditLimitExceeded, ErpPortalSales, PlacedPortalSale
from causeway.portal import order_record
from causeway.portal.checkout import ERP_CREDIT_WORDS, buyer_reason, money, sale_of

log = logging.getLogger("causeway.flows.portal_orders")

NAME = "portal-orders"
TOPICS = (order_record.PLACE_TOPIC,)
FLOW_ACTOR = f"flow:{NAME}"


def checkout_job(record: InboxRecord, inbox_id: int) -> NewJob:
    return NewJob(NAME, ordering_key(record.source, record.entity_key), {"inbox_id": inbox_id})


class PortalOrders(FlowBase[None]):
    name = NAME
    batch_size = 5
    exclusive = False  # one checkout per job; a checkout's jobs run one at a time

    def __init__(
        self,
        store: Store,
        inbox: Inbox,
        *,
        target: str,
        erp: ErpPortalSales,
        notifications: NotificationsSettings,
    ) -> None:
        self.store = store
        self.inbox: Inbox = inbox
        self.target = target
        self.erp = erp
        self.notifications = notifications

    def validate_event(self, event: StoredEvent) -> object:
        body = json_object(event)
        if not isinstance(body.get("checkout_id"), int):
            raise PermanentError(f"{event.topic} record {event.event_id} names no checkout")
        return body

    def on_job_event(self, job: Job, event: StoredEvent) -> None:
        body = json_object(event)
        if not isinstance(body.get("checkout_id"), int):
            raise PermanentError(f"{event.topic} record {event.event_id} names no checkout")
        checkout = portal_checkouts.get_for_staff(self.store, int(body["checkout_id"]))
        if checkout is None:
            raise PermanentError(f"portal checkout {body['checkout_id']} does not exist")
        if checkout.state not in (portal_checkouts.APPROVED, PLACING, FAILED):
            # Placed already (a redelivery), or waiting or rejected: nothing to place.
            return None
        self._place(checkout, job)
        return None

    def _place(self, checkout: Checkout, job: Job) -> None:
        company = portal_accounts.company(self.store, checkout.company_id)
        if company is None:
            raise PermanentError(f"portal company {checkout.company_id} is gone")
        if checkout.state != PLACING:
            with self.store.transaction() as conn:
                checkout = portal_checkouts.change_state(
                    conn, checkout, PLACING, actor=FLOW_ACTOR, error=None
                )
        buyer = portal_accounts.membership(self.store, checkout.user_id, checkout.company_id)
        email = buyer.email if buyer is not None else ""
        try:
            sale = self.erp.place_portal_sale(sale_of(checkout, company.party_id))
        except CreditLimitExceeded as exc:
            self._back_to_approval(checkout, str(exc), email)
            return
        except RetryableError as exc:
            if job.last_attempt:
                self._gave_up(checkout, job)
                raise
            # Still placing: the job backs off and retries; the checkout shows why it waits.
            with self.store.transaction() as conn:
                portal_checkouts.change_state(
                    conn, checkout, PLACING, actor=FLOW_ACTOR, error=f"retrying: {exc}"
                )
            raise
        except PermanentError as exc:
            reason = buyer_reason(exc)
            with self.store.transaction() as conn:
                changed = portal_checkouts.change_state(
                    conn, checkout, FAILED, actor=FLOW_ACTOR, error=reason
                )
                order_record.failed(conn, changed)
            raise PermanentError(
                f"portal order {checkout.reference} could not be placed in {self.target}: "
                f"{reason}. Fix the cause in {self.target} (or ask the buyer to order again), "
                "then replay this job"
            ) from exc
        except Exception:  # a surprise: the worker retries it like a retryable error
            if job.last_attempt:
                self._gave_up(checkout, job)
            raise
        self._placed(checkout, sale, email, company.party_id)

    def _gave_up(self, checkout: Checkout, job: Job) -> None:
        """The job's last attempt failed: the worker parks it with the ERP's error, and
        the checkout, placing until now, says so in words the buyer reads (its page adds
        that our staff have been told). A replay from the problems page places it again."""
        reason = (
            f"our order system did not take the order after {job.attempts} attempts, "
            "so it is not placed yet"
        )
        with self.store.transaction() as conn:
            changed = portal_checkouts.change_state(
                conn, checkout, FAILED, actor=FLOW_ACTOR, error=reason
            )
            order_record.failed(conn, changed)
        log.warning("portal order %s failed: the job's attempts are used up", checkout.reference)

    def _placed(
        self, checkout: Checkout, sale: PlacedPortalSale, email: str, party_id: int
    ) -> None:
        with self.store.transaction() as conn:
            changed = portal_checkouts.change_state(
                conn,
                checkout,
                PLACED,
                actor=FLOW_ACTOR,
                sale_id=sale.sale_id,
                erp_number=sale.number,
                error=None,
            )
            order_record.placed(conn, changed, sale, self.target, party_id=party_id)
            order_record.notify_event(
                conn,
                self.notifications,
                changed,
                "confirmed",
                email,
                erp_number=sale.number,
                amount=str(sale.total_amount),  # with tax, as the ERP has it
                currency=sale.currency or checkout.currency,
            )
        log.info("portal order %s is %s sale %s", checkout.reference, self.target, sale.number)

    def _back_to_approval(self, checkout: Checkout, reason: str, email: str) -> None:
        """The ERP's credit check refused an order nobody approved over the limit (the
        credit used grew since checkout): it waits for an approval, saying why."""
        with self.store.transaction() as conn:
            changed = portal_checkouts.change_state(
                conn,
                checkout,
                AWAITING_APPROVAL,
                actor=FLOW_ACTOR,
                hold_reason=f"the order of {money(checkout.total, checkout.currency)} was "
                f"{ERP_CREDIT_WORDS}: {reason}",
                error=None,
            )
            order_record.decided(conn, changed)
            order_record.notify_event(conn, self.notifications, changed, "awaiting_approval", email)
