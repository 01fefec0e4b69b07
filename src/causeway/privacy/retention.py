"""One pruning pass over everything retention covers: the store's rows (done and dead
jobs, inbox bodies and records, the merge log, storefront events), each drop folder's processed/ and
errors/ files, and old data-request exports. The running hub calls it every
`retention.every`; `causeway prune` calls it on demand. Every step is safe to run
from several processes at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from causeway.config import FilesSystem
from causeway.connectors.files.folder import DropFolder
from causeway.engine.jobs import DEAD, DONE, RESOLVED
from causeway.engine.retention import (
    input_ids,
    prune_inbox_bodies,
    prune_inbox_records,
    prune_jobs,
    prune_merge_log,
    prune_web_events,
)
from causeway.engine.store import Store
from causeway.privacy.old_files import remove_older_than

if TYPE_CHECKING:  # config.models is built from the flows, which import this module
    from causeway.config import CausewayConfig

log = logging.getLogger("causeway.privacy")

DEFAULT_EXPORTS = "privacy-exports"


def exports_folder(config: CausewayConfig) -> Path:
    """Where data-request exports go: the privacy-requests flow's folder."""
    flow = config.flows.settings("privacy-requests")
    return Path(getattr(flow, "exports_folder", DEFAULT_EXPORTS))


@dataclass
class PruneReport:
    # What was removed, per place, in the order pruned ("done jobs" -> 120).
    removed: dict[str, int] = field(default_factory=dict)
    # Places whose retention is off.
    kept_for_ever: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.removed.values())


def prune(
    store: Store,
    config: CausewayConfig,
    *,
    at: float | None = None,
    stop: threading.Event | None = None,
) -> PruneReport:
    """Remove what is older than its retention period; `at` stands for now (tests).
    When `stop` is set the pass ends after the batch in hand."""
    settings = config.retention
    batch = settings.batch_size
    report = PruneReport()
    # What unfinished jobs still read: both inbox steps need it; read once, if at all.
    protected = cache(partial(input_ids, store))

    def step(place: str, period: float | None, run: Callable[[float], int]) -> None:
        if period is None:
            report.kept_for_ever.append(place)
        elif stop is None or not stop.is_set():
            report.removed[place] = run(period)

    step(
        "done jobs",
        settings.done_jobs,
        lambda age: prune_jobs(store, DONE, age, batch, at=at, stop=stop),
    )
    step(
        "dead jobs",
        settings.dead_jobs,
        lambda age: prune_jobs(store, DEAD, age, batch, at=at, stop=stop),
    )
    # A resolved job was parked, then closed by a person (engine/problems.py): it goes
    # when a dead job of its age would.
    step(
        "resolved jobs",
        settings.dead_jobs,
        lambda age: prune_jobs(store, RESOLVED, age, batch, at=at, stop=stop),
    )
    step(
        "inbox bodies",
        settings.inbox_bodies,
        lambda age: prune_inbox_bodies(store, age, batch, at=at, stop=stop, protected=protected()),
    )
    step(
        "inbox records",
        settings.inbox_records,
        lambda age: prune_inbox_records(store, age, batch, at=at, stop=stop, protected=protected()),
    )
    step(
        "merge log entries",
        settings.merge_log,
        lambda age: prune_merge_log(store, age, batch, at=at, stop=stop),
    )
    # Storefront events (docs/clickstream.md): each system's by its own period.
    for name, clickstream in config.clickstream.items():
        step(
            f"{name}: web events",
            clickstream.retention,
            partial(prune_web_events, store, name, batch=batch, at=at, stop=stop),
        )
    for name, system in config.systems.items():
        if isinstance(system, FilesSystem):
            folder = DropFolder(Path(system.folder))
            for place, path, period in (
                ("processed files", folder.processed, settings.processed_files),
                ("error files", folder.errors, settings.error_files),
            ):
                step(f"{name}: {place}", period, partial(remove_older_than, path, at=at))
    step(
        "privacy exports",
        settings.exports,
        partial(remove_older_than, exports_folder(config), at=at),
    )
    if report.total:
        log.info(
            "retention removed %s",
            ", ".join(f"{n} {place}" for place, n in report.removed.items() if n),
        )
    return report
