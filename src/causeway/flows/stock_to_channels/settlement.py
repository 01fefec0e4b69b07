"""Quantities a channel takes now and decides on later (the DeferredStock port: Amazon
processes a listings feed in minutes).

A run does not wait for them. It records the quantities as published and, in the same
transaction, a settle job that asks the channel what became of them every
`settle_every` seconds (a new job each time, so no attempt is spent on waiting). Each run
also asks first (settle_decided) and settles what is decided, publishing those SKUs
itself. Once decided:

- applied: the SKUs are looked at again by a run of their own (a "recheck": compared
  with what the channel shows, not with what was published), which puts right a change
  the run left alone meanwhile (below) or a sold-out patch the feed overtook;
- refused: they are recorded as refused at that quantity (not sent again at it by later
  runs), and a job is parked with the channel's messages; replaying it sends those SKUs
  again (after the listing is fixed); a new quantity of theirs is sent as usual;
- not settled within `settle_within`: nothing is known; the SKUs' published quantity is
  forgotten and they are rechecked, which sends again what the channel does not show.

While a SKU's submission is not settled, runs leave the SKU alone on that channel (two
writes in flight could be applied in either order), except to sell it out: a zero goes
at once, and the recheck after the settle catches an older write applied after it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from causeway.engine import jobs, links
from causeway.engine.jobs import JobQueue, NewJob, ordering_key
from causeway.engine.store import Store
from causeway.errors import PermanentError
from causeway.model.ports.channel import DeferredStock, QuantityChange, SetOutcome

log = logging.getLogger("causeway.flows.stock_to_channels")

FLOW = "stock-to-channels"
SETTLE = "settle"
RECHECK = "recheck"
REFUSED = "refused:"


@dataclass(frozen=True)
class Submission:
    """Changes one channel took under one receipt, in the order it was given them."""

    channel: str
    receipt: str
    changes: tuple[QuantityChange, ...]
    skus: tuple[str, ...]  # the ERP SKU of each change
    submitted_at: float
    asked: int = 0  # how many times the channel was asked already

    @classmethod
    def taken(
        cls,
        channel: str,
        receipt: str,
        changes: Sequence[QuantityChange],
        sku_of_item: Mapping[str, str],
    ) -> Submission:
        """What a channel just answered `submitted`; sku_of_item: item id -> ERP SKU."""
        skus = tuple(sku_of_item[c.inventory_item_id] for c in changes)
        return cls(channel, receipt, tuple(changes), skus, time.time())

    def sku_of(self, changes: Sequence[QuantityChange]) -> list[str]:
        """The ERP SKUs of some of these changes."""
        by_item = {c.inventory_item_id: sku for c, sku in zip(self.changes, self.skus, strict=True)}
        return sorted({by_item[c.inventory_item_id] for c in changes})

    def quantities(self) -> dict[str, int]:
        return {sku: c.quantity for c, sku in zip(self.changes, self.skus, strict=True)}

    def job(self, run_at: float | None = None) -> NewJob:
        """The job that asks the channel about it; one per ask (dedupe: a crash between
        asking again and finishing re-asks, it does not fork)."""
        return NewJob(
            FLOW,
            ordering_key(self.channel, "stock-submission", self.receipt),
            {SETTLE: self.payload()},
            dedupe_key=f"{FLOW}:{SETTLE}:{self.channel}:{self.receipt}:{self.asked}",
            run_at=run_at,
        )

    def asked_again(self, run_at: float) -> NewJob:
        return Submission(
            self.channel, self.receipt, self.changes, self.skus, self.submitted_at, self.asked + 1
        ).job(run_at)

    def payload(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "receipt": self.receipt,
            "changes": [c.model_dump() for c in self.changes],
            "skus": list(self.skus),
            "submitted_at": self.submitted_at,
            "asked": self.asked,
        }

    @classmethod
    def of(cls, payload: Mapping[str, Any]) -> Submission:
        return cls(
            channel=str(payload["channel"]),
            receipt=str(payload["receipt"]),
            changes=tuple(QuantityChange.model_validate(c) for c in payload["changes"]),
            skus=tuple(str(s) for s in payload["skus"]),
            submitted_at=float(payload["submitted_at"]),
            asked=int(payload.get("asked", 0)),
        )


def refused_mark(quantity: int) -> str:
    """What is recorded as published for a SKU the channel refused at `quantity`: not sent
    again at that quantity (it would be refused again) until the parked job is replayed
    or a full run asks; a new quantity is sent (results.changed_since_published)."""
    return f"{REFUSED}{quantity}"


def recheck_job(channel: str, skus: Sequence[str], *, key: str) -> NewJob:
    """A run that compares these SKUs with what the channel shows (settlement above)."""
    return NewJob(
        FLOW,
        ordering_key(FLOW, RECHECK),
        {"run": True, RECHECK: {channel: list(skus)}},
        dedupe_key=f"{FLOW}:{RECHECK}:{channel}:{key}",
    )


def in_flight(conn: Connection, channel: str) -> dict[str, int]:
    """ERP SKU -> the quantity a submission to `channel` not settled yet sets."""
    found: dict[str, int] = {}
    for payload in jobs.payloads(conn, FLOW, jobs.UNFINISHED):
        if SETTLE in payload and payload[SETTLE]["channel"] == channel:
            found |= Submission.of(payload[SETTLE]).quantities()
    return found


def not_in_flight(
    wanted: Mapping[str, int], flying: Mapping[str, int]
) -> tuple[dict[str, int], list[str]]:
    """The changes to send now, and the SKUs that wait for their submission to settle:
    every one in flight, except a sell-out (a zero is never late)."""
    send: dict[str, int] = {}
    waiting: list[str] = []
    for sku, quantity in wanted.items():
        if sku in flying and (quantity != 0 or flying[sku] == 0):
            waiting.append(sku)
        else:
            send[sku] = quantity
    return send, sorted(waiting)


def deferred(channel: object, name: str) -> DeferredStock:
    if not isinstance(channel, DeferredStock):
        raise PermanentError(
            f"{name} answered stock changes as submitted, to be decided later, but its "
            "connector cannot say what became of them (it is no DeferredStock)"
        )
    return channel


def wait_for(
    channel: DeferredStock,
    outcome: SetOutcome,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SetOutcome:
    """The outcome with its submitted changes settled, waited for here: for a caller
    with no job queue to settle them later. Not settled within settle_within: they are
    failed, with a message saying so."""
    if not outcome.submitted or outcome.receipt is None:
        return outcome
    deadline = clock() + channel.settle_within
    while (settled := channel.settled(outcome.receipt, outcome.submitted)) is None:
        if clock() >= deadline:
            settled = SetOutcome(
                failed=outcome.submitted,
                errors=[unsettled_message(outcome.receipt, channel.settle_within)],
            )
            break
        sleep(channel.settle_every)
    return SetOutcome(
        applied=outcome.applied + settled.applied,
        stale=outcome.stale + settled.stale,
        failed=outcome.failed + settled.failed,
        errors=outcome.errors + settled.errors,
    )


def unsettled_message(receipt: str, within: float) -> str:
    return (
        f"the channel had not processed submission {receipt} after {within:g}s; its "
        "quantities are checked against the channel and sent again where they differ"
    )


def settle(
    store: Store, queue: JobQueue, channel: DeferredStock, submission: Submission, *, entity: str
) -> None:
    """The settle job: ask the channel what became of a submission; not decided yet and
    not too late: ask again later. Decided: recorded, and its SKUs rechecked by a run."""
    found = ask(channel, submission)
    if isinstance(found, Undecided):
        queue.enqueue(submission.asked_again(time.time() + channel.settle_every))
        return
    within = channel.settle_within
    with store.transaction() as conn:
        recheck = record(conn, queue, submission, found, entity=entity, within=within)
        if recheck:
            job = recheck_job(submission.channel, recheck, key=submission.receipt)
            queue.enqueue_in(conn, [job])


def settle_decided(
    store: Store, queue: JobQueue, channels: Mapping[str, object], *, entity: str
) -> dict[str, list[str]]:
    """What a run does first: every submission whose channel has decided by now is
    recorded, and its settle job done, so that the run publishes its SKUs itself rather
    than leave them to a recheck behind it. Answers channel -> SKUs to recheck."""
    with store.read() as conn:
        waiting = [
            Submission.of(payload[SETTLE])
            for payload in jobs.payloads(conn, FLOW, [jobs.QUEUED])
            if SETTLE in payload and payload[SETTLE]["channel"] in channels
        ]
    recheck: dict[str, list[str]] = {}
    for submission in waiting:
        channel = channels[submission.channel]
        if not isinstance(channel, DeferredStock):
            continue  # its settle job says so
        found = ask(channel, submission)
        if isinstance(found, Undecided):
            continue
        within = channel.settle_within
        with store.transaction() as conn:
            if not queue.drop_queued_in(conn, submission.job().dedupe_key or ""):
                continue  # settled by its own job meanwhile
            skus = record(conn, queue, submission, found, entity=entity, within=within)
        recheck.setdefault(submission.channel, []).extend(skus)
    return recheck


class Undecided:
    """The channel is still processing a submission, and may still decide on it."""


UNDECIDED = Undecided()


def ask(channel: DeferredStock, submission: Submission) -> SetOutcome | Undecided | None:
    """The channel's outcome; UNDECIDED while it may still decide; None: too late."""
    outcome = channel.settled(submission.receipt, submission.changes)
    if outcome is not None:
        return outcome
    if time.time() < submission.submitted_at + channel.settle_within:
        return UNDECIDED
    return None


def record(
    conn: Connection,
    queue: JobQueue,
    submission: Submission,
    outcome: SetOutcome | None,
    *,
    entity: str,
    within: float,
) -> list[str]:
    """A decided submission (None: not decided in time) recorded; the SKUs to recheck."""
    name = submission.channel
    if outcome is None:
        log.warning("%s: %s", name, unsettled_message(submission.receipt, within))
        recheck = unknown = submission.sku_of(submission.changes)
    else:
        recheck, unknown = submission.sku_of(outcome.applied), []
        refused = submission.sku_of(outcome.failed)
        if refused:
            quantities = submission.quantities()
            marks = {sku: (f"sku:{sku}", refused_mark(quantities[sku])) for sku in refused}
            links.save_fingerprints(conn, name, entity, marks)
            queue.park_in(
                conn,
                recheck_job(name, refused, key=f"refused:{submission.receipt}"),
                "; ".join(outcome.errors),
            )
    # Not known to be what the channel shows: compared with it, the channel's figure
    # would read as units sold there (allocation.without_unseen_sales).
    links.forget_fingerprints(conn, name, entity, unknown)
    return recheck
