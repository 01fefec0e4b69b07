"""Files the hub keeps in folders (drop folders' processed/ and errors/, data-request
exports), listed and removed without ever following a link, and removed once older
than their retention.

A file's age counts from when it reached the folder: the later of its modification
time and its inode change time (a move into processed/ changes the latter), so a
file uploaded with an old modification time is not removed the moment it is read.
Only regular files directly in the folder count; the folder is opened with
O_NOFOLLOW and every name relative to it (connectors/files/folder.py does the same),
so a link, planted or not, is neither read through nor followed.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("causeway.privacy")

_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@contextmanager
def opened(folder: Path) -> Iterator[int | None]:
    """A descriptor of the folder, or None when it is missing or not a real folder."""
    try:
        fd = os.open(folder, _FOLDER)
    except FileNotFoundError:
        yield None
        return
    except OSError:  # ELOOP for a link, ENOTDIR for anything else
        log.warning("%s is a link or not a folder: left alone", folder)
        yield None
        return
    try:
        yield fd
    finally:
        os.close(fd)


def regular_files(fd: int) -> list[tuple[str, os.stat_result]]:
    """The regular files directly in the folder `fd`, by name, never through a link."""
    found = []
    with os.scandir(fd) as names:
        for item in names:
            try:
                info = os.stat(item.name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            if stat.S_ISREG(info.st_mode):
                found.append((item.name, info))
    return sorted(found)


def remove_older_than(folder: Path, older_than: float, *, at: float | None = None) -> int:
    """Delete the files in `folder` that arrived more than `older_than` seconds ago;
    returns how many."""
    cutoff = (at if at is not None else time.time()) - older_than
    removed = 0
    with opened(folder) as fd:
        if fd is None:
            return 0
        for name, info in regular_files(fd):
            if max(info.st_mtime, info.st_ctime) < cutoff:
                try:
                    os.unlink(name, dir_fd=fd)
                except FileNotFoundError:  # another hub process took it first
                    continue
                removed += 1
    if removed:
        log.info("removed %d file(s) older than retention from %s", removed, folder)
    return removed
