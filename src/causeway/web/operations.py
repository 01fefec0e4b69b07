"""What operators and their tooling poll: `/metrics` (Prometheus, for `read` keys) and
`/health` (public: a load balancer's probe carries no key)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from causeway.access.permissions import Permission
from causeway.hub import Hub
from causeway.observability.metrics import exposition, hub_registry
from causeway.web.access import protected, public


def add_operations_routes(app: FastAPI, hub: Hub) -> None:
    registry = hub_registry(hub)

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

    @app.get("/health", **public())
    def health() -> dict[str, str]:
        return {"status": "ok"}
