"""What a WooCommerce product must show for an ERP catalogue item (no I/O).

One ERP SKU is one simple product, or, when the store already sells the SKU as a
variation of a variable product, that variation. The fields the ERP owns:

- name (simple products only: a variation's name is its product's and its
  attributes', shared with its siblings, so it is left alone) and description
  (the ERP's plain text as HTML paragraphs);
- SKU; prices: the price the customer pays is `sale_price` under a higher
  `regular_price` when the item has a compare-at ("was") price, else `regular_price`
  alone with `sale_price` empty;
- weight, converted to the store's unit;
- status: `publish` while the item is active, `private` once it is not (never
  deleted: past orders keep their product).

Only fields that differ from what the store shows are sent (`changes`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from causeway.connectors.descriptions import description_html
from causeway.connectors.woocommerce.models import WooProduct
from causeway.model.catalog import CatalogItem

PUBLISHED, ARCHIVED = "publish", "private"
CENT = Decimal("0.01")
WEIGHT_PLACES = Decimal("0.001")
StoreWeightUnit = Literal["kg", "g", "lbs", "oz"]
GRAMS_PER = {
    "g": Decimal(1),
    "kg": Decimal(1000),
    "oz": Decimal("28.349523125"),
    "lb": Decimal("453.59237"),
    "lbs": Decimal("453.59237"),
}


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, ROUND_HALF_UP))


def prices(item: CatalogItem) -> tuple[str, str]:
    """(regular_price, sale_price) as WooCommerce wants them: text, "" for no sale."""
    was = item.compare_at_price
    if was is not None and was > item.price:
        return _money(was), _money(item.price)
    return _money(item.price), ""


def store_weight(item: CatalogItem, unit: StoreWeightUnit) -> str | None:
    """The item's weight in the store's unit, as text; None when the ERP has none."""
    if item.weight is None or item.weight_unit is None:
        return None
    grams = item.weight * GRAMS_PER[item.weight_unit]
    converted = (grams / GRAMS_PER[unit]).quantize(WEIGHT_PLACES, ROUND_HALF_UP)
    return f"{converted.normalize():f}"


def wanted_fields(
    item: CatalogItem, unit: StoreWeightUnit | None, *, variation: bool
) -> dict[str, Any]:
    """Every field the ERP owns, as the store must show it."""
    regular, sale = prices(item)
    fields: dict[str, Any] = {
        "sku": item.sku,
        "description": description_html(item.description),
        "regular_price": regular,
        "sale_price": sale,
        "status": PUBLISHED if item.active else ARCHIVED,
    }
    if not variation:
        fields["name"] = item.title
    weight = store_weight(item, unit) if unit else None
    if weight is not None:
        fields["weight"] = weight
    return fields


def _decimal_or_none(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "") else None


def _same(field: str, shown: WooProduct, wanted: Any) -> bool:
    if field in ("regular_price", "sale_price", "weight"):
        return getattr(shown, field) == _decimal_or_none(wanted)
    return bool(getattr(shown, field) == wanted)


def changes(
    item: CatalogItem, shown: WooProduct, unit: StoreWeightUnit | None, *, variation: bool
) -> dict[str, Any]:
    """The fields to send so that `shown` shows `item` (empty: nothing to do)."""
    wanted = wanted_fields(item, unit, variation=variation)
    return {field: value for field, value in wanted.items() if not _same(field, shown, value)}
