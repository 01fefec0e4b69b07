"""GraphQL views of stock: inventory items, levels and their named quantities, locations,
adjustment groups. A mixin of `Views`, kept apart only to keep modules small.

Levels and quantities have no numeric id of their own on Shopify; their gids
carry the item as a query parameter (`gid://shopify/InventoryLevel/<location>?
inventory_item_id=<item>`), and the sandbox writes them the same way.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from causeway_sandbox.shopify.formats import gid, gql_time, parse_gid
from causeway_sandbox.shopify.store import (
    QUANTITY_NAMES,
    AdjustmentGroup,
    InventoryItem,
    InventoryLevel,
    Location,
    Store,
)


class InventoryViews:
    """Needs `self.store` and a `variant()` view (provided by `Views`)."""

    store: Store

    def variant(self, v: Any) -> dict[str, Any]:
        raise NotImplementedError

    def _level_for(self, item_id: int, location_gid: str, kind: str) -> dict[str, Any] | None:
        found_kind, location_id = parse_gid(location_gid)
        if found_kind != kind:
            return None
        level = self.store.levels.get((item_id, location_id))
        return self.level(level) if level else None

    def inventory_item(self, item: InventoryItem) -> dict[str, Any]:
        def inventory_level(info: Any, locationId: str) -> dict[str, Any] | None:
            return self._level_for(item.id, locationId, "Location")

        return {
            "__typename": "InventoryItem",
            "id": gid("InventoryItem", item.id),
            "legacyResourceId": str(item.id),
            "sku": item.sku,
            "tracked": item.tracked,
            "requiresShipping": item.requires_shipping,
            "measurement": {
                "id": gid("InventoryItemMeasurement", item.id),
                "weight": {"unit": item.weight_unit, "value": item.weight_value},
            },
            "createdAt": gql_time(item.created_at),
            "updatedAt": gql_time(item.updated_at),
            "variant": lambda info: self.variant(self.store.variants[item.variant_id]),
            "inventoryLevel": inventory_level,
        }

    def level(self, level: InventoryLevel) -> dict[str, Any]:
        level_gid = f"{gid('InventoryLevel', level.location_id)}?inventory_item_id={level.item_id}"

        def quantities(info: Any, names: list[str]) -> list[dict[str, Any]]:
            unknown = [n for n in names if n not in QUANTITY_NAMES]
            if unknown:
                raise GraphQLError(
                    f"Invalid quantity name(s): {', '.join(unknown)}. Valid names are: "
                    f"{', '.join(QUANTITY_NAMES)}."
                )
            return [
                {
                    "id": f"gid://shopify/InventoryQuantity/{level.location_id}"
                    f"?inventory_item_id={level.item_id}&name={n}",
                    "name": n,
                    "quantity": level.get(n),
                    "updatedAt": gql_time(level.updated_at),
                }
                for n in names
            ]

        return {
            "__typename": "InventoryLevel",
            "id": level_gid,
            "canDeactivate": False,
            "createdAt": gql_time(level.created_at),
            "updatedAt": gql_time(level.updated_at),
            "item": lambda info: self.inventory_item(self.store.items[level.item_id]),
            "location": lambda info: self.location(self.store.locations[level.location_id]),
            "quantities": quantities,
        }

    def location(self, loc: Location) -> dict[str, Any]:
        def inventory_level(info: Any, inventoryItemId: str) -> dict[str, Any] | None:
            kind, item_id = parse_gid(inventoryItemId)
            if kind != "InventoryItem":
                return None
            level = self.store.levels.get((item_id, loc.id))
            return self.level(level) if level else None

        return {
            "__typename": "Location",
            "id": gid("Location", loc.id),
            "legacyResourceId": str(loc.id),
            "name": loc.name,
            "isActive": loc.is_active,
            "fulfillsOnlineOrders": True,
            "hasActiveInventory": any(k[1] == loc.id for k in self.store.levels),
            "shipsInventory": True,
            "createdAt": gql_time(loc.created_at),
            "updatedAt": gql_time(loc.updated_at),
            "inventoryLevel": inventory_level,
        }

    def adjustment_group(self, group: AdjustmentGroup) -> dict[str, Any]:
        def changes(
            info: Any,
            inventoryItemIds: list[str] | None = None,
            locationIds: list[str] | None = None,
            quantityNames: list[str] | None = None,
        ) -> list[dict[str, Any]]:
            items = {parse_gid(i)[1] for i in inventoryItemIds} if inventoryItemIds else None
            locs = {parse_gid(i)[1] for i in locationIds} if locationIds else None
            return [
                {
                    "name": c.name,
                    "delta": c.delta,
                    "quantityAfterChange": c.quantity_after,
                    "ledgerDocumentUri": None,
                    "item": self.inventory_item(self.store.items[c.item_id]),
                    "location": self.location(self.store.locations[c.location_id]),
                }
                for c in group.changes
                if (items is None or c.item_id in items)
                and (locs is None or c.location_id in locs)
                and (quantityNames is None or c.name in quantityNames)
            ]

        return {
            "__typename": "InventoryAdjustmentGroup",
            "id": gid("InventoryAdjustmentGroup", group.id),
            "createdAt": gql_time(group.created_at),
            "reason": group.reason,
            "referenceDocumentUri": group.reference_document_uri,
            "changes": changes,
        }
