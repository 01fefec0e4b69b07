"""CSV order files -> canonical Orders (no I/O).

A file has one row per order line; rows with the same order number are one order.
Order-level values (date, customer, address, currency, shipping, tax rate) are read
from the order's first row that has them, so an export may repeat them on every row
or give them once. A bad cell rejects its whole order, never half of it, and never
the other orders of the file.

Row numbers count the header as row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from pydantic import ValidationError

from causeway.config.systems import FilesSystem
from causeway.connectors.files.values import (
    parse_datetime,
    parse_decimal,
    parse_quantity,
    parse_rate,
)
from causeway.errors import InvalidPayloadError
from causeway.model import Address, Customer, Order, OrderLine, ShippingLine, TaxLine

# Without these a row cannot be an order line.
REQUIRED = ("order_number", "ordered_at", "sku", "quantity", "unit_price")
CENT = Decimal("0.01")
REASON = "reason"  # the extra column of an errors file
EXTRA = "\x00extra"  # cells beyond the header's columns (never a real column name)

T = TypeVar("T")


class FileError(ValueError):
    """The whole file is unusable (unreadable, no header, a required column missing)."""


@dataclass(frozen=True)
class BadRow:
    row: int  # as a spreadsheet numbers it
    values: dict[str, str]
    reason: str


@dataclass
class ParsedFile:
    name: str
    columns: list[str]
    orders: list[Order] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)


@dataclass
class _Rows:
    """The rows of one order number, in file order."""

    number: str
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


class _CellError(ValueError):
    def __init__(self, row: int, column: str | None, problem: str) -> None:
        super().__init__(
            f"row {row}, column {column}: {problem}" if column else f"row {row}: {problem}"
        )
        self.row = row


def read_rows(
    name: str, data: bytes, system: FilesSystem
) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file; FileError when it cannot be read at all."""
    try:
        text = data.decode(system.encoding)
    except UnicodeDecodeError as exc:
        raise FileError(
            f"{name}: not {system.encoding} text (byte {exc.start}); set the system's "
            f"`encoding` to the file's encoding (e.g. cp1252) or save the file as UTF-8"
        ) from None
    # Excel's "CSV UTF-8" starts with a byte-order mark, which would hide the first column.
    text = text.removeprefix("\ufeff")
    reader = csv.DictReader(
        io.StringIO(text, newline=""), delimiter=system.delimiter, restkey=EXTRA
    )
    try:
        rows = [dict(r) for r in reader]
    except csv.Error as exc:
        raise FileError(f"{name}: not readable as CSV ({exc})") from None
    columns = [c.strip() for c in (reader.fieldnames or [])]
    if not columns:
        raise FileError(f"{name}: the file is empty; the first row must name the columns")
    missing = [f"{system.column(f)!r}" for f in REQUIRED if system.column(f) not in columns]
    if missing:
        raise FileError(
            f"{name}: column {', '.join(missing)} is missing; the header has "
            f"{', '.join(repr(c) for c in columns)} (map the columns under the system's "
            f"`columns:` in causeway.yaml, or check the `delimiter` "
            f"{system.delimiter!r})"
        )
    cleaned = [
        {
            k.strip(): v if isinstance(v, str) else system.delimiter.join(v or [])
            for k, v in r.items()
        }
        for r in rows
    ]
    return columns, cleaned


def parse_orders(name: str, data: bytes, system: FilesSystem) -> ParsedFile:
    """The orders of a file, and its bad rows with their reasons.

    Raises FileError only when no row can be read (see read_rows).
    """
    columns, rows = read_rows(name, data, system)
    parsed = ParsedFile(name, columns)
    groups: dict[str, _Rows] = {}
    for index, row in enumerate(rows, start=2):
        number = row.get(system.column("order_number"), "").strip()
        if not number:
            if any(v.strip() for v in row.values()):
                parsed.bad_rows.append(
                    BadRow(
                        index,
                        row,
                        f"{name} row {index}, column {system.column('order_number')}: "
                        f"the order number is empty",
                    )
                )
            continue
        groups.setdefault(number, _Rows(number)).rows.append((index, row))
    for group in groups.values():
        try:
            parsed.orders.append(order_from_rows(group.number, group.rows, system))
        except _CellError as exc:
            # The whole order stays out; its good rows say why, so none looks lost.
            first = f"{name} {exc}"
            for index, row in group.rows:
                reason = (
                    first if index == exc.row else f"order {group.number} not imported: {first}"
                )
                parsed.bad_rows.append(BadRow(index, row, reason))
    parsed.bad_rows.sort(key=lambda b: b.row)
    return parsed


def order_from_rows(
    number: str, rows: Sequence[tuple[int, Mapping[str, str]]], system: FilesSystem
) -> Order:
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
                    f"{value!s} differs from row {found[0][0]}'s {found[0][1]!s} "
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
                f"more cells than the header has columns ({values[EXTRA]!r} left over); "
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
            rows[0][0], system.column("currency"), f"{currency!r} is not a 3-letter ISO code"
        )
    shipping = header("shipping", parse_decimal) or Decimal(0)
    rate = header("tax_rate", parse_rate)
    taxes = (TaxLine(title="Tax", rate=rate, amount=Decimal(0)),) if rate else ()
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    taxed = subtotal + shipping
    if rate and system.prices_include_tax:
        total_tax = (taxed - taxed / (1 + rate)).quantize(CENT, ROUND_HALF_UP)
        total = taxed
    else:
        total_tax = (taxed * (rate or 0)).quantize(CENT, ROUND_HALF_UP)
        total = taxed + total_tax
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
            (ShippingLine(title="Shipping", price=shipping, tax_lines=taxes),) if shipping else ()
        ),
        tax_lines=tuple(TaxLine(title=t.title, rate=t.rate, amount=total_tax) for t in taxes),
        taxes_included=system.prices_include_tax,
        subtotal=subtotal,
        total_tax=total_tax,
        total=total,
        note=header("note", as_text),
    )


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


def errors_csv(parsed: ParsedFile, system: FilesSystem) -> bytes:
    """The bad rows with a reason column: fix the values, drop the file in in/ again.

    The reason column is ignored when the file comes back, so the errors file itself
    is the corrected import.
    """
    out = io.StringIO(newline="")
    columns = [c for c in parsed.columns if c != REASON] + [REASON]
    writer = csv.DictWriter(
        out, fieldnames=columns, delimiter=system.delimiter, extrasaction="ignore"
    )
    writer.writeheader()
    for bad in parsed.bad_rows:
        writer.writerow({**bad.values, REASON: bad.reason})
    return out.getvalue().encode(system.encoding)


def rejection_csv(problem: str, system: FilesSystem) -> bytes:
    """The errors file of a file rejected whole: one reason row."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=system.delimiter)
    writer.writerows([[REASON], [problem]])
    return out.getvalue().encode(system.encoding, errors="replace")


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
