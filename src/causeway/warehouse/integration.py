"""fact_integration: the hub's own record, one row per finished job.

Each job's outcome:
- handled: done and never parked (no person touched it);
- failed: parked at least once and not (yet) fixed: still parked;
- fixed: parked at least once, then ended done (replayed) or resolved; its hours to fix
  run from its first parking to its end.
A job that fits none (finished without being done or parked: none should) has no
outcome and counts in no figure, as before the fact was per job.

Rows are upserted by job (its id and when it was created): a parked job replayed later
finishes again, with a new finished_at the next build's watermark reads, and replaces its
row. Jobs the store has pruned (retention) are never read again, so their rows stay as
they are, even when SQLite gives a later job the id of a pruned one (it reuses the
highest id once that row is deleted): the later job was created at another time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import duckdb

from causeway.config.console import FLOW_RECORD_KINDS
from causeway.warehouse.duck import delete_keys, insert_rows
from causeway.warehouse.schema import FACT_INTEGRATION

DONE, RESOLVED = "done", "resolved"
HANDLED, FAILED, FIXED = "handled", "failed", "fixed"


def outcome(state: str, parked_at: Sequence[float]) -> str | None:
    """What a finished job counts as (see the module's doc)."""
    if not parked_at:
        return HANDLED if state == DONE else None
    return FIXED if state in (DONE, RESOLVED) else FAILED


def write_jobs(
    con: duckdb.DuckDBPyConnection,
    jobs: Sequence[Mapping[str, Any]],
    minutes: Mapping[str, Decimal],
) -> int:
    """Finished jobs (engine/warehouse_rows.py finished_jobs_since), each replacing its
    row (see the module's doc)."""
    rows = []
    for job in jobs:
        parked = job["parked_at"]
        result = outcome(job["state"], parked)
        finished = _at(job["finished_at"])
        kind = FLOW_RECORD_KINDS.get(job["flow"])
        fixed_in = (job["finished_at"] - min(parked)) / 3600 if result == FIXED else None
        rows.append(
            {
                "job_id": job["id"],
                "created_at": _at(job["created_at"]),
                "date": finished.date(),
                "finished_at": finished,
                "flow": job["flow"],
                "kind": kind,
                "state": job["state"],
                "outcome": result,
                "parkings": len(parked),
                "first_parked_at": _at(min(parked)) if parked else None,
                "hours_to_fix": fixed_in,
                "minutes_each": minutes.get(kind) if kind else None,
            }
        )
    keys = [(r["job_id"], r["created_at"]) for r in rows]
    delete_keys(con, FACT_INTEGRATION.name, ("job_id", "created_at"), keys)
    return insert_rows(con, FACT_INTEGRATION, rows)


def _at(stamp: float) -> dt.datetime:
    """A Unix time as a naive UTC datetime (the warehouse's TIMESTAMPs are UTC)."""
    return dt.datetime.fromtimestamp(stamp, dt.UTC).replace(tzinfo=None)


def restamp_minutes(con: duckdb.DuckDBPyConnection, minutes: Mapping[str, Decimal]) -> None:
    """Every row's minutes_each as configured now, so hours saved follow the current
    estimate and an incremental build equals a full one after the setting changed. Only
    rows whose minutes differ are written (none, when the setting did not change)."""
    kinds = sorted(set(FLOW_RECORD_KINDS.values()) | set(minutes))
    wanted = "CASE kind " + " ".join("WHEN ? THEN CAST(? AS DECIMAL(9, 2))" for _ in kinds)
    wanted += " ELSE NULL END"
    params: list[Any] = []
    for kind in kinds:
        value = minutes.get(kind)
        params += [kind, None if value is None else format(value, "f")]
    con.execute(
        f"UPDATE {FACT_INTEGRATION.name} SET minutes_each = {wanted} "
        f"WHERE minutes_each IS DISTINCT FROM ({wanted})",
        params + params,
    )
