"""What every WooCommerce route handler needs: the sandbox, the JSON body, the base URL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Body
from starlette.requests import Request

from causeway_sandbox.woocommerce.errors import WooError
from causeway_sandbox.woocommerce.product_views import API

if TYPE_CHECKING:
    from causeway_sandbox.woocommerce.app import WooSandbox


def woo(request: Request) -> WooSandbox:
    return request.app.state.woo  # type: ignore[no-any-return]


# A route's JSON body, parsed by FastAPI (a body that is not JSON becomes WordPress's
# rest_invalid_json in app.py); routes take it as `body: JSONBody = None`.
JSONBody = Annotated[Any, Body()]


def collection_url(request: Request, path: str) -> str:
    return f"{woo(request).store.site_url}{API}/{path}"


def invalid_id(kind: str, status: int = 404, message: str = "Invalid ID.") -> WooError:
    return WooError(status, f"woocommerce_rest_{kind}_invalid_id", message)
