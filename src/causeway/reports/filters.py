"""What a person may narrow a report to: a date range, a channel, a customer group.

Validated at the edge (the console's query string, a CLI's options): `ReportFilters.of()`
turns the raw text into this model or raises `FilterError` with one sentence per bad
field, never a stack of pydantic's wording. Empty text means "no filter".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

# A channel is a system's name in the configuration; a group is a tag the merchant wrote.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.:/@&+-]*$")


class Filter(StrEnum):
    """The filters a report may accept (each report says which)."""

    DATES = "dates"
    CHANNEL = "channel"
    CUSTOMER_GROUP = "customer_group"


class FilterError(ValueError):
    """Filters a report cannot take: the message says which and how to write them."""


class ReportFilters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    date_from: date | None = Field(default=None, description="first day included (YYYY-MM-DD)")
    date_to: date | None = Field(default=None, description="last day included (YYYY-MM-DD)")
    channel: str | None = Field(default=None, max_length=64, description="a channel's name")
    customer_group: str | None = Field(
        default=None, max_length=128, description="a customer group (dim_customer)"
    )

    @field_validator("date_from", "date_to", "channel", "customer_group", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    @field_validator("channel", "customer_group")
    @classmethod
    def _a_name(cls, value: str | None) -> str | None:
        if value is not None and not _NAME.match(value):
            raise ValueError("letters, digits and - _ . : / @ & + or spaces only")
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> ReportFilters:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"the range ends ({self.date_to}) before it starts ({self.date_from})")
        return self

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> ReportFilters:
        """The filters from raw text (a query string), or FilterError saying what is wrong."""
        try:
            return cls.model_validate(dict(raw))
        except ValidationError as exc:
            raise FilterError("; ".join(_sentence(e) for e in exc.errors())) from None

    def used(self) -> set[Filter]:
        """The filters set (to refuse one a report cannot take)."""
        used = set()
        if self.date_from or self.date_to:
            used.add(Filter.DATES)
        if self.channel:
            used.add(Filter.CHANNEL)
        if self.customer_group:
            used.add(Filter.CUSTOMER_GROUP)
        return used

    def query(self) -> dict[str, str]:
        """The filters as query-string fields (for links: the CSV with the same filters)."""
        fields = {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "channel": self.channel or "",
            "customer_group": self.customer_group or "",
        }
        return {k: v for k, v in fields.items() if v}


_LABELS = {
    "date_from": "From",
    "date_to": "To",
    "channel": "Channel",
    "customer_group": "Customer group",
}


def _sentence(error: Mapping[str, Any]) -> str:
    field = str(error["loc"][0]) if error.get("loc") else ""
    label = _LABELS.get(field)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"].startswith("date"):
        message = f"{error.get('input')!r} is not a date: write it as YYYY-MM-DD"
    elif error["type"] == "extra_forbidden":
        return f"{field!r} is not a filter: use {', '.join(_LABELS)}"
    elif error["type"] == "string_too_long":
        message = f"at most {error['ctx']['max_length']} characters"
    return f"{label}: {message}" if label else message
