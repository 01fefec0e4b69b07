"""What every webhook receiver (connectors/*/ingress.py) shares: how it refuses a delivery.

A receiver turns one delivery into its inbox records, `records(method, url, headers,
body)`, or raises WebhookRejected with the HTTP status to answer (401 for a bad
signature, 400 for a body it cannot key) and a reason; nothing is stored then.
"""

from __future__ import annotations


class WebhookRejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
