"""Run the WooCommerce sandbox in-process on 127.0.0.1 and a free port (localserver)."""

from __future__ import annotations

from typing import Self

from causeway_sandbox.common import VendorSandboxServer
from causeway_sandbox.woocommerce.app import WooSandbox, create_app
from causeway_sandbox.woocommerce.settings import WooSandboxSettings


class WooSandboxServer(VendorSandboxServer):
    """`with WooSandboxServer() as woo: httpx.get(woo.api_url + "orders", auth=woo.auth)`."""

    def __init__(self, settings: WooSandboxSettings | None = None, *, port: int = 0) -> None:
        self.settings = settings or WooSandboxSettings()
        super().__init__(create_app(self.settings), port=port, name="woocommerce-sandbox")

    @property
    def sandbox(self) -> WooSandbox:
        """The live components (store, dispatcher...), for debugging; tests should use HTTP."""
        return self.app.state.woo  # type: ignore[no-any-return]

    @property
    def store_url(self) -> str:
        """The WordPress site URL a connector is configured with (no trailing slash)."""
        return self.url

    @property
    def api_url(self) -> str:
        """The REST API base, with its trailing slash: `api_url + "orders"`."""
        return f"{self.url}/wp-json/wc/v3/"

    @property
    def consumer_key(self) -> str:
        return self.settings.consumer_key

    @property
    def consumer_secret(self) -> str:
        return self.settings.consumer_secret

    @property
    def auth(self) -> tuple[str, str]:
        """HTTP Basic credentials (httpx's `auth=`)."""
        return (self.settings.consumer_key, self.settings.consumer_secret)

    def start(self, timeout: float = 10.0) -> Self:
        super().start(timeout)
        if not self.settings.site_url:
            self.sandbox.store.site_url = f"{self.url}/"
        return self
