"""What the store says about the hub's health, read in a few cheap queries.

Alerts (observability/alerts.py) and metrics (observability/metrics.py) decide
from these facts; nothing here judges. Every figure comes from the store, so it
is the same whichever hub process reads it. The `monitoring` table also keeps when
each system last answered any hub process (observability/contacts.py notes them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from causeway.engine.flow_pauses import paused_in
from causeway.engine.jobs import DEAD, QUEUED, RUNNING, JobQueue
from causeway.engine.schedule import HELD_UNTIL
from causeway.engine.schema import cursors, flow_runs, inbox, jobs, monitoring
from causeway.engine.store import Store, now
from causeway.engine.timeline import AMOUNT_MISMATCH, OpenFindings, open_findings

HUB = "hub"
WEBHOOKS = "webhooks:"
# Rows of the `monitoring` table: subject "contact:<system>", since = the last answer.
CONTACT = "contact:"
# "webhook-disabled:<system>:<topic>": when the hub last found that webhook disabled by
# its system (WooCommerce disables one after 5 failed deliveries and never replays).
DISABLED_WEBHOOK = "webhook-disabled:"
# Records a reconcile poll puts in the inbox; they are not webhook deliveries.
POLLED_EVENT = "poll:%"


@dataclass(frozen=True)
class FlowFacts:
    last_started_at: float | None = None
    last_success_at: float | None = None
    last_error: str | None = None
    # Jobs that could run now or are running, and when the oldest of them became due.
    due: int = 0
    oldest_due_at: float | None = None
    # Jobs backing off after a failed attempt.
    retrying: int = 0
    # When the flow's scheduled runs are next due, as the scheduler stored them.
    next_runs: tuple[float, ...] = ()
    # Parked jobs, and when the first of them was parked.
    dead: int = 0
    oldest_dead_at: float | None = None

    @property
    def last_run_failed(self) -> bool:
        return self.last_started_at is not None and self.last_success_at != self.last_started_at


@dataclass(frozen=True)
class CursorFacts:
    system: str
    stream: str
    flow: str | None
    value: str | None
    moved_at: float
    polled_at: float | None


@dataclass(frozen=True)
class Facts:
    now: float
    # Subject ("hub", "webhooks:<system>") -> when the hub started watching it.
    watching: dict[str, float] = field(default_factory=dict)
    flows: dict[str, FlowFacts] = field(default_factory=dict)
    cursors: list[CursorFacts] = field(default_factory=list)
    # Watched webhook systems -> their latest delivery (absent: none yet).
    last_webhook_at: dict[str, float] = field(default_factory=dict)
    # (flow, state) -> jobs, as JobQueue.counts() gives them.
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    # Per source system, the orders whose ERP amounts differ and nobody has accepted.
    amount_mismatches: list[OpenFindings] = field(default_factory=list)
    # System -> topic -> when the hub last found that webhook disabled by the system.
    disabled_webhooks: dict[str, dict[str, float]] = field(default_factory=dict)
    # Paused flows (engine/flow_pauses.py) -> since when.
    paused: dict[str, float] = field(default_factory=dict)

    @property
    def hub_started_at(self) -> float | None:
        return self.watching.get(HUB)

    def flow(self, name: str) -> FlowFacts:
        return self.flows.get(name, FlowFacts())


def note_hub_start(store: Store, webhook_systems: Iterable[str]) -> None:
    """Remember the hub's first start and since when each system's webhooks are expected;
    a system that no longer sends the hub webhooks is forgotten."""
    stamp = now()
    wanted = {HUB} | {f"{WEBHOOKS}{name}" for name in webhook_systems}
    with store.transaction() as conn:
        known = set(conn.execute(select(monitoring.c.subject)).scalars())
        stale = {s for s in known - wanted if s.startswith(WEBHOOKS)}
        if stale:
            conn.execute(delete(monitoring).where(monitoring.c.subject.in_(stale)))
        new = sorted(wanted - known)
        if new:
            # Several hub processes may start at once: the first one's time stands.
            insert = pg_insert if store.is_postgres else sqlite_insert
            conn.execute(
                insert(monitoring).on_conflict_do_nothing(index_elements=["subject"]),
                [{"subject": s, "since": stamp} for s in new],
            )


def note_disabled_webhooks(store: Store, system: str, topics: Iterable[str]) -> None:
    """Remember that `system` had disabled its webhooks of these topics (found now): the
    webhooks_disabled alert fires until a delivery from it arrives after this."""
    stamp = now()
    rows = [{"subject": f"{DISABLED_WEBHOOK}{system}:{topic}", "since": stamp} for topic in topics]
    if not rows:
        return
    insert = pg_insert if store.is_postgres else sqlite_insert
    statement = insert(monitoring)
    with store.transaction() as conn:
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["subject"], set_={"since": statement.excluded.since}
            ),
            rows,
        )


def _disabled_webhooks(watching: dict[str, float]) -> dict[str, dict[str, float]]:
    found: dict[str, dict[str, float]] = {}
    for subject, since in watching.items():
        if subject.startswith(DISABLED_WEBHOOK):
            system, _, topic = subject.removeprefix(DISABLED_WEBHOOK).rpartition(":")
            found.setdefault(system, {})[topic] = since
    return found


def read_facts(store: Store, at: float | None = None) -> Facts:
    stamp = now() if at is None else at
    counts = JobQueue(store).counts()
    with store.read() as conn:
        rows = {r.subject: r.since for r in conn.execute(select(monitoring))}
        disabled = _disabled_webhooks(rows)
        watching = {s: t for s, t in rows.items() if not s.startswith(DISABLED_WEBHOOK)}
        watched = {s.removeprefix(WEBHOOKS) for s in watching if s.startswith(WEBHOOKS)}
        return Facts(
            now=stamp,
            watching=watching,
            flows=_flows(conn, stamp),
            cursors=[
                CursorFacts(r.system, r.stream, r.flow, r.value, r.updated_at, r.polled_at)
                for r in conn.execute(select(cursors).order_by(cursors.c.system, cursors.c.stream))
            ],
            last_webhook_at=_last_webhooks(conn, sorted(watched | set(disabled))),
            counts=counts,
            amount_mismatches=open_findings(conn, AMOUNT_MISMATCH),
            disabled_webhooks=disabled,
            paused={name: p.paused_at for name, p in paused_in(conn).items()},
        )


def _flows(conn: Connection, stamp: float) -> dict[str, FlowFacts]:
    due = or_(and_(jobs.c.state == QUEUED, jobs.c.run_at <= stamp), jobs.c.state == RUNNING)
    waiting = {
        r.flow: (r.n, r.oldest)
        for r in conn.execute(
            select(jobs.c.flow, func.count().label("n"), func.min(jobs.c.run_at).label("oldest"))
            .where(due)
            .group_by(jobs.c.flow)
        )
    }
    retrying: dict[str, int] = dict(
        conn.execute(  # type: ignore[arg-type]
            select(jobs.c.flow, func.count())
            .where(jobs.c.state == QUEUED, jobs.c.attempts > 0, jobs.c.run_at < HELD_UNTIL)
            .group_by(jobs.c.flow)
        ).all()
    )
    parked = {
        r.flow: (r.n, r.oldest)
        for r in conn.execute(
            select(
                jobs.c.flow, func.count().label("n"), func.min(jobs.c.finished_at).label("oldest")
            )
            .where(jobs.c.state == DEAD)
            .group_by(jobs.c.flow)
        )
    }
    runs = list(conn.execute(select(flow_runs)))
    # The scheduler keeps its rows as "schedule:<flow>" or "schedule:<flow>:<trigger>".
    schedules = [r for r in runs if r.flow.startswith("schedule:") and r.next_run_at]
    outcomes = {r.flow: r for r in runs if not r.flow.startswith("schedule:")}
    facts = {}
    names = set(waiting) | set(retrying) | set(outcomes) | set(parked)
    names |= {_flow_of(r.flow) for r in schedules}
    for name in names:
        run = outcomes.get(name)
        count, oldest = waiting.get(name, (0, None))
        dead, oldest_dead = parked.get(name, (0, None))
        facts[name] = FlowFacts(
            last_started_at=run.last_started_at if run else None,
            last_success_at=run.last_success_at if run else None,
            last_error=run.last_error if run else None,
            due=count,
            oldest_due_at=oldest,
            retrying=retrying.get(name, 0),
            next_runs=tuple(sorted(r.next_run_at for r in schedules if _flow_of(r.flow) == name)),
            dead=dead,
            oldest_dead_at=oldest_dead,
        )
    return facts


def _flow_of(schedule_key: str) -> str:
    return schedule_key.removeprefix("schedule:").split(":", 1)[0]


def _last_webhooks(conn: Connection, systems: list[str]) -> dict[str, float]:
    found = {}
    for system in systems:
        # One index lookup per system (ix_inbox_source_received), not an inbox scan.
        latest = conn.execute(
            select(func.max(inbox.c.received_at)).where(
                inbox.c.source == system, inbox.c.event_id.not_like(POLLED_EVENT)
            )
        ).scalar()
        if latest is not None:
            found[system] = latest
    return found


def record_contacts(store: Store, answered: dict[str, float]) -> None:
    """System -> when it last answered this process; the latest answer wins, whichever
    process saw it."""
    insert = pg_insert(monitoring) if store.is_postgres else sqlite_insert(monitoring)
    rows = [{"subject": f"{CONTACT}{s}", "since": t} for s, t in sorted(answered.items())]
    with store.transaction() as conn:
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=["subject"],
                set_={"since": insert.excluded.since},
                where=monitoring.c.since < insert.excluded.since,
            ),
            rows,
        )


def last_contacts(store: Store) -> dict[str, float]:
    """System -> when it last answered any process sharing the store."""
    with store.read() as conn:
        rows = conn.execute(
            select(monitoring.c.subject, monitoring.c.since).where(
                monitoring.c.subject.like(f"{CONTACT}%")
            )
        )
        return {subject.removeprefix(CONTACT): since for subject, since in rows}
