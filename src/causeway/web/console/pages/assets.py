"""The console's stylesheets and scripts, vendored in web/static (each folder's README
names the npm package, its version and licence). Public: the login page needs them
before anyone is signed in, and they hold nothing of the hub's."""

from __future__ import annotations

from collections.abc import Mapping
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
    ("vega", "vega.min.js"): "text/javascript; charset=utf-8",
    ("vega", "vega-lite.min.js"): "text/javascript; charset=utf-8",
    ("vega", "vega-embed.min.js"): "text/javascript; charset=utf-8",
    ("vega", "vega-tooltip.css"): "text/css; charset=utf-8",
    ("console", "reports.js"): "text/javascript; charset=utf-8",
}


def add_routes(app: FastAPI, hub: Hub) -> None:
    add_static_route(app, "/console", ASSETS)


def add_static_route(app: FastAPI, area: str, assets: Mapping[tuple[str, str], str]) -> None:
    """GET <area>/static/<folder>/<name> for exactly these files and media types."""

    @app.get(f"{area}/static/{{folder}}/{{name}}", include_in_schema=False, **public(404))
    def asset(folder: str, name: str) -> FileResponse:
        media_type = assets.get((folder, name))
        if media_type is None:
            raise HTTPException(404, f"no such file {folder}/{name}")
        return FileResponse(
            STATIC / folder / name,
            media_type=media_type,
            headers={"Cache-Control": "public, max-age=3600"},
        )
