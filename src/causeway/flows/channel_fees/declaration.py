"""channel-fees, declared: on a schedule, the fees each marketplace order's channel has
posted are booked in the ERP once (docs/flows/channel-fees.md)."""

from __future__ import annotations

from pydantic import Field

from causeway.config.base import Duration
from causeway.config.flows import FlowSettings
from causeway.config.systems import ERP, MARKETPLACE
from causeway.engine.schedule import INTERVAL, Schedule
from causeway.flows.channel_fees import NAME, ChannelFeesToErp
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role


class ChannelFeesFlow(FlowSettings):
    channels: list[str] = Field(
        min_length=1, description="the marketplace systems (type: amazon) whose fees are booked"
    )
    target: str = Field(description="the ERP system the fees are booked in")
    party: str = Field(
        default="Amazon",
        description="the ERP party the fees are owed to (made when the ERP has none)",
    )
    fees_account: str | None = Field(
        default=None,
        description="code or name of the ERP expense account fees are booked on; default: "
        "the ERP's only expense account",
    )
    every: Duration = Field(default=3600.0, description="how often posted fees are looked for")
    per_run: int = Field(
        default=100, ge=1, le=1000, description="at most this many orders are asked about a run"
    )
    look_back: Duration = Field(
        default=60 * 86400.0,
        description="orders last changed longer ago than this are not asked about any more",
    )

    refund_window: Duration = Field(
        default=60 * 86400.0,
        description="how far back the first run looks for refunds posted (later runs "
        "look from where the last one ended)",
    )
    refund_overlap: Duration = Field(
        default=3600.0,
        description="each run looks for refunds this much before where the last one "
        "ended (events the channel posted late)",
    )
    account_fees_window: Duration = Field(
        default=60 * 86400.0,
        description="how far back the first run looks for settlement periods whose "
        "account fees (subscription, storage) are booked",
    )
    account_fees_overlap: Duration = Field(
        default=3600.0,
        description="each run looks for settlement periods started this much before "
        "where the last one ended",
    )

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=self.every)


def build(context: FlowContext, settings: ChannelFeesFlow) -> ChannelFeesToErp:
    return ChannelFeesToErp(
        context.store,
        channels={name: context.connectors[name] for name in settings.channels},
        target=settings.target,
        erp=context.connectors[settings.target],
        party=settings.party,
        fees_account=settings.fees_account,
        per_run=settings.per_run,
        look_back=settings.look_back,
        refund_window=settings.refund_window,
        refund_overlap=settings.refund_overlap,
        account_fees_window=settings.account_fees_window,
        account_fees_overlap=settings.account_fees_overlap,
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=ChannelFeesFlow,
    roles=(Role("channels", (MARKETPLACE,), many=True), Role("target", (ERP,))),
    run={"run": True},
    build=build,
)
