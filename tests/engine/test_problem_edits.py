"""Edit and replay: an edited Shopify order is read by orders-to-erp's own parsing before
it is accepted; a valid edit is a new inbox record the job replays, a broken one changes
nothing."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from causeway.connectors.shopify.connector import ShopifyConnector
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import DEAD, QUEUED, JobQueue, NewJob
from causeway.engine.problem_edits import EditRefused, edit_and_replay, record_of
from causeway.engine.store import Store
from causeway.errors import UnknownSkuError
from causeway.flows.base import FlowBase
from causeway.flows.orders_to_erp import OrdersToErp
from causeway.flows.orders_to_erp.flow import order_job
from tests.engine.audit_trail import audited, entries
from tests.unit.shopify_payloads import rest_order


def parked_order(store: Store, body: dict[str, Any]) -> tuple[JobQueue, OrdersToErp, int]:
    """A Shopify order whose job orders-to-erp parked for an unknown SKU."""
    queue = JobQueue(store)
    inbox = Inbox(store, queue, lambda record, inbox_id: [order_job("shop", record, inbox_id)])
    flow = OrdersToErp(
        store,
        inbox,
        source="shop",
        source_connector=ShopifyConnector("https://example.myshopify.com", "shpat_test"),
        target="tryton",
        target_connector=None,  # type: ignore[arg-type]  # never reached: nothing is placed
    )
    inbox.accept(
        [
            InboxRecord(
                "shop", "evt-1", "orders/create", f"order:{body['id']}", json.dumps(body).encode()
            )
        ]
    )
    (job,) = queue.claim("w", [flow.name])
    queue.kill(job, "w", "unknown SKU", cause=UnknownSkuError(["IPOD2008GREEN"], "tryton"))
    return queue, flow, job.id


def edited(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    copied = copy.deepcopy(body)
    copied["line_items"][0].update(changes)
    return copied


def test_an_order_with_its_sku_fixed_is_stored_anew_and_replayed(store: Store) -> None:
    body = rest_order()
    queue, flow, job_id = parked_order(store, body)
    original = record_of(queue, job_id)
    assert original is not None

    done = edit_and_replay(
        queue,
        job_id,
        json.dumps(edited(body, sku="IPOD-GREEN")),
        validate=flow.validate_event,
        actor="ops@example.com",
    )

    assert done.event_id == "evt-1:edit:1"
    assert done.changes == [("line_items.0.sku", "IPOD2008GREEN", "IPOD-GREEN")]
    job = queue.get(job_id)
    assert job is not None and job["state"] == QUEUED
    assert json.loads(job["payload"]) == {"inbox_id": done.new_id, "edited_from": original.id}
    new = record_of(queue, job_id)
    assert new is not None and (new.source, new.topic, new.entity_key) == (
        original.source,
        original.topic,
        original.entity_key,
    )
    assert json.loads(new.body)["line_items"][0]["sku"] == "IPOD-GREEN"
    # The record as received is kept as it was, and the job now reads the new one.
    assert flow.inbox.get(original.id).body == original.body  # type: ignore[union-attr]
    assert flow.on_event(new).lines[0].sku == "IPOD-GREEN"
    assert audited(store, f"job:{job_id}") == ["job.edit", "job.replay"]
    (edit,) = [e for e in entries(store) if e.action == "job.edit"]
    assert edit.actor == "ops@example.com"
    assert edit.before["body"]["line_items"][0]["sku"] == "IPOD2008GREEN"
    assert edit.after["changed"] == [
        {"path": "line_items.0.sku", "before": "IPOD2008GREEN", "after": "IPOD-GREEN"}
    ]


def test_a_second_edit_is_numbered_after_the_first_and_keeps_the_first_original(
    store: Store,
) -> None:
    body = rest_order()
    queue, flow, job_id = parked_order(store, body)
    first = edit_and_replay(
        queue, job_id, json.dumps(edited(body, sku="A")), validate=flow.validate_event, actor="a"
    )
    (job,) = queue.claim("w", [flow.name])
    queue.kill(job, "w", "still unknown", cause=UnknownSkuError(["A"], "tryton"))
    second = edit_and_replay(
        queue, job_id, json.dumps(edited(body, sku="B")), validate=flow.validate_event, actor="a"
    )
    assert second.event_id == "evt-1:edit:2"
    assert json.loads(queue.get(job_id)["payload"])["edited_from"] == first.original_id  # type: ignore[index]


@pytest.mark.parametrize(
    ("broken", "says"),
    [
        (lambda b: edited(b, quantity="abc"), "line_items.0.quantity"),
        (lambda b: {k: v for k, v in b.items() if k != "line_items"}, "line_items: Field required"),
        (lambda b: "not json {", "not JSON"),
        (lambda b: [1, 2], "must be a JSON object"),
    ],
)
def test_a_broken_edit_is_refused_with_the_reason_and_nothing_changes(
    store: Store, broken: Any, says: str
) -> None:
    body = rest_order()
    queue, flow, job_id = parked_order(store, body)
    before = queue.get(job_id)
    value = broken(body)
    text = value if isinstance(value, str) else json.dumps(value)
    with pytest.raises(EditRefused) as refused:
        edit_and_replay(queue, job_id, text, validate=flow.validate_event, actor="a")
    assert says in str(refused.value)
    assert queue.get(job_id) == before
    assert before is not None and before["state"] == DEAD
    assert flow.inbox.get(2) is None  # no new record
    assert entries(store) == []


def test_an_edit_that_changes_nothing_is_refused(store: Store) -> None:
    body = rest_order()
    queue, flow, job_id = parked_order(store, body)
    with pytest.raises(EditRefused, match="changes nothing"):
        edit_and_replay(queue, job_id, json.dumps(body), validate=flow.validate_event, actor="a")


def test_a_job_made_from_no_record_has_nothing_to_edit(store: Store) -> None:
    queue = JobQueue(store)
    queue.enqueue(NewJob("catalog", "erp:product:1", {"product_id": 1}))
    (job,) = queue.claim("w", ["catalog"])
    queue.kill(job, "w", "refused")
    with pytest.raises(EditRefused, match="no inbox record"):
        edit_and_replay(queue, job.id, "{}", validate=lambda e: None, actor="a")


def test_a_flow_whose_reading_acts_refuses_edits_unless_it_says_how_to_check_them() -> None:
    class Acting(FlowBase[None]):
        name = "acting"

    class Checking(Acting):
        def validate_event(self, event: Any) -> object:
            return None

    assert not Acting().validates_events
    assert Checking().validates_events
    assert OrdersToErp.__new__(OrdersToErp).validates_events  # it reads without acting
