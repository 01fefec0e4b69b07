"""Reading order CSV files: every cell a spreadsheet can produce, every mistake named."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from causeway.config.systems import FilesSystem
from causeway.connectors.files.orders import order_from_json, order_to_json
from causeway.connectors.files.reading import FileError, errors_csv, parse_orders
from causeway.connectors.files.values import (
    parse_datetime,
    parse_decimal,
    parse_quantity,
    parse_rate,
)
from causeway.errors import InvalidPayloadError


def folder(**settings: object) -> FilesSystem:
    return FilesSystem.model_validate({"type": "files", "folder": "/tmp/unused", **settings})


HEADER = (
    "order_number,ordered_at,email,customer_name,street,city,postal_code,country_code,"
    "sku,title,quantity,unit_price,shipping,tax_rate\n"
)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(f"{r}\n" for r in rows)).encode()


# --- single cells -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12.50", "12.50"),
        ("12,50", "12.50"),
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        (" 7 ", "7"),
        ("-3,5", "-3.5"),
        ("1,234", "1.234"),  # one separator is always the decimal one
    ],
)
def test_decimals_are_read_with_a_dot_or_a_comma(text: str, value: str) -> None:
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["two", "12.5.3", "1.2,3", "", "12 EUR", "1e3"])
def test_what_is_not_a_number_is_refused_with_the_value_quoted(text: str) -> None:
    with pytest.raises(ValueError, match="is not a number") as info:
        parse_decimal(text)
    assert repr(text) in str(info.value)


def test_quantities_are_whole_positive_units() -> None:
    assert parse_quantity("3") == 3
    assert parse_quantity("3,00") == 3
    with pytest.raises(ValueError, match=r"'1.5' is not a whole number"):
        parse_quantity("1.5")
    with pytest.raises(ValueError, match="must be at least 1"):
        parse_quantity("0")


def test_tax_rates_are_fractions_or_percentages() -> None:
    assert parse_rate("0.10") == Decimal("0.10")
    assert parse_rate("10%") == Decimal("0.10")
    assert parse_rate("6 %") == Decimal("0.06")
    with pytest.raises(ValueError, match=r"write 0\.10 or 10%"):
        parse_rate("10")


def test_dates_in_iso_form_with_or_without_zone() -> None:
    assert parse_datetime("2026-11-27", date_format=None, zone="UTC") == datetime(
        2026, 11, 27, tzinfo=UTC
    )
    assert parse_datetime("2026-11-27T10:00:00+01:00", date_format=None, zone="UTC") == datetime(
        2026, 11, 27, 9, tzinfo=UTC
    )
    # A time without a zone is in the system's zone: 10:00 in Berlin is 09:00 UTC in winter.
    assert parse_datetime("2026-11-27 10:00", date_format=None, zone="Europe/Berlin") == datetime(
        2026, 11, 27, 9, tzinfo=UTC
    )


def test_dates_in_a_configured_format() -> None:
    assert parse_datetime("27.11.2026", date_format="%d.%m.%Y", zone="UTC") == datetime(
        2026, 11, 27, tzinfo=UTC
    )
    with pytest.raises(ValueError, match=r"'2026-11-27' is not a date: write %d.%m.%Y"):
        parse_datetime("2026-11-27", date_format="%d.%m.%Y", zone="UTC")


# --- whole files ----------------------------------------------------------------------


def test_rows_with_one_order_number_are_one_order_with_its_totals() -> None:
    data = csv_bytes(
        "1001,2026-11-27,Ann@Example.com,Ann Lee,1 Main St,Springfield,12345,us,"
        'WID-001,Widget,2,"10,50",4.90,10%',
        "1001,,,,,,,,GAD-001,,1,25.00,,",
        "1002,2026-11-28,bob@example.com,Bob,,,,,WID-001,,1,10.00,,",
    )
    parsed = parse_orders("orders.csv", data, folder())
    assert parsed.bad_rows == []
    first, second = parsed.orders
    assert (first.number, first.external_id, first.currency) == ("1001", "1001", "USD")
    assert [(li.sku, li.title, li.quantity, li.unit_price) for li in first.lines] == [
        ("WID-001", "Widget", 2, Decimal("10.50")),
        ("GAD-001", "GAD-001", 1, Decimal("25.00")),
    ]
    assert first.customer.email == "ann@example.com"
    assert (first.customer.first_name, first.customer.last_name) == ("Ann", "Lee")
    assert first.shipping_address is not None
    assert first.shipping_address.one_line() == "1 Main St, 12345, Springfield, US"
    assert first.subtotal == Decimal("46.00")
    assert first.shipping_total == Decimal("4.90")
    assert first.total_tax == Decimal("5.09")  # 10 % of 50.90
    assert first.total == Decimal("55.99")
    assert first.tax_lines[0].rate == Decimal("0.10")
    assert first.shipping_lines[0].tax_lines[0].rate == Decimal("0.10")
    assert second.shipping_lines == () and second.shipping_address is None


def test_a_bad_cell_rejects_its_whole_order_and_only_that_order() -> None:
    data = csv_bytes(
        "1001,2026-11-27,a@example.com,Ann,,,,,WID-001,,2,10.00,,",
        "1002,2026-11-27,b@example.com,Bob,,,,,WID-001,,1,10.00,,",
        "1002,,,,,,,,GAD-001,,two,25.00,,",
        "1003,2026-11-27,c@example.com,Cy,,,,,GAD-001,,1,25.00,,",
    )
    parsed = parse_orders("orders.csv", data, folder())
    assert [o.number for o in parsed.orders] == ["1001", "1003"]
    assert [(b.row, b.reason) for b in parsed.bad_rows] == [
        (3, "order 1002 not imported: orders.csv row 4, column quantity: 'two' is not a number"),
        (4, "orders.csv row 4, column quantity: 'two' is not a number"),
    ]


def test_the_errors_file_is_the_bad_rows_with_a_reason_ready_to_fix_and_drop_again() -> None:
    data = csv_bytes(
        "1001,2026-11-27,a@example.com,Ann,,,,,WID-001,,2,10.00,,",
        "1002,2026-11-27,b@example.com,Bob,,,,,WID-001,,1,ten,,",
    )
    system = folder()
    parsed = parse_orders("orders.csv", data, system)
    rows = list(csv.DictReader(io.StringIO(errors_csv(parsed, system).decode())))
    assert len(rows) == 1
    assert rows[0]["order_number"] == "1002" and rows[0]["unit_price"] == "ten"
    assert rows[0]["reason"] == "orders.csv row 3, column unit_price: 'ten' is not a number"
    # Fixed and dropped again, the reason column is ignored.
    rows[0]["unit_price"] = "10.00"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    again = parse_orders("orders.csv.errors.csv", out.getvalue().encode(), system)
    assert [o.number for o in again.orders] == ["1002"] and again.bad_rows == []


def test_empty_required_values_and_conflicting_order_values_are_named() -> None:
    data = csv_bytes(
        "1001,2026-11-27,a@example.com,Ann,,,,,,,2,10.00,,",
        "1002,2026-11-27,b@example.com,Bob,,,,,WID-001,,1,10.00,4.90,",
        "1002,2026-11-27,b@example.com,Bob,,,,,GAD-001,,1,25.00,5.90,",
        "1003,,c@example.com,Cy,,,,,WID-001,,1,10.00,,",
        ",2026-11-27,d@example.com,Di,,,,,WID-001,,1,10.00,,",
    )
    reasons = {b.row: b.reason for b in parse_orders("o.csv", data, folder()).bad_rows}
    assert reasons == {
        2: "o.csv row 2, column sku: the value is empty",
        3: "order 1002 not imported: o.csv row 4, column shipping: 5.90 differs from "
        "row 3's 4.90 for the same order 1002",
        4: "o.csv row 4, column shipping: 5.90 differs from row 3's 4.90 for the same order 1002",
        5: "o.csv row 5, column ordered_at: the order has no date",
        6: "o.csv row 6, column order_number: the order number is empty",
    }


def test_a_missing_required_column_rejects_the_file_and_names_the_column() -> None:
    data = b"order_number,ordered_at,sku,qty,unit_price\n1001,2026-11-27,WID-001,2,10.00\n"
    with pytest.raises(FileError) as info:
        parse_orders("orders.csv", data, folder())
    message = str(info.value)
    assert message.startswith("orders.csv: column 'quantity' is missing")
    assert "'qty'" in message and "columns:" in message


def test_columns_are_mapped_and_the_dialect_is_configurable() -> None:
    system = folder(
        delimiter=";",
        encoding="cp1252",
        date_format="%d.%m.%Y",
        currency="EUR",
        columns={
            "order_number": "Bestellnummer",
            "ordered_at": "Datum",
            "sku": "Artikel",
            "quantity": "Menge",
            "unit_price": "Preis",
            "customer_name": "Kunde",
        },
    )
    data = (
        "Bestellnummer;Datum;Kunde;Artikel;Menge;Preis\nA-7;27.11.2026;Jürgen Groß;WID-001;3;9,99\n"
    )
    parsed = parse_orders("bestellungen.csv", data.encode("cp1252"), system)
    (order,) = parsed.orders
    assert order.currency == "EUR" and order.customer.last_name == "Groß"
    assert order.lines[0].unit_price == Decimal("9.99") and order.total == Decimal("29.97")


def test_a_file_in_another_encoding_names_the_setting_to_change() -> None:
    data = "order_number,sku,quantity,unit_price\n1,Ä,1,1\n".encode("cp1252")
    with pytest.raises(FileError, match=r"not utf-8 text .* set the system's `encoding`"):
        parse_orders("o.csv", data, folder())


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(FileError, match=r"o\.csv: the file is empty"):
        parse_orders("o.csv", b"", folder())


def test_prices_including_tax_keep_the_total() -> None:
    data = csv_bytes("1001,2026-11-27,a@example.com,Ann,,,,,WID-001,,1,11.00,,10%")
    (order,) = parse_orders("o.csv", data, folder(prices_include_tax=True)).orders
    assert order.taxes_included and order.total == Decimal("11.00")
    assert order.total_tax == Decimal("1.00")


def test_the_inbox_body_is_the_canonical_order_and_a_broken_one_is_named() -> None:
    data = csv_bytes("1001,2026-11-27,a@example.com,Ann,,,,,WID-001,,1,11.00,,")
    (order,) = parse_orders("o.csv", data, folder()).orders
    body = json.loads(order_to_json(order))
    assert order_from_json(body) == order
    del body["lines"]
    with pytest.raises(InvalidPayloadError, match="files order 1001: lines: Field required"):
        order_from_json(body)


def test_an_unquoted_decimal_comma_that_shifts_the_cells_is_caught() -> None:
    data = csv_bytes(
        "1001,2026-11-27,a@example.com,Ann,,,,,WID-001,,2,10,50,,",
        "1002,2026-11-27,b@example.com,Bob,,,,,WID-001,,1,10.00,,",
    )
    parsed = parse_orders("o.csv", data, folder())
    assert [o.number for o in parsed.orders] == ["1002"]
    (bad,) = parsed.bad_rows
    assert bad.reason == (
        "o.csv row 2: 1 more cell(s) than the header has columns; "
        "quote values that contain the delimiter ','"
    )


def test_excels_byte_order_mark_does_not_hide_the_first_column() -> None:
    data = "\ufefforder_number,ordered_at,sku,quantity,unit_price\n1,2026-11-27,WID-001,1,5\n"
    (order,) = parse_orders("o.csv", data.encode("utf-8"), folder()).orders
    assert order.number == "1"
