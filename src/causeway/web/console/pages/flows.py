"""The Flows page (/console/flows): each flow's state and recent runs, and for operators
run now, pause and resume.

Pausing holds the flow's changes like a manual flow until it is resumed
(engine/flow_pauses.py); running it now is what `causeway flow run NAME --no-wait`
does. Every action is audited (pause and resume by the engine; a run is in the flow's
run history with who asked).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from causeway.access.permissions import Permission
from causeway.engine import flow_history
from causeway.engine.facts import read_facts
from causeway.engine.flow_pauses import FlowPausedError, pause, resume
from causeway.hub import Hub
from causeway.observability.alerts import evaluate
from causeway.web.console.overview_figures import FlowRow, flow_rows
from causeway.web.console.rendering import render
from causeway.web.console.routing import action, actor, page

RUNS_SHOWN = 10


def add_routes(app: FastAPI, hub: Hub) -> None:
    def rows() -> list[FlowRow]:
        facts = read_facts(hub.store)
        return flow_rows(hub, facts, evaluate(hub.config, facts))

    def configured(name: str) -> str:
        known = hub.config.flows.configured()
        if name not in known:
            raise HTTPException(
                404,
                f"no flow named {name!r} in causeway.yaml (configured: "
                f"{', '.join(sorted(known)) or 'none'})",
            )
        return name

    def back(name: str, said: str) -> Response:
        query = urlencode({"flow": name, "said": said})
        return RedirectResponse(f"/console/flows?{query}#flow-{name}", status_code=303)

    @app.get("/console/flows", **page(Permission.READ))
    def flows_page(request: Request, flow: str = "", said: str = "") -> HTMLResponse:
        flows = rows()
        return render(
            request,
            "flows.html",
            {
                "flows": flows,
                "runs": {f.name: flow_history.recent(hub.store, f.name, RUNS_SHOWN) for f in flows},
                "runnable": set(hub.flows),
                "notice": _notice(flow, said) if flow in {f.name for f in flows} else None,
            },
        )

    @app.post("/console/flows/{name}/run", **action(Permission.OPERATE, 404, 409))
    def run_now(request: Request, name: str) -> Response:
        configured(name)
        if name not in hub.flows:
            raise HTTPException(404, f"{name} is not enabled: it cannot run")
        try:
            queued = hub.run_flow(name, actor=actor(request))
        except FlowPausedError as paused:
            raise HTTPException(409, str(paused)) from None
        return back(name, f"run:{queued}")

    @app.post("/console/flows/{name}/pause", **action(Permission.OPERATE, 404))
    def pause_flow(request: Request, name: str) -> Response:
        changed = pause(hub.store, configured(name), actor=actor(request))
        return back(name, "paused" if changed else "already-paused")

    @app.post("/console/flows/{name}/resume", **action(Permission.OPERATE, 404))
    def resume_flow(request: Request, name: str) -> Response:
        released = resume(hub.store, configured(name), actor=actor(request))
        return back(name, "not-paused" if released is None else f"resumed:{released}")


def _notice(flow: str, said: str) -> str | None:
    """The sentence that says what the last action did (the redirect carries it)."""
    word, _, count = said.partition(":")
    sentences = {
        "run": f"{flow} runs now: {count} job(s) released or queued for the workers.",
        "paused": f"{flow} is paused: its new changes are held until you resume it.",
        "already-paused": f"{flow} was already paused.",
        "resumed": f"{flow} resumed: {count} held job(s) released to the workers.",
        "not-paused": f"{flow} was not paused.",
    }
    if word in ("run", "resumed") and not count.isdigit():
        return None
    return sentences.get(word)
