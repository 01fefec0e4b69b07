"""The network between a connector and its remote system, with the faults exactly-once must survive.

`Wire` is a small HTTP relay on 127.0.0.1: the connector under test is configured with
`wire.url` instead of the remote system's URL and every request passes through unchanged,
until a test arms a fault for one kind of call (a `WireCall`):

- `lose_answer(call)`: the next matching request reaches the remote system, which does the
  work and answers; the relay waits for that answer, then closes the connection without
  passing it on. The connector sees what a production connector sees when a load balancer
  restarts or a network cable is pulled mid-flight: "server disconnected without sending a
  response", after the write committed. This is the crash between the remote write and the
  hub's link write, seen from the connector.
- `rendezvous(call)`: the first matching requests are held until `parties` of them have
  arrived (or `patience` runs out), then all go on together. Two racers that each searched
  and found nothing are made to write at the same moment, so a race that a lucky schedule
  would hide happens every time.
- `meanwhile(call, action)`: the next matching request is answered by the remote system,
  and `action` runs before that answer reaches the connector: the store changed while the
  connector was between two pages of a list.

Nothing here knows any vendor: a WireCall is a name and a predicate on the request. The
helpers below build the common ones (a JSON-RPC method, a GraphQL operation, a REST path).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

import httpx

from tests.contract.connectors.local_http import LocalHTTPServer

__all__ = ["Rendezvous", "Wire", "WireCall", "graphql_operation", "jsonrpc_method", "rest_call"]

# Headers that describe one hop, not the message: the relay sets its own.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "accept-encoding",  # so the remote answers plain bytes the relay can measure
    "host",
    "te",
    "trailer",
    "upgrade",
    "proxy-connection",
}
_SET_BY_THE_RELAY = {"date", "server"}  # BaseHTTPRequestHandler.send_response writes them


@dataclass(frozen=True)
class WireCall:
    """One kind of remote call, e.g. "Tryton creates a sale", recognised by its request."""

    name: str
    matches: Callable[[str, str, bytes], bool]  # (HTTP method, path and query, body)

    def __str__(self) -> str:
        return self.name


def jsonrpc_method(method: str) -> WireCall:
    """A JSON-RPC request calling `method` (Tryton: "model.sale.sale.create")."""

    def matches(_verb: str, _path: str, body: bytes) -> bool:
        try:
            payload = json.loads(body)
        except ValueError:
            return False
        return isinstance(payload, dict) and payload.get("method") == method

    return WireCall(method, matches)


def graphql_operation(operation: str) -> WireCall:
    """A GraphQL request whose document declares `operation` (Shopify: a mutation's name)."""
    declared = re.compile(rf"\b(query|mutation)\s+{re.escape(operation)}\b")

    def matches(_verb: str, _path: str, body: bytes) -> bool:
        try:
            payload = json.loads(body)
        except ValueError:
            return False
        document = payload.get("query") if isinstance(payload, dict) else None
        return isinstance(document, str) and declared.search(document) is not None

    return WireCall(operation, matches)


def rest_call(verb: str, path_pattern: str) -> WireCall:
    """A REST request: HTTP `verb` on a path matching the regular expression (WooCommerce)."""
    pattern = re.compile(path_pattern)

    def matches(method: str, path: str, _body: bytes) -> bool:
        return method == verb and pattern.search(path.split("?", 1)[0]) is not None

    return WireCall(f"{verb} {path_pattern}", matches)


class Rendezvous:
    """Requests of one kind held until `parties` of them arrived (see Wire.rendezvous)."""

    def __init__(self, call: WireCall, parties: int, patience: float) -> None:
        self.call = call
        self.parties = parties
        self.patience = patience
        self.arrived = 0  # counted by the wire as requests come in
        self.met = False  # did all parties arrive before patience ran out?
        self.gave_up = False  # patience ran out: the meeting is off, later calls pass
        self.condition = threading.Condition()

    def wait(self) -> None:
        with self.condition:
            self.condition.notify_all()  # the last to arrive releases the others
            if self.condition.wait_for(lambda: self.arrived >= self.parties, self.patience):
                self.met = not self.gave_up
            else:
                self.gave_up = True


class Wire(LocalHTTPServer):
    """`with Wire(remote_url) as wire:` point the connector at `wire.url`, arm faults."""

    def __init__(self, upstream: str, *, timeout: float = 120.0) -> None:
        super().__init__("wire")
        self.upstream = upstream.rstrip("/")
        self._client = httpx.Client(base_url=self.upstream, timeout=timeout, trust_env=False)
        self._lock = threading.Lock()
        self._lose: list[WireCall] = []
        self._rendezvous: list[Rendezvous] = []
        self._meanwhile: list[tuple[WireCall, Callable[[], None]]] = []
        self.lost: list[str] = []  # names of the calls whose answer was lost, in order
        self.interleaved: list[str] = []  # names of the calls an action ran behind

    def stop(self) -> None:
        with self._lock:
            held = list(self._rendezvous)
            self._rendezvous.clear()
        for meeting in held:  # nobody waits for a partner that will never come
            with meeting.condition:
                meeting.arrived = meeting.parties
                meeting.condition.notify_all()
        super().stop()
        self._client.close()

    # -- faults ------------------------------------------------------------------------

    def lose_answer(self, call: WireCall) -> None:
        """The next request matching `call` is carried out, and its answer never arrives."""
        with self._lock:
            self._lose.append(call)

    def rendezvous(self, call: WireCall, *, parties: int = 2, patience: float = 2.0) -> Rendezvous:
        """Hold the first `parties` requests matching `call` until all have arrived, or
        `patience` seconds passed for the first one; `.met` says which happened."""
        meeting = Rendezvous(call, parties, patience)
        with self._lock:
            self._rendezvous.append(meeting)
        return meeting

    def meanwhile(self, call: WireCall, action: Callable[[], None]) -> None:
        """Once the remote answered the next request matching `call`, run `action` before
        the answer goes on to the connector."""
        with self._lock:
            self._meanwhile.append((call, action))

    # -- relaying ----------------------------------------------------------------------

    def _take_faults(
        self, method: str, path: str, body: bytes
    ) -> tuple[bool, Rendezvous | None, Callable[[], None] | None]:
        with self._lock:
            action = next((a for a in self._meanwhile if a[0].matches(method, path, body)), None)
            if action is not None:
                self._meanwhile.remove(action)
                self.interleaved.append(action[0].name)
            lose = next((c for c in self._lose if c.matches(method, path, body)), None)
            if lose is not None:
                self._lose.remove(lose)
                self.lost.append(lose.name)
            self._rendezvous = [m for m in self._rendezvous if not m.gave_up]
            meeting = next(
                (m for m in self._rendezvous if m.call.matches(method, path, body)), None
            )
            if meeting is not None:
                meeting.arrived += 1
                if meeting.arrived >= meeting.parties:
                    self._rendezvous.remove(meeting)  # complete: later calls pass freely
        return lose is not None, meeting, action[1] if action else None

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        lose, meeting, meanwhile = self._take_faults(handler.command, handler.path, body)
        if meeting is not None:
            meeting.wait()
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_BY_HOP}
        try:
            answer = self._client.request(
                handler.command, handler.path, headers=headers, content=body
            )
        except httpx.HTTPError:
            handler.close_connection = True  # the remote is down: so is the wire
            return
        if meanwhile is not None:
            meanwhile()
        if lose:
            # The remote did the work; the caller never hears of it.
            handler.close_connection = True
            return
        handler.send_response(answer.status_code)
        for name, value in answer.headers.multi_items():
            if name.lower() not in _HOP_BY_HOP | _SET_BY_THE_RELAY:
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(answer.content)))
        handler.end_headers()
        handler.wfile.write(answer.content)
