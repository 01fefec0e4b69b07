"""What the console's order page shows, assembled: the hub's view of the order (from
web/order_view.py, the one place that assembles it, which the JSON API serves too) and,
beside it, each record's address in its own system, the timeline as steps with tracking
links, the lines and amounts as the channel and the ERP have them, and every inbox
record and job of the order whole (bodies and payloads). A B2B portal order has no
channel copy (the hub is its channel): its checkout's lines stand on the channel's side.

It reads through the engine (entity_history) and the ports (a channel reads its own
stored bodies; each connector gives its records' addresses); it speaks to no system:
the live reading is order_refresh.py's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from causeway.engine import entity_history, portal_checkouts, timeline
from causeway.engine.entity_history import JobRecord
from causeway.engine.inbox import StoredEvent
from causeway.engine.jobs import ordering_key
from causeway.errors import CausewayError
from causeway.flows.fulfillments_to_channels import NAME as FULFILLMENTS
from causeway.flows.orders_to_erp import ORDER, ORDER_TOPICS, parse_event
from causeway.hub import Hub
from causeway.model import Order
from causeway.model.ports import OrderChannel, RecordAddresses
from causeway.notifications.events import PORTAL_CHANNEL
from causeway.orders.side_by_side import ChannelSide, SideBySide, compare_recorded, lines_side
from causeway.orders.tracking import tracking_url
from causeway.web.console.labels import status_label, step_label
from causeway.web.order_view import order_view

# A body longer than this is cut on the page (the API and the store keep it whole).
MAX_BODY_CHARS = 64_000
# The steps every order is expected to take: shown "not yet" until reached. The others
# (partly shipped, refunded, returned, cancelled, the findings) appear when they happen.
EXPECTED = ("received", "in_erp", "allocated", "shipped", "invoiced", "paid")


@dataclass(frozen=True)
class SystemRecord:
    """The order's record (or a document of it) in one system, with its address there."""

    system: str
    entity_type: str
    external_id: str
    state: str | None  # what the hub last recorded of it (the link's fingerprint)
    url: str | None  # None: the system has no page for it


@dataclass(frozen=True)
class Step:
    milestone: str
    label: str
    reached: bool
    at: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None

    @property
    def finding(self) -> bool:
        return self.milestone == timeline.AMOUNT_MISMATCH


@dataclass(frozen=True)
class Received:
    inbox_id: int
    event_id: str
    topic: str
    received_at: float
    body: str  # as a person reads it: indented JSON, or the text as received
    pruned: bool  # retention dropped the body; the record of its arrival stays


@dataclass(frozen=True)
class OrderDetail:
    view: dict[str, Any]  # order_view's, as the JSON API serves it
    kind: str  # "order" (a store's), or "deal" (a CRM deal that became a sale)
    records: tuple[SystemRecord, ...]
    steps: tuple[Step, ...]
    stored: Order | None  # the channel's newest stored copy, read by the channel
    stored_problem: str | None  # why that copy could not be read
    side_by_side: SideBySide
    received: tuple[Received, ...]
    jobs: tuple[JobRecord, ...]
    # The lines the hub itself holds for an order no channel copy has (a portal checkout).
    held_lines: ChannelSide | None = None

    @property
    def system(self) -> str:
        return str(self.view["system"])

    @property
    def external_id(self) -> str:
        return str(self.view["external_id"])

    @property
    def state_note(self) -> str | None:
        """The hub's own state of the order, when it says more than the status: a job
        sending it on now. Its other states (in the ERP, cancelled...) are milestones the
        status already names, so the page says them once."""
        state, status = str(self.view["state"]), str(self.view["status"])
        if state == status or state in timeline.MILESTONES:
            return None
        return status_label(state)

    @property
    def erp_record(self) -> SystemRecord | None:
        return next((r for r in self.records if r.entity_type == "sale"), None)


def record_url(hub: Hub, system: str, entity_type: str, external_id: str) -> str | None:
    connector = hub.connectors.get(system)
    if not isinstance(connector, RecordAddresses):
        return None
    return connector.record_url(entity_type, external_id)


def order_detail(hub: Hub, system: str, external_id: str) -> OrderDetail | None:
    """The page's content for order `external_id` of `system`; None: the hub has none."""
    view = order_view(hub.store, hub.jobs, system, external_id)
    if view is None:
        return None
    own = view["ids"].get(system)
    kind = str(own["entity_type"]) if own else ORDER
    with hub.store.read() as conn:
        received = entity_history.received(conn, system, f"{kind}:{external_id}")
        jobs = entity_history.queued(
            conn, ordering_key(system, kind, external_id), clean=hub.jobs.clean_text
        )
    stored, problem = _stored_order(hub, system, kind, received)
    held = _checkout_lines(hub, system, view["summary"])
    mismatch = view["amounts"]
    return OrderDetail(
        view=view,
        kind=kind,
        records=_records(hub, view, kind),
        steps=_steps(view["timeline"], _tracking_templates(hub)),
        stored=stored,
        stored_problem=problem,
        side_by_side=compare_recorded(stored or held, view["summary"], mismatch),
        received=tuple(_received(hub, r) for r in received),
        jobs=tuple(jobs),
        held_lines=held,
    )


def _checkout_lines(hub: Hub, system: str, summary: dict[str, Any]) -> ChannelSide | None:
    """A portal order's lines: its checkout's, at the untaxed prices its buyer saw
    (portal/order_record.py keeps the checkout's id in the order's summary)."""
    checkout_id = summary.get("portal_checkout")
    if system != PORTAL_CHANNEL or not isinstance(checkout_id, int):
        return None
    checkout = portal_checkouts.get_for_staff(hub.store, checkout_id)
    if checkout is None:
        return None
    return lines_side(checkout.lines, checkout.currency, "the portal checkout, untaxed prices")


def _records(hub: Hub, view: dict[str, Any], kind: str) -> tuple[SystemRecord, ...]:
    system, external_id = str(view["system"]), str(view["external_id"])
    found = [
        SystemRecord(
            link["system"],
            link["entity_type"],
            link["id"],
            link["state"],
            record_url(hub, link["system"], link["entity_type"], link["id"]),
        )
        for link in view["links"]
    ]
    if not any(r.system == system and r.external_id == external_id for r in found):
        # A parked order has no link yet: its own id is still worth a link.
        found.insert(
            0,
            SystemRecord(
                system, kind, external_id, None, record_url(hub, system, kind, external_id)
            ),
        )
    # The order itself first, then its documents in the order the hub linked them.
    found.sort(key=lambda r: 0 if (r.system, r.external_id) == (system, external_id) else 1)
    return tuple(found)


def _tracking_templates(hub: Hub) -> dict[str, str]:
    settings = hub.config.flows.settings(FULFILLMENTS)
    templates = getattr(settings, "tracking_urls", None)
    return dict(templates) if isinstance(templates, dict) else {}


def _steps(milestones: list[dict[str, Any]], templates: dict[str, str]) -> tuple[Step, ...]:
    reached = {m["milestone"]: m for m in milestones}
    steps = []
    for name in (*timeline.MILESTONES, *timeline.FINDINGS, *timeline.FINDINGS.values()):
        entry = reached.get(name)
        if entry is None:
            if name in EXPECTED and "cancelled" not in reached:
                steps.append(Step(name, step_label(name), reached=False))
            continue
        detail = dict(entry.get("detail") or {})
        carrier, number = detail.get("carrier"), detail.get("tracking_number")
        steps.append(
            Step(
                name,
                step_label(name),
                reached=True,
                at=entry["at"],
                detail=detail,
                carrier=carrier,
                tracking_number=number,
                tracking_url=tracking_url(
                    carrier, number, given=detail.get("tracking_url"), templates=templates
                ),
            )
        )
    # Reached steps by when they happened; the ones not reached yet after them.
    return tuple(
        sorted(steps, key=lambda s: (not s.reached, s.at or 0.0, _lifecycle_index(s.milestone)))
    )


def _lifecycle_index(milestone: str) -> int:
    order = (*timeline.MILESTONES, *timeline.FINDINGS, *timeline.FINDINGS.values())
    return order.index(milestone) if milestone in order else len(order)


def _stored_order(
    hub: Hub, system: str, kind: str, received: list[entity_history.ReceivedRecord]
) -> tuple[Order | None, str | None]:
    """The channel's newest stored copy of the order, read by the channel's own mapping."""
    channel = hub.connectors.get(system)
    if kind != ORDER or not isinstance(channel, OrderChannel):
        return None, None
    newest = next((r for r in reversed(received) if r.topic in ORDER_TOPICS and r.body), None)
    if newest is None:
        return None, None
    event = StoredEvent(
        newest.inbox_id,
        system,
        newest.event_id,
        newest.topic,
        f"{kind}:",
        newest.body,
        {},
        newest.received_at,
    )
    try:
        return parse_event(event, channel), None
    except (CausewayError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        return None, hub.redact(f"{newest.topic} event {newest.event_id}: {exc}")


def _received(hub: Hub, record: entity_history.ReceivedRecord) -> Received:
    return Received(
        record.inbox_id,
        record.event_id,
        record.topic,
        record.received_at,
        hub.redact(_readable(record.body)),
        pruned=record.pruned_at is not None,
    )


def _readable(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace")
    try:
        text = json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False)
    except json.JSONDecodeError:
        pass
    if len(text) > MAX_BODY_CHARS:
        return text[:MAX_BODY_CHARS] + f"\n… ({len(text) - MAX_BODY_CHARS} more characters)"
    return text
