"""WooCommerce's refusals, read as messages an operator can act on.

Every WordPress REST error is one JSON shape, `{"code", "message", "data": {"status",
"params", "details"}}`: the code is stable (`woocommerce_rest_cannot_view`,
`rest_invalid_param`, `woocommerce_rest_product_invalid_id`...), the message is for
people, and `data.params` names each invalid parameter with its reason. A batch
answers the same shape per item (`{"id": 0, "error": {...}}`), so one function reads
both. The hints name the fix for the refusals an operator meets in practice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from causeway.errors import PermanentError

MAX_SHOWN = 300


class WooCommerceError(PermanentError):
    """WooCommerce refused a request (or one item of a batch); `code` says why."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.params = dict(params or {})


class WooCommerceNotFound(WooCommerceError):
    """The object does not exist (or no longer): HTTP 404 with an `*_invalid_id` code."""


def error_parts(body: Any) -> tuple[str | None, str, dict[str, str]]:
    """(code, message, invalid parameter -> reason) of a WordPress REST error body."""
    if not isinstance(body, Mapping):
        text = str(body).strip() if body else ""
        return None, text[:MAX_SHOWN] or "no reason given", {}
    code = body.get("code")
    message = str(body.get("message") or "no reason given")[:MAX_SHOWN]
    data = body.get("data")
    params: dict[str, str] = {}
    if isinstance(data, Mapping) and isinstance(data.get("params"), Mapping):
        params = {str(k): str(v)[:MAX_SHOWN] for k, v in data["params"].items()}
    return (str(code) if code else None), message, params


def describe(body: Any) -> str:
    """ "message (code): param: reason; ..." for an error body."""
    code, message, params = error_parts(body)
    text = f"{message} ({code})" if code else message
    if params:
        text += ": " + "; ".join(f"{name}: {reason}" for name, reason in params.items())
    return text


def refusal(
    method: str, path: str, status: int, body: Any, *, site: str, auth: str
) -> WooCommerceError:
    """The error for an HTTP 4xx answer (429 apart: the client waits those out)."""
    code, _message, params = error_parts(body)
    text = f"WooCommerce {site} refused {method} {path} (HTTP {status}): {describe(body)}"
    hint = _hint(status, code or "", describe(body), auth)
    if hint:
        text += f". {hint}"
    not_found = status == 404 and code != "rest_no_route"
    kind = WooCommerceNotFound if not_found else WooCommerceError
    return kind(text, status=status, code=code, params=params)


def _hint(status: int, code: str, text: str, auth: str) -> str:
    if "write permission" in text:
        return (
            "Give the key Read/Write permissions (WooCommerce > Settings > Advanced > REST "
            "API), then replay"
        )
    if status == 401:
        hint = (
            "Check consumer_key and consumer_secret against the key in WooCommerce > Settings "
            "> Advanced > REST API"
        )
        if auth == "header" and code.startswith("woocommerce_rest_cannot_"):
            # The classic symptom of a stripped header: the request arrives anonymous.
            hint += (
                "; if they are right, the web server drops the Authorization header: set "
                "auth: query (or let the server pass the header on)"
            )
        return hint + ", then replay"
    if status == 403:
        return (
            "The key's WordPress user lacks the capability (use a Shop Manager or "
            "Administrator), or a security plugin or firewall blocks the REST API"
        )
    if code == "rest_no_route":
        return (
            "Check url (the WordPress site's address), that WooCommerce is active, and that "
            "permalinks are not 'Plain' (Settings > Permalinks)"
        )
    return ""
