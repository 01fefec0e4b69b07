"""Portal orders as Tryton sales, exactly once, and the party's credit (docs/portal/ordering.md).

Exactly once: ``sale.reference`` holds the checkout's reference and is searched before
anything is created; a retry finds the draft or quotation an earlier attempt left and
finishes it (as sales.py does for channel orders).

Prices are Tryton's: each line's unit price is the product's ``sale_price_uom`` read in
the context {price_list, customer, quantity}, which is what the Tryton client puts on a
line. The quantity matters only through the price list's quantity breaks, so the lines
are read in one call per break they reach (the party, its addresses and its price list's
breaks in one call before): a fixed number of calls whatever the number of lines.

The credit check is the ERP's (sale_credit_limit): confirming a sale whose untaxed
amount would take the party's credit amount over its limit raises a CreditLimitWarning
for the admin user (a CreditLimitError for others). Without `credit_approved` that is
CreditLimitExceeded and the sale stays a quotation; with it, the warning is acknowledged
once for that sale (``res.user.warning.skip``, what the Tryton client does when a user
answers "Yes") and the sale is confirmed.

The sale's ``description`` holds the customer's PO number (Tryton shows it on the sale
and on its invoice); its ``comment`` says the order came from the portal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.mapping import SALE_FIELDS as PLACED_SALE_FIELDS
from causeway.connectors.tryton.masterdata import MasterData
from causeway.connectors.tryton.protocol import TrytonUserError
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.errors import PermanentError, UnknownSkuError
from causeway.model.ports.portal import (
    CreditLimitExceeded,
    CreditPosition,
    PartyAddress,
    PlacedPortalSale,
    PortalQuote,
    PortalSale,
    QuotedLine,
)

SALE_FIELDS = (*PLACED_SALE_FIELDS, "currency.code")
PRODUCT_FIELDS = (
    "code",
    "name",
    "sale_uom",
    "salable",
    "template.sale_quantity_minimal",
    "template.sale_quantity_rounding",
    "template.account_category.customer_taxes_used",
)
PARTY_FIELDS = (
    "sale_price_list",
    "sale_price_list.lines.quantity",
    "customer_payment_term",
    "addresses.sequence",
    "addresses.invoice",
    "addresses.delivery",
)
CREDIT_FIELDS = ("credit_limit_amount", "credit_amount")
# The names of the warnings account_credit_limit raises (res.user.warning.format).
CREDIT_WARNINGS = (".credit_limit_amount", ".credit_limit_dunning")
PORTAL_COMMENT = "Ordered in the B2B portal (Causeway)"


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


class PortalSales:
    def __init__(self, rpc: TrytonRPC, master: MasterData, *, system: str) -> None:
        self.rpc = rpc
        self.master = master
        self.system = system
        self._currency: str | None = None

    # -- placing -------------------------------------------------------------------------
    def place(self, sale: PortalSale) -> PlacedPortalSale:
        record = self._find(sale.reference)
        if record is not None and int(record["party"]) != sale.party_id:
            raise PermanentError(
                f"sale reference {sale.reference} belongs to another party in {self.system}"
            )
        if record is None:
            (sale_id,) = self.rpc.create("sale.sale", [self._values(sale)])
            state = "draft"
        else:
            sale_id, state = int(record["id"]), str(record["state"])
        if state == "draft":
            self.rpc.button("sale.sale", "quote", [sale_id])
            state = "quotation"
        if state == "quotation":
            self._confirm(sale_id, sale)
        elif state == "confirmed":
            # Tryton stopped between confirm and process: no shipment would ever be made.
            self.rpc.button("sale.sale", "process", [sale_id])
        (final,) = self.rpc.read("sale.sale", [sale_id], SALE_FIELDS)
        return _placed(final)

    def _confirm(self, sale_id: int, sale: PortalSale) -> None:
        try:
            self.rpc.button("sale.sale", "confirm", [sale_id])
            return
        except TrytonUserError as exc:
            if not _is_credit_refusal(exc):
                raise
            if not sale.credit_approved or exc.warning is None:
                raise CreditLimitExceeded(exc.tryton_message) from exc
            warning = exc.warning
        # A person approved the order over the limit: answer the ERP's warning for this
        # sale once (as the Tryton client does), then confirm again.
        self.rpc.model("res.user.warning", "skip", warning, False)
        try:
            self.rpc.button("sale.sale", "confirm", [sale_id])
        except TrytonUserError as exc:
            if _is_credit_refusal(exc):
                raise CreditLimitExceeded(exc.tryton_message) from exc
            raise

    def _find(self, reference: str) -> dict[str, Any] | None:
        records = self.rpc.search_read(
            "sale.sale",
            [("reference", "=", reference)],
            SALE_FIELDS,
            order=[("id", "ASC")],
            context={**self.rpc.context, "active_test": False},
        )
        live = [r for r in records if r["state"] != "cancelled"]
        found = live or records
        return found[0] if found else None

    def quote(self, sale: PortalSale, *, with_credit: bool = False) -> PortalQuote:
        """The lines priced as place() would price them, checked the same way; with_credit
        the party's credit position, read with the party."""
        products, party, _addresses, prices = self._prepare(
            sale, CREDIT_FIELDS if with_credit else ()
        )
        return PortalQuote(
            currency=self.company_currency(),
            credit=self._credit(party) if with_credit else None,
            lines=tuple(
                QuotedLine(
                    sku=line.sku,
                    name=str(products[line.sku].get("name") or line.sku),
                    quantity=line.quantity,
                    unit_price=prices[line.sku, line.quantity],
                )
                for line in sale.lines
            ),
        )

    def _prepare(
        self, sale: PortalSale, party_fields: tuple[str, ...] = ()
    ) -> tuple[
        dict[str, dict[str, Any]],
        dict[str, Any],
        tuple[int, int],
        dict[tuple[str, Decimal], Decimal],
    ]:
        """Products, party, (invoice, shipment) addresses and unit prices of the sale,
        checked against the quantity rules and the party's addresses, so that a buyer
        reads what to change.

        The party is read with its addresses and its price list's breaks in one call
        (Tryton reads related records in the same call), then the products with their
        prices at the first break the lines reach, then one call per further break."""
        if not sale.lines:
            raise PermanentError("the order has no lines: add products to the cart")
        parties = self.rpc.read("party.party", [sale.party_id], [*PARTY_FIELDS, *party_fields])
        if not parties:
            raise PermanentError(f"party {sale.party_id} does not exist in {self.system}")
        party = parties[0]
        addresses = self._addresses(sale, party.get("addresses.") or [])
        price_list = party.get("sale_price_list")
        groups = _break_groups(sale, (party.get("sale_price_list.") or {}).get("lines.") or [])
        skus = sorted({line.sku for line in sale.lines})
        first, *further = groups
        # The products come with their prices at the first break (a call costs Tryton
        # ~15 ms before any work; pricing a product ~3 ms): one call fewer for every cart.
        products = {
            r["code"]: r
            for r in self.rpc.search_read(
                "product.product",
                [("code", "in", skus)],
                [*PRODUCT_FIELDS, "sale_price_uom"],
                context=self._price_context(sale.party_id, price_list, first),
            )
        }
        missing = [s for s in skus if s not in products or not products[s].get("salable")]
        if missing:
            raise UnknownSkuError(missing, self.system)
        problems = [
            p for line in sale.lines if (p := _quantity_problem(line.sku, line.quantity, products))
        ]
        if problems:
            raise PermanentError("; ".join(problems))
        priced = {first: {sku: products[sku]["sale_price_uom"] for sku, _ in first}}
        for group in further:
            context = self._price_context(sale.party_id, price_list, group)
            skus = sorted({sku for sku, _ in group})
            read = self.rpc.search_read(
                "product.product",
                [("code", "in", skus)],
                ["code", "sale_price_uom"],
                context=context,
            )
            priced[group] = {r["code"]: r["sale_price_uom"] for r in read}
        prices: dict[tuple[str, Decimal], Decimal] = {}
        for group, by_sku in priced.items():
            for sku, quantity in group:
                price = by_sku.get(sku)
                if price is None:
                    raise PermanentError(f"{sku} has no sale price in {self.system}")
                prices[sku, quantity] = Decimal(price)
        return products, party, addresses, prices

    def _price_context(
        self, party_id: int, price_list: int | None, group: BreakGroup
    ) -> dict[str, Any]:
        """What the Tryton client puts in the context to price a line: the customer, its
        price list and the quantity (any quantity within a break prices alike)."""
        quantity = min(q for _, q in group)
        context = {**self.rpc.context, "customer": party_id, "quantity": float(quantity)}
        if price_list:
            context["price_list"] = price_list
        return context

    def _values(self, sale: PortalSale) -> dict[str, Any]:
        """The sale to create."""
        products, party, (invoice_address, shipment_address), prices = self._prepare(sale)
        price_list = party.get("sale_price_list")
        lines = [
            {
                "type": "line",
                "product": products[line.sku]["id"],
                "quantity": float(line.quantity),
                "unit": products[line.sku]["sale_uom"],
                "unit_price": prices[line.sku, line.quantity],
                "taxes": [["add", _taxes(products[line.sku])]],
            }
            for line in sale.lines
        ]
        values: dict[str, Any] = {
            "party": sale.party_id,
            "invoice_address": invoice_address,
            "shipment_address": shipment_address,
            "reference": sale.reference,
            "description": sale.po_number or "",
            "comment": PORTAL_COMMENT,
            "warehouse": self._warehouse(sale.warehouse),
            "lines": [["create", lines]],
        }
        if price_list:
            values["price_list"] = price_list
        payment_term = party.get("customer_payment_term") or self.master.payment_term()
        if payment_term:
            values["payment_term"] = payment_term
        return values

    def delivery_addresses(self, party_id: int) -> tuple[PartyAddress, ...]:
        """The party's active addresses, those marked for delivery first."""
        records = self.rpc.search_read(
            "party.address",
            [("party", "=", party_id)],
            ["party_name", "party.name", "street_single_line", "postal_code", "city",
             "country.code", "invoice", "delivery"],
            order=[("sequence", "ASC"), ("id", "ASC")],
        )  # fmt: skip
        addresses = [
            PartyAddress(
                address_id=int(r["id"]),
                name=r.get("party_name") or (r.get("party.") or {}).get("name") or None,
                street=r.get("street_single_line") or None,
                postal_code=r.get("postal_code") or None,
                city=r.get("city") or None,
                country=(r.get("country.") or {}).get("code"),
                invoice=bool(r.get("invoice")),
                delivery=bool(r.get("delivery")),
            )
            for r in records
        ]
        return tuple(sorted(addresses, key=lambda a: not a.delivery))

    def _addresses(self, sale: PortalSale, records: list[dict[str, Any]]) -> tuple[int, int]:
        """(invoice, shipment) addresses: the chosen one must be the party's own."""
        if not records:
            raise PermanentError(
                f"party {sale.party_id} has no address in {self.system}: add one in Tryton"
            )
        # Tryton's order for addresses: by sequence, an address without one first, then id.
        records = sorted(
            records, key=lambda r: (r.get("sequence") is not None, r.get("sequence") or 0, r["id"])
        )
        invoice = next((r["id"] for r in records if r.get("invoice")), records[0]["id"])
        delivery = next((r["id"] for r in records if r.get("delivery")), records[0]["id"])
        if sale.shipment_address_id is not None:
            if sale.shipment_address_id not in {r["id"] for r in records}:
                raise PermanentError(
                    f"address {sale.shipment_address_id} is not one of your company's "
                    "addresses: choose one of the delivery addresses offered"
                )
            delivery = sale.shipment_address_id
        return int(invoice), int(delivery)

    def _warehouse(self, code: str | None) -> int:
        if code is None:
            return self.master.warehouse()
        found = self.rpc.search_read(
            "stock.location", [("type", "=", "warehouse"), ("code", "=", code)], ["id"]
        )
        if not found:
            raise PermanentError(f"no warehouse with code {code!r} in {self.system}")
        return int(found[0]["id"])

    # -- credit --------------------------------------------------------------------------
    def credit_position(self, party_id: int) -> CreditPosition:
        """What the ERP counts against the limit: party.credit_amount is the receivable
        (account_credit_limit) plus, with sale_credit_limit, the untaxed amount not yet
        invoiced of the party's confirmed and processing sales."""
        records = self.rpc.read("party.party", [party_id], CREDIT_FIELDS)
        if not records:
            raise PermanentError(f"party {party_id} does not exist in {self.system}")
        return self._credit(records[0])

    def _credit(self, party: dict[str, Any]) -> CreditPosition:
        limit = party.get("credit_limit_amount")
        return CreditPosition(
            currency=self.company_currency(),
            limit=Decimal(limit) if limit is not None else None,
            used=Decimal(party.get("credit_amount") or 0),
        )

    def company_currency(self) -> str:
        if self._currency is None:
            (company,) = self.rpc.read("company.company", [self.rpc_company()], ["currency.code"])
            self._currency = str(company["currency."]["code"])
        return self._currency

    def rpc_company(self) -> int:
        if not self.rpc.context:
            self.rpc.login()
        return int(self.rpc.context["company"])


# The lines of a sale that one price break prices alike: ((sku, quantity), ...).
BreakGroup = tuple[tuple[str, Decimal], ...]


def _break_groups(sale: PortalSale, price_list_lines: list[dict[str, Any]]) -> list[BreakGroup]:
    """The sale's lines grouped by the quantity break of the price list each reaches,
    lowest break first (a price list without breaks: one group)."""
    breaks = sorted(
        {Decimal(0)} | {Decimal(str(r["quantity"])) for r in price_list_lines if r.get("quantity")}
    )
    groups: dict[Decimal, list[tuple[str, Decimal]]] = {}
    for line in sale.lines:
        reached = max(b for b in breaks if b <= line.quantity) if line.quantity >= 0 else 0
        groups.setdefault(Decimal(reached), []).append((line.sku, line.quantity))
    return [tuple(groups[b]) for b in sorted(groups)]


def _is_credit_refusal(exc: TrytonUserError) -> bool:
    if exc.warning is not None:
        return exc.warning.endswith(CREDIT_WARNINGS)
    return "credit limit" in exc.tryton_message.lower()


def _taxes(product: dict[str, Any]) -> list[int]:
    category = (product.get("template.") or {}).get("account_category.") or {}
    return list(category.get("customer_taxes_used") or [])


def _quantity_problem(
    sku: str, quantity: Decimal, products: dict[str, dict[str, Any]]
) -> str | None:
    """Why `quantity` of `sku` cannot be ordered (sale_product_quantity's rules), in words
    a buyer can act on; None when it can."""
    template = products[sku].get("template.") or {}
    if quantity <= 0:
        return f"{sku}: order a quantity above 0"
    minimal = template.get("sale_quantity_minimal")
    if minimal and quantity < Decimal(str(minimal)):
        least = _number(Decimal(str(minimal)))
        return f"{sku}: order at least {least} (you ordered {_number(quantity)})"
    multiple = template.get("sale_quantity_rounding")
    if multiple and quantity % Decimal(str(multiple)) != 0:
        return (
            f"{sku}: order a multiple of {_number(Decimal(str(multiple)))} "
            f"(you ordered {_number(quantity)})"
        )
    return None


def _placed(record: dict[str, Any]) -> PlacedPortalSale:
    return PlacedPortalSale(
        sale_id=int(record["id"]),
        reference=str(record["reference"]),
        number=record.get("number") or None,
        state=str(record["state"]),
        currency=str((record.get("currency.") or {}).get("code") or ""),
        untaxed_amount=Decimal(record.get("untaxed_amount") or 0),
        tax_amount=Decimal(record.get("tax_amount") or 0),
        total_amount=Decimal(record.get("total_amount") or 0),
    )
