"""The portal's stylesheets and scripts: the console's vendored Pico CSS and htmx
(web/static, each folder's README names the npm package, version and licence) and the
portal's own stylesheet and script (portal.js: what would otherwise be inline
JavaScript, which the Content-Security-Policy refuses). Public: the login page needs
them before anyone signs in."""

from __future__ import annotations

from fastapi import FastAPI

from causeway.hub import Hub
from causeway.web.console.pages.assets import add_static_route

ASSETS = {
    ("pico", "pico.min.css"): "text/css; charset=utf-8",
    ("portal", "portal.css"): "text/css; charset=utf-8",
    ("portal", "portal.js"): "text/javascript; charset=utf-8",
    ("htmx", "htmx.min.js"): "text/javascript; charset=utf-8",
}


def add_routes(app: FastAPI, hub: Hub) -> None:
    add_static_route(app, "/portal", ASSETS)
