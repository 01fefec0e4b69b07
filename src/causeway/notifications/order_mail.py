"""Order e-mails from the flows: `OrderMail.send(conn, hub_id, event, ...)` is what a flow
calls in the transaction where it records an order event (a sale placed, a shipment done,
an invoice posted, ...). It reads what the e-mail needs from the hub's order record (the
customer's e-mail, the order number, the ERP number, the channel the order came from),
and queues the e-mail through notify() when that channel gets e-mails.

One object per hub, built from the config (`OrderMail.from_config`), handed to each flow
by its declaration: a flow without one (tests, a hub with e-mails off) sends nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from causeway.config.notifications import NotificationsSettings
from causeway.engine import entities, links
from causeway.notifications.events import OrderEvent, notify, sends_for

if TYPE_CHECKING:
    from causeway.config.models import CausewayConfig

# The link types of an order's source record: a store's or drop folder's order, a CRM deal.
SOURCE_TYPES = ("order", "deal")


@dataclass(frozen=True)
class OrderMail:
    settings: NotificationsSettings
    channel_types: Mapping[str, str]  # system name -> its type (shopify, files, hubspot, ...)

    @classmethod
    def from_config(cls, config: CausewayConfig) -> OrderMail:
        types = {name: system.type for name, system in config.systems.items()}
        return cls(config.notifications, types)

    def send(
        self,
        conn: Connection,
        hub_id: str,
        event: str,
        *,
        occurrence: str | None = None,
        facts: Mapping[str, Any] | None = None,
        channel: str | None = None,
    ) -> bool:
        """Queue `event`'s e-mail for the order `hub_id`, in the caller's transaction;
        False when its channel gets none, the order has no e-mail address, it was queued
        before, or the address is suppressed."""
        if not self.settings.enabled:
            return False
        if channel is None:
            channel = self.channel_of(conn, hub_id)
            if channel is None:
                return False
        if not sends_for(self.settings, channel, self.channel_types.get(channel)):
            return False
        summary = entities.summary(conn, hub_id)
        recipient = str(summary.get("email") or "")
        if not recipient:
            return False
        known = {
            "erp_number": summary.get("erp_number"),
            "amount": summary.get("erp_total") or summary.get("total"),
            "currency": summary.get("currency"),
            "customer_name": summary.get("customer_name"),
        }
        order_event = OrderEvent(
            event=event,
            order_key=hub_id,
            channel=channel,
            recipient=recipient,
            order_number=str(summary.get("number") or summary.get("reference") or hub_id),
            facts={k: v for k, v in known.items() if v} | dict(facts or {}),
            occurrence=occurrence,
            language=summary.get("language"),
        )
        return notify(
            conn, self.settings, order_event, channel_type=self.channel_types.get(channel)
        )

    @staticmethod
    def channel_of(conn: Connection, hub_id: str) -> str | None:
        """The system the order came from: the one holding its source record's link."""
        found = [link for link in links.for_hub(conn, hub_id) if link.entity_type in SOURCE_TYPES]
        return found[0].system if found else None


def order_facts(order: Any) -> dict[str, Any]:
    """What an order's confirmed e-mail shows of a canonical Order: the customer's name,
    its lines and its total."""
    name = f"{order.customer.first_name} {order.customer.last_name}".strip()
    lines = [
        {"sku": line.sku or "", "name": line.title, "quantity": line.quantity}
        for line in order.lines
    ]
    facts: dict[str, Any] = {"lines": lines, "amount": str(order.total), "currency": order.currency}
    if name:
        facts["customer_name"] = name
    return facts


# ERP sale states in which a placed order is not (yet, or any more) confirmed: no e-mail.
UNCONFIRMED = ("draft", "quotation", "cancelled")
