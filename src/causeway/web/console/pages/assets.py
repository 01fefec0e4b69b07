"""The console's stylesheets and scripts, vendored in web/static (each folder's README
names the npm package, its version and licence). Public: the login page needs them
before anyone is signed in, and they hold nothing of the hub's."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

from causeway.hub import Hub
from causeway.web.access import public

STATIC = Path(__file__).resolve().parents[2] / "static"
# Only these files: never a path taken from the request.
ASSETS = {
    ("pico", "pico.min.css"): "text/css; charset=utf-8",
    ("console", "console.css"): "text/css; charset=utf-8",
    ("htmx", "htmx.min.js"): "text/javascript; charset=utf-8",
}


def add_routes(app: FastAPI, hub: Hub) -> None:
    @app.get("/console/static/{folder}/{name}", include_in_schema=False, **public(404))
    def asset(folder: str, name: str) -> FileResponse:
        media_type = ASSETS.get((folder, name))
        if media_type is None:
            raise HTTPException(404, f"no such file {folder}/{name}")
        return FileResponse(
            STATIC / folder / name,
            media_type=media_type,
            headers={"Cache-Control": "public, max-age=3600"},
        )
