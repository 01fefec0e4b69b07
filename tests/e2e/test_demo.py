"""`causeway demo --once --json`: the tour a new user runs first, as a check."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from causeway_sandbox.tryton.server import TrytonServer

pytestmark = pytest.mark.tryton


def test_the_demo_lands_every_order_once_ships_and_pays_and_prints_only_json(
    tryton_server: TrytonServer,
) -> None:
    # tryton_server is requested only so that a missing build skips (or fails in CI)
    # with the same message as the other end-to-end tests; the demo starts its own.
    result = subprocess.run(
        [sys.executable, "-m", "causeway.cli", "demo", "--once", "--json", "--orders", "5"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout)  # nothing but the JSON summary on stdout
    assert summary["ok"] is True
    assert summary["orders_placed"] == summary["orders_in_erp"] == 5
    assert summary["erp_sales_for_these_orders"] == 5
    # The warehouse shipped three in Tryton: each store order was fulfilled; the store
    # was paid for all five at checkout: each Tryton invoice was posted and paid.
    assert summary["orders_shipped_in_erp"] == summary["orders_fulfilled_in_store"] == 3
    assert summary["invoices_paid_in_erp"] == 5
    assert summary["problems"] == []
