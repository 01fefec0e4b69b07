"""causeway.yaml `portal:`: the B2B portal for business customers (docs/portal.md)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from causeway.config.base import Duration, Strict, split_listen


class PortalSettings(Strict):
    enabled: bool = Field(
        default=False,
        description="serve the B2B portal under /portal (business customers sign in there)",
    )
    erp: str | None = Field(
        default=None,
        description="the ERP system (a Tryton) the portal reads live and places orders in",
    )
    listen: str | None = Field(
        default=None,
        description="host:port of a listener of the portal's own (e.g. 0.0.0.0:8443 behind a "
        "proxy for portal.example.com); when set, the hub's other listeners do not serve it",
    )
    public_url: str | None = Field(
        default=None,
        description="the URL customers reach the portal at, for the links in its e-mails "
        "(invitations, password resets, magic links); default: server.public_url",
    )
    reference_prefix: str = Field(
        default="portal-",
        description="the ERP sale reference of a portal order: this prefix and its number",
    )
    cache_seconds: Duration = Field(
        default=5.0,
        description="how long a read of the ERP (prices, availability) is reused: a few seconds "
        "keeps pages fast without showing customers stale stock",
    )
    session_idle: Duration = Field(
        default=3600.0, description="a portal session unused this long ends"
    )
    session_max: Duration = Field(
        default=86400.0, description="a portal session ends this long after sign-in"
    )
    link_lifetime: Duration = Field(
        default=86400.0,
        description="how long an invitation, password-reset or magic link works (once)",
    )

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str | None) -> str | None:
        if value is not None:
            split_listen(value)
        return value

    def listen_address(self) -> tuple[str, int] | None:
        """listen as (host, port); None when not set."""
        return split_listen(self.listen) if self.listen is not None else None

    @model_validator(mode="after")
    def _needs_an_erp(self) -> PortalSettings:
        if self.enabled and not self.erp:
            raise ValueError("portal.erp: name the ERP system the portal reads (e.g. `erp: erp`)")
        if self.session_idle > self.session_max:
            raise ValueError("portal.session_idle is longer than session_max: make it shorter")
        return self
