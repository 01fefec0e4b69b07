"""A webhook endpoint on 127.0.0.1 that hands every delivery to a connector's own receiver.

The receiver (connectors/*/ingress.py: `records(method, target, headers, body)`) verifies
the signature and keys the delivery exactly as the hub's web app does; what it accepts is
kept here as the inbox records it made, what it refuses is answered with its status.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, Self

from causeway.connectors.ingress import WebhookRejected
from causeway.engine.inbox import InboxRecord

__all__ = ["Deliveries", "Receiver"]


class Receiver(Protocol):
    def records(self, method: str, target: str, headers: Any, body: bytes) -> list[InboxRecord]: ...


class Deliveries:
    """`with Deliveries(receiver) as hooks:` subscribe `hooks.url`, then read `hooks.records`."""

    def __init__(self, receiver: Receiver, path: str = "/webhooks") -> None:
        self.receiver = receiver
        self.path = path
        self.records: list[InboxRecord] = []
        self.refused: list[tuple[int, str]] = []
        self._lock = threading.Lock()
        deliveries = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = deliveries._accept(self.command, self.path, dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="deliveries", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"

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

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
