"""Retention as an operator meets it: `causeway prune`, the drop folders' old files,
the settings in causeway.yaml, and the running hub pruning by itself."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select, update
from typer.testing import CliRunner

from causeway.cli import app
from causeway.config import parse_config
from causeway.connectors.files.folder import DropFolder
from causeway.engine.jobs import DONE, JobQueue, NewJob
from causeway.engine.schema import jobs
from causeway.engine.store import Store
from causeway.errors import ConfigError
from causeway.hub import Hub
from causeway.privacy.erase import erase_person, person_for
from causeway.privacy.retention import prune

runner = CliRunner()
DAY = 86400.0


def config(tmp_path: Path, **retention: Any) -> dict[str, Any]:
    return {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        "systems": {
            "csv": {"type": "files", "folder": str(tmp_path / "drop")},
            "erp": {
                "type": "tryton",
                "url": "http://127.0.0.1:1",
                "database": "d",
                "username": "u",
                "password": "p",
            },
        },
        "flows": {"files-exchange": {"source": "csv", "target": "erp"}},
        "retention": retention,
    }


def old_done_job(store: Store, key: str, days_ago: float) -> None:
    JobQueue(store).enqueue(NewJob("files-exchange", key))
    with store.transaction() as conn:
        conn.execute(
            update(jobs)
            .where(jobs.c.ordering_key == key)
            .values(state=DONE, finished_at=time.time() - days_ago * DAY, dedupe_key=None)
        )


def drop_file(folder: Path, name: str, *, days_ago: float = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("order_number,email\n1001,ada@example.com\n")
    stamp = time.time() - days_ago * DAY
    os.utime(path, (stamp, stamp))
    return path


def test_retention_defaults_and_off(tmp_path: Path) -> None:
    settings = parse_config(config(tmp_path, inbox_bodies="7d", dead_jobs="off"), env={})
    assert settings.retention.inbox_bodies == 7 * DAY
    assert settings.retention.dead_jobs is None  # kept for ever
    assert settings.retention.done_jobs == 30 * DAY
    assert settings.retention.merge_log == 365 * DAY
    with pytest.raises(ConfigError, match=r"retention\.done_jobs"):
        parse_config(config(tmp_path, done_jobs="soon"), env={})
    with pytest.raises(ConfigError, match=r"retention\.keep_forever"):
        parse_config(config(tmp_path, keep_forever=True), env={})


def test_old_processed_and_error_files_go_recent_ones_and_links_stay(tmp_path: Path) -> None:
    settings = parse_config(config(tmp_path), env={})
    drop = tmp_path / "drop"
    old_import = drop_file(drop / "processed", "monday.csv")
    report = drop_file(drop / "errors", "monday.csv.errors.csv")
    waiting = drop_file(drop / "in", "tuesday.csv")
    elsewhere = drop_file(tmp_path / "elsewhere", "keep.csv")
    (drop / "processed" / "link.csv").symlink_to(elsewhere)
    store = Store(settings.store.url)
    try:
        # 40 days on: past processed_files (30d), not yet error_files (90d).
        pruned = prune(store, settings, at=time.time() + 40 * DAY)
        assert pruned.removed["csv: processed files"] == 1
        assert pruned.removed["csv: error files"] == 0
        assert not old_import.exists() and report.exists() and waiting.exists()
        assert (drop / "processed" / "link.csv").is_symlink() and elsewhere.exists()
        pruned = prune(store, settings, at=time.time() + 100 * DAY)
        assert pruned.removed["csv: error files"] == 1 and waiting.exists()
    finally:
        store.dispose()


def test_the_prune_command_says_what_it_removed(tmp_path: Path) -> None:
    path = tmp_path / "causeway.yaml"
    path.write_text(yaml.safe_dump(config(tmp_path, dead_jobs="off")))
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    old_done_job(store, "old", days_ago=31)
    old_done_job(store, "recent", days_ago=2)
    drop_file(tmp_path / "drop" / "processed", "today.csv")

    result = runner.invoke(app, ["prune", "-c", str(path)])
    assert result.exit_code == 0, result.output
    assert "done jobs: 1 removed" in result.output
    assert "csv: processed files: 0 removed" in result.output
    assert "dead jobs: kept (retention off)" in result.output
    with store.read() as conn:
        assert conn.execute(select(jobs.c.ordering_key)).scalars().all() == ["recent"]
    again = runner.invoke(app, ["prune", "-c", str(path)])
    assert "nothing old enough to prune" in again.output
    store.dispose()


def test_the_running_hub_prunes_by_itself(tmp_path: Path) -> None:
    settings = parse_config(config(tmp_path, every="50ms"), env={})
    hub = Hub(settings)
    old_done_job(hub.store, "old", days_ago=31)
    hub.start(workers=0)
    try:
        deadline = time.monotonic() + 10
        while hub.jobs.for_key("old"):
            assert time.monotonic() < deadline, "the hub did not prune the old job"
            time.sleep(0.05)
    finally:
        hub.stop()


def test_pruning_and_erasing_never_follow_a_link_out_of_the_drop_folder(tmp_path: Path) -> None:
    settings = parse_config(config(tmp_path), env={})
    drop, outside = tmp_path / "drop", tmp_path / "outside"
    secret = drop_file(outside, "payroll.csv")  # holds ada@example.com too
    DropFolder(drop).create()
    (drop / "errors").rmdir()
    (drop / "errors").symlink_to(outside)  # a planted link instead of errors/
    (drop / "processed" / "x.csv").symlink_to(secret)  # and one inside processed/
    before = secret.read_bytes()
    store = Store(settings.store.url)
    try:
        assert prune(store, settings, at=time.time() + 400 * DAY).removed["csv: error files"] == 0
        report = erase_person(store, settings, person_for(settings, emails=["ada@example.com"]))
    finally:
        store.dispose()
    assert secret.exists() and secret.read_bytes() == before
    assert report.changed["csv: errors/ files"] == report.changed["csv: processed/ files"] == 0
