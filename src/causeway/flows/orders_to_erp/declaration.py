"""orders-to-erp, declared: its settings, the store (or drop folder) it takes orders from
and the ERP it places them in, the order webhooks that start it, and its reconciling poll."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from causeway.config.base import Duration
from causeway.config.flows import Flows, FlowSettings
from causeway.config.systems import DROP_FOLDER, ERP, MARKETPLACE, STORE, FilesSystem
from causeway.engine.schedule import REALTIME, Schedule
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, RunPayload, Starts
from causeway.flows.orders_to_erp import (
    NAME,
    POLL_TOPIC,
    STARTED_BY,
    AmountCheck,
    OrdersFromChannels,
    OrdersToErp,
    order_job,
)
from causeway.flows.orders_to_erp.channel_fulfilled import fulfilled_terms
from causeway.model.sale_terms import SaleTerms
from causeway.model.tax_map import TaxMap
from causeway.model.topics import ORDER_CHANGE
from causeway.notifications.order_mail import OrderMail

NEW_FORM = """use the list of channels, for example:
  orders-to-erp:
    target: erp
    channels:
      - {system: shop_eu, reference_prefix: EU-, price_list: EUR Retail}
      - {system: shop_us, reference_prefix: US-, tax_map: {...}}"""


def _same(name: str, other: str) -> bool:
    """Two names of one ERP record, as the ERP compares them (case and spaces aside)."""
    return " ".join(name.split()).casefold() == " ".join(other.split()).casefold()


def _parsed_tax_map(value: dict[str, str]) -> dict[str, str]:
    TaxMap.parse(value)  # the ValueError names the entry and the fix
    return value


class OrderChannel(BaseModel):
    """One store orders-to-erp takes orders from, and how its sales are made in the ERP."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    system: str = Field(description="the store system the orders come from")
    reference_prefix: str | None = Field(
        default=None, description="prefix of sale.reference; default: '<system>-'"
    )
    tax_map: dict[str, str] = Field(
        default_factory=dict,
        description="the store's tax ('title', 'title @ 6%' or '@ 6%') -> the ERP tax's name; "
        "taxes not in it are matched by rate",
    )
    price_list: str | None = None
    warehouse: str | None = None
    payment_term: str | None = None
    customer_group: str | None = None
    channel_fulfilled_warehouse: str | None = Field(
        default=None,
        description="the ERP warehouse (code or name) that orders the channel fulfils from its "
        "own warehouse (Amazon FBA) ship from, e.g. 'Amazon FBA': their sales are placed as "
        "shipped from it; unset, such orders are parked",
    )

    _tax_map_parses = field_validator("tax_map")(_parsed_tax_map)

    @field_validator("channel_fulfilled_warehouse")
    @classmethod
    def _a_warehouse_of_its_own(cls, value: str | None, info: ValidationInfo) -> str | None:
        own = info.data.get("warehouse")
        if value is not None and own is not None and _same(value, own):
            raise ValueError(
                f"{value!r} is also the channel's warehouse: orders the channel fulfils itself "
                f"would take the merchant's stock; name the ERP warehouse that stands for the "
                f"channel's (e.g. 'Amazon FBA')"
            )
        return value

    @property
    def prefix(self) -> str:
        return self.reference_prefix if self.reference_prefix is not None else f"{self.system}-"

    def taxes(self) -> TaxMap:
        return TaxMap.parse(self.tax_map)

    def terms(self) -> SaleTerms:
        """This channel's price list, warehouse, payment term and customer group."""
        return SaleTerms(
            price_list=self.price_list,
            warehouse=self.warehouse,
            payment_term=self.payment_term,
            customer_group=self.customer_group,
        )

    def fulfilled_terms(self) -> SaleTerms | None:
        """The terms of orders the channel fulfils itself (None: not configured)."""
        return fulfilled_terms(self.terms(), self.channel_fulfilled_warehouse)


class OrdersToErpFlow(FlowSettings):
    # The single-store form (source, with reference_prefix and tax_map at the top) is one
    # channel; configs written before channel lists keep working unchanged.
    source: str | None = Field(
        default=None, description="the one store the orders come from (or use channels)"
    )
    channels: list[OrderChannel] = Field(
        default_factory=list, description="the stores the orders come from, each with its terms"
    )
    target: str = Field(description="the ERP system the sales go to")
    reconcile_every: Duration = 300.0
    reconcile_overlap: Duration = 600.0
    batch_size: int = Field(default=25, ge=1, le=200)
    reference_prefix: str | None = Field(
        default=None, description="prefix of sale.reference; default: '<source>-'"
    )
    amount_tolerance: Decimal = Field(
        default=Decimal("0.01"),
        ge=0,
        description="how far the ERP sale's untaxed, tax or total amount may be from the "
        "order's, in the order's currency, before the order is an amount mismatch",
    )
    on_amount_mismatch: Literal["warn", "park"] = Field(
        default="warn",
        description="warn: confirm the sale and flag the order (an alert until accepted); "
        "park: leave the sale a quotation and park the order's job",
    )
    tax_map: dict[str, str] = Field(
        default_factory=dict,
        description="the store's tax ('title', 'title @ 6%' or '@ 6%') -> the ERP tax's name; "
        "taxes not in it are matched by rate",
    )

    _tax_map_parses = field_validator("tax_map")(_parsed_tax_map)

    @model_validator(mode="after")
    def _one_list_of_channels(self) -> OrdersToErpFlow:
        if self.source is not None and self.channels:
            raise ValueError(f"give either source or channels, not both; {NEW_FORM}")
        if self.source is None and not self.channels:
            raise ValueError(f"name the stores the orders come from; {NEW_FORM}")
        if self.channels and (self.reference_prefix is not None or self.tax_map):
            raise ValueError(
                "reference_prefix and tax_map belong to each channel when channels are given"
            )
        if self.source is not None:
            self.channels = [
                OrderChannel(
                    system=self.source, reference_prefix=self.reference_prefix, tax_map=self.tax_map
                )
            ]
        systems = [channel.system for channel in self.channels]
        if len(set(systems)) != len(systems):
            raise ValueError(f"a store is listed twice in channels: {systems}")
        by_prefix: dict[str, str] = {}
        for channel in self.channels:
            if (other := by_prefix.setdefault(channel.prefix, channel.system)) != channel.system:
                raise ValueError(
                    f"channels {other!r} and {channel.system!r} share the reference prefix "
                    f"{channel.prefix!r}: their sales would collide in the ERP; give each its own"
                )
        return self

    @property
    def sources(self) -> list[str]:
        """The stores orders come from, in the order they are listed."""
        return [channel.system for channel in self.channels]

    def channel(self, system: str) -> OrderChannel | None:
        return next((c for c in self.channels if c.system == system), None)

    def default_schedule(self) -> Schedule:
        # Real time, with the reconciling poll behind the webhooks.
        return Schedule(REALTIME, every_seconds=self.reconcile_every)


def reference_prefix(flows: Flows, store: str) -> str | None:
    """The prefix of sale.reference orders-to-erp gives `store`'s orders (as configured,
    even while the flow is turned off); None when it takes no orders from `store`."""
    orders = flows.settings(NAME)
    channel = orders.channel(store) if isinstance(orders, OrdersToErpFlow) else None
    return channel.prefix if channel is not None else None


def channel_terms(flows: Flows, erp: str) -> dict[str, SaleTerms]:
    """channel -> the terms orders-to-erp places its sales on in `erp` (for `causeway check`)."""
    orders = flows.settings(NAME)
    if not isinstance(orders, OrdersToErpFlow) or orders.target != erp:
        return {}
    return {channel.system: channel.terms() for channel in orders.channels}


def channel_fulfilled_terms(flows: Flows, erp: str) -> dict[str, SaleTerms]:
    """ "<channel> (fulfilled by the channel)" -> the terms orders-to-erp places the orders a
    channel fulfils itself on in `erp` (Amazon FBA), for `causeway check`; kept apart from
    channel_terms, whose warehouse is the one the channel's own sales ship from."""
    orders = flows.settings(NAME)
    if not isinstance(orders, OrdersToErpFlow) or orders.target != erp:
        return {}
    return {
        f"{channel.system} (fulfilled by the channel)": terms
        for channel in orders.channels
        if (terms := channel.fulfilled_terms()) is not None
    }


def build(context: FlowContext, settings: OrdersToErpFlow) -> OrdersFromChannels:
    mail = OrderMail.from_config(context.config)

    def one(channel: OrderChannel) -> OrdersToErp:
        return OrdersToErp(
            context.store,
            context.inbox,
            source=channel.system,
            source_connector=context.connectors[channel.system],
            target=settings.target,
            target_connector=context.connectors[settings.target],
            batch_size=settings.batch_size,
            reference_prefix=channel.prefix,
            reconcile_overlap=timedelta(seconds=settings.reconcile_overlap),
            amount_check=AmountCheck(settings.amount_tolerance, settings.on_amount_mismatch),
            tax_map=channel.taxes(),
            terms=channel.terms(),
            mail=mail,
            fulfilled_terms=channel.fulfilled_terms(),
        )

    polled = [c.system for c in settings.channels if not _drop_folder(context, c.system)]
    return OrdersFromChannels(
        {channel.system: one(channel) for channel in settings.channels}, polled=polled
    )


def _drop_folder(context: FlowContext, system: str) -> bool:
    return isinstance(context.system(system), FilesSystem)


def reconcile(context: FlowContext, settings: OrdersToErpFlow) -> RunPayload:
    # A run is the reconciling poll; a drop folder has nothing to poll (files-exchange
    # reads every file), so when every channel is one, runs only release held orders.
    if all(_drop_folder(context, system) for system in settings.sources):
        return None
    return {"poll": True}


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=OrdersToErpFlow,
    # A drop folder of CSV orders is a store too, the simplest one; a marketplace
    # (Amazon) is one whose unpaid orders wait (awaiting_payment) before they are placed.
    roles=(
        Role("channels", (STORE, MARKETPLACE, DROP_FOLDER), many=True, item="system"),
        Role("target", (ERP,)),
    ),
    starts=Starts(
        role="channels",
        topics=STARTED_BY,
        job=lambda record, inbox_id: order_job(record.source, record, inbox_id),
        # Both written by the hub itself, never subscribed to as webhooks: the poll's
        # orders, and the ORDER_CHANGE notifications its queue reader stores.
        polled=(POLL_TOPIC, ORDER_CHANGE),
    ),
    run=reconcile,
    build=build,
)
