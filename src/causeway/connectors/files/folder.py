"""The drop folder on disk: in/, processed/, errors/ and out/, and how files move.

Every file the hub writes appears whole or not at all (temp file, fsync, rename in
the same directory), so a reader polling out/ never sees half a stock list, and a
crash mid-write leaves the previous version in place.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUBFOLDERS = ("in", "processed", "errors", "out")


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step; readers see the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A dot name: a reader listing *.csv does not pick up the unfinished file.
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _sync_dir(path.parent)


def _sync_dir(folder: Path) -> None:
    # The rename itself is durable only once the directory entry is on disk.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class DropFolder:
    root: Path

    @property
    def incoming(self) -> Path:
        return self.root / "in"

    @property
    def processed(self) -> Path:
        return self.root / "processed"

    @property
    def errors(self) -> Path:
        return self.root / "errors"

    @property
    def out(self) -> Path:
        return self.root / "out"

    def create(self) -> None:
        for name in SUBFOLDERS:
            (self.root / name).mkdir(parents=True, exist_ok=True)

    def waiting(self) -> list[Path]:
        """CSV files in in/, oldest first; hidden files (uploads in progress) wait."""
        files = [
            p
            for p in self.incoming.iterdir()
            if p.is_file() and p.suffix.lower() == ".csv" and not p.name.startswith(".")
        ]
        return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))

    def move(self, path: Path, to: Path) -> Path:
        """Move a file into `to`; a name already there gets a time stamp, never overwritten."""
        target = to / path.name
        if target.exists():
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            target = to / f"{path.stem}.{stamp}.{time.time_ns() % 1_000_000:06d}{path.suffix}"
        os.replace(path, target)
        return target

    def write_error_report(self, source: Path, data: bytes) -> Path:
        target = self.errors / f"{source.name}.errors.csv"
        atomic_write(target, data)
        return target

    def write_out(self, name: str, data: bytes) -> Path:
        target = self.out / name
        atomic_write(target, data)
        return target
