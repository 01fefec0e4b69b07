"""WooCommerce REST API keys: HTTP Basic, or `consumer_key`/`consumer_secret` in the query.

As WC_REST_Authentication does it: the Authorization header wins; without it the
query-string pair is read (for hosts that strip Authorization). A known key with
the wrong secret is `woocommerce_rest_authentication_error` "Consumer secret is
invalid."; an unknown key, or none, leaves the request anonymous, and the route's
permission check answers 401 with its own code (`woocommerce_rest_cannot_view`
"Sorry, you cannot list resources." for a list...). A read-only key writing, or a
write-only key reading, is refused. Real WooCommerce only takes these over HTTPS
(plain HTTP needs OAuth 1.0a signatures); the sandbox serves plain HTTP on
127.0.0.1 and takes them there, which is the one liberty it allows itself.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re

from starlette.requests import Request

from causeway_sandbox.woocommerce.errors import WooError
from causeway_sandbox.woocommerce.settings import WooSandboxSettings

_ITEM = re.compile(r"/\d+$")


def _credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            user, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return user, password
    key = request.query_params.get("consumer_key")
    secret = request.query_params.get("consumer_secret")
    if key and secret:
        return key, secret
    return None


def anonymous_error(method: str, path: str) -> WooError:
    """What the route's permission callback answers a request without a valid key."""
    single = bool(_ITEM.search(path.rstrip("/")))
    if "/wc/v3/settings/" in path:
        # The settings controller checks one capability, for a group and a setting alike.
        if method in ("GET", "HEAD"):
            return WooError(
                401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."
            )
        return WooError(
            401, "woocommerce_rest_cannot_edit", "Sorry, you cannot edit this resource."
        )
    if path.rstrip("/").endswith("/batch"):
        code, message = (
            "cannot_batch",
            "Sorry, you are not allowed to batch manipulate this resource.",
        )
    elif method in ("GET", "HEAD"):
        code = "cannot_view"
        message = (
            "Sorry, you cannot view this resource."
            if single
            else "Sorry, you cannot list resources."
        )
    elif method == "DELETE":
        code, message = "cannot_delete", "Sorry, you are not allowed to delete this resource."
    elif method == "POST" and not single:
        code, message = "cannot_create", "Sorry, you are not allowed to create resources."
    else:
        code, message = "cannot_edit", "Sorry, you are not allowed to edit this resource."
    return WooError(401, f"woocommerce_rest_{code}", message)


def authenticate(request: Request, settings: WooSandboxSettings) -> None:
    """Raise the WooError WooCommerce would answer, or return for an allowed call."""
    given = _credentials(request)
    if given is None or not hmac.compare_digest(given[0].encode(), settings.consumer_key.encode()):
        raise anonymous_error(request.method, request.url.path)
    if not hmac.compare_digest(given[1].encode(), settings.consumer_secret.encode()):
        raise WooError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
    reading = request.method in ("GET", "HEAD")
    if reading and settings.key_permissions == "write":
        raise WooError(
            401,
            "woocommerce_rest_authentication_error",
            "The API key provided does not have read permissions.",
        )
    if not reading and settings.key_permissions == "read":
        raise WooError(
            401,
            "woocommerce_rest_authentication_error",
            "The API key provided does not have write permissions.",
        )
