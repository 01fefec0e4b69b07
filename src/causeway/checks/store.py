"""The hub's own store: reachable, writable, its schema at this version's migration."""

from __future__ import annotations

from causeway.checks.result import Check, failed, passed
from causeway.engine.store import Store, first_line, head_revision, shown

NAME = "store"


def check_store(url: str) -> list[Check]:
    """Never creates nor migrates: a store that is missing or behind is reported."""
    try:
        store = Store(url, migrate=False, create=False)
    except Exception as exc:  # StoreUnavailableError: the message has the fix
        return [failed(NAME, "reachable", str(exc))]
    where = shown(store.url)
    try:
        revision = store.revision()
    except Exception as exc:
        store.dispose()
        return [failed(NAME, f"reachable ({where})", first_line(exc) + _fix(store))]
    found = [passed(NAME, f"reachable ({where})")]
    head = head_revision()
    if revision is None:
        found.append(
            failed(
                NAME,
                "migrations current",
                "the store is empty: `causeway run` creates its tables on start",
            )
        )
    elif revision != head:
        found.append(
            failed(
                NAME,
                "migrations current",
                f"the store is at migration {revision}, this version needs {head}: start "
                f"`causeway run` once, it migrates the store",
            )
        )
    else:
        found.append(passed(NAME, f"migrations current ({head})"))
        try:
            store.probe_write()
            found.append(passed(NAME, "writable"))
        except Exception as exc:
            found.append(failed(NAME, "writable", first_line(exc) + _fix(store)))
    store.dispose()
    return found


def _fix(store: Store) -> str:
    if store.is_sqlite:
        return ": check the file's and its folder's permissions, or fix store.url"
    return ": check that PostgreSQL runs, the user may write, and store.url"
