"""HubSpot's CRM v3 shapes at the edge, as pydantic models.

HubSpot sends every property value as a string (or null), ids as strings, and
times as ISO 8601; money stays a string until a caller turns it into Decimal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from causeway.errors import InvalidPayloadError


class Model(BaseModel):
    # HubSpot adds fields over time; unknown ones are not an error.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class CrmObject(Model):
    id: str
    properties: dict[str, str | None] = Field(default_factory=dict)
    created_at: datetime | None = Field(default=None, alias="createdAt")
    updated_at: datetime | None = Field(default=None, alias="updatedAt")
    archived: bool = False
    new: bool | None = None  # batch upsert: whether the record was created

    def get(self, name: str) -> str | None:
        return self.properties.get(name)


class BatchError(Model):
    status: str = "error"
    category: str | None = None
    message: str
    context: dict[str, Any] = Field(default_factory=dict)


class BatchResult(Model):
    status: str = "COMPLETE"
    results: list[CrmObject] = Field(default_factory=list)
    errors: list[BatchError] = Field(default_factory=list)


class PropertySpec(Model):
    """A custom property the hub keeps on a CRM object."""

    name: str
    label: str
    type: Literal["string", "number", "date", "datetime", "enumeration", "bool"]
    field_type: str = Field(alias="fieldType")
    group_name: str = Field(alias="groupName")
    description: str = ""


class LineItem(Model):
    id: str
    sku: str | None
    name: str | None
    quantity: Decimal
    price: Decimal

    @classmethod
    def from_object(cls, item: CrmObject) -> LineItem:
        return cls(
            id=item.id,
            sku=item.get("hs_sku"),
            name=item.get("name"),
            quantity=_decimal(item, "quantity"),
            price=_decimal(item, "price"),
        )


class Deal(Model):
    id: str
    properties: dict[str, str | None]
    line_items: list[LineItem]
    contact_ids: list[str]

    @property
    def stage(self) -> str | None:
        return self.properties.get("dealstage")


class SearchFilter(Model):
    property_name: str = Field(alias="propertyName")
    operator: str = "EQ"
    value: str | None = None


def search_payload(
    filters: Sequence[SearchFilter],
    properties: Sequence[str],
    *,
    limit: int,
    after: str | None = None,
    sort_by: str | None = None,
) -> dict[str, Any]:
    """The body of a CRM v3 search: `filters` in one group (all must match), the
    properties to return, the page's size and cursor, ascending by `sort_by`."""
    payload: dict[str, Any] = {
        "filterGroups": (
            [{"filters": [f.model_dump(by_alias=True, exclude_none=True) for f in filters]}]
            if filters
            else []
        ),
        "properties": list(properties),
        "limit": limit,
    }
    if sort_by:
        payload["sorts"] = [{"propertyName": sort_by, "direction": "ASCENDING"}]
    if after:
        payload["after"] = after
    return payload


def next_after(body: Any) -> str | None:
    """The `after` cursor of a paged answer's next page; None on the last page."""
    paging = body.get("paging") if isinstance(body, dict) else None
    following = paging.get("next") if isinstance(paging, dict) else None
    after = following.get("after") if isinstance(following, dict) else None
    return str(after) if after else None


def _decimal(item: CrmObject, name: str) -> Decimal:
    raw = item.get(name)
    if raw is None or raw == "":
        raise InvalidPayloadError(f"HubSpot line item {item.id} has no {name}")
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise InvalidPayloadError(
            f"HubSpot line item {item.id} has {name} {raw!r}, not a number"
        ) from None
