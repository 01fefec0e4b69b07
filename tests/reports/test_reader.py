"""The reports' reader: the warehouse file attached read-only to one in-process DuckDB,
kept while the file is the same, a new one attached when a build swapped it in."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb
import pytest

from causeway.reports.reader import WarehouseReader, WarehouseUnavailable


def swap_in(path: Path, version: int) -> None:
    """What a build does: write a new file beside the old one, then os.replace it."""
    work = path.with_name(path.name + ".building")
    with duckdb.connect(str(work)) as con:
        con.execute("CREATE TABLE facts (version INTEGER)")
        con.execute("INSERT INTO facts SELECT ? FROM range(?)", [version, version])
    os.replace(work, path)


def version(reader: WarehouseReader, path: Path) -> int:
    with reader.cursor(path) as cursor:
        (found,) = cursor.execute("SELECT max(version) FROM facts").fetchone() or (None,)
    return int(found)


@pytest.fixture
def reader() -> WarehouseReader:
    made = WarehouseReader(keep=2)
    yield made
    made.close()


def test_runs_share_one_attachment_until_a_build_swaps_a_new_file_in(
    reader: WarehouseReader, tmp_path: Path
) -> None:
    path = tmp_path / "warehouse.duckdb"
    swap_in(path, 1)
    assert version(reader, path) == 1
    assert version(reader, path) == 1
    assert len(reader.attached()) == 1

    swap_in(path, 2)
    assert version(reader, path) == 2
    assert len(reader.attached()) == 1, "the old file is detached once nobody reads it"


def test_a_run_started_before_the_swap_keeps_its_file_and_the_next_reads_the_new(
    reader: WarehouseReader, tmp_path: Path
) -> None:
    path = tmp_path / "warehouse.duckdb"
    swap_in(path, 1)
    with reader.cursor(path) as during:
        swap_in(path, 2)
        assert version(reader, path) == 2
        assert during.execute("SELECT count(*) FROM facts").fetchone() == (1,)
        assert len(reader.attached()) == 2
    assert len(reader.attached()) == 1
    assert version(reader, path) == 2


def test_a_missing_or_unreadable_file_says_how_to_build_one(
    reader: WarehouseReader, tmp_path: Path
) -> None:
    with pytest.raises(WarehouseUnavailable, match=r"no warehouse file .*causeway warehouse build"):
        version(reader, tmp_path / "none.duckdb")
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a database" * 1000)
    with pytest.raises(WarehouseUnavailable, match=r"cannot be opened .*rebuild it"):
        version(reader, garbage)
    # A good file read after the failures is read as usual.
    good = tmp_path / "good.duckdb"
    swap_in(good, 3)
    assert version(reader, good) == 3


def test_a_file_is_attached_read_only(reader: WarehouseReader, tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    swap_in(path, 1)
    with reader.cursor(path) as cursor, pytest.raises(duckdb.Error, match="read-only"):
        cursor.execute("DELETE FROM facts")
    assert version(reader, path) == 1


def test_no_more_files_stay_attached_than_it_keeps(reader: WarehouseReader, tmp_path: Path) -> None:
    paths = [tmp_path / f"w{n}.duckdb" for n in range(4)]
    for n, path in enumerate(paths, start=1):
        swap_in(path, n)
        assert version(reader, path) == n
    assert len(reader.attached()) == 2
    assert version(reader, paths[0]) == 1, "a file let go is attached again when asked for"


def test_reports_read_while_builds_swap_files_in(reader: WarehouseReader, tmp_path: Path) -> None:
    """Four readers in threads, ten swaps: every read sees one whole file, and the
    versions each reader sees never go back."""
    path = tmp_path / "warehouse.duckdb"
    swap_in(path, 1)
    seen: dict[int, list[int]] = {n: [] for n in range(4)}
    errors: list[BaseException] = []
    done = threading.Event()

    def read(n: int) -> None:
        try:
            while not done.is_set():
                with reader.cursor(path) as cursor:
                    count, top = cursor.execute(
                        "SELECT count(*), max(version) FROM facts"
                    ).fetchone() or (0, 0)
                assert count == top, "a file read whole"
                seen[n].append(int(top))
        except BaseException as exc:  # the test's thread: handed to the test
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for v in range(2, 12):
        swap_in(path, v)
    done.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    for versions in seen.values():
        assert versions == sorted(versions)
    assert version(reader, path) == 11
    assert len(reader.attached()) == 1
