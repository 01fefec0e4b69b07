"""portal-progress, declared: a scheduled read of the ERP turns what happened to B2B portal
orders (shipments done, invoices posted, sales cancelled) into timeline milestones and
e-mails. `flows: portal-progress: {source: erp, every: 5m}`."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, model_validator

from causeway.config.base import Duration
from causeway.config.flows import FlowSettings
from causeway.config.systems import ERP
from causeway.engine.schedule import INTERVAL, Schedule
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role
from causeway.flows.portal_progress import NAME, PortalProgress


class PortalProgressFlow(FlowSettings):
    source: str = Field(description="the ERP system the portal's orders are sales in")
    every: Duration = Field(default=300.0, description="how often the ERP is read")
    overlap: Duration = Field(
        default=600.0, description="how far back each read of shipments goes again"
    )
    recent: int = Field(
        default=500,
        ge=1,
        le=10000,
        description="how many of the newest orders are followed until the ERP finishes them",
    )
    tracking_urls: dict[str, str] = Field(
        default_factory=dict,
        description="carrier name (as in the ERP) -> tracking page, with {number} in it; "
        "well-known carriers (UPS, FedEx, DHL, ...) need none",
    )

    @model_validator(mode="after")
    def _templates_have_a_number(self) -> PortalProgressFlow:
        for carrier, template in self.tracking_urls.items():
            if "{number}" not in template:
                raise ValueError(
                    f"tracking_urls.{carrier}: {template!r} has no {{number}}; write where the "
                    f"tracking number goes, e.g. https://www.ups.com/track?tracknum={{number}}"
                )
        return self

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=self.every)


def build(context: FlowContext, settings: PortalProgressFlow) -> PortalProgress:
    return PortalProgress(
        context.store,
        source=settings.source,
        source_connector=context.connectors[settings.source],
        notifications=context.config.notifications,
        reference_prefix=context.config.portal.reference_prefix,
        tracking_urls=settings.tracking_urls,
        overlap=timedelta(seconds=settings.overlap),
        recent=settings.recent,
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=PortalProgressFlow,
    roles=(Role("source", (ERP,)),),
    # A run reads the ERP; the flow takes no received changes.
    run={"run": True},
    build=build,
)
