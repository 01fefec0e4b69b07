"""Run the sandbox in-process under uvicorn, on 127.0.0.1 and a free port.

Tests and the demo need a real HTTP server (the hub's client must go through its
own transport, retries and timeouts) but not a separate process to manage. The
socket is bound before the thread starts, so `.url` is valid as soon as
`start()` returns and two sandboxes never race for a port.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any, Self

import httpx
import uvicorn

from causeway.sandbox.shopify.app import Sandbox, create_app
from causeway.sandbox.shopify.settings import SandboxSettings


class SandboxServer:
    """`with SandboxServer(settings) as shop: httpx.post(shop.graphql_url, ...)`."""

    def __init__(self, settings: SandboxSettings | None = None, *, port: int = 0) -> None:
        self.settings = settings or SandboxSettings()
        self.app = create_app(self.settings)
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._client: httpx.Client | None = None

    @property
    def sandbox(self) -> Sandbox:
        """The live components (store, dispatcher...), for debugging; tests should use HTTP."""
        return self.app.state.sandbox  # type: ignore[no-any-return]

    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError("the sandbox is not started")
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:51234 (the shop's "https://{shop}" stand-in)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/admin/api/{self.settings.api_version}/graphql.json"

    @property
    def headers(self) -> dict[str, str]:
        """Headers an authenticated Admin API call carries."""
        return {
            "X-Shopify-Access-Token": self.settings.access_token,
            "Content-Type": "application/json",
        }

    def start(self, timeout: float = 10.0) -> Self:
        if self._thread is not None:
            return self
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto
        # says TCP, and without it every response stalls ~40 ms on delayed ACKs.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._port))
        self._socket = sock
        config = uvicorn.Config(self.app, log_level="warning", lifespan="on", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name="shopify-sandbox",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Shopify sandbox did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=timeout)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = None
        self._socket = None

    def control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Call the control API (`path` relative to /_sandbox/), raising on HTTP errors."""
        if self._client is None:  # one client: building one per call costs ~20 ms (TLS setup)
            self._client = httpx.Client(timeout=30.0, trust_env=False)
        response = self._client.request(method, f"{self.url}/_sandbox/{path.lstrip('/')}", **kwargs)
        response.raise_for_status()
        return response

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
