"""The audit log: every operator action, who took it, when, on what, and what it changed.

Actions are written in the transaction that makes the change, so that a change without
its entry (or an entry without its change) cannot exist. Entries are never updated or
deleted by the hub; retention does not touch them.

`actor` is a person's e-mail (the console), `key:<name>` (an API key) or `cli:<os user>`
(the command line). `action` is a dotted name ("job.replay", "flow.pause", "user.add");
`subject` what it acted on ("job:12", "flow:orders-to-erp", "user:ann@example.com").
`before` and `after` hold what changed, as JSON; a password or a secret never goes in.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, insert, select

from causeway.engine.schema import audit_log
from causeway.engine.store import Store, now

# Keys an action adds to its `after` to list what it changed, for the API and the CLI
# (engine/problem_edits.py: "changed", the paths it validated). The record keeps them;
# changes() leaves them out, having found the same changes itself.
SUMMARIES = ("changed",)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: float
    actor: str
    action: str
    subject: str
    before: Any
    after: Any
    note: str | None

    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) of each value that differs, for display. Nested objects
        are compared field by field, by path ("body.line_items.0.sku"), so that an edit of
        one field of a large record shows that field, not the whole record twice; one
        ("", before, after) row when either side is not an object. A record's own list
        of what changed (SUMMARIES) restates what this comparison shows: each change is
        shown once, field by field."""
        if isinstance(self.before, Mapping) and isinstance(self.after, Mapping):
            after = {k: v for k, v in self.after.items() if k not in SUMMARIES or k in self.before}
            return _differences(self.before, after, "")
        if self.before == self.after:
            return []
        return [("", self.before, self.after)]


def _differences(before: Any, after: Any, path: str) -> list[tuple[str, Any, Any]]:
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        found = []
        for key in dict.fromkeys([*before, *after]):
            where = f"{path}.{key}" if path else str(key)
            found += _differences(before.get(key), after.get(key), where)
        return found
    # A list of the same length changed in place: its items by index; else it is one value.
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            change
            for i, (b, a) in enumerate(zip(before, after, strict=True))
            for change in _differences(b, a, f"{path}.{i}")
        ]
    return [] if before == after else [(path, before, after)]


def cli_actor() -> str:
    """Who acts from the command line: the operating-system user running it."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment (a bare container)
        return "cli:unknown"


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


def record(
    conn: Connection,
    *,
    actor: str,
    action: str,
    subject: str,
    before: Any = None,
    after: Any = None,
    note: str | None = None,
) -> None:
    """Write one entry, in the caller's transaction (the one making the change)."""
    conn.execute(
        insert(audit_log).values(
            at=now(),
            actor=actor[:255],
            action=action[:64],
            subject=subject[:255],
            before=_json(before),
            after=_json(after),
            note=note,
        )
    )


def recent(
    store: Store,
    *,
    actor: str | None = None,
    action: str | None = None,
    subject: str | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """The newest entries first, optionally of one actor, action (or action prefix
    ending in '.': "job.") or subject."""
    conditions = []
    if actor:
        conditions.append(audit_log.c.actor == actor)
    if action:
        conditions.append(
            audit_log.c.action.startswith(action, autoescape=True)
            if action.endswith(".")
            else audit_log.c.action == action
        )
    if subject:
        conditions.append(audit_log.c.subject == subject)
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(max(1, min(limit, 1000)))
    if conditions:
        query = query.where(and_(*conditions))
    with store.read() as conn:
        return [
            AuditEntry(
                id=row.id,
                at=row.at,
                actor=row.actor,
                action=row.action,
                subject=row.subject,
                before=json.loads(row.before) if row.before is not None else None,
                after=json.loads(row.after) if row.after is not None else None,
                note=row.note,
            )
            for row in conn.execute(query)
        ]
