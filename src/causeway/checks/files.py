"""A drop folder: it exists and the hub may write in it (and in its in/, out/, ...)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from causeway.checks.result import Check, failed, passed
from causeway.config import FilesSystem

SUBFOLDERS = ("in", "processed", "errors", "out")


def check_files(name: str, system: FilesSystem) -> list[Check]:
    root = Path(system.folder)
    what = f"drop folder {root}"
    if not root.is_dir():
        return [
            failed(
                name,
                what,
                f"{root} does not exist or is not a folder: create it (the hub creates "
                f"in/, processed/, errors/ and out/ inside), or fix systems.{name}.folder",
            )
        ]
    for folder in [root, *(root / sub for sub in SUBFOLDERS if (root / sub).is_dir())]:
        if not _writable(folder):
            return [
                failed(
                    name,
                    what,
                    f"{folder} is not writable by this user ({os.getuid()}): give it write "
                    f"access, or run the hub as the folder's owner",
                )
            ]
    return [passed(name, f"{what} exists and is writable")]


def _writable(folder: Path) -> bool:
    # Try it: access() answers for the real user and ignores read-only mounts.
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False
