"""portal-orders, declared: approved B2B portal checkouts become confirmed ERP sales.
On whenever the portal is (portal.enabled), placing in portal.erp, unless causeway.yaml
says otherwise (config/models.py)."""

from __future__ import annotations

from pydantic import Field

from causeway.config.flows import FlowSettings
from causeway.config.systems import ERP
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts
from causeway.flows.portal_orders import NAME, TOPICS, PortalOrders, checkout_job


class PortalOrdersFlow(FlowSettings):
    target: str = Field(description="the ERP system portal orders are placed in (portal.erp)")


def build(context: FlowContext, settings: PortalOrdersFlow) -> PortalOrders:
    return PortalOrders(
        context.store,
        context.inbox,
        target=settings.target,
        erp=context.connectors[settings.target],
        notifications=context.config.notifications,
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=PortalOrdersFlow,
    roles=(Role("target", (ERP,)),),
    # The portal writes the records itself (never a webhook): routed, never subscribed.
    starts=Starts(role="target", topics=TOPICS, job=checkout_job, polled=TOPICS),
    run=None,
    build=build,
)
