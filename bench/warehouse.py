"""The warehouse and its reports over a million order lines, against the same reports
computed with plain pandas over the CSV export.

A bench-only filler (bench/_warehouse_data.py) writes into a fresh SQLite hub store
what a hub that placed `--lines` order lines holds: order_facts and order_fact_lines
(three channels, EUR and USD, golden customers in groups, utm campaigns and referrers,
some cancelled), golden customers, carts, storefront events, daily stock snapshots,
refunds and cancellations in order_changes, and finished jobs. A synthetic ERP answers
the build's ErpReporting questions (costs, shipments, invoices, products, rates) from
the same generated orders. Then, each phase in its own fresh process (spawn), so that
each peak memory (VmHWM) is that phase's alone:

1. build: a full `causeway warehouse build` (warehouse/build.py `build`): its time, the
   order lines per second and the process's peak RSS;
2. reports: every report in REPORTS over the file, without filters and with a date
   range + channel filter, the median of `--repeat` runs each, and the peak RSS;
3. baseline: the warehouse exported to CSV (warehouse/export.py), then the same reports
   computed with pandas (read_csv + merges/groupby, bench/_warehouse_pandas.py), timed
   including reading the CSV files, as a user of the export would; its peak RSS.

Every pandas result is checked against the DuckDB report's rows (same keys, same numbers
after rounding): a mismatch stops the bench with exit code 1. Targets: each report under
1 s on 1,000,000 lines, at least 10x faster than the baseline, peak memory under 1 GiB;
PASS or MISS is printed per target (exit 0 either way).

    .venv/bin/python -m bench.warehouse [--lines 1000000] [--repeat 5] [--keep DIR]
        [--reuse DIR] [--no-erp] [--no-baseline]

--keep DIR keeps the hub store, the warehouse and the CSV export in DIR; --reuse DIR
times the reports and the baseline over a warehouse kept by an earlier run (no fill, no
build); --no-erp builds without the ERP (no costs, shipments, invoices: the ERP step is
what makes a build of a million lines take hours, see docs/performance.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench._memory import status_kb
from bench._warehouse_crm import CRM, BenchCrm, fill_deal_links
from bench._warehouse_data import BenchErp, Shape, fill

TARGET_S = 1.0
TARGET_RATIO = 10.0
TARGET_KB = 1024 * 1024
SPAWN = multiprocessing.get_context("spawn")


def settings(store_url: str) -> Any:
    from causeway.config import parse_config

    return parse_config(
        {
            "store": {"url": store_url},
            "server": {"public_url": "http://127.0.0.1:9"},  # a HubSpot system needs one
            "systems": {
                "shop": {
                    "type": "shopify",
                    "shop_url": "http://127.0.0.1:9",
                    "access_token": "shpat_bench",
                    "webhook_secret": "bench-secret-bench-secret",
                },
                "erp": {
                    "type": "tryton",
                    "url": "http://127.0.0.1:9",
                    "database": "tryton",
                    "username": "causeway",
                    "password": "secret",
                },
                CRM: {  # never called: BenchCrm answers in its place
                    "type": "hubspot",
                    "base_url": "http://127.0.0.1:9",
                    "access_token": "pat-bench",
                    "client_secret": "bench-secret-0123456789abcdef",
                    "portal_id": 1,
                },
            },
            "warehouse": {
                # The ERP's company currency wins; without the ERP (--no-erp) EUR orders
                # still convert (rate 1) and USD ones are counted apart, without a rate.
                "company_currency": "EUR",
                "channel_fees": {
                    "shop": {"percent": "2", "fixed": "0.30", "currency": "EUR"},
                },
            },
        },
        env={},
    )


def filters_of(shape: Shape) -> dict[str, str]:
    """The filtered run: the middle third of the days, one channel."""
    third = dt.timedelta(days=max(1, shape.days // 3))
    start = shape.day_of(0) + third
    return {
        "date_from": start.isoformat(),
        "date_to": (start + third).isoformat(),
        "channel": "shop",
    }


# -- phases, each run in a fresh process -----------------------------------------------------
def phase_fill(folder: str, lines: int) -> dict[str, Any]:
    from causeway.engine.store import Store

    store = Store(f"sqlite:///{Path(folder) / 'hub.db'}", synchronous="OFF")
    try:
        started = time.perf_counter()
        counts = fill(store, Shape(lines))
        counts["links of deals and their sales"] = fill_deal_links(store, Shape(lines))
        return {"seconds": time.perf_counter() - started, "rows": counts}
    finally:
        store.dispose()


def phase_build(folder: str, lines: int, with_erp: bool = True) -> dict[str, Any]:
    from causeway.engine.store import Store
    from causeway.warehouse.build import build

    url = f"sqlite:///{Path(folder) / 'hub.db'}"
    store = Store(url, migrate=False)
    shape = Shape(lines)
    erp = BenchErp(shape) if with_erp else None
    started = time.perf_counter()
    steps: dict[str, float] = {}
    last: list[Any] = [time.perf_counter(), "", time.perf_counter()]  # tick, step, said

    def progress(step: str, done: int) -> None:
        now = time.perf_counter()
        if step != last[1] or now - last[2] > 30:
            print(f"  build: {step} {done:,} ({now - started:.0f} s)", flush=True)
            last[1], last[2] = step, now
        steps[step] = steps.get(step, 0.0) + now - last[0]
        last[0] = now

    try:
        report = build(
            store,
            Path(folder) / "warehouse.duckdb",
            erp=erp,
            crm=BenchCrm(shape),
            settings=settings(url),
            full=True,
            progress=progress,
            today=shape.last_day,
        )
        seconds = time.perf_counter() - started
    finally:
        store.dispose()
    return {
        "seconds": seconds,
        "steps": steps,
        "tables": report.tables,
        "erp_calls": erp.calls if erp else 0,
        "peak_kb": status_kb("VmHWM"),
    }


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median seconds of `repeat` calls (after one warm-up) and the last result."""
    result = call()
    took = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        took.append(time.perf_counter() - started)
    return statistics.median(took), result


def allowed(report: Any, raw: dict[str, str]) -> Any:
    """The filters the report takes, out of `raw`."""
    from causeway.reports import Filter, ReportFilters

    names = {Filter.DATES: ("date_from", "date_to"), Filter.CHANNEL: ("channel",)}
    kept = {k: raw[k] for f in report.filters for k in names.get(f, ()) if k in raw}
    return ReportFilters.of(kept)


def phase_reports(folder: str, lines: int, repeat: int) -> dict[str, Any]:
    """Every report, unfiltered and filtered: median seconds and rows (JSON-safe).

    Timed as the console's page reads a report: the query, then the rows the page shows
    (reports.PAGE_ROWS, with the count of all) made dicts with Decimal money.
    `all_rows_seconds`: every row fetched and converted, as the CSV download does."""
    from causeway.reports import PAGE_ROWS, REPORTS

    path = Path(folder) / "warehouse.duckdb"
    out: dict[str, Any] = {}
    for variant, raw in (("all", {}), ("filtered", filters_of(Shape(lines)))):
        for slug, report in REPORTS.items():
            run = partial(report.run, path, allowed(report, raw))
            seconds, _ = timed(lambda run=run: run(limit=PAGE_ROWS).head(PAGE_ROWS), repeat)
            all_rows, _ = timed(lambda run=run: run().rows, repeat)
            out[f"{variant}:{slug}"] = {
                "seconds": seconds,
                "all_rows_seconds": all_rows,
                "rows": jsonable(run().rows),
            }
    out["peak_kb"] = status_kb("VmHWM")
    return out


def phase_baseline(folder: str, lines: int, repeat: int) -> dict[str, Any]:
    """The CSV export, then each report with pandas over it (median seconds, rows)."""
    from bench._warehouse_pandas import PANDAS_REPORTS
    from causeway.reports import REPORTS
    from causeway.warehouse.export import export

    csv = Path(folder) / "csv"
    started = time.perf_counter()
    export(Path(folder) / "warehouse.duckdb", csv, "csv")
    out: dict[str, Any] = {"export_seconds": time.perf_counter() - started}
    for variant, raw in (("all", {}), ("filtered", filters_of(Shape(lines)))):
        for slug, report in REPORTS.items():
            f = {k: v for k, v in allowed(report, raw).model_dump().items() if v is not None}
            seconds, frame = timed(partial(PANDAS_REPORTS[slug], csv, **f), repeat)
            out[f"{variant}:{slug}"] = {"seconds": seconds, "rows": frame.to_dict("records")}
    out["peak_kb"] = status_kb("VmHWM")
    return out


def jsonable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Decimal as float, dates as ISO text (for the comparison, which rounds)."""
    from decimal import Decimal

    def plain(v: Any) -> Any:
        if isinstance(v, Decimal):
            return float(v)
        if isinstance(v, dt.date):
            return v.isoformat()
        return v

    return [{k: plain(v) for k, v in row.items()} for row in rows]


def in_process(target: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """target(*args) in a fresh process (its own peak memory), its result back."""
    with SPAWN.Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(target, args)


# -- the run --------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each report")
    parser.add_argument("--keep", help="keep the store, warehouse and CSV export here")
    parser.add_argument("--reuse", help="a folder --keep filled: time reports only")
    parser.add_argument("--no-baseline", action="store_true", help="skip the pandas baseline")
    parser.add_argument(
        "--no-erp",
        action="store_true",
        help="build without the ERP (no costs, shipments, invoices): the ERP step is the "
        "slow one at a million lines",
    )
    args = parser.parse_args()
    sys.exit(run(args))


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="causeway-warehouse-bench-") as scratch:
        folder = args.reuse or args.keep or scratch
        Path(folder).mkdir(parents=True, exist_ok=True)
        results: dict[str, Any] = {"lines": args.lines}
        if not args.reuse:
            print(f"filling a hub store with {args.lines:,} order lines ...", flush=True)
            results["fill"] = in_process(phase_fill, folder, args.lines)
            print(f"  filled in {results['fill']['seconds']:.0f} s", flush=True)
            print("building the warehouse ...", flush=True)
            results["build"] = in_process(phase_build, folder, args.lines, not args.no_erp)
            print(f"  built in {results['build']['seconds']:.1f} s", flush=True)
        print("timing the reports ...", flush=True)
        results["reports"] = in_process(phase_reports, folder, args.lines, args.repeat)
        if not args.no_baseline:
            print("the baseline: CSV export and pandas ...", flush=True)
            results["baseline"] = in_process(phase_baseline, folder, args.lines, args.repeat)
        Path(folder, "results.json").write_text(json.dumps(results, indent=1, default=str))
        return report(results, args)


def report(results: dict[str, Any], args: argparse.Namespace) -> int:
    from bench._warehouse_pandas import differences

    lines = results["lines"]
    print(f"\n{lines:,} order lines; medians of {args.repeat} runs (after a warm-up)")
    if "build" in results:
        b = results["build"]
        rows = sum(b["tables"].values())
        print(
            f"fill: {results['fill']['seconds']:.0f} s ({results['fill']['rows']})\n"
            f"build: {b['seconds']:.1f} s, {lines / b['seconds']:,.0f} order lines/s, "
            f"{rows:,} warehouse rows, peak RSS {b['peak_kb'] / 1024:,.0f} MiB "
            f"{'PASS' if b['peak_kb'] < TARGET_KB else 'MISS'} (< 1 GiB)"
        )
        print("  steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in b["steps"].items()))
    reports, baseline = results["reports"], results.get("baseline")
    failures = []
    print(f"{'report':>40s} {'rows':>7s} {'duckdb s':>9s} {'pandas s':>9s} {'ratio':>7s}  targets")
    for key, r in reports.items():
        if key == "peak_kb":
            continue
        line = f"{key:>40s} {len(r['rows']):>7d} {r['seconds']:>9.3f}"
        marks = ["<1s " + ("PASS" if r["seconds"] < TARGET_S else "MISS")]
        if baseline:
            p = baseline[key]
            ratio = p["seconds"] / r["seconds"]
            line += f" {p['seconds']:>9.3f} {ratio:>6.1f}x"
            marks.append(">=10x " + ("PASS" if ratio >= TARGET_RATIO else "MISS"))
            found = differences(key.split(":", 1)[1], r["rows"], p["rows"])
            if found:
                failures.append((key, found))
                marks.append("DIFFERS")
        print(f"{line}  {' '.join(marks)}")
    peak = reports["peak_kb"]
    print(
        f"reports: peak RSS {peak / 1024:,.0f} MiB {'PASS' if peak < TARGET_KB else 'MISS'} "
        f"(< 1 GiB)"
    )
    if baseline:
        print(
            f"baseline: CSV export {baseline['export_seconds']:.1f} s, pandas peak RSS "
            f"{baseline['peak_kb'] / 1024:,.0f} MiB"
        )
    for key, found in failures:
        print(f"MISMATCH {key}: {found[:5]}")
    return 1 if failures else 0


if __name__ == "__main__":
    main()
