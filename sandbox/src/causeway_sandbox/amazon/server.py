"""Run the Amazon sandbox in-process on 127.0.0.1 and a free port (localserver)."""

from __future__ import annotations

from typing import Any

from causeway_sandbox.amazon.app import AmazonSandbox, create_app
from causeway_sandbox.amazon.settings import AmazonSandboxSettings
from causeway_sandbox.common import VendorSandboxServer


class AmazonSandboxServer(VendorSandboxServer):
    """`with AmazonSandboxServer() as amazon: ...` with amazon.endpoint, amazon.token_url."""

    def __init__(self, settings: AmazonSandboxSettings | None = None, *, port: int = 0) -> None:
        self.settings = settings or AmazonSandboxSettings()
        super().__init__(create_app(self.settings), port=port, name="amazon-sandbox")

    @property
    def sandbox(self) -> AmazonSandbox:
        return self.app.state.amazon  # type: ignore[no-any-return]

    @property
    def endpoint(self) -> str:
        """The Selling Partner API endpoint a connector is configured with."""
        return self.url

    @property
    def token_url(self) -> str:
        return f"{self.url}/auth/o2/token"

    def system_config(self, **extra: Any) -> dict[str, Any]:
        """This seller's entry under causeway.yaml's `systems:` (`type: amazon`), its
        credentials the sandbox's own, with `extra` settings beside them."""
        s = self.settings
        return {
            "type": "amazon",
            "endpoint": self.endpoint,
            "token_url": self.token_url,
            "client_id": s.client_id,
            "client_secret": s.client_secret,
            "refresh_token": s.refresh_token,
            "marketplace_ids": [s.marketplace_id],
            "selling_partner_id": s.selling_partner_id,
            **extra,
        }
