"""causeway.yaml `customers:`: matching and the survivorship rule of each field."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from causeway.config.base import Strict
from causeway.customers.record import FIELDS as CUSTOMER_FIELDS


class FieldRule(Strict):
    """Which system wins one field of the golden customer record (docs/customers.md)."""

    rule: Literal["source", "newest", "fill_empty"] = Field(
        description="source: one system owns it; newest: latest observation wins; "
        "fill_empty: the first value stays"
    )
    source: str | None = Field(
        default=None, description="for rule=source: the system (as named under systems:)"
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        # `phone: newest` and `credit_limit: {source: erp}` read better than the long form.
        if isinstance(value, str):
            return {"rule": value}
        if isinstance(value, dict) and "rule" not in value and "source" in value:
            return {"rule": "source", **value}
        return value

    @model_validator(mode="after")
    def _source_named(self) -> FieldRule:
        if (self.rule == "source") != (self.source is not None):
            raise ValueError("rule 'source' needs `source: <system>`, and only it takes one")
        return self


def _default_rules() -> dict[str, FieldRule]:
    erp, crm = FieldRule(rule="source", source="erp"), FieldRule(rule="source", source="crm")
    return {
        "email": crm,
        "phone": crm,
        "first_name": crm,
        "last_name": crm,
        "company": crm,
        "address": FieldRule(rule="newest"),
        "credit_limit": erp,
        "payment_terms": erp,
    }


class CustomerSettings(Strict):
    """The golden customer record: matching and survivorship (docs/customers.md)."""

    match_threshold: float = Field(
        default=90.0, ge=0, le=100, description="name+address score (0-100) that makes a match"
    )
    default_region: str = Field(
        default="US",
        min_length=2,
        max_length=2,
        description="country of phone numbers written without a +prefix, when no address says",
    )
    email_ignore_plus_tags: bool = Field(
        default=False, description="treat a+shop@x.com as a@x.com when matching"
    )
    email_ignore_dots: bool = Field(
        default=False, description="treat a.b@x.com as ab@x.com when matching (Gmail-style)"
    )
    rules: dict[str, FieldRule] = Field(
        default_factory=_default_rules,
        description="field -> rule; fields left out keep their default rule",
    )

    @field_validator("rules")
    @classmethod
    def _known_fields(cls, value: dict[str, FieldRule]) -> dict[str, FieldRule]:
        unknown = sorted(set(value) - set(CUSTOMER_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown customer field(s) {', '.join(unknown)}; "
                f"known: {', '.join(CUSTOMER_FIELDS)}"
            )
        return {**_default_rules(), **value}

    def rule_for(self, field: str) -> FieldRule:
        return self.rules.get(field) or FieldRule(rule="newest")
