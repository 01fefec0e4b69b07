"""Files the hub keeps in folders (drop folders' processed/ and errors/, data-request
exports), removed once older than their retention.

A file's age counts from when it reached the folder: the later of its modification
time and its inode change time (a move into processed/ changes the latter), so a
file uploaded with an old modification time is not removed the moment it is read.
Only regular files directly in the folder are considered; links and folders are
left alone, and nothing outside the folder is ever followed.
"""

from __future__ import annotations

import logging
import stat
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("causeway.privacy")


def regular_files(folder: Path) -> Iterator[Path]:
    """The regular files directly in `folder` (never through a symbolic link)."""
    try:
        entries = sorted(folder.iterdir())
    except FileNotFoundError:
        return
    for path in entries:
        if stat.S_ISREG(path.lstat().st_mode):
            yield path


def remove_older_than(folder: Path, older_than: float, *, at: float | None = None) -> int:
    """Delete the files in `folder` that arrived more than `older_than` seconds ago;
    returns how many."""
    cutoff = (at if at is not None else time.time()) - older_than
    removed = 0
    for path in regular_files(folder):
        info = path.lstat()
        if max(info.st_mtime, info.st_ctime) < cutoff:
            try:
                path.unlink()
            except FileNotFoundError:  # another hub process took it first
                continue
            removed += 1
    if removed:
        log.info("removed %d file(s) older than retention from %s", removed, folder)
    return removed
