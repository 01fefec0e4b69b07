"""When a file in in/ is read: only once it is whole (unchanged between two polls, or
with its .done marker), and not at all when it is larger than max_file_bytes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.connectors.files.connector import FilesConnector
from causeway.hub import Hub
from tests.unit.files_support import exchange, hub_config

HEADER = "order_number,ordered_at,sku,quantity,unit_price\n"
ROWS = "1001,2026-11-27,WID-001,2,10.00\n1002,2026-11-27,GAD-001,12,25.00\n"
POLL = 300.0  # files-exchange runs every 5 minutes


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def next_poll(self) -> None:
        self.now += POLL


@pytest.fixture
def clock() -> Clock:
    return Clock()


def start(tmp_path: Path, clock: Clock, **files: Any) -> Hub:
    hub = Hub(parse_config(hub_config(tmp_path, **files), env={}))
    connector = hub.connectors["csv"]
    assert isinstance(connector, FilesConnector)
    connector.intake.clock = clock
    return hub


@pytest.fixture
def hub(tmp_path: Path, clock: Clock) -> Iterator[Hub]:
    running = start(tmp_path, clock)
    yield running
    running.stop()


def incoming(tmp_path: Path) -> Path:
    return tmp_path / "drop" / "in"


def test_a_file_still_being_uploaded_is_read_only_once_it_stops_changing(
    hub: Hub, tmp_path: Path, clock: Clock
) -> None:
    upload = incoming(tmp_path) / "orders.csv"
    upload.write_text(HEADER + ROWS[:45])  # the upload stopped mid-row: "1002,2026-11-27,GA"

    first = exchange(hub).import_waiting()
    assert (first.files, first.orders) == ([], 0)
    assert first.settling == ["orders.csv"]

    clock.next_poll()
    with upload.open("a") as more:
        more.write(ROWS[45:])  # the rest arrived meanwhile: changed, so not whole yet
    second = exchange(hub).import_waiting()
    assert second.files == []
    assert second.settling == ["orders.csv"]

    clock.next_poll()
    third = exchange(hub).import_waiting()  # unchanged for a whole poll: read, all of it
    assert (third.files, third.orders, third.bad_rows, third.settling) == (["orders.csv"], 2, 0, [])
    assert (tmp_path / "drop" / "processed" / "orders.csv").read_text() == HEADER + ROWS


def test_two_polls_a_moment_apart_are_not_enough(hub: Hub, tmp_path: Path, clock: Clock) -> None:
    (incoming(tmp_path) / "orders.csv").write_text(HEADER + ROWS)
    assert exchange(hub).import_waiting().orders == 0
    clock.now += 0.5  # e.g. two runs asked for by hand, back to back
    assert exchange(hub).import_waiting().orders == 0
    clock.now += 2.0
    assert exchange(hub).import_waiting().orders == 2


def test_a_done_marker_imports_at_once_and_goes_with_the_file(hub: Hub, tmp_path: Path) -> None:
    (incoming(tmp_path) / "orders.csv").write_text(HEADER + ROWS)
    (incoming(tmp_path) / "orders.csv.done").touch()

    run = exchange(hub).import_waiting()

    assert (run.files, run.orders) == (["orders.csv"], 2)
    assert list(incoming(tmp_path).iterdir()) == []
    assert [p.name for p in (tmp_path / "drop" / "processed").iterdir()] == ["orders.csv"]


def test_a_restarted_hub_waits_one_more_poll(tmp_path: Path, clock: Clock) -> None:
    before = start(tmp_path, clock)
    (incoming(tmp_path) / "orders.csv").write_text(HEADER + ROWS)
    try:
        assert exchange(before).import_waiting().orders == 0
    finally:
        before.stop()
    clock.next_poll()
    after = start(tmp_path, clock)  # it has not seen the file itself yet
    try:
        assert exchange(after).import_waiting().orders == 0
        clock.next_poll()
        assert exchange(after).import_waiting().orders == 2
    finally:
        after.stop()


def test_a_file_over_max_file_bytes_is_refused_unread_and_kept(
    tmp_path: Path, clock: Clock
) -> None:
    hub = start(tmp_path, clock, max_file_bytes=5_000)
    try:
        content = HEADER + "".join(f"{n},2026-11-27,WID-001,1,10.00\n" for n in range(1000, 1300))
        assert len(content) > 5_000
        (incoming(tmp_path) / "big.csv").write_text(content)
        (incoming(tmp_path) / "big.csv.done").touch()

        run = exchange(hub).import_waiting()

        assert (run.rejected, run.orders) == (["big.csv"], 0)
        errors = tmp_path / "drop" / "errors"
        assert (errors / "big.csv").read_text() == content  # nothing lost
        report = (errors / "big.csv.errors.csv").read_text()
        size = f"{len(content):,} bytes"
        assert f"big.csv is {size}, more than the system's max_file_bytes (5,000 bytes)" in report
        assert "split it into smaller files or raise max_file_bytes" in report
        assert list(incoming(tmp_path).iterdir()) == []
    finally:
        hub.stop()
