"""The B2B portal's catalogue as Tryton holds it (model/ports/portal.py ErpPortalCatalogue).

Every read is one batch, a fixed number of calls whatever the number of products:

- products: salable, active goods variants with a code, in one search_read: the
  template's name, the variant's description, the template's categories, its sale
  unit, its images (product_image: the variant's own and the template's shared ones)
  and its quantity rules (sale_product_quantity: `sale_quantity_minimal`, and
  `sale_quantity_rounding`, the multiple a sale line's quantity must be);
- prices: Tryton computes them, never Causeway. The party's sale price list (the party's
  `sale_price_list`, else the sale configuration's) gives the quantity breaks: the
  distinct `quantity` of its lines. For each break one search_read of the SKUs'
  `sale_price_uom` with the list, the customer and that quantity in the context: the
  price a sale line of that quantity would get. A break where no price changes is
  dropped (a line for another category, say);
- availability: `forecast_quantity` (on hand minus what confirmed sales will take) per
  warehouse, one search_read per warehouse with it as the context's location, less the
  goods customers are returning that have not arrived yet (one call for every
  warehouse): the same figure stock-to-channels publishes from (stock.py);
- images: product.image's bytes (Tryton stores them as JPEG), by the image's place in
  the product's list, only for a salable goods product.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.model.ports.portal import Availability, PartyPrices, PortalProduct, PriceBreak

SALABLE_GOODS: list[Any] = [
    ("template.type", "=", "goods"),
    ("template.salable", "=", True),
    ("code", "!=", None),
]
PRODUCT_FIELDS = [
    "code",
    "description",
    "template.name",
    "template.categories.name",
    "template.sale_uom.name",
    "template.sale_quantity_minimal",
    "template.sale_quantity_rounding",
    "template.images.product",
]


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, 0, 0.0) else Decimal(str(value)).normalize()


def portal_product(record: Mapping[str, Any]) -> PortalProduct:
    """A product.product record (PRODUCT_FIELDS) as the portal shows it."""
    template = record.get("template.") or {}
    categories = template.get("categories.") or []
    uom = template.get("sale_uom.") or {}
    # The variant's images are its own and its template's that belong to no variant.
    images = [i for i in template.get("images.") or [] if i.get("product") in (None, record["id"])]
    return PortalProduct(
        product_id=int(record["id"]),
        sku=str(record["code"]),
        name=str(template.get("name") or record["code"]),
        description=record.get("description") or "",
        categories=tuple(sorted(str(c["name"]) for c in categories)),
        unit=str(uom.get("name") or "Unit"),
        image_count=len(images),
        minimal_quantity=_decimal(template.get("sale_quantity_minimal")),
        quantity_multiple=_decimal(template.get("sale_quantity_rounding")),
    )


def breaks_from_prices(
    prices_at: Mapping[Decimal, Mapping[str, Decimal | None]],
) -> dict[str, tuple[PriceBreak, ...]]:
    """quantity -> SKU -> Tryton's unit price at that quantity, as each SKU's breaks: the
    lowest quantity's price, then each quantity where the price changes."""
    breaks: dict[str, list[PriceBreak]] = {}
    for quantity in sorted(prices_at):
        for sku, price in prices_at[quantity].items():
            if price is None:
                continue
            found = breaks.setdefault(sku, [])
            if not found or found[-1].unit_price != price:
                found.append(PriceBreak(min_quantity=quantity, unit_price=price))
    return {sku: tuple(found) for sku, found in breaks.items()}


class PortalCatalogue:
    """Reads the portal's catalogue over one Tryton connection; see the module docstring."""

    def __init__(self, rpc: TrytonRPC) -> None:
        self.rpc = rpc
        self._currency: str | None = None
        self._warehouses: dict[str, int] | None = None

    def products(self) -> list[PortalProduct]:
        records = self.rpc.search_read(
            "product.product", SALABLE_GOODS, PRODUCT_FIELDS, order=[("code", "ASC")]
        )
        return [portal_product(r) for r in records]

    # -- prices ----------------------------------------------------------------------------
    def party_prices(self, party_id: int, skus: Sequence[str]) -> PartyPrices:
        price_list_id, name, quantities = self._price_list_of(party_id)
        context: dict[str, Any] = {**self.rpc.context, "customer": party_id}
        if price_list_id is not None:
            context["price_list"] = price_list_id
        prices_at: dict[Decimal, dict[str, Decimal | None]] = {}
        if skus:
            for quantity in quantities:
                records = self.rpc.search_read(
                    "product.product",
                    [*SALABLE_GOODS, ("code", "in", sorted(set(skus)))],
                    ["code", "sale_price_uom"],
                    context={**context, "quantity": float(quantity)},
                )
                prices_at[quantity] = {
                    str(r["code"]): None
                    if r.get("sale_price_uom") is None
                    else Decimal(str(r["sale_price_uom"]))
                    for r in records
                }
        return PartyPrices(
            currency=self.currency(), price_list=name, breaks=breaks_from_prices(prices_at)
        )

    def _price_list_of(self, party_id: int) -> tuple[int | None, str | None, list[Decimal]]:
        """The party's price list (else the sale configuration's): id, name and the
        quantities its lines start at (0 always: the price of a first unit)."""
        fields = ["sale_price_list", "sale_price_list.name", "sale_price_list.lines.quantity"]
        found = self.rpc.read("party.party", [party_id], fields)
        record = found[0] if found else {}
        if record.get("sale_price_list") is None:
            config = self.rpc.read("sale.configuration", [1], fields[:1])
            config_list = config[0].get("sale_price_list") if config else None
            if config_list is None:
                return None, None, [Decimal(0)]
            record = {"sale_price_list": config_list}
            (price_list,) = self.rpc.read(
                "product.price_list", [int(config_list)], ["name", "lines.quantity"]
            )
            record["sale_price_list."] = price_list
        price_list = record.get("sale_price_list.") or {}
        quantities = {Decimal(0)} | {
            Decimal(str(line.get("quantity") or 0)).normalize()
            for line in price_list.get("lines.") or []
        }
        return int(record["sale_price_list"]), price_list.get("name"), sorted(quantities)

    def currency(self) -> str:
        """The company's currency: the one Tryton prices sales in."""
        if self._currency is None:
            company = int(self.rpc.context["company"])  # the user's company: prices are its
            (record,) = self.rpc.read("company.company", [company], ["currency.code"])
            self._currency = str((record.get("currency.") or {}).get("code") or "")
        return self._currency

    # -- availability ----------------------------------------------------------------------
    def warehouses(self) -> dict[str, int]:
        """Warehouse code (else its name) -> id; read once per connection."""
        if self._warehouses is None:
            records = self.rpc.search_read(
                "stock.location", [("type", "=", "warehouse")], ["code", "name"]
            )
            self._warehouses = {str(r.get("code") or r["name"]): int(r["id"]) for r in records}
        return self._warehouses

    def availability(
        self, skus: Sequence[str], warehouses: Sequence[str] | None = None
    ) -> dict[str, Availability]:
        known = self.warehouses()
        chosen = {
            code: wid for code, wid in known.items() if warehouses is None or code in warehouses
        }
        if not skus or not chosen:
            return {sku: Availability(sku=sku, by_warehouse={}) for sku in skus}
        wanted = sorted(set(skus))
        by_sku: dict[str, dict[str, Decimal]] = {}
        for code, warehouse_id in chosen.items():
            records = self.rpc.search_read(
                "product.product",
                [*SALABLE_GOODS, ("code", "in", wanted)],
                ["code", "forecast_quantity"],
                context={**self.rpc.context, "locations": [warehouse_id]},
            )
            for r in records:
                by_sku.setdefault(str(r["code"]), {})[code] = Decimal(str(r["forecast_quantity"]))
        for (code, sku), units in self._returns_on_the_way(chosen, wanted).items():
            if sku in by_sku and code in by_sku[sku]:
                by_sku[sku][code] -= units
        return {sku: Availability(sku=sku, by_warehouse=found) for sku, found in by_sku.items()}

    def _returns_on_the_way(
        self, warehouses: Mapping[str, int], skus: Sequence[str]
    ) -> dict[tuple[str, str], Decimal]:
        """(warehouse code, SKU) -> units customers are returning that have not arrived:
        Tryton's forecast counts them from the return's confirmation (returns.py)."""
        # One read per warehouse (as the availability itself): a location's warehouse is a
        # function field that Tryton cannot read through a move (KeyError 'warehouse').
        pending: dict[tuple[str, str], Decimal] = {}
        for code, warehouse_id in warehouses.items():
            moves = self.rpc.search_read(
                "stock.move",
                [
                    ("from_location.type", "=", "customer"),
                    ("to_location", "child_of", [warehouse_id], "parent"),
                    ("state", "not in", ["done", "cancelled"]),
                    ("product.code", "in", list(skus)),
                ],
                ["product.code", "internal_quantity"],
            )
            for move in moves:
                sku = (move.get("product.") or {}).get("code")
                if sku:
                    key = (code, str(sku))
                    quantity = Decimal(str(move["internal_quantity"]))
                    pending[key] = pending.get(key, Decimal(0)) + quantity
        return pending

    # -- images ----------------------------------------------------------------------------
    def image(self, sku: str, index: int) -> tuple[bytes, str] | None:
        """The product's image number `index` (0 first, in Tryton's order) and its media
        type; None for no such image or a product that is not salable goods."""
        if index < 0:
            return None
        found = self.rpc.search_read(
            "product.image",
            [
                ("template.products.code", "=", sku),
                ("template.type", "=", "goods"),
                ("template.salable", "=", True),
                ["OR", ("product", "=", None), ("product.code", "=", sku)],
            ],
            ["image"],
            offset=index,
            limit=1,
            order=[("sequence", "ASC NULLS FIRST"), ("id", "ASC")],
        )
        if not found or not found[0].get("image"):
            return None
        data = bytes(found[0]["image"])
        return data, media_type(data)


def media_type(data: bytes) -> str:
    """The image's type from its first bytes (Tryton converts uploads to JPEG)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"
