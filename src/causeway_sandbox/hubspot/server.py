"""Run the HubSpot sandbox in-process on 127.0.0.1 and a free port."""

from __future__ import annotations

from typing import Any, Self

import httpx

from causeway_sandbox.hubspot.app import HubSpotSandbox, create_app
from causeway_sandbox.hubspot.settings import HubSpotSandboxSettings
from causeway_sandbox.localserver import BackgroundServer


class HubSpotSandboxServer(BackgroundServer):
    """`with HubSpotSandboxServer() as crm: HubSpotConnector(crm.url, crm.token)`."""

    def __init__(self, settings: HubSpotSandboxSettings | None = None, *, port: int = 0) -> None:
        self.settings = settings or HubSpotSandboxSettings()
        super().__init__(create_app(self.settings), port=port, name="hubspot-sandbox")
        self._client: httpx.Client | None = None

    @property
    def sandbox(self) -> HubSpotSandbox:
        """The live components, for debugging; tests should use HTTP."""
        return self.app.state.hubspot  # type: ignore[no-any-return]

    @property
    def token(self) -> str:
        return self.settings.access_token

    def control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Call the control API (`path` relative to /_sandbox/), raising on HTTP errors."""
        if self._client is None:
            self._client = httpx.Client(timeout=30.0, trust_env=False)
        response = self._client.request(method, f"{self.url}/_sandbox/{path.lstrip('/')}", **kwargs)
        response.raise_for_status()
        return response

    def stop(self, timeout: float = 10.0) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        super().stop(timeout)

    def __enter__(self) -> Self:
        return self.start()
