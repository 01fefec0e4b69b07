"""Everything the hub holds on one person, as one JSON file (a data request).

The file holds personal data, so it is created readable by its owner only (0600) in
a folder only its owner can enter (0700), and is never overwritten. Its name carries
no personal data. Exports are removed after `retention.exports`.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from causeway.config import FilesSystem
from causeway.connectors.files.folder import open_regular
from causeway.engine import personal_data
from causeway.engine.store import Store
from causeway.privacy import drop_folders
from causeway.privacy.old_files import opened, regular_files
from causeway.privacy.person import Person
from causeway.privacy.remote import remote_notes

if TYPE_CHECKING:  # config.models is built from the flows, which import this module
    from causeway.config import CausewayConfig


def collect(store: Store, config: CausewayConfig, person: Person) -> dict[str, Any]:
    footprint = personal_data.find(store, person)
    files = {
        name: rows
        for name, system in config.systems.items()
        if isinstance(system, FilesSystem) and (rows := drop_folders.rows_about(system, person))
    }
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "person": {
            "emails": sorted(person.emails),
            "phones": sorted(person.phones),
            "golden_customer_ids": sorted(person.golden_ids),
            "customer_ids": sorted(f"{s or '*'}:{c}" for s, c in person.customers),
            "order_ids": sorted(f"{s or '*'}:{o}" for s, o in person.orders),
        },
        # Each of the hub's tables: the rows that are theirs or mention them.
        "hub": personal_data.export(store, person, footprint),
        "drop_folders": files,
        "held_elsewhere": remote_notes(config),
    }


def write_private(folder: Path, stem: str, data: dict[str, Any]) -> Path:
    """Write `data` to a new file `<stem>.json` (or `<stem>-<n>.json`), mode 0600."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    body = json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()
    for attempt in range(100):
        path = folder / (f"{stem}.json" if attempt == 0 else f"{stem}-{attempt}.json")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        return path
    raise FileExistsError(f"{folder}: could not find a free name for {stem}.json")


def remove_exports_about(folder: Path, person: Person) -> int:
    """Delete the exports that hold the person (an erasure after a data request: the
    export must not outlive what it copied); returns how many."""
    removed = 0
    with opened(folder) as fd:
        if fd is None:
            return 0
        for name, _ in regular_files(fd):
            try:
                file, _ = open_regular(fd, name)
            except OSError:  # gone, or swapped for a link or anything but a file
                continue
            with file:
                text = file.read().decode("utf-8", errors="replace")
            if person.mentions(text):
                os.unlink(name, dir_fd=fd)
                removed += 1
    return removed


def export_person(
    store: Store, config: CausewayConfig, person: Person, folder: Path, stem: str | None = None
) -> Path:
    """Write the person's data to a new file in `folder`; returns its path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = stem or f"export-{stamp}-{secrets.token_hex(3)}"
    return write_private(folder, name, collect(store, config, person))
