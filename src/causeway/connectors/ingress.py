"""What every webhook receiver (connectors/*/ingress.py) shares: how it refuses a delivery,
and the rule that it never runs without a secret to verify signatures with.

A receiver turns one delivery into its inbox records, `records(method, target, headers,
body)`, where `target` is the request's path and query as the sender requested them
(never a URL rebuilt from the Host header, which the sender chooses), or raises
WebhookRejected with the HTTP status to answer (401 for a bad signature, 400 for a body
it cannot key) and a reason; nothing is stored then.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from causeway.engine.inbox import InboxRecord


class Receiver(Protocol):
    """A system's webhook receiver, built by connectors/registry.py."""

    system: str

    def records(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes, /
    ) -> list[InboxRecord]: ...


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
