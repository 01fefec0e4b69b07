"""What the audit log holds about one subject, for the tests of audited actions."""

from __future__ import annotations

from causeway.engine import audit
from causeway.engine.audit import AuditEntry
from causeway.engine.store import Store


def entries(store: Store, subject: str | None = None) -> list[AuditEntry]:
    """The entries (about `subject`), oldest first."""
    return list(reversed(audit.recent(store, subject=subject)))


def audited(store: Store, subject: str) -> list[str]:
    """The actions recorded about `subject`, oldest first."""
    return [entry.action for entry in entries(store, subject)]
