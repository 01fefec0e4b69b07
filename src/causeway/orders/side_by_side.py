"""An order's lines and amounts as the channel and the ERP have them, side by side, with
what differs marked, for a person to read (the console's order page).

The channel's side is its canonical order (read from the stored event by the channel's
own mapping), or, for an order whose channel is the hub itself (a B2B portal checkout:
no channel copy exists), the lines the hub holds, with the untaxed unit prices the buyer
saw (`lines_side`): then only the untaxed amount is the channel's. The ERP's side is
either what the hub recorded when it placed the sale (the totals, and both breakdowns
when the amount check found them to differ: flows/orders_to_erp/amount_check.py) or the
sale as the ERP holds it now, read live (`ErpSaleReading.read_sales`), which alone has
the ERP's lines.

Goods lines are matched by SKU, quantities summed per SKU on each side: a quantity that
differs, or a SKU on one side only, is a mismatch. The ERP's service lines (shipping,
discounts, tips, which the connector adds from the order's other fields) are shown apart
and never marked. Amounts differ as amount_check says they do: beyond the tolerance, or
in another currency. An amount is compared only where both sides know it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol

from causeway.model import Order
from causeway.model.amounts import CENT, Amounts, amount_differences, order_amounts
from causeway.model.ports.erp import SaleRead

PARTS = ("untaxed", "tax", "total")
ErpSource = Literal["recorded", "live"]


@dataclass(frozen=True)
class LineRow:
    sku: str | None
    title: str
    channel_quantity: Decimal | None  # None: the channel has no line of this SKU
    channel_amount: Decimal | None  # after the line's discounts
    erp_quantity: Decimal | None  # None: the ERP has no line of it (or was not read)
    erp_amount: Decimal | None
    differs: bool
    service: bool = False  # an ERP line the connector adds (shipping, discount, tip)
    channel_unit_price: Decimal | None = None  # known for lines the hub holds (portal)


@dataclass(frozen=True)
class AmountRow:
    part: str  # untaxed, tax, total
    channel: Decimal | None
    erp: Decimal | None  # None: not known (the hub recorded only the total)
    differs: bool


@dataclass(frozen=True)
class SideBySide:
    currency: str | None
    erp_currency: str | None
    erp_source: ErpSource | None  # None: the ERP side is unknown (not placed, not read)
    lines: tuple[LineRow, ...]
    amounts: tuple[AmountRow, ...]
    channel_source: str | None = None  # where the channel's side comes from, when not a copy

    @property
    def mismatched(self) -> bool:
        return any(r.differs for r in self.lines) or any(r.differs for r in self.amounts)

    @property
    def unit_prices(self) -> bool:
        """The channel's unit prices are known (a column of their own on the page)."""
        return any(r.channel_unit_price is not None for r in self.lines)


Goods = dict[str, tuple[str, Decimal, Decimal]]  # key -> (title, quantity, net amount)


@dataclass(frozen=True)
class ChannelSide:
    """An order's lines and amounts as its channel has them; `known`: the amounts it
    states (a portal checkout states only the untaxed one)."""

    goods: Goods
    amounts: Amounts
    known: Collection[str] = PARTS
    unit_prices: Mapping[str, Decimal] = field(default_factory=dict)
    source: str | None = None


class PricedLine(Protocol):
    """A line the hub holds itself (engine/portal_checkouts.py CheckoutLine)."""

    @property
    def sku(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def unit_price(self) -> Decimal: ...


def order_side(order: Order) -> ChannelSide:
    return ChannelSide(_goods(order), order_amounts(order))


def lines_side(lines: Iterable[PricedLine], currency: str, source: str) -> ChannelSide:
    """Lines priced untaxed (a portal checkout's, as its buyer saw them) as a channel side."""
    goods: Goods = {}
    prices: dict[str, Decimal] = {}
    for line in lines:
        title, quantity, amount = goods.get(
            line.sku, (line.name or line.sku, Decimal(0), Decimal(0))
        )
        goods[line.sku] = (
            title,
            quantity + line.quantity,
            amount + line.quantity * line.unit_price,
        )
        prices.setdefault(line.sku, line.unit_price)
    untaxed = sum((amount for _, _, amount in goods.values()), Decimal(0))
    amounts = Amounts(untaxed=untaxed, tax=Decimal(0), total=untaxed, currency=currency)
    return ChannelSide(goods, amounts, ("untaxed",), prices, source)


def _side(channel: Order | ChannelSide | None) -> ChannelSide | None:
    return order_side(channel) if isinstance(channel, Order) else channel


def _goods(order: Order) -> Goods:
    """SKU (or the line's title when it has none) -> (title, quantity, net amount)."""
    found: Goods = {}
    for line in order.lines:
        key = line.sku or f"({line.title})"
        title, quantity, amount = found.get(key, (line.title, Decimal(0), Decimal(0)))
        found[key] = (title, quantity + line.quantity, amount + line.net)
    return found


def compare_live(
    order: Order | ChannelSide | None,
    sale: SaleRead | None,
    *,
    tolerance: Decimal = CENT,
) -> SideBySide:
    """The channel's order beside the ERP's sale as read now; either may be missing."""
    side = _side(order)
    channel = side.goods if side is not None else {}
    prices = side.unit_prices if side is not None else {}
    erp: dict[str, tuple[str, Decimal, Decimal]] = {}
    services: list[LineRow] = []
    for line in sale.lines if sale is not None else ():
        if line.service:
            services.append(
                LineRow(
                    line.sku, line.description, None, None, line.quantity, line.amount, False, True
                )
            )
            continue
        key = line.sku or f"({line.description})"
        title, quantity, amount = erp.get(key, (line.description, Decimal(0), Decimal(0)))
        erp[key] = (title, quantity + line.quantity, amount + line.amount)
    rows = []
    for key in [*channel, *(k for k in erp if k not in channel)]:
        ours, theirs = channel.get(key), erp.get(key)
        sku = None if key.startswith("(") else key
        differs = (
            side is not None
            and sale is not None
            and (ours is None or theirs is None or ours[1] != theirs[1])
        )
        rows.append(
            LineRow(
                sku=sku,
                title=(ours or theirs or (key, 0, 0))[0],
                channel_quantity=ours[1] if ours else None,
                channel_amount=ours[2] if ours else None,
                erp_quantity=theirs[1] if theirs else None,
                erp_amount=theirs[2] if theirs else None,
                differs=differs,
                channel_unit_price=prices.get(key),
            )
        )
    channel_amounts = side.amounts if side is not None else None
    erp_amounts = (
        Amounts(
            untaxed=sale.untaxed_amount,
            tax=sale.tax_amount,
            total=sale.total_amount,
            currency=sale.currency or (channel_amounts.currency if channel_amounts else ""),
        )
        if sale is not None
        else None
    )
    return SideBySide(
        currency=channel_amounts.currency if channel_amounts else None,
        erp_currency=erp_amounts.currency if erp_amounts else None,
        erp_source="live" if sale is not None else None,
        lines=(*rows, *services),
        amounts=_amount_rows(channel_amounts, erp_amounts, tolerance, channel_known=_known(side)),
        channel_source=side.source if side is not None else None,
    )


def _known(side: ChannelSide | None) -> Collection[str]:
    return side.known if side is not None else PARTS


def compare_recorded(
    order: Order | ChannelSide | None, summary: dict[str, Any], mismatch: dict[str, Any] | None
) -> SideBySide:
    """The channel's order beside what the hub recorded of the ERP's sale: both
    breakdowns when the amount check found a difference (its detail), else the sale's
    total from the order's summary. The ERP's lines are only known live."""
    side = _side(order)
    channel = side.amounts if side is not None else None
    if channel is None and mismatch is not None:
        channel = Amounts.model_validate(mismatch["channel"])
    erp: Amounts | None = None
    known: Collection[str] = PARTS
    if mismatch is not None:
        erp = Amounts.model_validate(mismatch["erp"])
        tolerance = Decimal(str(mismatch.get("tolerance") or CENT))
    elif summary.get("erp_total") is not None:
        total = Decimal(str(summary["erp_total"]))
        currency = str(summary.get("currency") or (channel.currency if channel else ""))
        erp = Amounts(untaxed=total, tax=Decimal(0), total=total, currency=currency)
        known, tolerance = ("total",), CENT
    else:
        tolerance = CENT
    prices = side.unit_prices if side is not None else {}
    lines = tuple(
        LineRow(
            key if not key.startswith("(") else None,
            title,
            quantity,
            amount,
            None,
            None,
            False,
            channel_unit_price=prices.get(key),
        )
        for key, (title, quantity, amount) in (side.goods if side else {}).items()
    )
    return SideBySide(
        currency=channel.currency if channel else None,
        erp_currency=erp.currency if erp else None,
        erp_source="recorded" if erp is not None else None,
        lines=lines,
        amounts=_amount_rows(channel, erp, tolerance, known, channel_known=_known(side)),
        channel_source=side.source if side is not None else None,
    )


def _amount_rows(
    channel: Amounts | None,
    erp: Amounts | None,
    tolerance: Decimal,
    known: Collection[str] = PARTS,
    *,
    channel_known: Collection[str] = PARTS,
) -> tuple[AmountRow, ...]:
    """`known`: the ERP's parts the hub knows; `channel_known`: the channel's. A part is
    compared only when both sides know it."""
    differences = amount_differences(channel, erp, tolerance) if channel is not None and erp else {}
    currency = "currency" in differences
    return tuple(
        AmountRow(
            part,
            getattr(channel, part) if channel and part in channel_known else None,
            getattr(erp, part) if erp is not None and part in known else None,
            differs=(currency or part in differences) and part in known and part in channel_known,
        )
        for part in PARTS
    )
