"""fact_integration: the hub's own record, per day and flow, from its finished jobs.

- handled: jobs done and never parked (no person touched them);
- failed: jobs parked at least once (a person had to look);
- fixed: of those, the ones that ended done (replayed) or resolved;
- hours_to_fix: the mean time from a fixed job's first parking to its end.

A job counts on the day (UTC) it finished. The store keeps finished jobs only as long
as retention says, so the build recomputes the days the store still has and keeps the
older days the warehouse already holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import duckdb

from causeway.config.console import FLOW_RECORD_KINDS
from causeway.warehouse.duck import insert_rows
from causeway.warehouse.schema import FACT_INTEGRATION

DONE, RESOLVED = "done", "resolved"


def write_integration(
    con: duckdb.DuckDBPyConnection,
    jobs: Iterable[Mapping[str, Any]],
    minutes: Mapping[str, Decimal],
) -> int:
    cells: dict[tuple[dt.date, str], dict[str, Any]] = {}
    for job in jobs:
        day = dt.datetime.fromtimestamp(job["finished_at"], dt.UTC).date()
        cell = cells.setdefault(
            (day, job["flow"]), {"handled": 0, "failed": 0, "fixed": 0, "fix_hours": []}
        )
        parked = job["parked_at"]
        if not parked:
            cell["handled"] += job["state"] == DONE
            continue
        cell["failed"] += 1
        if job["state"] in (DONE, RESOLVED):
            cell["fixed"] += 1
            cell["fix_hours"].append((job["finished_at"] - min(parked)) / 3600)
    if not cells:
        return 0
    first = min(day for day, _ in cells)
    con.execute("DELETE FROM fact_integration WHERE date >= ?", [first])
    rows = []
    for (day, flow), cell in sorted(cells.items()):
        kind = FLOW_RECORD_KINDS.get(flow)
        hours = cell["fix_hours"]
        rows.append(
            {
                "date": day,
                "flow": flow,
                "kind": kind,
                "handled": cell["handled"],
                "failed": cell["failed"],
                "fixed": cell["fixed"],
                "hours_to_fix": round(sum(hours) / len(hours), 4) if hours else None,
                "minutes_each": minutes.get(kind) if kind else None,
            }
        )
    return insert_rows(con, FACT_INTEGRATION, rows)
