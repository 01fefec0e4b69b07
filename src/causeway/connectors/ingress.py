"""What every webhook receiver (connectors/*/ingress.py) shares: how it refuses a delivery,
and the rule that it never runs without a secret to verify signatures with.

A receiver turns one delivery into its inbox records, `records(method, target, headers,
body)`, where `target` is the request's path and query as the sender requested them
(never a URL rebuilt from the Host header, which the sender chooses), or raises
WebhookRejected with the HTTP status to answer (401 for a bad signature, 400 for a body
it cannot key) and a reason; nothing is stored then.
"""

from __future__ import annotations

import base64
import hmac


def usable_secret(secret: str) -> bool:
    """An empty or blank signing secret verifies nothing: anyone can sign with it."""
    return bool(secret.strip())


def require_secret(system: str, key: str, secret: str) -> str:
    """The secret a receiver is built with, refused when empty (config validation
    refuses it first; this holds for receivers built any other way too)."""
    if not usable_secret(secret):
        raise ValueError(
            f"system {system!r}: {key} is empty; webhooks cannot be verified without it "
            f"(set systems.{system}.{key})"
        )
    return secret


class WebhookRejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def hmac_sha256_base64(secret: str, raw_body: bytes) -> str:
    """The base64 HMAC-SHA256 of `raw_body` under `secret`: how Shopify and WooCommerce
    both sign a delivery (each in its own header)."""
    # hmac.digest is the one-shot C path: the ingress hot path signs every body.
    digest = hmac.digest(secret.encode("utf-8"), raw_body, "sha256")
    return base64.b64encode(digest).decode("ascii")


def signature_matches(secret: str, raw_body: bytes, signature: str | None) -> bool:
    """True only if `signature` is hmac_sha256_base64 of exactly these bytes.

    It must be checked over the raw body before any JSON parsing: re-serialised JSON is
    not byte-identical. A missing signature or an empty (or blank) secret is a
    rejection, never a pass: with an empty secret anyone could compute a valid
    signature. The comparison is constant-time so the signature cannot be guessed byte
    by byte.
    """
    if not usable_secret(secret) or not signature:
        return False
    expected = hmac_sha256_base64(secret, raw_body).encode("ascii")
    return hmac.compare_digest(expected, signature.strip().encode("utf-8"))
