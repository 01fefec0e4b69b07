"""The `/api` routes: the hub's view of an order, and running a flow now."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException

from causeway.access.permissions import Permission
from causeway.engine.flow_pauses import FlowPausedError
from causeway.hub import Hub
from causeway.web.access import protected
from causeway.web.order_view import order_view


def add_api_routes(app: FastAPI, hub: Hub) -> None:
    @app.get("/api/orders/{system}/{external_id}", **protected(Permission.READ, 404))
    def get_order(system: str, external_id: str) -> dict[str, Any]:
        # No stored id holds a NUL (the inbox refuses it), and PostgreSQL cannot search one.
        view = (
            None
            if "\x00" in system + external_id
            else order_view(hub.store, hub.jobs, system, external_id)
        )
        if view is None:
            raise HTTPException(404, f"the hub has seen no order {external_id} from {system!r}")
        return view

    @app.post("/api/flows/{flow}/run", **protected(Permission.OPERATE, 404, 409))
    def run_flow(flow: str) -> dict[str, Any]:
        if flow not in hub.flows:
            known = ", ".join(sorted(hub.flows)) or "none"
            raise HTTPException(404, f"no flow named {flow!r} is enabled (enabled: {known})")
        try:
            return {"queued": hub.run_flow(flow)}
        except FlowPausedError as paused:
            raise HTTPException(409, str(paused)) from None
