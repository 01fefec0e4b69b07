"""/console/audit: the audit log (engine/audit.py) for viewers and up: who did what,
when, to which record, and what it changed, newest first; filtered by actor (an
e-mail, `key:<name>`, `cli:<user>`) and by action ("user.set_role", or "user." for
every action on people)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse

from causeway.access.permissions import Permission
from causeway.engine import audit
from causeway.hub import Hub
from causeway.web.console.rendering import render
from causeway.web.console.routing import page

SHOWN = 200


def changes(entry: audit.AuditEntry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for each field that changed. Something created or removed
    (one side empty) is shown field by field too, not as one block of JSON."""
    before, after = entry.before, entry.after
    if isinstance(before, Mapping) and after is None:
        return [(key, value, None) for key, value in before.items()]
    if before is None and isinstance(after, Mapping):
        return [(key, None, value) for key, value in after.items()]
    return entry.changes()


def add_routes(app: FastAPI, hub: Hub) -> None:
    @app.get("/console/audit", **page(Permission.READ))
    def audit_page(
        request: Request,
        actor: str = Query("", max_length=255),
        action: str = Query("", max_length=64),
    ) -> HTMLResponse:
        actor, action = actor.strip(), action.strip()
        entries = audit.recent(hub.store, actor=actor or None, action=action or None, limit=SHOWN)
        return render(
            request,
            "audit.html",
            {
                "entries": [(entry, changes(entry)) for entry in entries],
                "actor": actor,
                "action": action,
                "shown": SHOWN,
            },
        )
