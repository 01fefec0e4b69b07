"""What `causeway sync files` prints when the stock list cannot be written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from causeway.config import parse_config
from causeway.files_sync import sync_files_now
from causeway.flows.files_exchange import FilesExchange
from tests.unit.files_support import hub_config

PASSWORD = "tryton-pass-4711"


def test_an_erp_error_quoting_the_password_is_printed_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = hub_config(tmp_path)
    data["systems"]["erp"]["password"] = PASSWORD

    def refused(self: FilesExchange) -> int:
        raise RuntimeError(f"login refused for admin:{PASSWORD} at [bold]erp[/bold]")

    monkeypatch.setattr(FilesExchange, "write_stock", refused)
    monkeypatch.setattr(FilesExchange, "write_status", lambda self: [])
    out, errors = io.StringIO(), io.StringIO()
    problems = sync_files_now(
        parse_config(data, env={}),
        console=Console(file=out, width=200),
        err=Console(file=errors, width=200),
    )
    printed = errors.getvalue()
    assert problems == 1
    assert PASSWORD not in out.getvalue() + printed
    # The reason stays readable, and text that looks like markup is shown as it is.
    assert "stock.csv not written: login refused for admin:*** at [bold]erp[/bold]" in printed
