"""The Tryton records a sale refers to, found by code or name and remembered per connector.

Why look up by code: record ids differ between Tryton databases (and between two builds of
the same fixture); SKUs, warehouse codes, tax rates and currency codes do not. Why cache:
these rarely change, and every call saved is time the ORM spends on sales instead. Products
are not cached (a new SKU created in Tryton must be seen by the very next batch), and the
tax list is re-read once when a rate is not found (an operator may just have added it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal

from causeway.connectors.tryton.rounding import CENT, TaxRounding
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.connectors.tryton.sale_lines import TrytonProduct
from causeway.connectors.tryton.taxes import TrytonTax
from causeway.errors import MissingMasterDataError, PermanentError

log = logging.getLogger("causeway.connectors.tryton")


class MasterData:
    def __init__(
        self, rpc: TrytonRPC, *, system: str, warehouse_code: str, payment_term: str | None
    ) -> None:
        self.rpc = rpc
        self.system = system
        self.warehouse_code = warehouse_code
        self.payment_term_name = payment_term
        self._locations: tuple[int, int] | None = None  # (warehouse, its storage location)
        self._taxes: list[TrytonTax] | None = None
        self._currencies: dict[str, int] = {}
        self._rounding_units: dict[str, Decimal] = {}
        self._tax_rounding: TaxRounding | None = None
        self._payment_term: tuple[int | None] | None = None

    def products(self, skus: Iterable[str]) -> dict[str, TrytonProduct]:
        """SKU -> product for the SKUs Tryton knows (one search; unknown ones are absent)."""
        records = self.rpc.search_read(
            "product.product", [("code", "in", sorted(set(skus)))], ["code", "default_uom", "type"]
        )
        return {
            r["code"]: TrytonProduct(r["id"], r["code"], r["default_uom"], r["type"])
            for r in records
        }

    def taxes(self, *, refresh: bool = False) -> list[TrytonTax]:
        """Percentage taxes usable on sales (no parent, group for sales or none)."""
        if self._taxes is None or refresh:
            records = self.rpc.search_read(
                "account.tax",
                [
                    ("type", "=", "percentage"),
                    ("parent", "=", None),
                    ["OR", ("group", "=", None), ("group.kind", "in", ["sale", "both"])],
                ],
                ["name", "rate"],
                order=[("id", "ASC")],
            )
            self._taxes = [TrytonTax(r["id"], r["name"], Decimal(r["rate"])) for r in records]
        return self._taxes

    def _warehouse_locations(self) -> tuple[int, int]:
        if self._locations is None:
            records = self.rpc.search_read(
                "stock.location",
                [("type", "=", "warehouse"), ("code", "=", self.warehouse_code)],
                ["storage_location"],
            )
            if not records:
                raise MissingMasterDataError(
                    f"no warehouse with code {self.warehouse_code!r} in {self.system}: set "
                    f"`warehouse` in the connector config to an existing warehouse code"
                )
            self._locations = (int(records[0]["id"]), int(records[0]["storage_location"]))
        return self._locations

    def warehouse(self) -> int:
        return self._warehouse_locations()[0]

    def storage(self) -> int:
        """The warehouse's storage location, where inventories count stock."""
        return self._warehouse_locations()[1]

    def payment_term(self) -> int | None:
        """The configured payment term, or None (then Tryton's default applies)."""
        if self._payment_term is None:
            found = None
            if self.payment_term_name:
                records = self.rpc.search_read(
                    "account.invoice.payment_term", [("name", "=", self.payment_term_name)], ["id"]
                )
                found = int(records[0]["id"]) if records else None
            self._payment_term = (found,)
        return self._payment_term[0]

    def currencies(self, codes: Iterable[str]) -> dict[str, int]:
        """ISO code -> currency id; codes Tryton lacks are absent (asked again next time)."""
        missing = sorted(set(codes) - set(self._currencies))
        if missing:
            records = self.rpc.search_read(
                "currency.currency", [("code", "in", missing)], ["code", "rounding"]
            )
            self._currencies.update({r["code"]: int(r["id"]) for r in records})
            self._rounding_units.update(
                {r["code"]: Decimal(r["rounding"]) for r in records if r.get("rounding")}
            )
        return dict(self._currencies)

    def currency_rounding(self, code: str) -> Decimal:
        """The currency's rounding (0.01 for USD), as read by `currencies`."""
        return self._rounding_units.get(code, CENT)

    def tax_rounding(self) -> TaxRounding:
        """The company's tax rounding: "line" or "document" (Tryton's default).

        Read once: it decides how unit prices are chosen (rounding.py), and changing it
        in Tryton while the hub runs is picked up on the next start.
        """
        if self._tax_rounding is None:
            try:
                (config,) = self.rpc.read("account.configuration", [1], ["tax_rounding"])
            except PermanentError:
                # A user without accounting rights: assume Tryton's default.
                log.warning("cannot read %s's tax rounding; assuming per document", self.system)
                config = {}
            value = config.get("tax_rounding")
            self._tax_rounding = "line" if value == "line" else "document"
        return self._tax_rounding
