"""The console's search and order page with a million orders in the store, on SQLite and
PostgreSQL, against a naive scan of the order summaries.

A bench-only filler writes, straight into the engine's tables, what a hub that placed
`--orders` store orders holds: each order's hub entity and summary, its links (the store
order, the ERP sale, a shipment and an invoice for some), its timeline (received, in_erp,
shipped with carrier and tracking, invoiced), its webhook in the inbox, one golden
customer per five orders with their links, 40 SKUs, `--jobs` jobs (done, dead, queued)
and the search index as the engine would have kept it (terms made by
engine/search_terms.py, the code the engine indexes with). Then it times:

- search (engine/search.py `search`): an e-mail, an order number, a tracking number, a
  tracking number's first characters, a SKU, a phone number and a miss;
- the order page's data (web/order_view.py `order_view`) of random orders;
- the baseline: the same e-mail and order number found by a `LIKE '%term%'` scan of the
  order summaries (engine/entities.py `containing`), what the store offered without the
  index.

Target: p95 under 300 ms for search and the order page.

    .venv/bin/python -m bench.console [--orders 1000000] [--jobs 100000]
        [--databases sqlite,postgres]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, text

from bench._common import postgres_database
from causeway.customers.record import FieldValue, GoldenRecord
from causeway.engine import entities, search
from causeway.engine.jobs import JobQueue, ordering_key
from causeway.engine.schema import (
    customers,
    inbox,
    jobs,
    links,
    search_entries,
    search_terms,
    timeline,
)
from causeway.engine.schema import entities as entities_table
from causeway.engine.search_terms import (
    customer_label,
    customer_terms,
    milestone_terms,
    order_label,
    order_terms,
    product_terms,
    term,
    with_shown,
)
from causeway.engine.store import Store
from causeway.web.order_view import order_view

CHUNK = 20_000
TARGET_MS = 300.0
SKUS = [f"WID-{n:03d}" for n in range(1, 41)]
CARRIERS = ("UPS", "DHL", "FedEx")
FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Frances")
LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson")


# -- the filler ----------------------------------------------------------------------------
def order_id(n: int) -> str:
    return str(5_000_000_000 + n)


def tracking(n: int) -> str:
    return f"1Z{n:08d}A{n % 97:02d}"


def email(c: int) -> str:
    return f"customer{c}@example.com"


def phone(c: int) -> str:
    """A valid US number, unique per customer (exchange 200-999, line 0000-9999)."""
    return f"+1415{200 + c // 10_000 % 800}{c % 10_000:04d}"


def insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Bulk insert: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    raw = conn.connection.driver_connection
    assert raw is not None
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([row[c] for c in columns])


def order_rows(n: int, stamp: float) -> dict[str, list[dict[str, Any]]]:
    """Everything the store holds about store order n."""
    hub_id = f"o{n:031d}"
    customer = n // 5
    shipped, invoiced = n % 2 == 0, n % 3 == 0
    summary: dict[str, Any] = {
        "number": f"#{1000 + n}",
        "reference": f"US-{1000 + n}",
        "erp_number": f"SO{n:07d}",
        "erp_state": "processing",
        "total": "42.00",
        "erp_total": "42.00",
        "currency": "USD",
        "email": email(customer),
    }
    if invoiced:
        summary |= {"invoice_number": f"INV{n:07d}", "invoice_state": "posted"}
    common = {"hub_id": hub_id, "created_at": stamp, "updated_at": stamp}
    rows: dict[str, list[dict[str, Any]]] = {
        "links": [
            {
                **common,
                "system": "shop",
                "entity_type": "order",
                "external_id": order_id(n),
                "fingerprint": "in_erp",
                "remote_updated_at": stamp,
            },
            {
                **common,
                "system": "erp",
                "entity_type": "sale",
                "external_id": str(n + 1),
                "fingerprint": "processing",
                "remote_updated_at": None,
            },
        ],
        "timeline": [
            {"hub_id": hub_id, "milestone": "received", "at": stamp, "detail": "{}"},
            {
                "hub_id": hub_id,
                "milestone": "in_erp",
                "at": stamp,
                "detail": json.dumps({"erp_number": summary["erp_number"]}),
            },
        ],
    }
    milestones = []
    if shipped:
        detail = {
            "shipment": f"SHIP{n:07d}",
            "carrier": CARRIERS[n % 3],
            "tracking_number": tracking(n),
            "tracking_url": None,
        }
        milestones.append(("shipped", detail))
        rows["links"].append(
            {
                **common,
                "system": "erp",
                "entity_type": "shipment",
                "external_id": str(n + 1),
                "fingerprint": "f",
                "remote_updated_at": stamp,
            }
        )
    if invoiced:
        milestones.append(("invoiced", {"invoice": summary["invoice_number"]}))
        rows["links"].append(
            {
                **common,
                "system": "erp",
                "entity_type": "invoice",
                "external_id": str(n + 1),
                "fingerprint": "posted",
                "remote_updated_at": None,
            }
        )
    for milestone, detail in milestones:
        rows["timeline"].append(
            {"hub_id": hub_id, "milestone": milestone, "at": stamp, "detail": json.dumps(detail)}
        )
    rows["entities"] = [
        {
            "hub_id": hub_id,
            "entity_type": "order",
            "state": "in_erp",
            "summary": json.dumps(summary),
            "created_at": stamp,
            "updated_at": stamp,
        }
    ]
    body = json.dumps(
        {
            "id": int(order_id(n)),
            "name": summary["number"],
            "email": summary["email"],
            "line_items": [{"sku": SKUS[n % 40], "quantity": 1}],
        }
    ).encode()
    rows["inbox"] = [
        {
            "source": "shop",
            "event_id": f"evt-{n}",
            "topic": "orders/create",
            "entity_key": f"order:{order_id(n)}",
            "headers": "{}",
            "body": body,
            "received_at": stamp,
            "pruned_at": None,
        }
    ]
    terms = order_terms(hub_id, summary)
    terms += [t for m, d in milestones for t in milestone_terms(hub_id, m, d)]
    terms += milestone_terms(hub_id, "in_erp", {"erp_number": summary["erp_number"]})
    if found := with_shown(term(order_id(n), "order", hub_id, "id"), f"{order_id(n)} in shop"):
        terms.append(found)
    rows["search_terms"] = [t.__dict__ for t in set(terms)]
    rows["search_entries"] = [
        {
            "kind": "order",
            "key": hub_id,
            "label": order_label(summary),
            "system": "shop",
            "external_id": order_id(n),
            "updated_at": stamp,
        }
    ]
    return rows


def customer_rows(c: int, stamp: float) -> dict[str, list[dict[str, Any]]]:
    customer_id = f"c{c:031d}"
    at = FieldValue(value="", source="shop", at=stamp)
    record = GoldenRecord(
        fields={
            "email": at.model_copy(update={"value": email(c)}),
            "phone": at.model_copy(update={"value": phone(c)}),
            "first_name": at.model_copy(update={"value": FIRST[c % len(FIRST)]}),
            "last_name": at.model_copy(update={"value": f"{LAST[c % len(LAST)]}{c}"}),
        },
        emails=[email(c)],
        phones=[phone(c)],
    )
    ids = [("shop", str(7_000_000 + c))]
    return {
        "customers": [
            {
                "id": customer_id,
                "record": record.model_dump_json(),
                "version": 1,
                "merged_into": None,
                "created_at": stamp,
                "updated_at": stamp,
            }
        ],
        "links": [
            {
                "hub_id": customer_id,
                "system": "shop",
                "entity_type": "customer",
                "external_id": ids[0][1],
                "fingerprint": None,
                "remote_updated_at": None,
                "created_at": stamp,
                "updated_at": stamp,
            }
        ],
        "search_terms": [t.__dict__ for t in customer_terms(customer_id, record, ids)],
        "search_entries": [
            {
                "kind": "customer",
                "key": customer_id,
                "label": customer_label(record),
                "system": None,
                "external_id": None,
                "updated_at": stamp,
            }
        ],
    }


def job_rows(count: int, orders: int, stamp: float) -> list[dict[str, Any]]:
    rows = []
    for j in range(count):
        n = j * max(1, orders // max(1, count)) % max(1, orders)
        state = "dead" if j % 12 == 0 else "queued" if j % 50 == 1 else "done"
        rows.append(
            {
                "flow": "orders-to-erp",
                "ordering_key": ordering_key("shop", "order", order_id(n)),
                "dedupe_key": None,
                "payload": json.dumps({"inbox_id": n + 1}),
                "state": state,
                "attempts": 5 if state == "dead" else 1,
                "max_attempts": 5,
                "run_at": stamp,
                "lease_owner": None,
                "lease_until": None,
                "last_error": "unknown product WID-999" if state == "dead" else None,
                "created_at": stamp,
                "updated_at": stamp,
                "finished_at": None if state == "queued" else stamp,
            }
        )
    return rows


TABLES = {
    t.name: t
    for t in (entities_table, links, timeline, inbox, customers, search_terms, search_entries, jobs)
}


def fill(store: Store, orders: int, job_count: int) -> float:
    started = time.perf_counter()
    stamp = time.time() - 86400
    with store.transaction() as conn:
        if store.is_sqlite:
            conn.exec_driver_sql("PRAGMA cache_size=-1000000")
        for start in range(0, orders, CHUNK):
            batch: dict[str, list[dict[str, Any]]] = {}
            for n in range(start, min(orders, start + CHUNK)):
                for name, rows in order_rows(n, stamp).items():
                    batch.setdefault(name, []).extend(rows)
            for c in range(start // 5, min(orders, start + CHUNK) // 5):
                for name, rows in customer_rows(c, stamp).items():
                    batch.setdefault(name, []).extend(rows)
            for name, rows in batch.items():
                insert(conn, TABLES[name], rows)
            print(
                f"  {min(orders, start + CHUNK):,} orders ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        search.add_terms(conn, product_terms(SKUS))
        insert(
            conn,
            search_entries,
            [
                {
                    "kind": "product",
                    "key": s,
                    "label": s,
                    "system": None,
                    "external_id": None,
                    "updated_at": stamp,
                }
                for s in SKUS
            ],
        )
        insert(conn, jobs, job_rows(job_count, orders, stamp))
    if store.is_postgres:
        with store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    else:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


# -- timing --------------------------------------------------------------------------------
def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """p50 and p95 of `call`, in milliseconds (after one warm-up call)."""
    call()
    took = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return statistics.median(took), took[min(len(took) - 1, int(len(took) * 0.95))]


def queries(orders: int, rng: random.Random) -> dict[str, Callable[[], str]]:
    shipped = lambda: 2 * rng.randrange(max(1, orders // 2))  # noqa: E731
    return {
        "e-mail": lambda: email(rng.randrange(max(1, orders // 5))).upper(),
        "order number": lambda: f"#{1000 + rng.randrange(orders)}",
        "tracking": lambda: tracking(shipped()),
        "tracking prefix": lambda: tracking(shipped())[:8],
        "SKU": lambda: rng.choice(SKUS).lower(),
        "phone": lambda: "({}) {}-{}".format(*_parts(phone(rng.randrange(max(1, orders // 5))))),
        "miss": lambda: f"no-such-{rng.randrange(10**9)}",
    }


def _parts(e164: str) -> tuple[str, str, str]:
    """+14152001234 as a person reads it: (415) 200-1234."""
    return e164[2:5], e164[5:8], e164[8:]


def measure(store: Store, orders: int, repeat: int, baseline_repeat: int) -> dict[str, Any]:
    rng = random.Random(12)
    results: dict[str, Any] = {}
    for what, make in queries(orders, rng).items():
        # What is timed finds what it should (a miss finds nothing).
        found = [bool(search.search(store, make())) for _ in range(10)]
        if found != [what != "miss"] * 10:
            raise SystemExit(f"search for {what} found {found}: the filler and the index disagree")
        results[what] = timed(lambda make=make: search.search(store, make()), repeat)
    job_queue = JobQueue(store)
    results["order page"] = timed(
        lambda: order_view(store, job_queue, "shop", order_id(rng.randrange(orders))), repeat
    )
    # The baseline: what finding an order by e-mail or number cost without the index.
    for what, make in (
        ("e-mail", lambda: email(rng.randrange(max(1, orders // 5)))),
        ("order number", lambda: f'"#{1000 + rng.randrange(orders)}"'),
    ):

        def scan(make: Callable[[], str] = make) -> None:
            with store.read() as conn:
                entities.containing(conn, "order", make())

        results[f"baseline {what}"] = timed(scan, baseline_repeat)
    with store.read() as conn:
        results["plan"] = explain(conn, store.is_sqlite)
    return results


def explain(conn: Connection, sqlite: bool) -> str:
    query = (
        "SELECT * FROM search_terms WHERE term > '1z0001' AND term < '1z0002' "
        "ORDER BY term LIMIT 60"
    )
    if sqlite:
        return " ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + query)))
    return " / ".join(r[0].strip() for r in conn.execute(text("EXPLAIN " + query)))


def rebuild(store: Store) -> float:
    """Seconds migration 0014's backfill takes to index what the store holds."""
    with store.transaction() as conn:
        conn.execute(search_terms.delete())
        conn.execute(search_entries.delete())
    started = time.perf_counter()
    with store.transaction() as conn:
        search.backfill(conn)
    return time.perf_counter() - started


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "postgres":
        with postgres_database("console") as url:
            yield url
    else:
        with tempfile.TemporaryDirectory(prefix="causeway-console-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'hub.db'}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200, help="timed calls of each kind")
    parser.add_argument("--baseline-repeat", type=int, default=5)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument(
        "--backfill",
        action="store_true",
        help="then empty the index and time its backfill (what migration 0014 runs)",
    )
    args = parser.parse_args()
    results = {}
    for kind in args.databases.split(","):
        with database(kind) as url:
            store = Store(url, synchronous="OFF")
            try:
                print(f"{kind}: filling {args.orders:,} orders and {args.jobs:,} jobs ...")
                fill_s = fill(store, args.orders, args.jobs)
                results[kind] = measure(store, args.orders, args.repeat, args.baseline_repeat)
                results[kind]["fill"] = fill_s
                if args.backfill:
                    results[kind]["backfill"] = rebuild(store)
            finally:
                store.dispose()
    report(results, args)


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    kinds = list(results)
    print(
        f"\n{args.orders:,} orders, {args.jobs:,} jobs; p50 / p95 in ms over {args.repeat} calls "
        f"({args.baseline_repeat} for the baseline scans); target p95 < {TARGET_MS:.0f} ms"
    )
    print(f"{'':>24s}" + "".join(f"{k:>26s}" for k in kinds))
    rows = [k for k in results[kinds[0]] if k not in ("plan", "fill", "backfill")]
    for what in rows:
        cells = []
        for kind in kinds:
            p50, p95 = results[kind][what]
            mark = "" if what.startswith("baseline") else (" ok" if p95 < TARGET_MS else " SLOW")
            cells.append(f"{p50:9.1f} / {p95:9.1f}{mark:>5s}")
        print(f"{what:>24s}" + "".join(f"{c:>26s}" for c in cells))
    for kind in kinds:
        r = results[kind]
        for what in ("e-mail", "order number"):
            ratio = r[f"baseline {what}"][0] / r[what][0]
            print(f"{kind}: {what}: the LIKE '%term%' scan / the index, p50: {ratio:,.0f}x")
        print(f"{kind}: filled in {r['fill']:.0f} s; prefix lookup plan: {r['plan']}")
        if "backfill" in r:
            print(f"{kind}: migration 0014's backfill of the whole store: {r['backfill']:.0f} s")
    slow = [
        (k, w)
        for k in kinds
        for w in rows
        if not w.startswith("baseline") and results[k][w][1] >= TARGET_MS
    ]
    print("target met" if not slow else f"target NOT met: {slow}")


if __name__ == "__main__":
    main()
