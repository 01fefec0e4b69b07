"""A warehouse file written by hand for the reports' tests: the star schema's DDL
(warehouse/schema.py), then exactly the rows a test names. A column a row leaves out is
NULL, so each test shows only the figures its arithmetic uses.

The money helpers write an amount and its company-currency twin as the build does:
`amount x rate` (`rate` NULL: no company amount)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from causeway.reports import REPORTS, ReportFilters
from causeway.reports.base import Row
from causeway.warehouse.orders import roll_up_orders
from causeway.warehouse.schema import BY_NAME, all_ddl

D = Decimal


def company(amount: str | None, rate: str | None) -> Decimal | None:
    if amount is None or rate is None:
        return None
    return (D(amount) * D(rate)).quantize(D("0.0001"))


@dataclass
class Warehouse:
    """A warehouse file being written; `run(slug, ...)` closes it and runs a report."""

    path: Path
    conn: duckdb.DuckDBPyConnection | None = None
    last_job: int = 0  # fact_integration's job ids, one after another

    @classmethod
    def create(cls, folder: Path) -> Warehouse:
        path = folder / "warehouse.duckdb"
        conn = duckdb.connect(str(path))
        for ddl in all_ddl():
            conn.execute(ddl)
        return cls(path, conn)

    def add(self, table: str, **values: Any) -> None:
        names = BY_NAME[table].column_names
        unknown = set(values) - set(names)
        assert not unknown, f"{table} has no column {unknown}"
        assert self.conn is not None, "the warehouse is closed"
        placeholders = ", ".join("?" for _ in names)
        self.conn.execute(
            f"INSERT INTO {table} VALUES ({placeholders})", [values.get(n) for n in names]
        )

    # -- the rows most tests need --------------------------------------------------------

    def jobs(
        self,
        day: str,
        flow: str,
        kind: str | None,
        outcome: str | None,
        n: int = 1,
        *,
        hours_to_fix: float | None = None,
        minutes_each: str | None = None,
    ) -> None:
        """`n` finished jobs of `flow` alike (fact_integration: one row per job)."""
        assert self.conn is not None, "the warehouse is closed"
        parked = outcome in ("failed", "fixed")
        row = {
            "date": date.fromisoformat(day),
            "created_at": datetime.fromisoformat(f"{day}T11:00:00"),
            "finished_at": datetime.fromisoformat(f"{day}T12:00:00"),
            "flow": flow,
            "kind": kind,
            "state": {"handled": "done", "fixed": "done", "failed": "dead"}.get(
                outcome or "", "resolved"
            ),
            "outcome": outcome,
            "parkings": int(parked),
            "hours_to_fix": hours_to_fix,
            "minutes_each": minutes_each,
        }
        names = BY_NAME["fact_integration"].column_names
        values = ", ".join("range + ?" if name == "job_id" else "?" for name in names)
        # One statement for the n rows (binding them one by one takes seconds).
        self.conn.execute(
            f"INSERT INTO fact_integration SELECT {values} FROM range(?)",
            [self.last_job + 1 if name == "job_id" else row.get(name) for name in names] + [n],
        )
        self.last_job += n

    def customer(self, customer_id: str, group: str | None = None, rfm: str | None = None) -> None:
        self.add("dim_customer", customer_id=customer_id, customer_group=group, rfm_segment=rfm)

    def order(
        self,
        key: str,
        *,
        channel: str = "shop",
        customer: str | None = None,
        day: str = "2026-03-02",
        currency: str = "EUR",
        rate: str | None = "1",
        goods_net: str = "0",
        discounts: str = "0",
        shipping: str = "0",
        state: str = "placed",
        campaign_key: str | None = None,
    ) -> None:
        self.add(
            "fact_orders",
            order_key=key,
            channel=channel,
            customer_id=customer,
            order_date=date.fromisoformat(day),
            ordered_at=datetime.fromisoformat(f"{day}T09:00:00"),
            campaign_key=campaign_key,
            state=state,
            currency=currency,
            company_currency="EUR",
            rate=rate,
            goods_net=goods_net,
            goods_net_company=company(goods_net, rate),
            discounts=discounts,
            discounts_company=company(discounts, rate),
            shipping_charged=shipping,
            shipping_charged_company=company(shipping, rate),
        )

    def deal(
        self,
        deal_id: str,
        *,
        pipeline: str = "default",
        state: str | None = "open",
        amount: str | None = "100",
        currency: str = "EUR",
        rate: str | None = "1",
        customer: str | None = None,
        created: str = "2026-03-02",
        order_key: str | None = None,
    ) -> None:
        """A CRM deal; `order_key`: the order it became (quotes-to-erp)."""
        self.add(
            "fact_deals",
            deal_id=deal_id,
            crm="hubspot",
            pipeline=pipeline,
            stage=state,
            state=state,
            customer_id=customer,
            created_date=date.fromisoformat(created),
            currency=currency,
            company_currency="EUR",
            rate=rate,
            amount=amount,
            amount_company=None if amount is None else company(amount, rate),
            order_key=order_key,
            in_erp=order_key is not None,
        )

    def line(
        self,
        key: str,
        line_no: int,
        sku: str,
        quantity: str,
        net: str,
        cost: str | None,
        *,
        channel: str = "shop",
        customer: str | None = None,
        day: str = "2026-03-02",
        currency: str = "EUR",
        rate: str | None = "1",
        state: str = "placed",
    ) -> None:
        self.add(
            "fact_order_lines",
            order_key=key,
            channel=channel,
            customer_id=customer,
            order_date=date.fromisoformat(day),
            line_no=line_no,
            sku=sku,
            state=state,
            quantity=quantity,
            currency=currency,
            company_currency="EUR",
            rate=rate,
            net=net,
            net_company=company(net, rate),
            cost_company=cost,
        )

    def fee(self, key: str, fee: str, *, channel: str = "shop", currency: str = "EUR",
            rate: str | None = "1", day: str = "2026-03-02") -> None:  # fmt: skip
        self.add(
            "fact_channel_fees",
            order_key=key,
            channel=channel,
            order_date=date.fromisoformat(day),
            currency=currency,
            company_currency="EUR",
            rate=rate,
            fee=fee,
            fee_company=company(fee, rate),
        )

    def account_fees(self, channel: str, period_id: str, amount: str, *, end: str,
                     currency: str = "EUR", rate: str | None = "1") -> None:  # fmt: skip
        """A settlement period of `channel` ending on `end` whose account fees the ERP
        booked (`amount` in `currency`, at the end day's `rate`)."""
        self.add(
            "fact_account_fees",
            channel=channel,
            period_id=period_id,
            period_end=date.fromisoformat(end),
            currency=currency,
            company_currency="EUR",
            rate=rate,
            amount=amount,
            amount_company=company(amount, rate),
        )

    def shipped(self, key: str, shipment_id: int, cost: str, *, currency: str = "EUR",
                rate: str | None = "1", channel: str = "shop",
                day: str = "2026-03-03") -> None:  # fmt: skip
        """A done shipment of the order whose carrier cost `cost` (in `currency`, at the
        ship date's `rate`)."""
        self.add(
            "fact_fulfilments",
            order_key=key,
            channel=channel,
            shipment_id=shipment_id,
            ship_date=date.fromisoformat(day),
            shipping_cost=cost,
            shipping_cost_currency=currency,
            company_currency="EUR",
            rate=rate,
            shipping_cost_company=company(cost, rate),
        )

    def refund(
        self,
        key: str,
        sku: str,
        quantity: str,
        refunded: str,
        *,
        reason: str | None = "unknown",
        channel: str = "shop",
        customer: str | None = None,
        day: str = "2026-03-02",
        currency: str = "EUR",
        rate: str | None = "1",
        restocked: str | None = None,
        restocked_cost: str | None = None,
    ) -> None:
        self.add(
            "fact_returns",
            order_key=key,
            channel=channel,
            customer_id=customer,
            order_date=date.fromisoformat(day),
            return_key=f"{key}:{sku}:{reason}",
            sku=sku,
            quantity=quantity,
            reason=reason,
            currency=currency,
            company_currency="EUR",
            rate=rate,
            refunded=refunded,
            refunded_company=company(refunded, rate),
            restocked=restocked,
            restocked_cost_company=restocked_cost,
        )

    def close(self) -> None:
        """Done writing: each order's cost, refunds, fees and shipping cost rolled up onto
        it, as the build does at its end."""
        if self.conn is not None:
            roll_up_orders(self.conn)
            self.conn.close()
            self.conn = None

    def run(self, slug: str, **filters: Any) -> list[Row]:
        self.close()
        return REPORTS[slug].run(self.path, ReportFilters(**filters)).rows


def by(rows: list[Row], *keys: str) -> dict[Any, Row]:
    """The rows by the value of `keys` (one key: the value; several: a tuple)."""
    if len(keys) == 1:
        return {row[keys[0]]: row for row in rows}
    return {tuple(row[k] for k in keys): row for row in rows}


def sample(folder: Path) -> Path:
    """A small warehouse with rows for every report (the console's and browser tests'):
    two channels, EUR and a USD order at 0.9, a return, shipments, a marketplace's
    account fees, stock, carts and the integration's jobs. The file's path."""
    w = Warehouse.create(folder)
    w.customer("alice@example.com", group="retail", rfm="champions")
    w.customer("bob@example.com", group="wholesale", rfm="new")
    w.add("dim_product", sku="ANVIL-1", title="Anvil", company_currency="EUR")
    w.add("dim_product", sku="ROPE-2", title="Rope", company_currency="EUR")
    w.add("dim_campaign", campaign_key="k1", source="google", campaign="spring", medium="cpc",
          landing_site="/sale", referrer="google.com")  # fmt: skip
    w.add("dim_campaign", campaign_key="k2", source="newsletter", campaign="march",
          medium="email", landing_site="/", referrer="direct")  # fmt: skip
    alice, bob = "alice@example.com", "bob@example.com"
    orders = [  # key, channel, customer, day, currency, rate, sku, qty, net, cost, campaign
        ("o1", "shop", alice, "2026-03-02", "EUR", "1", "ANVIL-1", "2", "100", "60", "k1"),
        ("o2", "amazon", alice, "2026-03-10", "USD", "0.9", "ROPE-2", "4", "200", "90", "k2"),
        ("o3", "shop", bob, "2026-03-12", "EUR", "1", "ROPE-2", "1", "40", "25", None),
    ]  # fmt: skip
    for key, channel, who, day, currency, rate, sku, qty, net, cost, campaign in orders:
        w.order(key, channel=channel, customer=who, day=day, currency=currency, rate=rate,
                goods_net=net, campaign_key=campaign)  # fmt: skip
        w.line(key, 1, sku, qty, net, cost, channel=channel, customer=who, day=day,
               currency=currency, rate=rate)  # fmt: skip
        w.fee(key, "3", channel=channel, currency=currency, rate=rate, day=day)
        w.add("fact_fulfilments", order_key=key, channel=channel, customer_id=who,
              shipment_id=int(key[1:]), warehouse="WH", ship_date=date.fromisoformat(day),
              lead_time_hours=float(12 * int(key[1:])))  # fmt: skip
    w.refund("o1", "ANVIL-1", "1", "50", reason="damaged", customer="alice@example.com")
    # Amazon's settlement period to 14 March: its subscription, 20 USD at 0.9.
    w.account_fees("amazon", "G-1", "20", end="2026-03-14", currency="USD", rate="0.9")
    for day, quantity in (("2026-03-01", "5"), ("2026-03-02", "0"), ("2026-03-03", "4")):
        w.add("fact_stock_snapshots", date=date.fromisoformat(day), system="erp", kind="erp",
              location="WH", sku="ANVIL-1", quantity=quantity,
              out_of_stock=quantity == "0")  # fmt: skip
    for day, quantity in (("2026-03-02", "0"), ("2026-03-03", "0")):  # the shop lags a day
        w.add("fact_stock_snapshots", date=date.fromisoformat(day), system="shop",
              kind="channel", location="online", sku="ANVIL-1", quantity=quantity,
              out_of_stock=True)  # fmt: skip
    for checkout, state, total, currency in (("c1", "abandoned", "30", "EUR"),
                                             ("c2", "recovered", "45", "EUR"),
                                             ("c3", "completed", "20", "USD")):  # fmt: skip
        w.add("fact_carts", channel="shop", checkout_id=checkout, state=state,
              created_date=date(2026, 3, 2), currency=currency, total=total,
              abandoned_at=datetime(2026, 3, 2, 12) if state != "completed" else None)  # fmt: skip
    w.deal("d1", state="won", amount="250", customer=alice, order_key="o1")
    w.deal("d2", state="lost", amount="90", customer=bob)
    w.deal("d3", state="open", amount="400", customer=bob)
    w.jobs("2026-03-02", "orders-to-erp", "order", "handled", 120, minutes_each="4")
    w.jobs("2026-03-02", "orders-to-erp", "order", "fixed", 3, hours_to_fix=1.5,
           minutes_each="4")  # fmt: skip
    w.jobs("2026-03-02", "fulfillments-to-channels", "shipment", "handled", 80,
           minutes_each="3")  # fmt: skip
    w.close()
    return w.path
