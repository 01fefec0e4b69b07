"""Sales placed in Tryton from channel orders, each at most once per reference.

Exactly-once: ``sale.reference`` holds the hub's reference of the channel order and is
searched before anything is created. A crash between create and confirm leaves a draft
(or quotation) that the next attempt finishes instead of duplicating. Tryton runs a
confirmed sale's `process` (shipment, invoice, stock reserved) just after the confirm
commits; a stop in between leaves it `confirmed`, and the next attempt processes it.

Held quotations: place() can be given a `hold` question, asked of each quotation
before it is confirmed (a quotation's amounts are final); a quotation it has a reason
against stays a quotation, and its order gets a PermanentError with the reason and what
a person can do. The next attempt finds the quotation by its reference and asks again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from causeway.connectors.tryton.customers import CustomerResolver, ResolvedParty
from causeway.connectors.tryton.mapping import (
    SALE_FIELDS,
    PlacedSale,
    Services,
    TrytonProduct,
    TrytonTax,
    check_order,
    placed_sale,
    product_skus,
    sale_lines,
    sale_values,
    unknown_skus,
)
from causeway.connectors.tryton.masterdata import MasterData
from causeway.connectors.tryton.rounding import TaxRounding
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.connectors.tryton.terms import SaleTermsResolver, TrytonTerms
from causeway.errors import (
    AmountMismatchError,
    CausewayError,
    PermanentError,
    RetryableError,
    UnknownSkuError,
)
from causeway.model import Order
from causeway.model.sale_terms import SaleTerms
from causeway.model.tax_map import TaxMap

Result = PlacedSale | CausewayError
# An order and its quotation -> the reason not to confirm it, or None to confirm it.
Hold = Callable[[Order, PlacedSale], str | None]


class Sales:
    """Find, read and place the sales of channel orders, by the hub's reference."""

    def __init__(
        self,
        rpc: TrytonRPC,
        master: MasterData,
        customers: CustomerResolver,
        *,
        system: str,
        shipping_sku: str,
        discount_sku: str,
        gift_card_sku: str,
        tip_sku: str,
    ) -> None:
        self.rpc = rpc
        self.master = master
        self.customers = customers
        self.system = system
        self.shipping_sku = shipping_sku
        self.discount_sku = discount_sku
        self.gift_card_sku = gift_card_sku
        self.tip_sku = tip_sku
        self.terms = SaleTermsResolver(rpc, master, system=system)

    def place(
        self,
        orders: Sequence[tuple[str, Order]],
        *,
        hold: Hold | None = None,
        tax_map: TaxMap | None = None,
        terms: SaleTerms | None = None,
    ) -> dict[str, Result]:
        """Create, quote and confirm a sale per order, at most once per reference.

        With `hold`, each quotation is confirmed only if `hold` gives no reason against
        it (see this module's docstring); a sale found already confirmed is not asked about.
        `tax_map` (the flow's, per store) names the Tryton tax of a store tax; taxes it
        does not name are found by rate (connectors/tryton/taxes.py). `terms` are the
        channel's (all orders of a call come from one channel): price list, warehouse,
        payment term and customer group of the sales it creates (terms.py); a sale found
        already created keeps the terms it has.

        Never raises a CausewayError: each reference's slot holds its PlacedSale or its
        error (an unreachable ERP puts the same RetryableError in every slot). One bad
        order does not fail the others: a batch call refused by Tryton is redone one
        order at a time. A batch call that failed *transiently* is not redone (it may
        still commit server-side); the next attempt finds what landed by reference.
        """
        pending: dict[str, Order] = {}
        for reference, order in orders:
            pending.setdefault(reference, order)
        results: dict[str, Result] = {}
        try:
            existing = self._sales_by_reference(list(pending))
        except CausewayError as exc:
            return {reference: exc for reference in pending}
        to_quote: dict[str, int] = {}
        to_confirm: dict[str, int] = {}
        to_process: dict[str, int] = {}
        for reference in pending:
            record = existing.get(reference)
            if record is None:
                continue
            if record["state"] == "draft":
                to_quote[reference] = record["id"]
            elif record["state"] == "quotation":
                to_confirm[reference] = record["id"]
            elif record["state"] == "confirmed":
                # Confirmed, but Tryton stopped before its process step ran: no
                # shipment, no invoice, no stock taken; nothing would ever make them.
                to_process[reference] = record["id"]
            else:
                results[reference] = placed_sale(record, created=False)
        new = {ref: order for ref, order in pending.items() if ref not in existing}
        created: dict[str, int] = {}
        if new:
            values = self._sale_values(new, results, tax_map, terms)
            created = self._run_each("create", values, results)
            to_quote.update(created)
        to_confirm.update(self._run_each("quote", to_quote, results))
        if hold is not None:
            self._hold_quotations(to_confirm, pending, hold, results)
        confirmed = self._run_each("confirm", to_confirm, results)
        confirmed.update(self._run_each("process", to_process, results))
        if confirmed:
            try:
                records = self.rpc.search_read(
                    "sale.sale", [("id", "in", list(confirmed.values()))], SALE_FIELDS
                )
            except CausewayError as exc:
                results.update({ref: exc for ref in confirmed})
            else:
                for record in records:
                    ref = record["reference"]
                    results[ref] = placed_sale(record, created=ref in created)
        return {reference: results[reference] for reference in pending}

    def _hold_quotations(
        self,
        quotations: dict[str, int],
        orders: Mapping[str, Order],
        hold: Hold,
        results: dict[str, Result],
    ) -> None:
        """Take out of `quotations` (reference -> sale id, about to be confirmed) those
        `hold` has a reason against; their orders get the reason as a PermanentError."""
        if not quotations:
            return
        try:
            records = self.rpc.read("sale.sale", list(quotations.values()), SALE_FIELDS)
        except CausewayError as exc:
            # Nothing unchecked is confirmed; the next attempt finds the quotations.
            results.update({ref: exc for ref in quotations})
            quotations.clear()
            return
        for record in records:
            reference = str(record["reference"])
            reason = hold(orders[reference], placed_sale(record, created=False))
            if reason is None:
                continue
            del quotations[reference]
            number = record.get("number") or f"id {record['id']}"
            results[reference] = AmountMismatchError(
                f"{reason}. Sale {number} was left a quotation in {self.system}: correct it "
                f"there and confirm it (the hub then takes it as it is), or fix the cause (the "
                f"mapping, the ERP's taxes or products) and delete the quotation in Tryton "
                f"(Draft, then Delete); then run `causeway replay`"
            )

    def find(self, references: Sequence[str]) -> dict[str, PlacedSale]:
        """The sales Tryton holds for these references (any state), in one call."""
        found = self._sales_by_reference(list(references))
        return {ref: placed_sale(rec, created=False) for ref, rec in found.items()}

    def _sales_by_reference(self, references: list[str]) -> dict[str, dict[str, Any]]:
        if not references:
            return {}
        records = self.rpc.search_read(
            "sale.sale",
            [("reference", "in", references)],
            SALE_FIELDS,
            order=[("id", "ASC")],
            context=self._all_records_context(),
        )
        found: dict[str, dict[str, Any]] = {}
        for record in records:
            current = found.get(record["reference"])
            # Should two sales share a reference, prefer one that is not cancelled.
            if current is None or (
                current["state"] == "cancelled" and record["state"] != "cancelled"
            ):
                found[record["reference"]] = record
        return found

    def _all_records_context(self) -> dict[str, Any]:
        return {**self.rpc.context, "active_test": False}

    def _sale_values(
        self,
        new: dict[str, Order],
        results: dict[str, Result],
        tax_map: TaxMap | None,
        terms: SaleTerms | None = None,
    ) -> dict[str, dict[str, Any]]:
        """Sale create values per reference; orders that cannot be mapped get their error."""
        ok: dict[str, Order] = {}
        for reference, order in new.items():
            try:
                check_order(order)
                ok[reference] = order
            except PermanentError as exc:
                results[reference] = exc
        if not ok:
            return {}
        try:
            products = self.master.products(
                {sku for o in ok.values() for sku in product_skus(o)} | set(self.service_skus())
            )
            taxes = self.master.taxes()
            rounding = self.master.tax_rounding()
            currencies = self.master.currencies({o.currency for o in ok.values()})
            channel = self.terms.resolve(terms)
        except CausewayError as exc:
            results.update({ref: exc for ref in ok})
            return {}
        lines: dict[str, list[dict[str, Any]]] = {}
        refreshed = False
        for reference, order in ok.items():
            missing = unknown_skus(order, products)
            if missing:
                results[reference] = UnknownSkuError(missing, self.system)
                continue
            if order.currency not in currencies:
                results[reference] = PermanentError(
                    f"currency {order.currency} of order {order.number} does not exist in "
                    f"{self.system}: add it in Tryton (Currency > Currencies), then replay"
                )
                continue
            try:
                try:
                    lines[reference] = self._lines(order, products, taxes, rounding, tax_map)
                except PermanentError:
                    if refreshed:
                        raise
                    # An operator may have added the tax since we cached: look once more.
                    refreshed = True
                    taxes = self.master.taxes(refresh=True)
                    lines[reference] = self._lines(order, products, taxes, rounding, tax_map)
            except CausewayError as exc:
                results[reference] = exc
        mapped = {ref: ok[ref] for ref in lines}
        parties = self.customers.resolve(mapped, results)
        price_lists = self._prepare_parties(channel, parties, results)
        values: dict[str, dict[str, Any]] = {}
        for reference, order in mapped.items():
            if reference in results:
                continue
            party = parties[reference]
            values[reference] = sale_values(
                order,
                reference,
                party=party.party,
                invoice_address=party.invoice_address,
                shipment_address=party.shipment_address,
                lines=lines[reference],
                warehouse=channel.warehouse,
                currency=currencies[order.currency],
                payment_term=channel.payment_term,
                price_list=price_lists.get(party.party),
            )
        return values

    def _prepare_parties(
        self, channel: TrytonTerms, parties: dict[str, ResolvedParty], results: dict[str, Result]
    ) -> dict[int, int | None]:
        """The channel's customer group on the parties, and each party's price list; when
        Tryton fails here, the orders of those parties get the error (nothing created)."""
        pending = {ref: p for ref, p in parties.items() if ref not in results}
        try:
            return self.terms.prepare_parties(channel, {p.party for p in pending.values()})
        except CausewayError as exc:
            results.update({ref: exc for ref in pending})
            return {}

    def _lines(
        self,
        order: Order,
        products: dict[str, TrytonProduct],
        taxes: list[TrytonTax],
        rounding: TaxRounding,
        tax_map: TaxMap | None,
    ) -> list[dict[str, Any]]:
        return sale_lines(
            order,
            products,
            taxes,
            self._services(products),
            rounding=rounding,
            system=self.system,
            tax_map=tax_map,
            unit=self.master.currency_rounding(order.currency),
        )

    def service_skus(self) -> tuple[str, ...]:
        return (self.shipping_sku, self.discount_sku, self.gift_card_sku, self.tip_sku)

    def _services(self, products: dict[str, TrytonProduct]) -> Services:
        return Services(
            shipping=products.get(self.shipping_sku),
            discount=products.get(self.discount_sku),
            gift_card=products.get(self.gift_card_sku),
            tip=products.get(self.tip_sku),
        )

    def _run_each(
        self, action: str, items: dict[str, Any], results: dict[str, Result]
    ) -> dict[str, int]:
        """Run create/quote/confirm/process for all items in one call; one by one if Tryton
        refuses.

        Returns reference -> sale id for the items that succeeded; failures go to results.
        """
        if not items:
            return {}
        references = list(items)

        def call(refs: list[str]) -> list[int]:
            if action == "create":
                return self.rpc.create("sale.sale", [items[r] for r in refs])
            ids = [items[r] for r in refs]
            self.rpc.button("sale.sale", action, ids)
            return ids

        try:
            return dict(zip(references, call(references), strict=True))
        except RetryableError as exc:
            results.update({ref: exc for ref in references})
            return {}
        except PermanentError as exc:
            if len(references) == 1:
                results[references[0]] = exc
                return {}
        done: dict[str, int] = {}
        for reference in references:
            try:
                (done[reference],) = call([reference])
            except CausewayError as exc:
                results[reference] = exc
        return done
