"""`causeway warehouse build`: the warehouse file from the hub's store, the ERP and the CRM.

One writer at a time (an OS lock beside the file; a second is refused). The build
writes a new file beside the current one: a copy of it (incremental) or an empty one
(full, or when the file's tables are not this version's), applies what changed since
each source's watermark (`_build_state`), recomputes the dimensions, checkpoints and
closes it, then `os.replace`s it over the current file. Readers open the file
read-only: one open during the build keeps reading the old file, the next opens the
new one, and none ever waits for the writer.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from causeway.config import CausewayConfig
from causeway.config.flows import RfmThresholds
from causeway.engine import warehouse_rows as hub
from causeway.engine.store import Store
from causeway.errors import CausewayError
from causeway.model.ports.crm_reporting import CrmReporting
from causeway.model.ports.erp_reporting import ErpReporting
from causeway.warehouse import activity, dimensions, duck
from causeway.warehouse import crm as crm_facts
from causeway.warehouse import erp as erp_facts
from causeway.warehouse.account_fees import booked_currencies, write_account_fees
from causeway.warehouse.integration import restamp_minutes, write_jobs
from causeway.warehouse.money import Rates
from causeway.warehouse.orders import roll_up_orders, write_orders

# A row stamped just before the last watermark may commit after the last build read:
# each read goes back this far, and re-reading a row only replaces it.
OVERLAP = 300.0
STEPS = (
    "orders",
    "erp sales",
    "account fees",
    "carts",
    "web events",
    "stock snapshots",
    "order changes",
    "customers",
    "crm deals",
    "crm contacts",
    "jobs",
    "dimensions",
)
# step name, rows so far in that step: what a progress bar shows.
Progress = Callable[[str, int], None]


@dataclass
class BuildReport:
    path: Path
    full: bool
    seconds: float = 0.0
    read: dict[str, int] = field(default_factory=dict)  # rows read per step
    tables: dict[str, int] = field(default_factory=dict)  # rows per table after


def build(
    store: Store,
    target: Path,
    *,
    erp: ErpReporting | None,
    settings: CausewayConfig,
    crm: CrmReporting | None = None,
    full: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> BuildReport:
    """Build (or bring up to date) the warehouse file `target`; see the module's doc.
    `crm`: the CRM system settings.warehouse_crm() names (None: no deals, and the CRM
    segments stay as the last build left them). `today`: the day RFM recency counts to
    (default: today, UTC)."""
    crm_name = settings.warehouse_crm()
    if crm is not None and crm_name is None:
        raise duck.WarehouseError(
            "a CRM was given to the build but the configuration names no CRM system "
            "(warehouse.crm): its deals could not be matched to the hub's links"
        )
    started = time.monotonic()
    target = Path(target)
    report = BuildReport(target, full)
    with duck.writer_lock(target):
        work = target.with_name(target.name + ".building")
        duck.remove_file(work)
        if not full and target.exists():
            shutil.copyfile(target, work)
        try:
            con = duck.open_for_build(work)
            try:
                if not duck.schema_matches(con):
                    report.full = True
                    con.close()
                    duck.remove_file(work)
                    con = duck.open_for_build(work)
                    duck.create_tables(con)
                # One transaction for the whole build: a statement committed on its
                # own costs a write of the file's log each time (4x slower at 100,000
                # lines), and the file is swapped in only when everything is written.
                con.execute("BEGIN TRANSACTION")
                crm_source = None if crm is None or crm_name is None else (crm_name, crm)
                _Build(con, store, erp, settings, report, progress, today, crm_source).run()
                report.tables = duck.counts(con)
                con.execute("COMMIT")
                con.execute("CHECKPOINT")
            finally:
                con.close()
            work.replace(target)
            duck.remove_file(work)  # what DuckDB spilled beside it, if anything
        except BaseException:
            duck.remove_file(work)
            raise
    report.seconds = time.monotonic() - started
    return report


class _Build:
    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        store: Store,
        erp: ErpReporting | None,
        settings: CausewayConfig,
        report: BuildReport,
        progress: Progress | None,
        today: dt.date | None,
        crm: tuple[str, CrmReporting] | None = None,
    ) -> None:
        self.con, self.store, self.erp, self.settings = con, store, erp, settings
        self.crm = crm
        self.report, self.progress = report, progress or (lambda step, n: None)
        self.today = today or dt.datetime.now(dt.UTC).date()
        company = erp.company_currency() if erp is not None else None
        self.company_currency = company or settings.warehouse.company_currency
        self.rates = Rates(self.company_currency)
        self.asked_rates: set[str] = set()  # currencies whose rates the ERP was asked for
        self.sales: set[int] = set()

    def run(self) -> None:
        self._orders()
        self._erp_sales()
        self._account_fees()
        self.con.execute("DELETE FROM fact_carts")  # read whole every build (carts_all)
        self._step(
            "carts", hub.carts_all(self.store), lambda rows: activity.write_carts(self.con, rows)
        )
        self._paged(
            "web_events",
            hub.web_events_since,
            "received_at",
            lambda rows: activity.write_web_events(self.con, rows),
        )
        replaced_days: set[tuple[str, str, str]] = set()
        self._paged(
            "stock_snapshots",
            hub.stock_snapshots_since,
            "taken_at",
            lambda rows: activity.write_snapshots(self.con, rows, replaced_days),
        )
        self._paged(
            "order_changes",
            hub.order_changes_since,
            "recorded_at",
            lambda rows: activity.write_changes(self.con, rows, self.rates),
        )
        self._paged(
            "customers",
            hub.customers_since,
            "updated_at",
            lambda rows: dimensions.write_customers(self.con, rows),
        )
        self._crm()
        self._integration()
        self._dimensions()

    # -- steps ----------------------------------------------------------------------------
    def _since(self, source: str) -> float:
        mark = duck.watermark(self.con, source)
        return 0.0 if mark is None else max(0.0, mark - OVERLAP)

    def _paged(
        self,
        source: str,
        read: Callable[[Store, float], Iterator[list[dict[str, Any]]]],
        stamp: str,
        write: Callable[[list[dict[str, Any]]], int],
    ) -> None:
        mark = duck.watermark(self.con, source)
        newest = mark
        step = source.replace("_", " ")
        done = 0
        for rows in read(self.store, self._since(source)):
            write(rows)
            done += len(rows)
            newest = max(newest or 0.0, max(float(r[stamp]) for r in rows))
            self.progress(step, done)
        self.report.read[step] = done
        if newest is not None:
            duck.set_watermark(self.con, source, newest)

    def _step(
        self, step: str, pages: Iterator[list[dict[str, Any]]], write: Callable[[Any], int]
    ) -> None:
        done = 0
        for rows in pages:
            write(rows)
            done += len(rows)
            self.progress(step, done)
        self.report.read[step] = done

    def _orders(self) -> None:
        self._load_rates(hub.currencies(self.store))
        fees = self.settings.warehouse.channel_fees
        mark = duck.watermark(self.con, "order_facts")
        done = 0
        for page in hub.order_facts_since(self.store, self._since("order_facts")):
            write_orders(self.con, page, self.rates, fees)
            self.sales.update(s for f in page if (s := _sale(f)) is not None)
            mark = max(mark or 0.0, max(float(f["changed_at"]) for f in page))
            done += len(page)
            self.progress("orders", done)
        self.report.read["orders"] = done
        if mark is not None:
            duck.set_watermark(self.con, "order_facts", mark)

    def _account_fees(self) -> None:
        """Every period whose account fees the warehouse's ERP booked, read whole."""
        bookings = hub.booked_account_fees(self.store, self.settings.warehouse_erp())
        self._more_rates(booked_currencies(bookings))
        self.report.read["account fees"] = write_account_fees(self.con, bookings, self.rates)
        self.progress("account fees", self.report.read["account fees"])

    def _load_rates(self, order_currencies: Iterable[str]) -> None:
        """Every currency the warehouse holds or is about to: rates are read once a build."""
        held = self.con.execute(
            "SELECT DISTINCT currency FROM fact_orders UNION SELECT currency FROM fact_returns "
            "UNION SELECT currency FROM fact_payments"
        ).fetchall()
        currencies = sorted({c for (c,) in held if c} | set(order_currencies))
        if self.erp is None:
            return
        others = [c for c in currencies if c != self.company_currency]
        self.rates = Rates.of(self.company_currency, self.erp.currency_rates(others))
        self.asked_rates.update(others)

    def _more_rates(self, currencies: Iterable[str]) -> None:
        """Rates of currencies a later source names (a deal, or a carrier's cost, in a
        currency no order is in), asked for when that source is read."""
        new = sorted({c.upper() for c in currencies} - self.asked_rates)
        new = [c for c in new if not self.rates.knows(c)]
        if self.erp is None or not new:
            return
        self.rates.add(self.erp.currency_rates(new))
        self.asked_rates.update(new)

    def _crm(self) -> None:
        """The CRM's deals and contacts changed since their watermarks, then every deal's
        customer and ERP sale from the hub's links (warehouse/crm.py). A CRM error fails
        the build, which leaves the current file as it was: nothing read is lost, the
        next build reads again from the same watermarks."""
        if self.crm is None:
            self.report.read["crm deals"] = self.report.read["crm contacts"] = 0
            return
        name, crm = self.crm

        def deals(store: Store, since: float) -> Iterator[list[dict[str, Any]]]:
            for page in crm.deals_since(_moment(since)):
                self._more_rates(d.currency for d in page)
                yield [{"deal": d, "stamp": d.modified_at.timestamp()} for d in page]

        def contacts(store: Store, since: float) -> Iterator[list[dict[str, Any]]]:
            for page in crm.contact_segments(_moment(since)):
                yield [{"contact": c, "stamp": c.modified_at.timestamp()} for c in page]

        try:
            self._paged(
                "crm_deals",
                deals,
                "stamp",
                lambda rows: crm_facts.write_deals(
                    self.con, [r["deal"] for r in rows], self.rates, name
                ),
            )
            self._paged(
                "crm_contacts",
                contacts,
                "stamp",
                lambda rows: crm_facts.write_contacts(self.con, [r["contact"] for r in rows]),
            )
        except CausewayError as error:
            raise duck.WarehouseError(
                f"the CRM {name!r} answered an error while the build read it: {error}. "
                f"The warehouse is left as the last build made it; build again once fixed"
            ) from error
        crm_facts.link_deals(self.con, hub.crm_links(self.store, name))

    def _erp_sales(self) -> None:
        if self.erp is None:
            self.report.read["erp sales"] = 0
            return
        sales = self.sales | set(erp_facts.open_sales(self.con))
        done = [0]

        def tick(n: int) -> None:
            done[0] += n
            self.progress("erp sales", done[0])

        self.report.read["erp sales"] = erp_facts.read_sales(
            self.con, self.erp, sales, self.rates, tick, learn=self._more_rates
        )

    def _integration(self) -> None:
        """Jobs finished since the watermark, each replacing its row: a job replayed after
        it was parked finishes again, later. Then every row's minutes as configured now."""
        minutes = self.settings.console.minutes_per_record()
        self._paged(
            "jobs",
            hub.finished_jobs_since,
            "finished_at",
            lambda rows: write_jobs(self.con, rows, minutes),
        )
        restamp_minutes(self.con, minutes)

    def _dimensions(self) -> None:
        activity.fill_return_orders(self.con)
        roll_up_orders(self.con)
        dimensions.finish_customers(self.con, self.today, self._rfm())
        dimensions.stitch_web_events(self.con)
        dimensions.write_channels(self.con, self.settings)
        dimensions.prune_campaigns(self.con)
        erp_facts.write_products(self.con, self.erp, self.company_currency)
        days = dimensions.write_dates(self.con)
        self.report.read["dimensions"] = days
        self.progress("dimensions", days)

    def _rfm(self) -> RfmThresholds:
        flow = self.settings.flows.settings("customers-to-crm")
        found = getattr(flow, "rfm", None)
        return found if isinstance(found, RfmThresholds) else RfmThresholds()


def _moment(since: float) -> dt.datetime | None:
    """A watermark as the moment a CRM read starts at (None: from the beginning)."""
    return None if since <= 0 else dt.datetime.fromtimestamp(since, dt.UTC)


def _sale(fact: dict[str, Any]) -> int | None:
    text = fact.get("erp_sale_id")
    return int(text) if text and str(text).strip().isdigit() else None
