"""The drop folder on disk: in/, processed/, errors/ and out/, and how files move.

Whoever can write in the drop folder is outside the hub's trust. So the hub never
follows a link there: each subfolder is opened with O_NOFOLLOW relative to the root,
and every file is opened, listed, moved, written and removed relative to its
subfolder's descriptor, again without following links. A link planted as
`in/x.csv -> /proc/self/environ`, or `errors/ -> /etc`, is never read through or
written through; `rename` moves the link itself, never its target. A name can hold
no "/", so nothing the hub touches can lie outside the root.

Every file the hub writes appears whole or not at all (temp file, fsync, rename in
the same directory), so a reader polling out/ never sees half a stock list, and a
crash mid-write leaves the previous version in place. Its mode is set on the open
descriptor before it appears, whatever the umask.
"""

from __future__ import annotations

import io
import os
import secrets
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from causeway.errors import PermanentError
from causeway.model.ports.files import Entry, shown

INCOMING, PROCESSED, ERRORS, OUT = "in", "processed", "errors", "out"
SUBFOLDERS = (INCOMING, PROCESSED, ERRORS, OUT)
_NOFOLLOW_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: a FIFO swapped in after the listing opens at once instead of waiting
# for a writer (and is then refused by fstat); it changes nothing for regular files.
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafeFolderError(PermanentError):
    """A subfolder of the drop folder is a link or not a folder: the hub will not use it."""


class NotAFileError(OSError):
    """What was opened is not a regular file (a link, FIFO, device, folder)."""


def kind_of(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "device"


def folder_mode(file_mode: int) -> int:
    """The mode of a folder holding files of `file_mode`: whoever may read may list."""
    return file_mode | ((file_mode & 0o444) >> 2)


@dataclass(frozen=True)
class DropFolder:
    root: Path

    def path(self, subfolder: str, name: str = "") -> Path:
        """Where a file is, for messages (the hub itself never opens by path)."""
        return self.root / subfolder / name if name else self.root / subfolder

    @property
    def incoming(self) -> Path:
        return self.path(INCOMING)

    @property
    def processed(self) -> Path:
        return self.path(PROCESSED)

    @property
    def errors(self) -> Path:
        return self.path(ERRORS)

    @property
    def out(self) -> Path:
        return self.path(OUT)

    def create(self, private_mode: int = 0o600) -> None:
        """The root and its four subfolders; processed/ and errors/ hold order data, so
        a new one gets a private mode. Existing folders are left as the operator set them."""
        self.root.mkdir(parents=True, exist_ok=True)
        root = os.open(self.root, _NOFOLLOW_DIR)
        try:
            for name in SUBFOLDERS:
                mode = folder_mode(private_mode) if name in (PROCESSED, ERRORS) else 0o777
                try:
                    os.mkdir(name, mode, dir_fd=root)
                except FileExistsError:
                    pass  # a link here is refused when it is used (see `opened`)
        finally:
            os.close(root)

    @contextmanager
    def opened(self, subfolder: str) -> Iterator[int]:
        """A descriptor of the subfolder; UnsafeFolderError when it is a link or no folder."""
        root = os.open(self.root, _NOFOLLOW_DIR)
        try:
            fd = os.open(subfolder, _NOFOLLOW_DIR, dir_fd=root)
        except FileNotFoundError:
            problem = "missing (the hub creates it when it starts)"
        except OSError:  # ELOOP for a link, ENOTDIR for anything else
            problem = "a link or not a folder"
        else:
            problem = ""
        finally:
            os.close(root)
        if problem:
            raise UnsafeFolderError(
                f"{self.path(subfolder)} is {problem}; the hub reads and writes only in real "
                f"folders inside {self.root} and never follows links: make it a folder"
            )
        try:
            yield fd
        finally:
            os.close(fd)

    # --- in/ ---------------------------------------------------------------------------

    def entries(self) -> list[Entry]:
        """Every name in in/, described without following links."""
        found = []
        with self.opened(INCOMING) as folder, os.scandir(folder) as names:
            for item in names:
                try:
                    info = os.stat(item.name, dir_fd=folder, follow_symlinks=False)
                except FileNotFoundError:
                    continue  # gone since the listing
                found.append(
                    Entry(
                        item.name,
                        kind_of(info.st_mode),
                        info.st_size,
                        info.st_mtime_ns,
                        info.st_ino,
                        info.st_nlink,
                    )
                )
        return found

    def open_incoming(self, name: str) -> tuple[BinaryIO, os.stat_result]:
        """A regular file of in/, opened without following a link, and its fstat.

        NotAFileError when the name is anything else by the time it is opened.
        """
        with self.opened(INCOMING) as folder:
            return open_regular(folder, name)

    # --- moving and removing -------------------------------------------------------------

    def move(self, name: str, source: str, target: str) -> str:
        """Move a name (a file, or a link itself) between subfolders; returns its new name.

        A name already in `target` gets a time stamp: nothing is overwritten.
        """
        with self.opened(source) as src, self.opened(target) as dst:
            new = name
            if _exists(new, dst):
                stem, dot, suffix = name.rpartition(".")
                stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
                unique = f"{stamp}.{time.time_ns() % 1_000_000:06d}"
                new = f"{stem}.{unique}.{suffix}" if dot and stem else f"{name}.{unique}"
            os.replace(name, new, src_dir_fd=src, dst_dir_fd=dst)
            _sync_dir(dst)
        return new

    def remove(self, subfolder: str, name: str) -> None:
        """Remove a name (a link itself, never its target); gone already is fine."""
        with self.opened(subfolder) as folder:
            try:
                os.unlink(name, dir_fd=folder)
            except FileNotFoundError:
                pass

    # --- writing -------------------------------------------------------------------------

    @contextmanager
    def writing(self, subfolder: str, name: str, mode: int) -> Iterator[BinaryIO]:
        """Write `subfolder/name` whole or not at all, with `mode`; a link there is replaced,
        never written through. An exception inside leaves the previous file in place."""
        pending = PendingFile(self, subfolder, name, mode)
        try:
            yield pending.handle
        except BaseException:
            pending.discard()
            raise
        pending.commit()

    def write(self, subfolder: str, name: str, data: bytes, mode: int) -> Path:
        with self.writing(subfolder, name, mode) as handle:
            handle.write(data)
        return self.path(subfolder, name)


def open_regular(folder: int, name: str) -> tuple[BinaryIO, os.stat_result]:
    """A regular file in the folder `folder` (a descriptor), opened without following a
    link, and its fstat. NotAFileError when the name is anything else by then."""
    fd = os.open(name, _READ, dir_fd=folder)  # ELOOP for a link
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise NotAFileError(f"{shown(name)} is a {kind_of(info.st_mode)}, not a file")
    return os.fdopen(fd, "rb", buffering=0), info


class FileSlice(io.RawIOBase):
    """The first `size` bytes of an open file, read by position: each reader starts at
    0 whatever the others did, and bytes appended after the file was checked are not
    read (a file never grows past what was measured)."""

    def __init__(self, fd: int, size: int) -> None:
        self.fd, self.size, self.position = fd, size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = os.pread(self.fd, min(len(buffer), self.size - self.position), self.position)
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)


def file_bytes(handle: BinaryIO, size: int) -> BinaryIO:
    """A fresh buffered reader over the first `size` bytes of an open file."""
    return io.BufferedReader(FileSlice(handle.fileno(), size), 1 << 16)


class PendingFile:
    """A file being written under a hidden temp name in a subfolder: `commit` renames it
    into place, `discard` removes it. For writers that learn only at the end whether
    the file is wanted (an errors report)."""

    def __init__(self, folder: DropFolder, subfolder: str, name: str, mode: int) -> None:
        self.folder, self.subfolder, self.name, self.mode = folder, subfolder, name, mode
        # A dot name: a reader listing *.csv does not pick up the unfinished file.
        self.temp = f".{name}.{secrets.token_hex(4)}.tmp"
        with folder.opened(subfolder) as fd:
            # O_EXCL|O_NOFOLLOW: a name planted here in the meantime fails the open.
            handle = os.open(self.temp, _CREATE, 0o600, dir_fd=fd)
        self.handle: BinaryIO = os.fdopen(handle, "wb")

    def commit(self) -> Path:
        self.handle.flush()
        os.fchmod(self.handle.fileno(), self.mode)
        os.fsync(self.handle.fileno())
        self.handle.close()
        try:
            with self.folder.opened(self.subfolder) as fd:
                # rename replaces whatever has the name (a planted link included) and
                # never writes through it.
                os.replace(self.temp, self.name, src_dir_fd=fd, dst_dir_fd=fd)
                _sync_dir(fd)
        except BaseException:
            self.folder.remove(self.subfolder, self.temp)
            raise
        return self.folder.path(self.subfolder, self.name)

    def discard(self) -> None:
        self.handle.close()
        self.folder.remove(self.subfolder, self.temp)


def _exists(name: str, folder: int) -> bool:
    try:
        os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _sync_dir(folder: int) -> None:
    # The rename itself is durable only once the directory entry is on disk.
    os.fsync(folder)
