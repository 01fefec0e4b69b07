"""What the drop-folder tests share: a hub with a drop folder, one import, a dropped file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from causeway.flows.files_exchange import FilesExchange
from causeway.hub import Hub

ERP = {"type": "tryton", "url": "http://127.0.0.1:9", "database": "d", "username": "u"}


def hub_config(tmp_path: Path, **files: Any) -> dict[str, Any]:
    """A hub whose drop folder `csv` feeds orders-to-erp and files-exchange; the ERP is
    never reached (nothing listens at its address)."""
    return {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        "systems": {
            "csv": {"type": "files", "folder": str(tmp_path / "drop"), **files},
            "erp": {**ERP, "password": "p"},
        },
        "flows": {
            "orders-to-erp": {"source": "csv", "target": "erp"},
            "files-exchange": {"source": "csv", "target": "erp"},
        },
    }


def exchange(hub: Hub) -> FilesExchange:
    flow = hub.flows["files-exchange"]
    assert isinstance(flow, FilesExchange)
    return flow


def drop_whole(path: Path, content: str) -> None:
    """A file dropped with its .done marker: the next run reads it."""
    path.write_text(content)
    path.with_name(path.name + ".done").touch()
