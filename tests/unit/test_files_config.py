"""A files system in causeway.yaml: sensible defaults, and mistakes named with their key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from causeway.config import FilesSystem, parse_config
from causeway.engine.schedule import INTERVAL
from causeway.errors import ConfigError
from causeway.hub import Hub
from causeway.stock.held import held_quantities
from tests.unit.files_support import hub_config


def test_a_files_system_needs_only_a_folder(tmp_path: Path) -> None:
    parsed = parse_config(hub_config(tmp_path), env={})
    system = parsed.systems["csv"]
    assert isinstance(system, FilesSystem)
    assert (system.delimiter, system.encoding, system.currency) == (",", "utf-8", "USD")
    assert (system.max_file_bytes, system.out_file_mode, system.private_file_mode) == (
        50_000_000,
        0o640,
        0o600,
    )
    assert system.column("quantity") == "quantity"
    exchange = parsed.flows.files_exchange
    assert exchange is not None
    schedule = exchange.effective_schedule()
    assert (schedule.mode, schedule.every_seconds) == (INTERVAL, 300.0)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"columns": {"qty": "Menge"}}, "systems.csv.columns: unknown order field(s) qty; known:"),
        ({"delimiter": ";;"}, "systems.csv.delimiter: String should have at most 1 character"),
        ({"encoding": "latin-9x"}, "systems.csv.encoding: 'latin-9x' is not an encoding"),
        ({"timezone": "Mars/Base"}, "systems.csv.timezone: 'Mars/Base' is not a time zone"),
        ({"folders": "x"}, "systems.csv.folders: unknown key"),
        ({"max_file_bytes": 10}, "systems.csv.max_file_bytes: Input should be greater than or"),
        (
            {"out_file_mode": 0o640},
            'systems.csv.out_file_mode: write the mode in quotes, e.g. "0640"',
        ),
        (
            {"out_file_mode": "rw-r-----"},
            "systems.csv.out_file_mode: 'rw-r-----' is not a file mode",
        ),
        ({"out_file_mode": "0666"}, "systems.csv.out_file_mode: 0666 lets any user change"),
        (
            {"out_file_mode": "0755"},
            "systems.csv.out_file_mode: '0755': CSV files are not programs",
        ),
        ({"private_file_mode": "0644"}, "systems.csv.private_file_mode: 0644 lets any user on the"),
        (
            {"private_file_mode": "0440"},
            "systems.csv.private_file_mode: '0440': start it with 6",
        ),
    ],
)
def test_bad_files_settings_name_their_key(
    tmp_path: Path, settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(hub_config(tmp_path, **settings), env={})
    assert message in str(info.value)


def test_files_exchange_needs_a_files_system_and_an_erp(tmp_path: Path) -> None:
    data = hub_config(tmp_path)
    data["flows"]["files-exchange"]["source"] = "erp"
    with pytest.raises(
        ConfigError, match="'erp' is of type tryton, but this flow needs one of type files"
    ):
        parse_config(data, env={})


def test_orders_to_erp_takes_a_store_or_a_drop_folder_as_its_source(tmp_path: Path) -> None:
    data = hub_config(tmp_path)
    data["flows"]["orders-to-erp"]["source"] = "erp"
    with pytest.raises(
        ConfigError, match="needs one of type shopify or woocommerce or amazon or files"
    ):
        parse_config(data, env={})


def test_a_files_source_is_never_polled_by_orders_to_erp(tmp_path: Path) -> None:
    hub = Hub(parse_config(hub_config(tmp_path), env={}))
    try:
        assert (tmp_path / "drop" / "in").is_dir() and (tmp_path / "drop" / "out").is_dir()
        orders = hub.flows.enabled["orders-to-erp"]
        # Its runs only release held orders: there is no poll job to fail.
        assert orders.run_payload is None
        (channel,) = orders.flow.channels.values()  # type: ignore[attr-defined]
        assert channel.reconcile() == 0
        assert hub.flows.enabled["files-exchange"].run_payload == {}
    finally:
        hub.stop()


def test_orders_read_from_the_folder_hold_stock_until_the_erp_has_them(tmp_path: Path) -> None:
    hub = Hub(parse_config(hub_config(tmp_path), env={}))
    try:
        (tmp_path / "drop" / "in" / "orders.csv").write_text(
            "order_number,ordered_at,sku,quantity,unit_price\n"
            "1001,2026-11-27,WID-001,2,10.00\n"
            "1001,2026-11-27,GAD-001,1,25.00\n"
            "1002,2026-11-27,WID-001,3,10.00\n"
        )
        (tmp_path / "drop" / "in" / "orders.csv.done").touch()  # the upload is complete
        run = hub.flows["files-exchange"].import_waiting()  # type: ignore[attr-defined]
        assert (run.orders, run.new_orders, run.bad_rows) == (2, 2, 0)
        held = held_quantities(hub.store, hub.inbox, hub.jobs, hub.connectors)
        assert held == {"WID-001": Decimal(5), "GAD-001": Decimal(1)}
    finally:
        hub.stop()
