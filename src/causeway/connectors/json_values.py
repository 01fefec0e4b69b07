"""Values in vendors' JSON, read at the edge the same way by every connector.

Money arrives as strings ("199.00") or JSON numbers, tax rates as JSON floats (0.06);
both become Decimal through their decimal text, never through binary floats. A
payload that does not validate is reported field by field (`describe_errors`), so the
reason a job is parked names what is wrong.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, ValidationError


def to_decimal(value: object) -> object:
    """Turn a JSON money/rate value into a finite Decimal, refusing floats' binary noise.

    Floats go through repr (0.06 -> "0.06"), not Decimal(0.06). Anything that is
    not a number or numeric text raises ValueError, so pydantic reports it as a
    field error instead of letting decimal.InvalidOperation escape.
    """
    if isinstance(value, bool):
        # ValueError, not TypeError: pydantic only reports ValueError as a field error.
        raise ValueError("expected a decimal number, not a boolean")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | float):
        result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError("expected a decimal number") from None
    else:
        return value  # let pydantic's own Decimal validation name the type error
    if not result.is_finite():
        raise ValueError("expected a finite decimal number")
    return result


CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: object) -> object:
    """A money amount with at least two decimals: "199.0" and "199.00" become 199.00.

    REST sends "199.00", GraphQL's Money scalar sends "199.0". They are equal
    Decimals but serialise differently, and the hub fingerprints serialised
    orders; one scale keeps the same order's fingerprint the same.
    """
    result = to_decimal(value)
    if isinstance(result, Decimal):
        try:
            return at_least_cents(result)
        except InvalidOperation:  # more digits than a Decimal context holds
            raise ValueError("amount out of range") from None
    return result


def at_least_cents(value: Decimal) -> Decimal:
    """A finite amount with at least two decimals (the one scale of money, see to_money)."""
    exponent = value.as_tuple().exponent
    return value.quantize(CENT) if isinstance(exponent, int) and exponent > -2 else value


Money = Annotated[Decimal, BeforeValidator(to_money)]
"""A money amount as Decimal, parsed from a string or a JSON number."""

Rate = Annotated[Decimal, BeforeValidator(to_decimal)]
"""A tax rate as Decimal (0.06 means 6 %), parsed through its decimal text."""


def describe_errors(error: ValidationError, limit: int = 5) -> str:
    """One readable line per field error: `line_items.0.price: Input should be ... (got 'x')`."""
    lines = []
    for item in error.errors()[:limit]:
        where = ".".join(str(p) for p in item["loc"]) or "(payload)"
        if item["type"] == "missing":  # its input is the whole parent object: noise
            lines.append(f"{where}: {item['msg']}")
            continue
        got = repr(item.get("input"))
        got = got if len(got) <= 60 else got[:57] + "..."
        lines.append(f"{where}: {item['msg']} (got {got})")
    more = error.error_count() - limit
    if more > 0:
        lines.append(f"... and {more} more")
    return "; ".join(lines)
