"""Whoever can write in the drop folder tries to make the hub read, leak or write what it
should not: links to secrets, FIFOs that hang a reader, files that are not CSV at all,
links planted where the hub writes, and file names that forge log lines."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from causeway.config import parse_config
from causeway.connectors.files.connector import FilesConnector
from causeway.connectors.files.folder import UnsafeFolderError
from causeway.engine.store import Store
from causeway.flows.files_exchange import ExchangeRun
from causeway.hub import Hub
from tests.privacy_traces import traces
from tests.unit.files_support import exchange

# Recognisable values for every secret the hub's configuration holds.
SECRETS = {
    "CSW_SHOP_TOKEN": "shpat_MARKER_shop_token_4f1c",
    "CSW_SHOP_WEBHOOK_SECRET": "MARKER_shop_webhook_secret_9a2e",
    "CSW_TRYTON_PASSWORD": "MARKER_tryton_password_77b0",
    "CSW_HUBSPOT_TOKEN": "pat-MARKER-hubspot-token-31d5",
    "CSW_HUBSPOT_SECRET": "MARKER_hubspot_client_secret_c6aa",
}
NOWHERE = "http://127.0.0.1:9"  # nothing listens: a call would be refused at once
GOOD = "order_number,ordered_at,sku,quantity,unit_price\n1001,2026-11-27,WID-001,2,10.00\n"


def hub_config(tmp_path: Path) -> dict[str, Any]:
    """Every kind of system, each secret read from the environment as in production."""
    return {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        "server": {"public_url": "https://hub.example.com"},
        "systems": {
            "shop": {
                "type": "shopify",
                "shop_url": NOWHERE,
                "access_token": "${CSW_SHOP_TOKEN}",
                "webhook_secret": "${CSW_SHOP_WEBHOOK_SECRET}",
            },
            "erp": {
                "type": "tryton",
                "url": NOWHERE,
                "database": "d",
                "username": "u",
                "password": "${CSW_TRYTON_PASSWORD}",
            },
            "crm": {
                "type": "hubspot",
                "base_url": NOWHERE,
                "access_token": "${CSW_HUBSPOT_TOKEN}",
                "client_secret": "${CSW_HUBSPOT_SECRET}",
                "portal_id": 62515,
            },
            "csv": {"type": "files", "folder": str(tmp_path / "drop")},
        },
        "flows": {
            "orders-to-erp": {"source": "csv", "target": "erp"},
            "files-exchange": {"source": "csv", "target": "erp"},
        },
    }


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    running = Hub(parse_config(hub_config(tmp_path)))  # reads the environment
    yield running
    running.stop()


def drop_folder(hub: Hub) -> Path:
    files = hub.connectors["csv"]
    assert isinstance(files, FilesConnector)
    return files.folder.root


def secrets_left(store: Store, folder: Path) -> list[str]:
    """Every place a secret is found: any text or binary column of the store, any file
    under the folder (links are not followed: a link moved aside still points where it
    pointed)."""
    return traces(store, SECRETS.values(), [folder])


def test_a_link_to_the_hubs_own_environment_leaks_no_secret(tmp_path: Path) -> None:
    """The hub as it runs: `causeway sync files` in its own process, its secrets in its
    environment, and in/x.csv a link to /proc/self/environ: its own environment."""
    config = tmp_path / "causeway.yaml"
    config.write_text(yaml.safe_dump(hub_config(tmp_path)))
    (tmp_path / "drop" / "in").mkdir(parents=True)
    (tmp_path / "drop" / "in" / "x.csv").symlink_to("/proc/self/environ")

    result = subprocess.run(
        [sys.executable, "-m", "causeway.cli", "sync", "files", "-c", str(config)],
        env={**os.environ, **SECRETS},
        capture_output=True,
        text=True,
        timeout=120,
    )

    said = result.stdout + result.stderr
    assert [k for k, v in SECRETS.items() if v in said] == [], said
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}", migrate=False, create=False)
    try:
        assert secrets_left(store, tmp_path / "drop") == []
    finally:
        store.dispose()
    # Refused by name, and the link itself set aside: nothing left in in/ to refuse again.
    assert "x.csv is a symbolic link" in said
    assert result.returncode == 1  # a refused file is a problem to look at
    assert os.listdir(tmp_path / "drop" / "in") == []
    moved = tmp_path / "drop" / "errors" / "x.csv"
    assert moved.is_symlink() and os.readlink(moved) == "/proc/self/environ"
    report = (tmp_path / "drop" / "errors" / "x.csv.errors.csv").read_text()
    assert "x.csv is a symbolic link (links are never followed), not a file" in report


def test_a_link_to_a_secrets_file_is_refused_and_nothing_reaches_a_report_or_the_log(
    hub: Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The hub's environment file, as systemd's EnvironmentFile= would hold it.
    env_file = tmp_path / "causeway.env"
    env_file.write_text("".join(f"{k},{v}\n" for k, v in SECRETS.items()))
    folder = drop_folder(hub)
    (folder / "in" / "orders.csv").symlink_to(env_file)
    (folder / "in" / "orders.csv.done").touch()  # "it is complete": still a link

    with caplog.at_level(logging.DEBUG):
        run = exchange(hub).import_waiting()
        again = exchange(hub).import_waiting()

    assert run.rejected == ["orders.csv"] and run.orders == 0
    assert again.rejected == [] and again.files == []  # reported once
    assert secrets_left(hub.store, folder) == []
    assert [k for k, v in SECRETS.items() if v in caplog.text] == []
    assert "orders.csv is a symbolic link" in caplog.text
    assert sorted(os.listdir(folder / "in")) == []  # its marker went with it
    assert env_file.read_text().count("MARKER") == len(SECRETS)  # the target untouched


def test_a_fifo_does_not_hang_the_poll(hub: Hub) -> None:
    folder = drop_folder(hub)
    os.mkfifo(folder / "in" / "orders.csv")
    (folder / "in" / "orders.csv.done").touch()
    outcome: list[ExchangeRun] = []
    worker = threading.Thread(target=lambda: outcome.append(exchange(hub).import_waiting()))
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():  # unblock the reader so the test run itself can end
        os.close(os.open(folder / "in" / "orders.csv", os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading in/ hung on a FIFO")
    (run,) = outcome
    assert run.rejected == ["orders.csv"]
    report = (folder / "errors" / "orders.csv.errors.csv").read_text()
    assert "orders.csv is a named pipe (FIFO), not a file" in report


def test_a_folder_a_hard_link_and_a_link_to_a_device_are_never_read(
    hub: Hub, tmp_path: Path
) -> None:
    folder = drop_folder(hub)
    (folder / "in" / "folder.csv").mkdir()
    outside = tmp_path / "private.csv"
    outside.write_text(GOOD.replace("1001", "SECRET-ORDER"))
    os.link(outside, folder / "in" / "hard.csv")
    (folder / "in" / "zero.csv").symlink_to("/dev/zero")
    for name in ("folder.csv", "hard.csv", "zero.csv"):
        (folder / "in" / f"{name}.done").touch()

    run = exchange(hub).import_waiting()

    assert sorted(run.rejected) == ["folder.csv", "hard.csv", "zero.csv"]
    assert run.orders == 0
    reasons = {
        name: (folder / "errors" / f"{name}.errors.csv").read_text()
        for name in ("folder.csv", "hard.csv", "zero.csv")
    }
    assert "is a folder, not a file" in reasons["folder.csv"]
    assert "has other names on this disk (a hard link)" in reasons["hard.csv"]
    assert "is a symbolic link" in reasons["zero.csv"]
    assert "SECRET-ORDER" not in "".join(reasons.values())
    assert outside.read_text() == GOOD.replace("1001", "SECRET-ORDER")


def test_links_planted_where_the_hub_writes_are_replaced_never_written_through(
    hub: Hub, tmp_path: Path
) -> None:
    folder = drop_folder(hub)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (folder / "out" / "stock.csv").symlink_to(victim)
    (folder / "out" / "order-status.csv").symlink_to(victim)
    (folder / "errors" / "bad.csv.errors.csv").symlink_to(victim)
    (folder / "processed" / "good.csv").symlink_to(victim)
    (folder / "in" / "bad.csv").write_text("order_number,sku\n1,WID-001\n")
    (folder / "in" / "good.csv").write_text(GOOD)
    for name in ("bad.csv", "good.csv"):
        (folder / "in" / f"{name}.done").touch()

    exchange(hub).import_waiting()
    exchange(hub).write_status()
    hub.connectors["csv"].write_stock({"WID-001": 3})  # type: ignore[attr-defined]

    assert victim.read_text() == "precious"
    for path in ("out/stock.csv", "out/order-status.csv", "errors/bad.csv.errors.csv"):
        assert not (folder / path).is_symlink(), path
    assert (folder / "out" / "stock.csv").read_text().splitlines() == ["sku,available", "WID-001,3"]
    # The planted processed/good.csv is kept; the imported file got a name of its own.
    assert (folder / "processed" / "good.csv").is_symlink()
    assert [p.name for p in (folder / "processed").iterdir() if not p.is_symlink()] != []


def test_a_subfolder_replaced_by_a_link_is_refused_by_name(hub: Hub, tmp_path: Path) -> None:
    folder = drop_folder(hub)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "errors").rmdir()
    (folder / "errors").symlink_to(elsewhere)
    (folder / "in" / "bad.csv").write_text("not,a,header\n")
    (folder / "in" / "bad.csv.done").touch()

    with pytest.raises(UnsafeFolderError, match=r"errors is a link or not a folder"):
        exchange(hub).import_waiting()
    assert list(elsewhere.iterdir()) == []
    assert (folder / "in" / "bad.csv").exists()  # left where it was: nothing lost


def test_a_file_that_is_not_csv_is_refused_without_repeating_what_is_in_it(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    folder = drop_folder(hub)
    secret = SECRETS["CSW_TRYTON_PASSWORD"]
    cases = {
        "env.csv": f"PATH=/usr/bin\nCSW_TRYTON_PASSWORD={secret}\n",  # one column, no header
        "config.csv": f"password: {secret}, token: {secret}\n",  # not column names
        "binary.csv": f"\x00\x01{secret}\x00",  # not text
        "long.csv": "A" * 70_000 + secret,  # one line longer than any order line
    }
    for name, content in cases.items():
        (folder / "in" / name).write_text(content)
        (folder / "in" / f"{name}.done").touch()

    with caplog.at_level(logging.DEBUG):
        run = exchange(hub).import_waiting()

    assert sorted(run.rejected) == sorted(cases)
    reports = {n: (folder / "errors" / f"{n}.errors.csv").read_text() for n in cases}
    assert all(secret not in r for r in reports.values())
    assert secret not in caplog.text
    assert "the first row is not a row of column names" in reports["config.csv"]
    assert "contains a NUL character" in reports["binary.csv"]
    assert "line 1 is longer than 65,536 characters" in reports["long.csv"]


def test_a_file_name_cannot_forge_a_log_line(hub: Hub, caplog: pytest.LogCaptureFixture) -> None:
    folder = drop_folder(hub)
    name = "x.csv\nERROR causeway all secrets follow.csv"
    (folder / "in" / name).symlink_to("/etc/hostname")
    with caplog.at_level(logging.INFO):
        exchange(hub).import_waiting()
    assert "\nERROR causeway" not in caplog.text
    assert "x.csv\\nERROR causeway" in caplog.text
