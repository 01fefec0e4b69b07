"""The amount check: a placed ERP sale must say what the channel charged the customer.

After orders-to-erp places an order, the sale's untaxed, tax and total amounts are
compared with the channel order's (model/amounts.py). A difference beyond
`amount_tolerance` (in the order's currency) never passes silently, whatever its cause
(the ERP taxes differently, a discount the mapping does not carry, a bad payload):

- `on_amount_mismatch: warn` (the default): the sale is confirmed as usual and the order
  carries an `amount_mismatch` finding in its timeline, with both breakdowns. That is the
  order's status, and an alert, until a person accepts it (`accept_amounts`).
- `on_amount_mismatch: park`: the ERP connector compares the quotation before confirming
  it (`AmountCheck.hold`): a mismatching sale stays a quotation and the job is parked with
  the reason. A sale a person then confirms in the ERP anyway is their decision: it is
  recorded with the finding already accepted.

quotes-to-erp is not checked: a won deal's amounts are the hub's own sum of the deal's
line items, not a payment a customer made, and the ERP sale is the first document the
customer sees.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal, Protocol

from sqlalchemy import Connection

from causeway.engine import links, timeline
from causeway.engine.store import Store, now
from causeway.errors import CausewayError
from causeway.model import Order
from causeway.model.amounts import CENT, Amounts, amount_differences, order_amounts
from causeway.model.consistency import inconsistencies

log = logging.getLogger("causeway.flows.orders_to_erp.amount_check")

OnMismatch = Literal["warn", "park"]
WARN: OnMismatch = "warn"
PARK: OnMismatch = "park"
MISMATCH, ACCEPTED = timeline.AMOUNT_MISMATCH, timeline.AMOUNTS_ACCEPTED
PARTS = ("untaxed", "tax", "total")
MAX_NOTE = 1000


class SaleAmounts(Protocol):
    """What the check reads of an ERP sale (the Tryton connector's PlacedSale)."""

    @property
    def untaxed_amount(self) -> Decimal: ...
    @property
    def tax_amount(self) -> Decimal: ...
    @property
    def total_amount(self) -> Decimal: ...


def sale_amounts(sale: SaleAmounts, currency: str) -> Amounts:
    """The ERP sale's breakdown. The connector creates every sale in its order's currency
    (and refuses an order whose currency the ERP lacks), so that is the sale's currency."""
    return Amounts(
        untaxed=sale.untaxed_amount,
        tax=sale.tax_amount,
        total=sale.total_amount,
        currency=currency,
    )


def _signed(value: Decimal) -> str:
    return f"+{value}" if value > 0 else str(value)


@dataclass(frozen=True)
class Mismatch:
    """The two breakdowns of one order and the parts that differ beyond the tolerance."""

    channel: Amounts
    erp: Amounts
    differences: dict[str, Decimal]  # part -> ERP minus channel (model/amounts.py)
    tolerance: Decimal
    # Why the channel's order does not add up by its own figures (model/consistency.py):
    # then no sale can match it, and the store's data, not the ERP, is where to look.
    order_problems: tuple[str, ...] = ()

    def describe(self, order: str, source: str, target: str) -> str:
        """One sentence an operator reads: both breakdowns and what differs."""
        if "currency" in self.differences:
            differs = f"the sale is in {self.erp.currency}, the order in {self.channel.currency}"
        else:
            differs = ", ".join(
                f"{part} {_signed(self.differences[part])}"
                for part in PARTS
                if part in self.differences
            )
            differs += f"; tolerance {self.tolerance} {self.channel.currency}"
        text = (
            f"the amounts of order {order} differ between {source} and {target}: "
            f"{source} charged {self.channel.describe()}, the {target} sale says "
            f"{self.erp.describe()} ({differs})"
        )
        if self.order_problems:
            text += f"; the {source} order itself does not add up: " + "; ".join(
                self.order_problems
            )
        return text

    def detail(
        self, *, order: str, source: str, target: str, erp_number: str | None
    ) -> dict[str, Any]:
        """What the timeline keeps of it (JSON: amounts as strings, exact)."""
        return {
            "order": order,
            "source": source,
            "target": target,
            "erp_number": erp_number,
            "channel": self.channel.model_dump(mode="json"),
            "erp": self.erp.model_dump(mode="json"),
            "differences": {part: str(value) for part, value in self.differences.items()},
            "tolerance": str(self.tolerance),
            "order_problems": list(self.order_problems),
            "reason": self.describe(order, source, target),
        }


@dataclass(frozen=True)
class AmountCheck:
    """causeway.yaml's `amount_tolerance` and `on_amount_mismatch` for one flow."""

    tolerance: Decimal = CENT
    on_mismatch: OnMismatch = WARN

    def __post_init__(self) -> None:
        if self.tolerance < 0:
            raise ValueError(f"amount tolerance {self.tolerance} is negative")

    @property
    def parks(self) -> bool:
        return self.on_mismatch == PARK

    def compare(self, channel: Amounts, erp: Amounts) -> Mismatch | None:
        """None when every part agrees within the tolerance (a difference of exactly the
        tolerance agrees); a currency difference never does."""
        differences = amount_differences(channel, erp, self.tolerance)
        return Mismatch(channel, erp, differences, self.tolerance) if differences else None

    def of_sale(self, order: Order, sale: SaleAmounts) -> Mismatch | None:
        mismatch = self.compare(order_amounts(order), sale_amounts(sale, order.currency))
        if mismatch is None:
            return None
        return replace(mismatch, order_problems=tuple(inconsistencies(order)))

    def hold(self, source: str, target: str) -> HoldQuotation:
        """The question the ERP connector asks of each quotation before confirming it."""
        return HoldQuotation(self, source, target)


@dataclass(frozen=True)
class HoldQuotation:
    """Called by the ERP connector with an order and its quotation: the reason not to
    confirm it (both breakdowns), or None to confirm it."""

    check: AmountCheck
    source: str
    target: str

    def __call__(self, order: Order, sale: SaleAmounts) -> str | None:
        mismatch = self.check.of_sale(order, sale)
        return mismatch.describe(order.number, self.source, self.target) if mismatch else None


def record_mismatch(
    conn: Connection,
    hub_id: str,
    mismatch: Mismatch,
    *,
    order: str,
    source: str,
    target: str,
    erp_number: str | None,
    accepted: str | None = None,
) -> None:
    """Put the finding in the order's timeline, in the caller's transaction (the one that
    records the sale); `accepted` answers it at once with that note."""
    detail = mismatch.detail(order=order, source=source, target=target, erp_number=erp_number)
    timeline.record(conn, hub_id, MISMATCH, detail=detail)
    if accepted is None:
        log.warning("%s; see causeway status", detail["reason"])
    else:
        timeline.record(conn, hub_id, ACCEPTED, detail={"note": accepted, "by": "causeway"})


# -- a person accepts a mismatch --------------------------------------------------------


class NotAccepted(CausewayError):
    """The order has no mismatch to accept, or the request is wrong; the message says which."""


@dataclass(frozen=True)
class Acceptance:
    hub_id: str
    order: str
    reason: str  # the mismatch as it was found
    at: float
    note: str
    by: str | None
    already: bool  # accepted before this call: nothing was written


def accept_amounts(
    store: Store, system: str, external_id: str, note: str, *, by: str | None = None
) -> Acceptance:
    """Accept the amount mismatch of order `external_id` from `system`: the ERP sale
    stands as it is. Recorded once, with when, the note and who, in the order's timeline;
    accepting again changes nothing and says when it was."""
    note = " ".join(note.split())
    if not note:
        raise NotAccepted("give a note saying why the amounts are accepted (--note TEXT)")
    if len(note) > MAX_NOTE:
        raise NotAccepted(f"the note is {len(note)} characters; keep it under {MAX_NOTE}")
    with store.transaction() as conn:
        link = links.find(conn, system, "order", external_id)
        if link is None:
            raise NotAccepted(
                f"the hub has no order {external_id} from {system!r} in the ERP "
                f"(give the order's id as in GET /api/orders/{system}/<id>)"
            )
        entries = {m.milestone: m for m in timeline.read(conn, link.hub_id)}
        found = entries.get(MISMATCH)
        if found is None:
            raise NotAccepted(
                f"order {external_id} from {system!r} has no amount mismatch: nothing to accept"
            )
        order = str(found.detail.get("order") or external_id)
        reason = str(found.detail.get("reason") or "")
        earlier = entries.get(ACCEPTED)
        if earlier is not None:
            return Acceptance(
                link.hub_id,
                order,
                reason,
                earlier.at,
                str(earlier.detail.get("note") or ""),
                earlier.detail.get("by"),
                already=True,
            )
        stamp = now()
        timeline.record(conn, link.hub_id, ACCEPTED, at=stamp, detail={"note": note, "by": by})
    log.info("amount mismatch of order %s from %s accepted: %s", order, system, note)
    return Acceptance(link.hub_id, order, reason, stamp, note, by, already=False)


def open_mismatches(store: Store) -> list[timeline.OpenFindings]:
    """Per source system, the orders whose mismatch nobody has accepted yet."""
    with store.read() as conn:
        return timeline.open_findings(conn, MISMATCH)
