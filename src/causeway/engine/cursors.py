"""Polling watermarks with an overlap window.

A poller asks "what changed since T?". Remote clocks skew and transactions that
started before T may commit after it, so each poll reads from T minus an overlap
window and relies on idempotent processing to absorb the repeats. The watermark
only ever moves forward, and only to a timestamp seen in the data itself.

A poll calls `advance` once it has handled what it read, whether or not anything
was newer: that records the poll as completed (`polled_at`), which is how a poll
that stopped running is told apart from a source that is merely quiet.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, select

from causeway.engine.schema import cursors
from causeway.engine.store import Store, now


class Cursor:
    def __init__(
        self,
        store: Store,
        system: str,
        stream: str,
        overlap: timedelta,
        *,
        flow: str | None = None,
    ) -> None:
        """flow: the flow whose poll reads this cursor, for its alert threshold."""
        self.store = store
        self.system = system
        self.stream = stream
        self.overlap = overlap
        self.flow = flow

    def value(self, conn: Connection | None = None) -> datetime | None:
        if conn is None:
            with self.store.read() as c:
                return self.value(c)
        raw = conn.execute(
            select(cursors.c.value).where(
                cursors.c.system == self.system, cursors.c.stream == self.stream
            )
        ).scalar()
        return datetime.fromisoformat(raw) if raw else None

    def window_start(self) -> datetime | None:
        """Where the next poll should start reading: the watermark minus the overlap."""
        value = self.value()
        return None if value is None else value - self.overlap

    def advance(self, seen: datetime | None) -> bool:
        """Record a completed poll and move the watermark to `seen` if that is later.
        Returns whether it moved."""
        if seen is not None and seen.tzinfo is None:
            seen = seen.replace(tzinfo=UTC)
        stamp = now()
        polled = dict(polled_at=stamp) | ({"flow": self.flow} if self.flow else {})
        with self.store.transaction() as conn:
            row = conn.execute(
                select(cursors.c.value).where(
                    cursors.c.system == self.system, cursors.c.stream == self.stream
                )
            ).first()
            current = datetime.fromisoformat(row.value) if row and row.value else None
            moves = seen is not None and (current is None or seen > current)
            values = polled | (
                dict(value=seen.isoformat(), updated_at=stamp) if seen is not None and moves else {}
            )
            if row is None:
                values.setdefault("updated_at", stamp)
                conn.execute(
                    cursors.insert().values(system=self.system, stream=self.stream, **values)
                )
            else:
                conn.execute(
                    cursors.update()
                    .where(cursors.c.system == self.system, cursors.c.stream == self.stream)
                    .values(**values)
                )
            return moves
