"""The golden record's shape: each field's value with the system it came from and when.

ObservedCustomer is what a flow hands in (validated at the edge: an unknown field or
a credit limit that is not a number is an InvalidPayloadError naming it).
GoldenRecord is what the hub keeps, serialised as JSON in the customers table.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from causeway.errors import InvalidPayloadError

CENTS = Decimal("0.01")

# The fields a survivorship rule can name, in the order they are shown.
FIELDS = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "company",
    "address",
    "credit_limit",
    "payment_terms",
)


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    street: str | None = None
    street2: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country_code: str | None = None


class ObservedCustomer(BaseModel):
    """What one system says about a customer at one moment; None = says nothing."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    address: Address | None = None
    credit_limit: Decimal | None = Field(default=None, ge=0)
    payment_terms: str | None = None

    @classmethod
    def parse(cls, fields: dict[str, Any], where: str) -> ObservedCustomer:
        try:
            return cls.model_validate(fields)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'fields'}: {err['msg']}"
                for err in exc.errors()
            )
            raise InvalidPayloadError(f"customer fields from {where}: {problems}") from None

    def values(self) -> dict[str, Any]:
        """Field -> JSON-ready value, only the fields this observation states."""
        result: dict[str, Any] = {}
        for field in FIELDS:
            value = getattr(self, field)
            value = to_json(value) if value is not None else None
            if value in (None, "", {}):  # an empty address or blank text says nothing
                continue
            result[field] = value
        return result


def to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Money stays exact through JSON, in one spelling: "5000" and "5000.0" are equal.
        return str(value.quantize(CENTS))
    if isinstance(value, Address):
        parts = value.model_dump(exclude_none=True).items()
        return {key: part.strip() for key, part in parts if part.strip()}
    if isinstance(value, str):
        return value.strip()
    return value


class FieldValue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Any
    source: str = Field(description="the system the value came from")
    at: float = Field(description="when that system observed it (epoch seconds)")


class GoldenRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: dict[str, FieldValue] = Field(default_factory=dict)
    # Every distinct address any system gave, so a later order to an older address
    # still matches; `fields["address"]` is the one survivorship chose.
    addresses: list[dict[str, str]] = Field(default_factory=list)
    # Likewise every email and phone given: an order placed with an old email still
    # finds the customer after the CRM changed it.
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)

    def value(self, field: str) -> Any:
        held = self.fields.get(field)
        return held.value if held else None

    def credit_limit(self) -> Decimal | None:
        value = self.value("credit_limit")
        return Decimal(value) if value is not None else None

    def plain(self) -> dict[str, Any]:
        """Field -> value, for people and for the systems that get updated."""
        return {field: held.value for field, held in self.fields.items()}

    def remember(self, values: dict[str, Any]) -> None:
        """Keep the identifying values an observation gave (see `addresses`)."""
        for key, seen in (
            ("address", self.addresses),
            ("email", self.emails),
            ("phone", self.phones),
        ):
            value = values.get(key)
            if value and value not in seen:
                seen.append(value)

    def absorb(self, other: GoldenRecord) -> None:
        for address in other.addresses:
            self.remember({"address": address})
        for email in other.emails:
            self.remember({"email": email})
        for phone in other.phones:
            self.remember({"phone": phone})


# A record that holds nothing: what an erased person's, or a merged-away record whose
# merge can no longer be undone, keeps (the row stays for the links that name it).
EMPTY_RECORD = GoldenRecord().model_dump_json()
