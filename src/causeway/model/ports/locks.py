"""The locks port: named locks every worker of one hub shares, threads and processes alike.

A connector that finds-or-creates a shared record (an ERP customer) holds the lock of
that record's natural key around its search and its create, so that two workers
placing orders of one new customer make one customer, while orders of different
customers run side by side. The hub gives connectors the store's locks
(causeway.engine.locks); a connector given none locks nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractContextManager
from typing import Protocol


class Locks(Protocol):
    def hold(self, names: Collection[str], *, timeout: float) -> AbstractContextManager[None]:
        """Hold every lock named, waiting at most `timeout` seconds for them; released on
        leaving the block. A lock whose holder died frees itself when its lease runs
        out. Not got in time: raises a RetryableError (causeway.errors), so the job that
        asked backs off and tries again."""
        ...
