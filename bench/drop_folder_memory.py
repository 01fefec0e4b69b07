"""Memory of a drop-folder import: a small order file against a 17 MB one.

files-exchange streams a file (connectors/files/reading.py): it reads it twice, one
line and one order at a time, so the memory an import needs must not grow with the
file. Reading a 17 MB file whole took 244 MB. Each size runs in a fresh process: a
hub on a SQLite store (the inbox is real) imports one file of ordinary rows (about
130 bytes, three lines an order) from in/. It reports the peak resident memory during
the import (Linux VmHWM, reset just before it) and, in a second process, the peak of
what Python allocated (tracemalloc), which is slower but counts only the import.

    .venv/bin/python -m bench.drop_folder_memory [--small 100000] [--large 17000000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench._memory import status_kb

HEADER = (
    "order_number,ordered_at,email,customer_name,street,city,postal_code,country_code,"
    "sku,title,quantity,unit_price,shipping,tax_rate\n"
)


def write_orders(path: Path, size: int, title: str = "Widget") -> int:
    """Orders of three lines each until the file has `size` bytes; returns the orders."""
    written, row = len(HEADER), 0
    with path.open("w") as out:
        out.write(HEADER)
        while written < size:
            number = 100_000 + row // 3
            line = (
                f"{number},2026-11-27T09:30:00Z,customer{number}@example.com,Ann Lee,"
                f'1 Main Street,Springfield,12345,US,WID-{row % 40:03d},"{title}",'
                f"{1 + row % 3},10.50,4.90,10%\n"
            )
            out.write(line)
            written += len(line)
            row += 1
    return (row + 2) // 3


def import_once(size: int, traced: bool) -> dict[str, Any]:
    """In a fresh process: a hub, one file of `size` bytes in in/, one import."""
    from causeway.config import parse_config
    from causeway.flows.files_exchange import FilesExchange
    from causeway.hub import Hub

    workdir = Path(tempfile.mkdtemp(prefix="causeway-drop-memory-"))
    erp = {"type": "tryton", "url": "http://127.0.0.1:9", "database": "d", "username": "u"}
    config = {
        "store": {"url": f"sqlite:///{workdir / 'hub.db'}"},
        "systems": {
            "csv": {"type": "files", "folder": str(workdir / "drop")},
            "erp": {**erp, "password": "p"},
        },
        "flows": {
            "orders-to-erp": {"source": "csv", "target": "erp", "schedule": "manual"},
            "files-exchange": {"source": "csv", "target": "erp", "schedule": "manual"},
        },
    }
    hub = Hub(parse_config(config, env={}))
    try:
        flow = hub.flows["files-exchange"]
        assert isinstance(flow, FilesExchange)
        incoming = workdir / "drop" / "in"
        write_orders(incoming / "orders.csv", size)
        (incoming / "orders.csv.done").touch()
        file_bytes = (incoming / "orders.csv").stat().st_size
        before_kb = status_kb("VmRSS")
        try:  # reset the high-water mark, so that it measures the import alone
            Path("/proc/self/clear_refs").write_text("5")
            reset = True
        except OSError:
            reset = False
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        run = flow.import_waiting()
        seconds = time.perf_counter() - started
        heap = tracemalloc.get_traced_memory()[1] if traced else 0
        tracemalloc.stop()
        return {
            "file_bytes": file_bytes,
            "orders": run.orders,
            "seconds": seconds,
            "rss_peak_mb": status_kb("VmHWM") / 1024,
            "rss_growth_mb": (status_kb("VmHWM") - before_kb) / 1024 if reset else float("nan"),
            "heap_peak_mb": heap / 1e6,
        }
    finally:
        hub.stop()


def measure(size: int, traced: bool) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(import_once, (size, traced))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=100_000, help="bytes of the small file")
    parser.add_argument("--large", type=int, default=17_000_000, help="bytes of the large file")
    args = parser.parse_args()
    results = {}
    for label, size in (("small", args.small), ("large", args.large)):
        results[label] = measure(size, traced=False)
        results[label]["heap_peak_mb"] = measure(size, traced=True)["heap_peak_mb"]
    small, large = results["small"], results["large"]
    print(
        "files-exchange importing one order file into a SQLite inbox; rows of ~130 bytes, "
        "three lines an order; each run in a fresh process"
    )
    print(
        f"{'file':>10s}  {'orders':>8s}  {'seconds':>8s}  {'RSS growth':>11s}  "
        f"{'peak RSS':>9s}  {'Python heap peak':>16s}"
    )
    for r in (small, large):
        print(
            f"{r['file_bytes'] / 1e6:7.2f} MB  {r['orders']:8,d}  {r['seconds']:8.1f}  "
            f"{r['rss_growth_mb']:8.1f} MB  {r['rss_peak_mb']:6.1f} MB  "
            f"{r['heap_peak_mb']:13.1f} MB"
        )
    size_ratio = large["file_bytes"] / small["file_bytes"]
    heap_ratio = large["heap_peak_mb"] / small["heap_peak_mb"]
    rss_ratio = large["rss_peak_mb"] / small["rss_peak_mb"]
    print(
        f"ratio large / small: file {size_ratio:.0f}x, Python heap peak {heap_ratio:.1f}x, "
        f"peak RSS {rss_ratio:.2f}x"
    )
    per_order = (large["heap_peak_mb"] - small["heap_peak_mb"]) * 1e6 / max(1, large["orders"])
    print(
        f"Python heap peak for the large file: {large['heap_peak_mb']:.1f} MB, "
        f"{large['heap_peak_mb'] * 1e6 / large['file_bytes']:.2f}x its size (read whole, a "
        f"17 MB file took 244 MB, 14x); what still grows with the file is the set of its "
        f"order numbers (pass 1), about {per_order:.0f} bytes an order"
    )


if __name__ == "__main__":
    main()
