"""What each channel of catalog-to-channels sells: its assortment, price list and SKUs.

A channel sells the ERP products its assortment includes, at its price list's prices,
under its own SKUs where `sku_map` names them differently (the same map as in
stock-to-channels: config/channels.py). The assortment, as a merchant writes it:

    assortment:
      categories: [Garden, Kitchen / Mugs]   # ERP product categories, with every
                                             # category below them
      skus: [LAMP-1]                         # single products, besides the categories
      exclude_skus: [CHAIR-9]                # never in this channel, whatever the above

No `categories` and no `skus`: every product (less `exclude_skus`). Category names are
the ERP's full names ("Kitchen / Mugs"), matched without regard to case or the spaces
around "/". A product outside the assortment is shown to the channel as not for sale:
one the hub published there is taken off sale (archived, never deleted), one it never
published there is left alone, and one coming back into the assortment is put on sale
again.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from causeway.config.base import Strict
from causeway.config.channels import ChannelSettings
from causeway.model.catalog import CatalogItem


def category_key(name: str) -> tuple[str, ...]:
    """ "Kitchen / Mugs" -> ("kitchen", "mugs"): a category's path, as compared."""
    return tuple(part.strip().casefold() for part in name.split("/"))


class Assortment(Strict):
    """Which of the ERP's products one channel sells (module docstring)."""

    categories: list[str] = Field(
        default_factory=list,
        description="ERP product categories by full name; their sub-categories are in too",
    )
    skus: list[str] = Field(default_factory=list, description="ERP SKUs, besides the categories")
    exclude_skus: list[str] = Field(
        default_factory=list, description="ERP SKUs never sold in this channel"
    )

    @property
    def everything(self) -> bool:
        return not self.categories and not self.skus

    def includes(self, item: CatalogItem) -> bool:
        if item.sku in self.exclude_skus:
            return False
        if self.everything or item.sku in self.skus:
            return True
        wanted = [category_key(c) for c in self.categories]
        return any(
            path[: len(want)] == want
            for path in map(category_key, item.categories)
            for want in wanted
        )

    def unknown_categories(self, known: Iterable[str]) -> list[str]:
        """The assortment's categories the ERP does not have (a typo would take every
        product of the category off sale)."""
        have = {category_key(name) for name in known}
        return [c for c in self.categories if category_key(c) not in have]


class CatalogChannelSettings(ChannelSettings):
    """One store catalog-to-channels publishes to."""

    price_list: str | None = Field(
        default=None,
        description=(
            "name of an ERP sale price list: it gives this channel's selling price, and the "
            "list price becomes the compare-at price when higher; default: the flow's "
            "`price_list`, else the list price"
        ),
    )
    assortment: Assortment = Field(default_factory=Assortment)

    def listed(self, item: CatalogItem) -> CatalogItem:
        """The item as this channel must show it: under the channel's SKU, and not for
        sale when outside the assortment."""
        sku = self.channel_sku(item.sku)
        active = item.active and self.assortment.includes(item)
        if (sku, active) == (item.sku, item.active):
            return item
        return item.model_copy(update={"sku": sku, "active": active})
