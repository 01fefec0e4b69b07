"""Customers and their postal addresses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator


class Address(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = ""
    company: str | None = None
    street: str = ""
    street2: str | None = None
    city: str = ""
    postal_code: str = ""
    region_code: str | None = None
    region: str | None = None
    country_code: str | None = None
    phone: str | None = None

    def one_line(self) -> str:
        parts = [self.street, self.street2, self.postal_code, self.city, self.country_code]
        return ", ".join(p for p in parts if p)


class Customer(BaseModel):
    model_config = ConfigDict(frozen=True)

    email: str | None = None
    first_name: str = ""
    last_name: str = ""
    phone: str | None = None
    accepts_marketing: bool = False
    external_id: str | None = None

    @field_validator("email")
    @classmethod
    def _normalise_email(cls, value: str | None) -> str | None:
        # Matching is by email; the store may send any capitalisation.
        if value is None:
            return None
        value = value.strip().lower()
        return value or None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p).strip()
