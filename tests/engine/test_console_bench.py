"""bench/console.py at a small size, on both databases: its filler writes what the
engine's index would hold (every kind of lookup it times finds what it should, or the
bench stops), and the report reads every figure it prints."""

from __future__ import annotations

from argparse import Namespace

import pytest

from bench.console import fill, measure, rebuild, report
from causeway.engine import search
from causeway.engine.store import Store


def test_the_bench_store_is_found_by_every_lookup_it_times(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(store, 300, 30)
    results = measure(store, 300, repeat=3, baseline_repeat=1)
    results["fill"], results["backfill"] = 0.0, rebuild(store)
    # The backfill (migration 0014) indexes the same store the filler indexed.
    assert search.search(store, "#1299")[0].url == "/console/orders/shop/5000000299"
    assert search.search(store, "customer59@example.com")[0].kind == "customer"
    report({"db": results}, Namespace(orders=300, jobs=30, repeat=3, baseline_repeat=1))
    printed = capsys.readouterr().out
    assert "order page" in printed and "backfill" in printed
