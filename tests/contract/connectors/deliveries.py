"""A webhook endpoint on 127.0.0.1 that hands every delivery to a connector's own receiver.

The receiver (connectors/*/ingress.py: `records(method, target, headers, body)`) verifies
the signature and keys the delivery exactly as the hub's web app does; what it accepts is
kept here as the inbox records it made, what it refuses is answered with its status.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol

from causeway.connectors.ingress import WebhookRejected
from causeway.engine.inbox import InboxRecord
from tests.contract.connectors.local_http import LocalHTTPServer

__all__ = ["Deliveries", "Receiver"]


class Receiver(Protocol):
    def records(self, method: str, target: str, headers: Any, body: bytes) -> list[InboxRecord]: ...


class Deliveries(LocalHTTPServer):
    """`with Deliveries(receiver) as hooks:` subscribe `hooks.url`, then read `hooks.records`."""

    def __init__(self, receiver: Receiver, path: str = "/webhooks") -> None:
        super().__init__("deliveries")
        self.receiver = receiver
        self.path = path
        self.records: list[InboxRecord] = []
        self.refused: list[tuple[int, str]] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"{super().url}{self.path}"

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        status = self._accept(request.command, request.path, dict(request.headers), body)
        request.send_response(status)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def _accept(self, method: str, target: str, headers: dict[str, str], body: bytes) -> int:
        try:
            records = self.receiver.records(method, target, headers, body)
        except WebhookRejected as refused:
            with self._lock:
                self.refused.append((refused.status, str(refused)))
            return refused.status
        with self._lock:
            self.records.extend(records)
        return 200

    def of(self, entity_key: str) -> list[InboxRecord]:
        with self._lock:
            return [r for r in self.records if r.entity_key == entity_key]
