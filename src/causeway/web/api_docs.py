"""The API's own description: `/openapi.json` and the Swagger UI page at `/docs`, both
for `read` keys, served with the Swagger UI files vendored in web/static/swagger-ui/ so
that the page loads nothing from the internet.

A browser reaches `/docs` once the console's cookie sessions exist (issue 12); until
then it takes a client that sends the `Authorization` header.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from causeway.access.permissions import Permission
from causeway.web.access import protected

SWAGGER_UI = Path(__file__).parent / "static" / "swagger-ui"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
}


def add_docs_routes(app: FastAPI) -> None:
    # The app is made with docs_url=openapi_url=None: these replace FastAPI's own,
    # which would be open to anyone and pull their scripts from a CDN.
    @app.get("/openapi.json", include_in_schema=False, **protected(Permission.READ))
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, **protected(Permission.READ))
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title}: API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="data:,",
            # Its default shows a badge fetched from validator.swagger.io, with our URL.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/docs/assets/{name}", include_in_schema=False, **protected(Permission.READ))
    def docs_asset(name: str) -> Any:
        if name not in ASSETS:  # only these two files: never a path from the request
            raise HTTPException(404, f"no such file {name!r}")
        return FileResponse(
            SWAGGER_UI / name,
            media_type=ASSETS[name],
            headers={"Cache-Control": "private, max-age=86400"},
        )
