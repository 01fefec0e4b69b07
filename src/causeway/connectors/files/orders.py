"""The rows of one order -> a canonical Order; the errors report (no I/O).

A file has one row per order line; rows with the same order number are one order
(connectors/files/reading.py streams a file one order at a time). Order-level values
(date, customer, address, currency, shipping, tax rate) are read from the order's
first row that has them, so an export may repeat them on every row or give them once.
A bad cell rejects its whole order, never half of it, and never the other orders of
the file.

Row numbers count the header as row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, BinaryIO, TypeVar

from pydantic import ValidationError

from causeway.config.systems import FilesSystem
from causeway.connectors.files.safe_csv import SafeWriter, csv_bytes
from causeway.connectors.files.values import (
    SHOWN_CHARS,
    parse_datetime,
    parse_decimal,
    parse_quantity,
    parse_rate,
    quoted,
)
from causeway.errors import InvalidPayloadError
from causeway.model import Address, Customer, Order, OrderLine, ShippingLine, TaxLine

# Without these a row cannot be an order line.
REQUIRED = ("order_number", "ordered_at", "sku", "quantity", "unit_price")
CENT = Decimal("0.01")
TAX_TITLE = "Tax"
REASON = "reason"  # the extra column of an errors file
EXTRA = "\x00extra"  # cells beyond the header's columns (never a real column name)

T = TypeVar("T")


@dataclass(frozen=True)
class BadRow:
    row: int  # as a spreadsheet numbers it
    values: dict[str, str]
    reason: str


class _CellError(ValueError):
    def __init__(self, row: int, column: str | None, problem: str) -> None:
        super().__init__(
            f"row {row}, column {column}: {problem}" if column else f"row {row}: {problem}"
        )
        self.row = row


Rows = Sequence[tuple[int, Mapping[str, str]]]


def order_or_bad_rows(
    name: str, number: str, rows: Rows, system: FilesSystem
) -> Order | list[BadRow]:
    """The order of these rows, or all of its rows as bad rows: the whole order stays
    out, and its good rows say why, so none looks lost."""
    try:
        return order_from_rows(number, rows, system)
    except _CellError as exc:
        first = f"{name} {exc}"
        return [
            BadRow(
                index,
                dict(row),
                first if index == exc.row else f"order {number} not imported: {first}",
            )
            for index, row in rows
        ]


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "..."


def order_from_rows(number: str, rows: Rows, system: FilesSystem) -> Order:
    """One canonical Order from its rows; _CellError names the first bad cell."""

    def cell(values: Mapping[str, str], field_name: str) -> str:
        return values.get(system.column(field_name), "").strip()

    def read(field_name: str, parse: Callable[[str], T]) -> list[tuple[int, T]]:
        """Every non-empty value of a field, parsed, with its row."""
        found: list[tuple[int, T]] = []
        for index, values in rows:
            text = cell(values, field_name)
            if not text:
                continue
            try:
                found.append((index, parse(text)))
            except ValueError as exc:
                raise _CellError(index, system.column(field_name), str(exc)) from None
        return found

    def header(field_name: str, parse: Callable[[str], T]) -> T | None:
        """An order-level value: the first given; a different one later is an error."""
        found = read(field_name, parse)
        for index, value in found[1:]:
            if value != found[0][1]:
                raise _CellError(
                    index,
                    system.column(field_name),
                    f"{_short(value)} differs from row {found[0][0]}'s {_short(found[0][1])} "
                    f"for the same order {number}",
                )
        return found[0][1] if found else None

    def as_text(value: str) -> str:
        return value

    lines = []
    for index, values in rows:
        if EXTRA in values:
            # Usually a decimal comma in a comma-separated file: every later cell shifted.
            raise _CellError(
                index,
                None,
                f"{values[EXTRA]} more cell(s) than the header has columns; "
                f"quote values that contain the delimiter {system.delimiter!r}",
            )
        for required in ("sku", "quantity", "unit_price"):
            if not cell(values, required):
                raise _CellError(index, system.column(required), "the value is empty")
        try:
            quantity = parse_quantity(cell(values, "quantity"))
        except ValueError as exc:
            raise _CellError(index, system.column("quantity"), str(exc)) from None
        try:
            price = parse_decimal(cell(values, "unit_price"))
        except ValueError as exc:
            raise _CellError(index, system.column("unit_price"), str(exc)) from None
        sku = cell(values, "sku")
        lines.append(
            OrderLine(
                external_id=f"{number}:{index}",
                sku=sku,
                title=cell(values, "title") or sku,
                quantity=quantity,
                unit_price=price,
            )
        )
    ordered_at = header(
        "ordered_at",
        lambda t: parse_datetime(t, date_format=system.date_format, zone=system.timezone),
    )
    if ordered_at is None:
        first_row = rows[0][0]
        raise _CellError(first_row, system.column("ordered_at"), "the order has no date")
    currency = header("currency", as_text) or system.currency
    if len(currency) != 3 or not currency.isalpha():
        raise _CellError(
            rows[0][0], system.column("currency"), f"{quoted(currency)} is not a 3-letter ISO code"
        )
    shipping = header("shipping", parse_decimal) or Decimal(0)
    rate = header("tax_rate", parse_rate)
    included = system.prices_include_tax
    # Taxed per line, each rounded half up, as Shopify rounds them: then the ERP, rounding
    # tax per line (docs/connectors/tryton.md), charges what this order says to the cent.
    lines = [
        line.model_copy(
            update={"tax_lines": _taxed(line.unit_price * line.quantity, rate, included)}
        )
        for line in lines
    ]
    shipping_taxes = _taxed(shipping, rate, included)
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    total_tax = sum(
        (t.amount for t in [*shipping_taxes, *(t for li in lines for t in li.tax_lines)]),
        Decimal(0),
    )
    total = subtotal + shipping + (Decimal(0) if included else total_tax)
    name = header("customer_name", as_text) or ""
    first, last = header("first_name", as_text), header("last_name", as_text)
    if first is None and last is None and name:
        first, _, last = name.partition(" ")
    customer = Customer(
        email=header("email", as_text),
        first_name=first or "",
        last_name=last or "",
        phone=header("phone", as_text),
        external_id=None,
    )
    address = _address(header, as_text, name or customer.full_name, customer.phone)
    return Order(
        external_id=number,
        number=number,
        currency=currency.upper(),
        created_at=ordered_at,
        updated_at=ordered_at,
        customer=customer,
        billing_address=address,
        shipping_address=address,
        lines=tuple(lines),
        shipping_lines=(
            (ShippingLine(title="Shipping", price=shipping, tax_lines=shipping_taxes),)
            if shipping
            else ()
        ),
        tax_lines=(TaxLine(title=TAX_TITLE, rate=rate, amount=total_tax),) if rate else (),
        taxes_included=included,
        subtotal=subtotal,
        total_tax=total_tax,
        total=total,
        note=header("note", as_text),
    )


def _taxed(amount: Decimal, rate: Decimal | None, included: bool) -> tuple[TaxLine, ...]:
    """The tax line of an amount at the file's rate, rounded half up to the cent."""
    if not rate:
        return ()
    tax = amount * rate / (1 + rate) if included else amount * rate
    return (TaxLine(title=TAX_TITLE, rate=rate, amount=tax.quantize(CENT, ROUND_HALF_UP)),)


def _address(
    header: Callable[[str, Callable[[str], str]], str | None],
    as_text: Callable[[str], str],
    name: str,
    phone: str | None,
) -> Address | None:
    street, city = header("street", as_text), header("city", as_text)
    if not street and not city:
        return None
    country = header("country_code", as_text)
    return Address(
        name=name,
        company=header("company", as_text),
        street=street or "",
        street2=header("street2", as_text),
        city=city or "",
        postal_code=header("postal_code", as_text) or "",
        region=header("region", as_text),
        country_code=country.upper() if country else None,
        phone=phone,
    )


class ErrorReport:
    """errors/<file>.errors.csv, written as bad rows come: the rows with a reason column.

    The reason column is ignored when the file comes back, so the errors file itself
    is the corrected import: fix the values, drop it in in/ again.
    """

    def __init__(self, stream: BinaryIO, columns: Sequence[str], system: FilesSystem) -> None:
        self.columns = [c for c in columns if c != REASON]
        self.rows = 0
        self._writer = SafeWriter(stream, system)
        self._writer.writerow([*self.columns, REASON])

    def add(self, bad: BadRow) -> None:
        self._writer.writerow([*(bad.values.get(c, "") for c in self.columns), bad.reason])
        self.rows += 1

    def close(self) -> None:
        self._writer.detach()


def rejection_csv(problem: str, system: FilesSystem) -> bytes:
    """The errors file of a file refused whole: one reason row."""
    return csv_bytes([[REASON], [problem]], system)


def order_to_json(order: Order) -> bytes:
    """The inbox body of a files order: the canonical Order itself."""
    return order.model_dump_json().encode()


def order_from_json(payload: dict[str, Any]) -> Order:
    """The canonical Order back from an inbox body; InvalidPayloadError names the field."""
    try:
        return Order.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidPayloadError(
            f"files order {payload.get('number', '?')}: {where}: {first['msg']}"
        ) from None
