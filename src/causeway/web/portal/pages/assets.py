"""The portal's stylesheets and scripts: the console's vendored Pico CSS and htmx
(web/static, each folder's README names the npm package, version and licence) and the
portal's own stylesheet and script (portal.js: what would otherwise be inline
JavaScript, which the Content-Security-Policy refuses). Public: the login page needs
them before anyone signs in."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

from causeway.hub import Hub
from causeway.web.access import public
from causeway.web.console.pages.assets import STATIC

ASSETS = {
    ("pico", "pico.min.css"): "text/css; charset=utf-8",
    ("portal", "portal.css"): "text/css; charset=utf-8",
    ("portal", "portal.js"): "text/javascript; charset=utf-8",
    ("htmx", "htmx.min.js"): "text/javascript; charset=utf-8",
}


def add_routes(app: FastAPI, hub: Hub) -> None:
    @app.get("/portal/static/{folder}/{name}", include_in_schema=False, **public(404))
    def portal_asset(folder: str, name: str) -> FileResponse:
        media_type = ASSETS.get((folder, name))
        if media_type is None:
            raise HTTPException(404, f"no such file {folder}/{name}")
        return FileResponse(
            STATIC / folder / name,
            media_type=media_type,
            headers={"Cache-Control": "public, max-age=3600"},
        )
