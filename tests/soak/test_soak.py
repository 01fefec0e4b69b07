"""The short soak: a hundred store orders through store faults, a Tryton restart and a
hub SIGKILL, reconciled to zero duplicates, zero lost, zero mismatches (docs/soak.md).

The same code as `python -m bench.soak`, smaller. It proves the faults really happened,
so a quiet run cannot pass for a rough one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.soak.plan import SoakPlan
from bench.soak.report import print_report
from bench.soak.run import run_soak

pytestmark = pytest.mark.tryton


# About 3-4 minutes on 2 shared cores; the drain has its own bound (drain_timeout).
@pytest.mark.timeout(600)
def test_orders_through_faults_restarts_and_kills_reconcile_to_zero(
    tryton_build_dir: Path, tmp_path: Path
) -> None:
    plan = SoakPlan(
        orders=100,
        rate=4.0,
        seed=5,
        skus=8,
        stock_per_sku=400,
        # The ERP, not the store, is the bottleneck: the hub makes few store calls while
        # orders flow, so the store's edge errors are frequent enough to be met for sure.
        error_rate_5xx=0.25,
        rate_429=0.1,
        hub_kills=1,
        erp_restarts=1,
        storms_429=1,
        slow_spells=1,
        reconcile_every="10s",
        drain_timeout=240,
        workdir=tmp_path / "soak",
    )
    report = run_soak(plan)
    print_report(report)
    r = report.reconciliation

    assert report.drain_seconds is not None, "the hub did not drain"
    assert not report.errors
    assert r.problems == dict.fromkeys(r.problems, 0)
    assert r.orders_sent >= 95 and r.orders_in_erp >= r.orders_sent - r.orders_cancelled
    assert r.orders_cancelled > 0 and r.orders_edited > 0 and r.orders_paid > 0
    # The faults happened: the run was rough, not quiet.
    assert report.chaos.hub_kills == report.chaos.hub_restarts == 1
    assert report.chaos.erp_restarts == 1
    assert report.chaos.storms_429 == report.chaos.slow_spells == 1
    assert report.faults["5xx answered"] > 0 and report.faults["429 answered"] > 0
    assert report.faults["duplicate deliveries"] > 0
    assert report.faults["answers lost (timeouts)"] > 0
