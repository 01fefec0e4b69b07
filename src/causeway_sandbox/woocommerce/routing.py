"""What every WooCommerce route handler needs: the sandbox, the JSON body, the base URL."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from causeway_sandbox.woocommerce.errors import WooError
from causeway_sandbox.woocommerce.product_views import API

if TYPE_CHECKING:
    from causeway_sandbox.woocommerce.app import WooSandbox


def woo(request: Request) -> WooSandbox:
    return request.app.state.woo  # type: ignore[no-any-return]


async def json_body(request: Request) -> Any:
    """The request's JSON, or WordPress's 400 rest_invalid_json."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise WooError(
            400,
            "rest_invalid_json",
            "Invalid JSON body passed.",
            json_error_code=4,
            json_error_message=f"Syntax error: {exc}",
        ) from None


def collection_url(request: Request, path: str) -> str:
    return f"{woo(request).store.site_url}{API}/{path}"


def invalid_id(kind: str, status: int = 404, message: str = "Invalid ID.") -> WooError:
    return WooError(status, f"woocommerce_rest_{kind}_invalid_id", message)
