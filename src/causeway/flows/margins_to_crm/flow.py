"""margins-to-crm: what each order really earned, from the ERP to the CRM.

A scheduled run reads every sale the hub placed in the ERP (store orders from
orders-to-erp, won deals from quotes-to-erp) with its untaxed amount and the cost
of its goods (the ERP connector has the rule: for Tryton, connectors/tryton/margins.py),
then writes:

- on each deal quotes-to-erp placed: causeway_margin, that sale's margin;
- on each customer's contact, found or created by email (batch upsert):
  causeway_margin, summed over the customer's sales that are not cancelled. (Order
  count and lifetime value are customers-to-crm's, from the golden customer record.)

Only what changed is written: a link (erp, "margin", sale id) keeps a fingerprint of
the figures last written for the sale. A crash after the CRM write and before the
fingerprint write rewrites the same values on the next run, which changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from causeway.engine import links
from causeway.engine.store import Store
from causeway.errors import PermanentError
from causeway.flows.base import FlowBase
from causeway.model.ports.crm import CONTACT_FIELDS, DEAL_FIELDS, CrmContacts, CrmDeals
from causeway.model.ports.erp import ErpSaleFigures, SaleFigures

log = logging.getLogger("causeway.flows.margins_to_crm")

NAME = "margins-to-crm"
SALE = "sale"
DEAL = "deal"
MARGIN = "margin"  # link type holding the fingerprint of a sale's figures last written
CENT = Decimal("0.01")


class CrmWrites(CrmContacts, CrmDeals, Protocol):
    """The flow writes figures on deals (update_deal) and contacts (upsert_contacts)."""


@dataclass(frozen=True)
class CustomerTotals:
    email: str
    margin: Decimal
    lifetime_value: Decimal
    order_count: int

    def properties(self) -> dict[str, str | None]:
        return {
            "email": self.email,
            "causeway_margin": money(self.margin),
        }


def money(value: Decimal) -> str:
    """Amounts go to the CRM rounded half-up to cents, as the ERP rounds its amounts."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def counts(sale: SaleFigures) -> bool:
    return sale.state != "cancelled"


def sale_margin(sale: SaleFigures) -> Decimal:
    """A sale's margin: untaxed amount minus cost of goods; nothing once cancelled."""
    return sale.margin if counts(sale) else Decimal(0)


def fingerprint(sale: SaleFigures) -> str:
    return "|".join(
        (money(sale.untaxed_amount), money(sale.cost), sale.email or "", str(counts(sale)))
    )


def customer_totals(sales: Iterable[SaleFigures]) -> dict[str, CustomerTotals]:
    """Per customer email: margin, lifetime value and order count of their live sales."""
    grouped: dict[str, list[SaleFigures]] = {}
    for sale in sales:
        if sale.email:
            grouped.setdefault(sale.email, []).append(sale)
    totals = {}
    for email, theirs in grouped.items():
        live = [s for s in theirs if counts(s)]
        totals[email] = CustomerTotals(
            email=email,
            margin=sum((s.margin for s in live), Decimal(0)),
            lifetime_value=sum((s.untaxed_amount for s in live), Decimal(0)),
            order_count=len(live),
        )
    return totals


class MarginsToCrm(FlowBase[None]):
    name = NAME
    batch_size = 1
    # A run reads every sale and writes what changed: two at once would write twice.
    exclusive = True
    runs_only = True

    def __init__(
        self, store: Store, *, source: str, erp: ErpSaleFigures, target: str, crm: CrmWrites
    ):
        self.store = store
        self.source = source
        self.erp = erp
        self.target = target
        self.crm = crm
        self._properties_ready = False

    def on_run(self, payload: Mapping[str, Any]) -> None:
        self.run()

    def run(self) -> int:
        """Write the changed margins; returns how many sales were written."""
        with self.store.read() as conn:
            sales = links.all_of_type(conn, self.source, SALE)
            written = links.all_of_type(conn, self.source, MARGIN)
            deals = {
                link.hub_id: d for d, link in links.all_of_type(conn, self.target, DEAL).items()
            }
        figures = self.erp.sale_figures([int(s) for s in sales])
        changed = [
            f
            for f in figures.values()
            if (link := written.get(str(f.sale_id))) is None or link.fingerprint != fingerprint(f)
        ]
        if not changed:
            return 0
        self._ready()
        failed: dict[int, str] = {}
        for sale in changed:
            deal_id = deals.get(sales[str(sale.sale_id)].hub_id)
            if deal_id is None:
                continue
            try:
                self.crm.update_deal(deal_id, {"causeway_margin": money(sale_margin(sale))})
            except PermanentError as exc:  # a deleted deal must not stop the others
                failed[sale.sale_id] = str(exc)
        failed |= self._write_customers(changed, figures.values())
        with self.store.transaction() as conn:
            for sale in changed:
                if sale.sale_id in failed:
                    continue
                links.save(
                    conn,
                    hub_id=sales[str(sale.sale_id)].hub_id,
                    system=self.source,
                    entity_type=MARGIN,
                    external_id=str(sale.sale_id),
                    fingerprint=fingerprint(sale),
                )
        if failed:
            raise PermanentError("; ".join(sorted(set(failed.values()))))
        return len(changed)

    def _write_customers(
        self, changed: list[SaleFigures], every: Iterable[SaleFigures]
    ) -> dict[int, str]:
        """Upsert the contacts of customers with a changed sale; sale id -> problem."""
        emails = {s.email for s in changed if s.email}
        if not emails:
            return {}
        totals = customer_totals(s for s in every if s.email in emails)
        result = self.crm.upsert_contacts([t.properties() for t in totals.values()])
        refused: dict[str, str] = {}
        for error in result.errors:
            ids = error.context.get("ids") or []
            for email in ids:
                refused[str(email).lower()] = f"contact {email}: {error.message}"
        return {s.sale_id: refused[s.email] for s in changed if s.email in refused}

    def _ready(self) -> None:
        if not self._properties_ready:
            self.crm.ensure_fields("contacts", CONTACT_FIELDS)
            self.crm.ensure_fields("deals", DEAL_FIELDS)
            self._properties_ready = True
