"""Run the sandbox in-process on 127.0.0.1 and a free port (causeway_sandbox.localserver).

Tests and the demo need a real HTTP server (the hub's client must go through its
own transport, retries and timeouts) but not a separate process to manage.
"""

from __future__ import annotations

from typing import Any, Self

import httpx

from causeway_sandbox.localserver import BackgroundServer
from causeway_sandbox.shopify.app import Sandbox, create_app
from causeway_sandbox.shopify.settings import SandboxSettings


class SandboxServer(BackgroundServer):
    """`with SandboxServer(settings) as shop: httpx.post(shop.graphql_url, ...)`."""

    def __init__(self, settings: SandboxSettings | None = None, *, port: int = 0) -> None:
        self.settings = settings or SandboxSettings()
        super().__init__(create_app(self.settings), port=port, name="shopify-sandbox")
        self._client: httpx.Client | None = None

    @property
    def sandbox(self) -> Sandbox:
        """The live components (store, dispatcher...), for debugging; tests should use HTTP."""
        return self.app.state.sandbox  # type: ignore[no-any-return]

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

    def stop(self, timeout: float = 10.0) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        super().stop(timeout)

    def control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Call the control API (`path` relative to /_sandbox/), raising on HTTP errors."""
        if self._client is None:  # one client for all calls: each new one costs ~20 ms
            self._client = httpx.Client(timeout=30.0, trust_env=False)
        response = self._client.request(method, f"{self.url}/_sandbox/{path.lstrip('/')}", **kwargs)
        response.raise_for_status()
        return response

    def __enter__(self) -> Self:
        return self.start()
