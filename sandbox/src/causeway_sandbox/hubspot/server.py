"""Run the HubSpot sandbox in-process on 127.0.0.1 and a free port."""

from __future__ import annotations

from causeway_sandbox.common import VendorSandboxServer
from causeway_sandbox.hubspot.app import HubSpotSandbox, create_app
from causeway_sandbox.hubspot.settings import HubSpotSandboxSettings


class HubSpotSandboxServer(VendorSandboxServer):
    """`with HubSpotSandboxServer() as crm: HubSpotConnector(crm.url, crm.token)`."""

    def __init__(self, settings: HubSpotSandboxSettings | None = None, *, port: int = 0) -> None:
        self.settings = settings or HubSpotSandboxSettings()
        super().__init__(create_app(self.settings), port=port, name="hubspot-sandbox")

    @property
    def sandbox(self) -> HubSpotSandbox:
        """The live components, for debugging; tests should use HTTP."""
        return self.app.state.hubspot  # type: ignore[no-any-return]

    @property
    def token(self) -> str:
        return self.settings.access_token
