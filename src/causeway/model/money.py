"""Money is a Decimal amount with its currency; it is never a float."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, field_validator


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount: Decimal
    currency: str

    @field_validator("currency")
    @classmethod
    def _iso_code(cls, value: str) -> str:
        code = value.strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise ValueError(f"currency must be a 3-letter ISO 4217 code, got {value!r}")
        return code

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def shared_out(amount: Decimal, weights: Sequence[Decimal], step: Decimal) -> list[Decimal]:
    """`amount` shared out over `weights` in proportion, each share rounded to `step`,
    the last taking what rounding leaves so that the shares add up to `amount` exactly
    (weights summing to nothing: all of it on the last)."""
    if not weights:
        return []
    total = sum(weights, Decimal(0))
    shares = [
        (amount * weight / total).quantize(step) if total else Decimal(0) for weight in weights[:-1]
    ]
    return [*shares, amount - sum(shares, Decimal(0))]
