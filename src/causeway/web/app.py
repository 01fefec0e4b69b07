"""The hub's HTTP surface, put together: webhook ingress, the `/api` routes, and what
operators poll. Each group of routes lives in its own module."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from causeway.hub import Hub
from causeway.web.api import add_api_routes
from causeway.web.operations import add_operations_routes
from causeway.web.webhooks import add_webhook_routes


def create_app(hub: Hub) -> FastAPI:
    app = FastAPI(title="Causeway", version="0.1.0")

    # Starlette's own (an unknown path, a wrong method) get the same {"error": ...} shape.
    @app.exception_handler(StarletteHTTPException)
    async def _plain_errors(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    add_webhook_routes(app, hub)
    add_api_routes(app, hub)
    add_operations_routes(app, hub)
    return app
