"""files-exchange, declared: a drop folder's CSV orders come in (as orders-to-erp's) and
the ERP's sellable stock goes out to it, on a schedule."""

from __future__ import annotations

from pydantic import Field

from causeway.config.flows import FlowSettings
from causeway.config.systems import DROP_FOLDER, ERP
from causeway.engine.schedule import INTERVAL, Schedule
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role
from causeway.flows.files_exchange import NAME, FilesExchange


class FilesExchangeFlow(FlowSettings):
    source: str = Field(description="the files system whose in/ and out/ folders are exchanged")
    target: str = Field(description="the ERP system whose stock goes to out/stock.csv")
    safety_stock: int = Field(
        default=0, ge=0, description="units held back from every SKU in stock.csv"
    )

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=300.0)


def build(context: FlowContext, settings: FilesExchangeFlow) -> FilesExchange:
    return FilesExchange(
        context.store,
        context.inbox,
        source=settings.source,
        files=context.connectors[settings.source],
        erp=context.connectors[settings.target],
        safety_stock=settings.safety_stock,
        held=context.held_quantities,
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=FilesExchangeFlow,
    roles=(Role("source", (DROP_FOLDER,)), Role("target", (ERP,))),
    build=build,
)
