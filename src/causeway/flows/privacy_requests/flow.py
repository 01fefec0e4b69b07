"""privacy-requests: Shopify's privacy (compliance) webhooks, honoured (docs/privacy.md).

- customers/data_request: everything the hub holds on the customer is written to one
  JSON file (0600) in `exports_folder`, named after the request, for the merchant to
  send on (Shopify expects it within 30 days);
- customers/redact: the customer, and the orders the request names, are erased from
  the hub as `causeway erase` does;
- shop/redact (48 hours after the store uninstalled the app): everything the hub
  holds from that store is erased.

Every request names its shop; one for a shop other than the system's (an app's
secret signs the webhooks of every store that installed it) is logged and left
alone, never applied to this store's data.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from causeway.engine.inbox import Inbox, InboxRecord, StoredEvent
from causeway.engine.jobs import NewJob, ordering_key
from causeway.engine.store import Store
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.flows.base import FlowBase
from causeway.flows.events import json_object
from causeway.privacy.erase import erase_person, erase_system, person_for
from causeway.privacy.export import export_person
from causeway.privacy.person import Person

if TYPE_CHECKING:  # config.models is built from the flows, which import this module
    from causeway.config import CausewayConfig

log = logging.getLogger("causeway.flows.privacy_requests")

NAME = "privacy-requests"
DATA_REQUEST = "customers/data_request"
CUSTOMER_REDACT = "customers/redact"
SHOP_REDACT = "shop/redact"
TOPICS = (DATA_REQUEST, CUSTOMER_REDACT, SHOP_REDACT)


def request_job(record: InboxRecord, inbox_id: int) -> NewJob:
    return NewJob(NAME, ordering_key(record.source, record.entity_key), {"inbox_id": inbox_id})


class PrivacyRequests(FlowBase[None]):
    name = NAME
    batch_size = 1
    # An erasure rewrites rows all over the store: one request at a time.
    exclusive = True

    def __init__(
        self,
        store: Store,
        inbox: Inbox,
        config: CausewayConfig,
        *,
        exports: Path,
        shop_domains: Mapping[str, str],
    ) -> None:
        self.store = store
        self.inbox: Inbox = inbox
        self.config = config
        self.exports = exports
        self.shop_domains = {system: domain.lower() for system, domain in shop_domains.items()}

    def on_event(self, event: StoredEvent) -> None:
        self.apply(event)

    def apply(self, event: StoredEvent) -> None:
        payload = json_object(event)
        if not self._for_this_shop(event, payload):
            return
        what = f"{event.source} {event.topic} {event.event_id}"
        if event.topic == DATA_REQUEST:
            request = payload.get("data_request")
            request_id = request.get("id") if isinstance(request, Mapping) else None
            person = self._person(event, payload, "orders_requested")
            stem = f"data-request-{event.source}-{request_id or event.event_id}"
            path = export_person(self.store, self.config, person, self.exports, stem)
            log.info("%s: wrote %s; send it to the store owner for the customer", what, path)
        elif event.topic == CUSTOMER_REDACT:
            report = erase_person(
                self.store, self.config, self._person(event, payload, "orders_to_redact")
            )
            log.info("%s: customer erased from the hub (%d changes)", what, report.total)
        elif event.topic == SHOP_REDACT:
            report = erase_system(self.store, self.config, event.source)
            log.info("%s: the store's data erased from the hub (%d changes)", what, report.total)
        else:
            raise PermanentError(f"{what}: not a privacy topic ({', '.join(TOPICS)})")

    def _for_this_shop(self, event: StoredEvent, payload: Mapping[str, Any]) -> bool:
        named = payload.get("shop_domain") or event.headers.get("x-shopify-shop-domain")
        if not isinstance(named, str) or not named:
            raise InvalidPayloadError(
                f"{event.source} {event.topic} {event.event_id}: names no shop_domain"
            )
        expected = self.shop_domains.get(event.source)
        if expected and named.lower() != expected:
            log.warning(
                "%s %s %s is for %s, not %s (systems.%s.shop_domain): left alone",
                event.source,
                event.topic,
                event.event_id,
                named,
                expected,
                event.source,
            )
            return False
        return True

    def _person(self, event: StoredEvent, payload: Mapping[str, Any], orders_key: str) -> Person:
        customer = payload.get("customer")
        customer = customer if isinstance(customer, Mapping) else {}
        orders = payload.get(orders_key)
        order_ids = (
            [str(o) for o in orders if isinstance(o, int | str)] if isinstance(orders, list) else []
        )
        email, phone, customer_id = (customer.get(k) for k in ("email", "phone", "id"))
        if not (email or phone or customer_id or order_ids):
            raise InvalidPayloadError(
                f"{event.source} {event.topic} {event.event_id}: names no customer "
                "(no email, phone, id or orders)"
            )
        return person_for(
            self.config,
            emails=[email] if isinstance(email, str) and email else [],
            phones=[phone] if isinstance(phone, str) and phone else [],
            customers=[f"{event.source}:{customer_id}"] if customer_id is not None else [],
            orders=[(event.source, order_id) for order_id in order_ids],
        )
