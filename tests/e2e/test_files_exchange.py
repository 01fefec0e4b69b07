"""A store that only speaks CSV: orders dropped in a folder become real Tryton sales;
stock and order status come back as files."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from typer.testing import CliRunner

from causeway.cli import app
from causeway.config import parse_config
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine.schema import inbox
from causeway.hub import Hub
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit
from tests.e2e.conftest import erp_sales

pytestmark = pytest.mark.tryton

HEADER = (
    "Order,Date,Email,Name,Street,City,Zip,Country,SKU,Qty,Price,Shipping,VAT\n"  # a shop's export
)
COLUMNS = {
    "order_number": "Order",
    "ordered_at": "Date",
    "email": "Email",
    "customer_name": "Name",
    "street": "Street",
    "city": "City",
    "postal_code": "Zip",
    "country_code": "Country",
    "sku": "SKU",
    "quantity": "Qty",
    "unit_price": "Price",
    "shipping": "Shipping",
    "tax_rate": "VAT",
}


def files_config(tmp_path: Path, erp: TrytonServer, prefix: str) -> dict[str, Any]:
    return {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        "workers": {"lease": "3s", "backoff_base": "200ms", "backoff_cap": "1s", "max_attempts": 2},
        "systems": {
            "csv": {"type": "files", "folder": str(tmp_path / "drop"), "columns": COLUMNS},
            "erp": {
                "type": "tryton",
                "url": erp.url,
                "database": erp.database,
                "username": erp.username,
                "password": erp.password,
            },
        },
        "flows": {
            "orders-to-erp": {"source": "csv", "target": "erp", "reference_prefix": prefix},
            "files-exchange": {"source": "csv", "target": "erp"},
        },
    }


@pytest.fixture
def hub(tmp_path: Path, tryton_server: TrytonServer, prefix: str) -> Iterator[Hub]:
    running = Hub(parse_config(files_config(tmp_path, tryton_server, prefix), env={}))
    yield running
    running.stop()


def drop(hub: Hub, name: str, content: str) -> Path:
    """Upload a file and say it is complete (its .done marker): the next run reads it."""
    path = Path(hub.config.systems["csv"].folder) / "in" / name  # type: ignore[union-attr]
    path.write_text(content)
    path.with_name(f"{name}.done").touch()
    return path


def exchange(hub: Hub) -> None:
    """One scheduled run of files-exchange, and the order jobs it starts, to the end."""
    hub.run_flow("files-exchange")
    hub.new_worker().run_until_idle(timeout=120)


def out_rows(hub: Hub, name: str) -> list[dict[str, str]]:
    folder = Path(hub.config.systems["csv"].folder)  # type: ignore[union-attr]
    return list(csv.DictReader(io.StringIO((folder / name).read_text())))


def orders_file(email: str) -> str:
    return HEADER + (
        f"1001,2026-11-27T09:30:00Z,{email},Ann Lee,1 Main St,Springfield,12345,US,"
        "WID-001,2,10.00,4.90,10%\n"
        '1001,,,,,,,,GAD-001,1,"25,00",,\n'
        f"1002,2026-11-27T09:40:00Z,{email},Bob Ray,,,,,WID-001,two,10.00,,10%\n"
        "1002,,,,,,,,GAD-001,1,25.00,,\n"
        f"1003,2026-11-27T09:50:00Z,{email},Cy Poe,,,,,SKU-0003,3,8.00,,10%\n"
    )


def test_a_csv_with_a_bad_row_imports_every_good_order_and_reports_the_bad_one(
    hub: Hub, tryton_server: TrytonServer, prefix: str, unique: str
) -> None:
    drop(hub, "orders.csv", orders_file(f"files-{unique}@example.com"))
    exchange(hub)

    sales = {s["reference"]: s for s in erp_sales(tryton_server, prefix)}
    assert sorted(sales) == [f"{prefix}1001", f"{prefix}1003"]
    first = sales[f"{prefix}1001"]
    assert first["state"] in ("confirmed", "processing")
    assert sorted(
        (line["product_code"], line["quantity"], Decimal(str(line["unit_price"])))
        for line in first["lines"]
    ) == [
        ("GAD-001", Decimal(1), Decimal("25.00")),
        ("SHIPPING", Decimal(1), Decimal("4.90")),
        ("WID-001", Decimal(2), Decimal("10.00")),
    ]
    # 45.00 of goods and 4.90 shipping, with Tryton's 10 % tax on both.
    assert Decimal(str(first["total_amount"])) == Decimal("54.89")
    assert Decimal(str(sales[f"{prefix}1003"]["total_amount"])) == Decimal("26.40")

    folder = Path(hub.config.systems["csv"].folder)  # type: ignore[union-attr]
    assert list((folder / "in").iterdir()) == []
    assert [p.name for p in (folder / "processed").iterdir()] == ["orders.csv"]
    errors = out_rows(hub, "errors/orders.csv.errors.csv")
    assert [(r["Order"], r["Qty"], r["reason"]) for r in errors] == [
        ("1002", "two", "orders.csv row 4, column Qty: 'two' is not a number"),
        (
            "1002",
            "1",
            "order 1002 not imported: orders.csv row 4, column Qty: 'two' is not a number",
        ),
    ]

    exchange(hub)  # the next run reports what the ERP made of them
    status = {r["order_number"]: r for r in out_rows(hub, "out/order-status.csv")}
    assert sorted(status) == ["1001", "1003"]
    assert status["1001"]["state"] == "in_erp"
    assert status["1001"]["erp_sale_number"] == first["number"]
    assert status["1001"]["updated_at"].startswith("20")


def test_dropping_the_same_file_again_creates_no_second_sale(
    hub: Hub, tryton_server: TrytonServer, prefix: str, unique: str
) -> None:
    content = orders_file(f"again-{unique}@example.com")
    drop(hub, "orders.csv", content)
    exchange(hub)
    with hub.store.read() as conn:
        stored = conn.execute(select(func.count()).select_from(inbox)).scalar_one()
    assert len(erp_sales(tryton_server, prefix)) == 2

    drop(hub, "orders.csv", content)  # the shop uploads the same export twice
    exchange(hub)

    with hub.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(inbox)).scalar_one() == stored
    assert len(erp_sales(tryton_server, prefix)) == 2
    folder = Path(hub.config.systems["csv"].folder)  # type: ignore[union-attr]
    assert len(list((folder / "processed").iterdir())) == 2  # both drops kept, none overwritten

    # The same order in a new file (another export) is a new event, but still one sale.
    drop(hub, "orders-again.csv", content.replace("2026-11-27T09:30:00Z", "2026-11-27T09:31:00Z"))
    exchange(hub)
    assert len(erp_sales(tryton_server, prefix)) == 2


def test_stock_csv_holds_trytons_quantities(hub: Hub, tryton: TrytonConnector, unique: str) -> None:
    sku = f"CSV-{unique}"
    TrytonTestKit(tryton).ensure_product(
        sku, "CSV widget", Decimal("9.00"), Decimal("4.00"), Decimal(37)
    )
    exchange(hub)

    stock = {r["sku"]: r["available"] for r in out_rows(hub, "out/stock.csv")}
    assert stock[sku] == "37"
    levels = {level.sku: level.forecast for level in tryton.stock_levels()}
    assert set(stock) == set(levels)
    assert all(int(stock[s]) == max(0, int(levels[s])) for s in levels)


def test_an_order_tryton_refuses_is_parked_and_reported_as_failed(
    hub: Hub, tryton_server: TrytonServer, prefix: str, unique: str
) -> None:
    drop(
        hub,
        "orders.csv",
        HEADER
        + f"2001,2026-11-27,x-{unique}@example.com,Xi,,,,,NO-SUCH-{unique},1,5.00,,\n"
        + f"2002,2026-11-27,x-{unique}@example.com,Xi,,,,,WID-001,1,10.00,,\n",
    )
    exchange(hub)
    exchange(hub)

    assert [s["reference"] for s in erp_sales(tryton_server, prefix)] == [f"{prefix}2002"]
    status = {r["order_number"]: r for r in out_rows(hub, "out/order-status.csv")}
    assert status["2002"]["state"] == "in_erp"
    assert status["2001"]["state"] == "failed"
    assert f"unknown SKU NO-SUCH-{unique}" in status["2001"]["problem"]


def test_a_file_without_a_needed_column_goes_to_errors_with_the_reason(hub: Hub) -> None:
    drop(hub, "broken.csv", "Order,Date,SKU,Price\n3001,2026-11-27,WID-001,10.00\n")
    exchange(hub)

    folder = Path(hub.config.systems["csv"].folder)  # type: ignore[union-attr]
    assert (folder / "errors" / "broken.csv").exists()
    (report,) = out_rows(hub, "errors/broken.csv.errors.csv")
    assert report["reason"].startswith("broken.csv: column 'Qty' is missing")
    with hub.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(inbox)).scalar_one() == 0


def test_causeway_sync_files_places_the_orders_and_says_what_went_wrong(
    tmp_path: Path, tryton_server: TrytonServer, prefix: str, unique: str
) -> None:
    config = tmp_path / "causeway.yaml"
    config.write_text(yaml.safe_dump(files_config(tmp_path, tryton_server, prefix)))
    (tmp_path / "drop" / "in").mkdir(parents=True)
    # No marker: the command looks twice, a moment apart, and reads the file once unchanged.
    (tmp_path / "drop" / "in" / "orders.csv").write_text(orders_file(f"cli-{unique}@example.com"))

    result = CliRunner().invoke(app, ["sync", "files", "-c", str(config)])

    assert result.exit_code == 1, result.output  # one bad row needs a person
    assert "stopped changing" in result.output and "read orders.csv" in result.output
    assert "2 order(s) read, 2 new; 2 bad row(s)" in result.output
    assert "orders.csv.errors.csv" in result.output
    assert "order-status.csv: 2 order(s), 0 failed" in result.output
    # Placed by the command itself, no hub running.
    assert sorted(s["reference"] for s in erp_sales(tryton_server, prefix)) == [
        f"{prefix}1001",
        f"{prefix}1003",
    ]
    status = list(csv.DictReader(io.StringIO((tmp_path / "drop/out/order-status.csv").read_text())))
    assert {r["order_number"]: r["state"] for r in status} == {"1001": "in_erp", "1003": "in_erp"}


def test_causeway_sync_files_without_the_flow_says_how_to_configure_it(
    tmp_path: Path, tryton_server: TrytonServer, prefix: str
) -> None:
    settings = files_config(tmp_path, tryton_server, prefix)
    del settings["flows"]["files-exchange"]
    config = tmp_path / "causeway.yaml"
    config.write_text(yaml.safe_dump(settings))
    result = CliRunner().invoke(app, ["sync", "files", "-c", str(config)])
    assert result.exit_code == 2
    assert "flows.files-exchange is not configured" in result.output
