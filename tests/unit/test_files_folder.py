"""The drop folder: out/ files appear whole or not at all; files move, never overwrite."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from causeway.config.systems import FilesSystem
from causeway.connectors.files.connector import FilesConnector
from causeway.connectors.files.exports import OrderStatus
from causeway.connectors.files.folder import INCOMING, PROCESSED, DropFolder


def atomic_write(target: Path, data: bytes) -> None:
    DropFolder(target.parent.parent).write(target.parent.name, target.name, data, 0o640)


def test_starting_creates_the_four_folders(tmp_path: Path) -> None:
    FilesConnector(FilesSystem(type="files", folder=str(tmp_path / "drop")), system="csv")
    assert sorted(p.name for p in (tmp_path / "drop").iterdir()) == [
        "errors",
        "in",
        "out",
        "processed",
    ]


def test_an_atomic_write_replaces_the_file_and_leaves_no_temp_file(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "stock.csv"
    atomic_write(target, b"sku,available\nA,1\n")
    atomic_write(target, b"sku,available\nA,2\n")
    assert target.read_bytes() == b"sku,available\nA,2\n"
    assert [p.name for p in target.parent.iterdir()] == ["stock.csv"]


def test_a_write_that_fails_halfway_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "stock.csv"
    atomic_write(target, b"old\n")

    def crash(*_: object, **__: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert [p.name for p in target.parent.iterdir()] == ["stock.csv"]


def test_a_reader_never_sees_half_a_file(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "stock.csv"
    versions = [(f"v{n}," * 200_000).encode() for n in range(2)]
    atomic_write(target, versions[0])
    stop = threading.Event()
    seen: list[bytes] = []

    def read() -> None:
        while not stop.is_set():
            seen.append(target.read_bytes())

    reader = threading.Thread(target=read)
    reader.start()
    for n in range(30):
        atomic_write(target, versions[n % 2])
    stop.set()
    reader.join()
    assert seen and all(data in versions for data in seen)


def test_a_file_moved_where_its_name_exists_keeps_both(tmp_path: Path) -> None:
    drop = DropFolder(tmp_path)
    drop.create()
    for content in (b"first", b"second"):
        (drop.incoming / "orders.csv").write_bytes(content)
        drop.move("orders.csv", INCOMING, PROCESSED)
    kept = sorted(p.read_bytes() for p in drop.processed.iterdir())
    assert kept == [b"first", b"second"]


def test_only_visible_csv_files_are_read_oldest_first(tmp_path: Path) -> None:
    files = FilesConnector(FilesSystem(type="files", folder=str(tmp_path)), system="csv")
    for name, stamp in (("b.csv", 200), ("a.CSV", 100), (".upload.csv", 50), ("notes.txt", 10)):
        path = files.folder.incoming / name
        path.write_text("x")
        os.utime(path, (stamp, stamp))
        (files.folder.incoming / f"{name}.done").touch()
    assert [e.name for e in files.poll().ready] == ["a.CSV", "b.csv"]


def test_out_files_are_csv_in_the_configured_dialect(tmp_path: Path) -> None:
    files = FilesConnector(
        FilesSystem(type="files", folder=str(tmp_path), delimiter=";"), system="csv"
    )
    files.write_stock({"WID-002": 0, "WID-001": 12})
    assert (tmp_path / "out" / "stock.csv").read_bytes().decode() == (
        "sku;available\r\nWID-001;12\r\nWID-002;0\r\n"
    )
    files.write_order_status(
        [
            OrderStatus("1002", "failed", updated_at=0.0, problem="unknown SKU X; replay"),
            OrderStatus("1001", "in_erp", erp_sale_number="SO7", updated_at=1764236700.0),
        ]
    )
    assert (tmp_path / "out" / "order-status.csv").read_text().splitlines() == [
        "order_number;state;erp_sale_number;tracking;updated_at;problem",
        "1001;in_erp;SO7;;2025-11-27T09:45:00+00:00;",
        '1002;failed;;;1970-01-01T00:00:00+00:00;"unknown SKU X; replay"',
    ]


def import_all(files: FilesConnector) -> None:
    """What files-exchange does with each ready file, the inbox left out."""
    poll = files.poll()
    for entry in poll.ready:
        with files.open_order_file(entry, poll.markers.get(entry.name)) as imported:
            imported.check()
            for _ in imported.batches():
                pass
            files.finish(imported)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_processed_and_errors_are_private_and_out_has_its_configured_mode(tmp_path: Path) -> None:
    files = FilesConnector(
        FilesSystem(type="files", folder=str(tmp_path / "drop"), out_file_mode="0644"),
        system="csv",
    )
    drop = files.folder
    assert (mode(drop.processed), mode(drop.errors)) == (0o700, 0o700)
    upload = drop.incoming / "orders.csv"
    upload.write_text(
        "order_number,ordered_at,sku,quantity,unit_price\n"
        "1001,2026-11-27,WID-001,2,10.00\n"
        "1002,2026-11-27,WID-001,two,10.00\n"
    )
    upload.chmod(0o644)  # as the other side uploaded it: readable by every user
    (drop.incoming / "orders.csv.done").touch()

    import_all(files)
    files.write_stock({"WID-001": 1})
    files.write_order_status([OrderStatus("1001", "received")])

    assert mode(drop.processed / "orders.csv") == 0o600
    assert mode(drop.errors / "orders.csv.errors.csv") == 0o600
    assert mode(drop.out / "stock.csv") == 0o644
    assert mode(drop.out / "order-status.csv") == 0o644


def test_out_files_default_to_owner_and_group_only(tmp_path: Path) -> None:
    files = FilesConnector(FilesSystem(type="files", folder=str(tmp_path)), system="csv")
    assert mode(files.write_stock({"WID-001": 1})) == 0o640


def test_a_folder_the_operator_made_keeps_its_mode(tmp_path: Path) -> None:
    (tmp_path / "errors").mkdir(mode=0o750)
    (tmp_path / "errors").chmod(0o750)  # shared with a group that fixes bad rows
    FilesConnector(FilesSystem(type="files", folder=str(tmp_path)), system="csv")
    assert mode(tmp_path / "errors") == 0o750
