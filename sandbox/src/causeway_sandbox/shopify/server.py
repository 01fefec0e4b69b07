"""Run the sandbox in-process on 127.0.0.1 and a free port (causeway_sandbox.localserver).

Tests and the demo need a real HTTP server (the hub's client must go through its
own transport, retries and timeouts) but not a separate process to manage.
"""

from __future__ import annotations

from causeway_sandbox.common import VendorSandboxServer
from causeway_sandbox.shopify.app import Sandbox, create_app
from causeway_sandbox.shopify.settings import SandboxSettings


class SandboxServer(VendorSandboxServer):
    """`with SandboxServer(settings) as shop: httpx.post(shop.graphql_url, ...)`."""

    def __init__(self, settings: SandboxSettings | None = None, *, port: int = 0) -> None:
        self.settings = settings or SandboxSettings()
        super().__init__(create_app(self.settings), port=port, name="shopify-sandbox")

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
