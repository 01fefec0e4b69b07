"""Which names in in/ are ready to read, and which are refused unread (no I/O).

Only visible `*.csv` names are considered. A link, folder, FIFO, socket or device,
or a file with other names elsewhere on the disk (a hard link), is refused: it is
never opened, so nothing it points at can reach a report or a log. A plain file is
ready once it is whole:

- its `<name>.done` marker exists (the sender says the upload is finished), or
- its size, modification time and inode are the same as at an earlier poll at least
  SETTLE_SECONDS before: an upload in progress changes at least one of them.

A ready file larger than max_file_bytes is refused too, unread.

The sightings are kept in memory, per connector, and this is enough: the hub reads
a file only after it has seen it unchanged itself, so a process that has not seen
it before (a restart, another worker process on the same store) just waits one
more poll before reading it. Nothing is ever read early; at worst, late.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from causeway.connectors.files.folder import Entry, shown
from causeway.model.ports.files import Poll, Refusal

MARKER_SUFFIX = ".done"
SETTLE_SECONDS = 2.0  # the shortest time between two sightings that count as two polls

_WHAT = {
    "link": "a symbolic link (links are never followed)",
    "folder": "a folder",
    "fifo": "a named pipe (FIFO)",
    "socket": "a socket",
    "device": "a device",
}


@dataclass(frozen=True)
class _Sighting:
    size: int
    mtime_ns: int
    inode: int
    at: float


def is_order_file(name: str) -> bool:
    """A visible *.csv name; a dot name is an upload in progress (renamed when done)."""
    return not name.startswith(".") and name.lower().endswith(".csv")


def file_size(size: int) -> str:
    return f"{size:,} bytes" if size < 1_000_000 else f"{size / 1_000_000:,.1f} MB"


class Intake:
    def __init__(
        self,
        *,
        max_file_bytes: int,
        clock: Callable[[], float] = time.monotonic,
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        self.max_file_bytes = max_file_bytes
        self.clock = clock
        self.settle_seconds = settle_seconds
        self._seen: dict[str, _Sighting] = {}

    def sort(self, entries: Sequence[Entry]) -> Poll:
        """This poll's verdict on every order file in in/."""
        now = self.clock()
        names = {e.name for e in entries}
        poll = Poll()
        for entry in entries:
            if not is_order_file(entry.name):
                continue
            marker = entry.name + MARKER_SUFFIX
            if marker in names:
                poll.markers[entry.name] = marker
            if refusal := self._refusal(entry):
                poll.refused.append(refusal)
            elif marker in names or self._unchanged(entry, now):
                if entry.size > self.max_file_bytes:
                    poll.refused.append(
                        Refusal(
                            entry.name,
                            f"{shown(entry.name)} is {file_size(entry.size)}, more than the "
                            f"system's max_file_bytes ({file_size(self.max_file_bytes)}), so "
                            f"it was not read: split it into smaller files or raise "
                            f"max_file_bytes, then move it back to in/",
                        )
                    )
                else:
                    poll.ready.append(entry)
            else:
                poll.settling.append(entry.name)
        # Forget what left in/; a name that comes back is new.
        self._seen = {n: s for n, s in self._seen.items() if n in names}
        poll.ready.sort(key=lambda e: (e.mtime_ns, e.name))
        return poll

    def changed(self, name: str) -> None:
        """The file differed when opened from what the poll saw: watch it settle again."""
        self._seen.pop(name, None)

    def _unchanged(self, entry: Entry, now: float) -> bool:
        before = self._seen.get(entry.name)
        same = before is not None and (before.size, before.mtime_ns, before.inode) == (
            entry.size,
            entry.mtime_ns,
            entry.inode,
        )
        if before is not None and same:
            return now - before.at >= self.settle_seconds
        self._seen[entry.name] = _Sighting(entry.size, entry.mtime_ns, entry.inode, now)
        return False

    @staticmethod
    def _refusal(entry: Entry) -> Refusal | None:
        name = shown(entry.name)
        if entry.kind != "file":
            return Refusal(
                entry.name,
                f"{name} is {_WHAT[entry.kind]}, not a file, so it was not read: "
                f"place the file itself in in/",
            )
        if entry.links > 1:
            return Refusal(
                entry.name,
                f"{name} has other names on this disk (a hard link), so it was not read: "
                f"copy the file into in/ instead of linking it",
            )
        return None
