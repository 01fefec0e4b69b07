"""The loop every flow runs on (flows/base.py): one job's failure is its own, a scheduled
run is routed to the flow's run, a lost inbox record parks only its job, and a batch
step that fails is shared by the jobs it was given and by no other."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from itertools import count
from typing import Any

import pytest

from causeway.engine.inbox import Inbox, InboxRecord, StoredEvent
from causeway.engine.jobs import DEAD, DONE, QUEUED, Job, JobQueue, NewJob, RetryPolicy
from causeway.engine.store import Store
from causeway.engine.worker import Worker
from causeway.errors import InvalidPayloadError, PermanentError, RetryableError
from causeway.flows.base import FlowBase, Outcomes
from causeway.flows.events import json_object

FLOW = "packing-slips"


class PackingSlips(FlowBase[None]):
    """A small flow on the base: every order event prints the order's packing slip; a
    run reprints what the printer jammed on."""

    name = FLOW
    batch_size = 10
    exclusive = False

    def __init__(self, inbox: Inbox) -> None:
        self.inbox: Inbox = inbox
        self.printed: list[str] = []
        self.runs: list[dict[str, Any]] = []

    def on_run(self, payload: Mapping[str, Any]) -> None:
        self.runs.append(dict(payload))

    def on_event(self, event: StoredEvent) -> None:
        order = json_object(event)
        if order["sku"] == "UNKNOWN":
            raise PermanentError(f"order {order['number']}: unknown SKU UNKNOWN")
        if order["sku"] == "TORN":
            raise KeyError("line_items")  # a bug that only this order's payload triggers
        self.printed.append(order["number"])


class ShippingLabels(FlowBase[str]):
    """Buys the shipping labels of a batch's orders in one call to the carrier, as
    orders-to-erp places a batch of orders in one ERP call."""

    name = "shipping-labels"
    batch_size = 10
    exclusive = False

    def __init__(self, inbox: Inbox, carrier_down: bool = False) -> None:
        self.inbox: Inbox = inbox
        self.carrier_down = carrier_down
        self.label_calls: list[list[str]] = []

    def on_run(self, payload: Mapping[str, Any]) -> None:
        pass  # nothing to reprint today

    def on_event(self, event: StoredEvent) -> str | None:
        order = json_object(event)
        if order.get("pickup"):
            return None  # collected in the shop: no label, done now
        return str(order["number"])

    def on_batch(self, numbers: dict[int, str]) -> Outcomes:
        if self.carrier_down:
            raise RetryableError("carrier API answered 503")
        self.label_calls.append(sorted(numbers.values()))
        return dict.fromkeys(numbers)


class Reprints(FlowBase[None]):
    """A flow whose every job is a run, whatever its payload (as stock-to-channels)."""

    name = "reprints"
    batch_size = 5
    exclusive = True
    runs_only = True

    def __init__(self) -> None:
        self.runs: list[dict[str, Any]] = []

    def on_run(self, payload: Mapping[str, Any]) -> None:
        self.runs.append(dict(payload))


def a_job_per_order(record: InboxRecord, inbox_id: int) -> list[NewJob]:
    return [NewJob(FLOW, f"shop:{record.entity_key}", {"inbox_id": inbox_id})]


def receive(inbox: Inbox, *orders: dict[str, Any]) -> None:
    inbox.accept(
        [
            InboxRecord(
                "shop",
                f"evt-{o['number']}",
                "orders/create",
                f"order:{o['number']}",
                json.dumps(o).encode(),
            )
            for o in orders
        ]
    )


job_ids = count(1)
TWO_TO_SHIP_ONE_PICKED_UP = (
    {"number": "1001", "sku": "WID-001"},
    {"number": "1002", "sku": "WID-001", "pickup": True},
    {"number": "1003", "sku": "WID-002"},
)


def job(payload: dict[str, Any], flow: str = FLOW) -> Job:
    return Job(next(job_ids), flow, f"key-{payload}", payload, attempts=1, max_attempts=3)


@pytest.fixture
def queue(sqlite_store: Store) -> JobQueue:
    return JobQueue(sqlite_store, RetryPolicy(max_attempts=3))


@pytest.fixture
def inbox(sqlite_store: Store, queue: JobQueue) -> Inbox:
    return Inbox(sqlite_store, queue, a_job_per_order)


def test_a_job_that_fails_is_that_jobs_outcome_and_the_rest_of_the_batch_is_done(
    sqlite_store: Store, queue: JobQueue, inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    receive(
        inbox,
        {"number": "1001", "sku": "WID-001"},
        {"number": "1002", "sku": "TORN"},
        {"number": "1003", "sku": "UNKNOWN"},
        {"number": "1004", "sku": "WID-002"},
    )
    flow = PackingSlips(inbox)
    with caplog.at_level(logging.ERROR, logger="causeway.flows"):
        Worker(sqlite_store, queue, {FLOW: flow}).run_once()

    assert flow.printed == ["1001", "1004"]  # one batch: the two good orders went through
    assert queue.get(1)["state"] == DONE and queue.get(4)["state"] == DONE
    bug = queue.get(2)
    assert bug["state"] == QUEUED and bug["last_error"] == "KeyError: 'line_items'"  # retried
    parked = queue.get(3)
    assert parked["state"] == DEAD
    assert parked["last_error"] == "order 1003: unknown SKU UNKNOWN"
    # A surprise (not an error Causeway raised on purpose) leaves its traceback in the log.
    (logged,) = caplog.records
    assert logged.getMessage() == f"{FLOW} job 2 failed unexpectedly"
    assert "Traceback" in caplog.text and "KeyError: 'line_items'" in caplog.text


@pytest.mark.parametrize("payload", [{"poll": True}, {"run": True}, {"refresh": True}])
def test_a_scheduled_run_goes_to_the_flows_run_and_reads_no_inbox(
    inbox: Inbox, payload: dict[str, Any]
) -> None:
    flow = PackingSlips(inbox)
    run = job(payload)
    assert flow.handle([run]) == {run.id: None}
    assert flow.runs == [payload] and flow.printed == []


def test_every_job_of_a_runs_only_flow_is_a_run() -> None:
    flow = Reprints()
    plain, full = job({}, "reprints"), job({"full": True}, "reprints")
    assert flow.handle([plain, full]) == {plain.id: None, full.id: None}
    assert flow.runs == [{}, {"full": True}]


def test_a_job_whose_inbox_record_is_missing_is_parked_and_the_others_go_on(
    inbox: Inbox,
) -> None:
    receive(inbox, {"number": "1001", "sku": "WID-001"})
    flow = PackingSlips(inbox)
    good, lost = job({"inbox_id": 1}), job({"inbox_id": 424242})
    outcomes = flow.handle([lost, good])
    assert outcomes[good.id] is None and flow.printed == ["1001"]
    error = outcomes[lost.id]
    assert isinstance(error, PermanentError)  # parked: retrying cannot bring it back
    assert str(error) == (
        f"{FLOW} job {lost.id}: its inbox record 424242 is missing, so there is nothing to process"
    )


def test_customers_sync_s_older_inbox_key_is_read_and_a_bad_one_parks_its_job(
    inbox: Inbox,
) -> None:
    receive(inbox, {"number": "1001", "sku": "WID-001"})
    flow = PackingSlips(inbox)
    older, bad = job({"inbox": 1}), job({"inbox_id": "first"})
    outcomes = flow.handle([older, bad])
    assert outcomes[older.id] is None and flow.printed == ["1001"]
    assert isinstance(outcomes[bad.id], InvalidPayloadError)
    assert str(outcomes[bad.id]) == "job payload inbox_id='first' is no inbox record id"


def test_a_job_the_flow_has_nothing_for_is_parked_with_the_reason(inbox: Inbox) -> None:
    odd = job({"ticket": "7"})
    outcome = PackingSlips(inbox).handle([odd])[odd.id]
    assert isinstance(outcome, PermanentError)
    assert "names no inbox record and asks for no run" in str(outcome)


def test_jobs_handed_on_are_done_in_one_batch_call(inbox: Inbox) -> None:
    receive(inbox, *TWO_TO_SHIP_ONE_PICKED_UP)
    flow = ShippingLabels(inbox)
    jobs = [job({"inbox_id": i}) for i in (1, 2, 3)]
    assert flow.handle(jobs) == dict.fromkeys(j.id for j in jobs)
    assert flow.label_calls == [["1001", "1003"]]  # the pickup order needed no label


def test_a_batch_call_that_fails_is_shared_by_its_jobs_and_by_no_other(inbox: Inbox) -> None:
    receive(inbox, *TWO_TO_SHIP_ONE_PICKED_UP)
    flow = ShippingLabels(inbox, carrier_down=True)
    labelled, pickup, other, run = (
        job({"inbox_id": 1}),
        job({"inbox_id": 2}),
        job({"inbox_id": 3}),
        job({"poll": True}),
    )
    outcomes = flow.handle([labelled, pickup, other, run])
    assert outcomes[pickup.id] is None and outcomes[run.id] is None
    shared = outcomes[labelled.id]
    assert isinstance(shared, RetryableError) and outcomes[other.id] is shared
