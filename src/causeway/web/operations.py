"""What operators and their tooling poll: `/metrics` (Prometheus, for `read` keys),
`/health` (liveness: the process answers) and `/ready` (readiness: the store takes
writes, its schema is current; with each system's last contact). /health and /ready
are public (a load balancer's probe carries no key): they show no secret and no
customer data."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry

from causeway.access.permissions import Permission
from causeway.engine.store import head_revision
from causeway.hub import Hub
from causeway.observability.metrics import exposition
from causeway.observability.readiness import readiness
from causeway.web.access import protected, public


def add_ready_routes(app: FastAPI, hub: Hub) -> None:
    head = head_revision()
    systems = sorted(hub.config.systems)

    @app.get(
        "/ready",
        **public(
            responses={
                200: {"description": "the hub can take work"},
                503: {"description": "it cannot: `reasons` says why and what to do"},
            }
        ),
    )
    def ready() -> JSONResponse:
        """200 when the store takes writes and its schema is current, else 503 with the
        reasons; `systems` has each system's last contact in seconds (null: none yet)."""
        ok, report = readiness(hub.store, head, systems, hub.contacts)
        return JSONResponse(report, status_code=200 if ok else 503)


def add_metrics_routes(app: FastAPI, registry: CollectorRegistry) -> None:
    """`/metrics` (the registry's figures, for `read` keys) and `/health`: the hub's, and
    all a `causeway worker` process serves on its --metrics-port (web/app.py)."""

    @app.get(
        "/metrics",
        response_class=Response,
        **protected(
            Permission.READ,
            responses={
                200: {
                    "description": "Prometheus text format, or OpenMetrics when the scraper asks",
                    "content": {
                        "text/plain": {"schema": {"type": "string"}},
                        "application/openmetrics-text": {"schema": {"type": "string"}},
                    },
                }
            },
        ),
    )
    def metrics(request: Request) -> Response:
        body, content_type = exposition(registry, request.headers.get("accept"))
        return Response(body, headers={"Content-Type": content_type})

    add_health_route(app)


def add_health_route(app: FastAPI) -> None:
    @app.get("/health", **public())
    def health() -> dict[str, str]:
        """The process is alive and answering; says nothing of the store or the systems."""
        return {"status": "ok"}
