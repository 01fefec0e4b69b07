"""The dimensions, recomputed at the end of every build from the facts (and the
configuration and golden records), so an incremental build ends where a full one does:
dim_date, dim_channel, dim_customer with its RFM segment, the campaigns still named,
and the stitching of storefront events to golden customers.

The RFM rule (docs/warehouse.md) is the CRM contact's (customers/crm_contact.py:
segment), with the customers-to-crm flow's thresholds, over the customer's orders not
cancelled, monetary value in the company's currency, recency counted to the build's day:
- no order for more than 2 x lapsing_days: lost; more than lapsing_days: at risk;
- else recent (last order within recent_days), frequent (frequent_orders or more) and
  valuable (revenue >= high_value): champions; frequent or valuable: loyal;
- else recent with one order: new; recent: promising; otherwise: needs attention.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

from causeway.config import CausewayConfig
from causeway.config.flows import RfmThresholds
from causeway.config.systems import CRM, ERP, is_of
from causeway.customers import crm_contact as rfm
from causeway.warehouse.duck import CONTACT_CUSTOMERS, GOLDEN_CUSTOMERS, delete_keys, insert_rows
from causeway.warehouse.orders import GUEST
from causeway.warehouse.schema import DIM_CHANNEL, FACTS

# Golden record fields that fill dim_customer (customers/: the record's field names).
GROUP_FIELDS = ("customer_group", "group", "tags")
SEGMENT_FIELDS = ("crm_segment", "lifecycle_stage", "segment")


def write_customers(con: duckdb.DuckDBPyConnection, customers: Sequence[Mapping[str, Any]]) -> int:
    """Golden customers' own attributes and merges (kept in _golden_customers);
    dim_customer is made from them by finish_customers."""
    delete_keys(con, GOLDEN_CUSTOMERS.name, "customer_id", [c["id"] for c in customers])
    rows = []
    for customer in customers:
        fields = customer["fields"]
        address = fields.get("address") if isinstance(fields.get("address"), dict) else {}
        rows.append(
            {
                "customer_id": customer["id"],
                "customer_group": _first(fields, GROUP_FIELDS),
                "crm_segment": _first(fields, SEGMENT_FIELDS),
                "country": (address or {}).get("country_code"),
                "merged_into": customer["merged_into"],
            }
        )
    return insert_rows(con, GOLDEN_CUSTOMERS, rows)


def _first(fields: Mapping[str, Any], names: Sequence[str]) -> str | None:
    for name in names:
        value = fields.get(name)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value not in (None, ""):
            return str(value)
    return None


CUSTOMER_FACTS = (
    "fact_orders",
    "fact_order_lines",
    "fact_returns",
    "fact_fulfilments",
    "fact_payments",
    "fact_channel_fees",
    "fact_carts",
    "fact_web_events",
    "fact_deals",
    CONTACT_CUSTOMERS.name,  # the CRM's contacts' customers (warehouse/crm.py)
)
MAX_MERGE_CHAIN = 20


def _follow_merges(con: duckdb.DuckDBPyConnection) -> None:
    """A customer merged into another is that one in every fact (a chain of merges is
    followed to its end): a customer's orders are never split across two rows."""
    merged: dict[str, str] = dict(
        con.execute(
            "SELECT customer_id, merged_into FROM _golden_customers WHERE merged_into IS NOT NULL"
        ).fetchall()
    )
    if not merged:
        return
    final = {}
    for start in merged:
        at, steps = start, 0
        while at in merged and steps < MAX_MERGE_CHAIN:
            at, steps = merged[at], steps + 1
        final[start] = at
    con.execute("CREATE TEMP TABLE IF NOT EXISTS _survivors (merged VARCHAR, survivor VARCHAR)")
    con.execute("DELETE FROM _survivors")
    con.executemany("INSERT INTO _survivors VALUES (?, ?)", list(final.items()))
    for table in CUSTOMER_FACTS:
        con.execute(
            f"UPDATE {table} AS f SET customer_id = s.survivor FROM _survivors AS s "
            f"WHERE f.customer_id = s.merged"
        )


def finish_customers(
    con: duckdb.DuckDBPyConnection, today: dt.date, thresholds: RfmThresholds
) -> None:
    """dim_customer anew: every golden customer and every customer the facts name, with
    the golden record's attributes (its group, else the latest order's), the order
    figures of their orders not cancelled, and the RFM segment. The CRM segment is the
    lifecycle stage (else segment) of the customer's CRM contact: the contact link
    customers-to-crm keeps, else the oldest other (warehouse/crm.py)."""
    # Empty when this build read no CRM (warehouse/crm.py: link_deals fills it).
    con.execute(
        CONTACT_CUSTOMERS.ddl().replace("CREATE TABLE", "CREATE TEMP TABLE IF NOT EXISTS", 1)
    )
    _follow_merges(con)
    con.execute("DELETE FROM dim_customer")
    con.execute(
        """
        INSERT INTO dim_customer
        SELECT i.customer_id, coalesce(g.customer_group, f.order_group),
            coalesce(s.crm_segment, g.crm_segment),
            g.country, f.first_day, f.last_day, f.orders, f.revenue, NULL
        FROM (
            SELECT customer_id FROM _golden_customers WHERE merged_into IS NULL
            UNION SELECT customer_id FROM fact_orders
            UNION SELECT customer_id FROM fact_carts UNION SELECT customer_id FROM fact_web_events
            UNION SELECT ?
        ) AS i
        LEFT JOIN _golden_customers AS g ON g.customer_id = i.customer_id
        LEFT JOIN (
            SELECT customer_id, min(order_date) AS first_day, max(order_date) AS last_day,
                count(*) AS orders, sum(goods_net_company) AS revenue,
                arg_max(customer_group, ordered_at) AS order_group
            FROM fact_orders WHERE state = 'placed' GROUP BY customer_id
        ) AS f ON f.customer_id = i.customer_id
        LEFT JOIN (
            SELECT m.customer_id, arg_min(
                coalesce(c.lifecycle_stage, c.segment), m.rank::BIGINT * 1000000000000 + m.link_id
            ) AS crm_segment
            FROM _contact_customers AS m JOIN _crm_contacts AS c ON c.contact_id = m.contact_id
            WHERE coalesce(c.lifecycle_stage, c.segment) IS NOT NULL
            GROUP BY m.customer_id
        ) AS s ON s.customer_id = i.customer_id
        WHERE i.customer_id IS NOT NULL
        """,
        [GUEST],
    )
    t = thresholds
    con.execute(
        f"""
        UPDATE dim_customer SET rfm_segment = CASE
            WHEN last_order_date IS NULL OR customer_id = ? THEN NULL
            WHEN ?::DATE - last_order_date > {2 * t.lapsing_days} THEN '{rfm.LOST}'
            WHEN ?::DATE - last_order_date > {t.lapsing_days} THEN '{rfm.AT_RISK}'
            WHEN ?::DATE - last_order_date <= {t.recent_days} AND orders >= {t.frequent_orders}
                AND coalesce(revenue_company, 0) >= ? THEN '{rfm.CHAMPIONS}'
            WHEN orders >= {t.frequent_orders} OR coalesce(revenue_company, 0) >= ?
                THEN '{rfm.LOYAL}'
            WHEN ?::DATE - last_order_date <= {t.recent_days} AND orders = 1 THEN '{rfm.NEW}'
            WHEN ?::DATE - last_order_date <= {t.recent_days} THEN '{rfm.PROMISING}'
            ELSE '{rfm.NEEDS_ATTENTION}' END
        """,
        [GUEST, today, today, today, t.high_value, t.high_value, today, today],
    )


def stitch_web_events(con: duckdb.DuckDBPyConnection) -> None:
    """A client whose checkout_completed names an order is that order's customer: all
    the client's events get it (the latest such checkout wins)."""
    con.execute(
        """
        UPDATE fact_web_events AS e SET customer_id = s.customer_id
        FROM (
            SELECT w.channel, w.client_id, arg_max(o.customer_id, w.occurred_at) AS customer_id
            FROM _web_checkouts AS w JOIN fact_orders AS o
              ON o.channel = w.channel AND o.order_id = w.order_id
            WHERE o.customer_id <> ?
            GROUP BY w.channel, w.client_id
        ) AS s
        WHERE e.channel = s.channel AND e.client_id = s.client_id
        """,
        [GUEST],
    )


def write_channels(con: duckdb.DuckDBPyConnection, config: CausewayConfig) -> int:
    """The configured systems orders come from (not the ERP nor the CRM), the portal
    when on, and any other channel the facts name; each with its configured fee."""
    kinds: dict[str, str] = {
        name: system.type
        for name, system in config.systems.items()
        if not is_of(system, (ERP, CRM))
    }
    if config.portal.enabled and config.portal.erp:
        kinds.setdefault("portal", "portal")
    for (channel,) in con.execute(
        "SELECT DISTINCT channel FROM fact_orders UNION SELECT channel FROM fact_carts "
        "UNION SELECT channel FROM fact_web_events"
    ).fetchall():
        kinds.setdefault(channel, "unknown")
    fees = config.warehouse.channel_fees
    con.execute("DELETE FROM dim_channel")
    rows = [
        {
            "channel": name,
            "kind": kind,
            "fee_percent": fees[name].percent if name in fees else None,
            "fee_fixed": fees[name].fixed if name in fees else None,
            "fee_currency": fees[name].currency if name in fees else None,
        }
        for name, kind in sorted(kinds.items())
    ]
    return insert_rows(con, DIM_CHANNEL, rows)


def prune_campaigns(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "DELETE FROM dim_campaign WHERE campaign_key NOT IN "
        "(SELECT campaign_key FROM fact_orders WHERE campaign_key IS NOT NULL)"
    )


def write_dates(con: duckdb.DuckDBPyConnection) -> int:
    """Every day from the first fact's to the last's."""
    columns = [
        f"SELECT min({c.name}) AS lo, max({c.name}) AS hi FROM {t.name}"
        for t in FACTS
        for c in t.columns
        if c.type == "DATE"
    ]
    lo, hi = con.execute(
        f"SELECT min(lo), max(hi) FROM ({' UNION ALL '.join(columns)})"
    ).fetchone() or (None, None)
    con.execute("DELETE FROM dim_date")
    if lo is None:
        return 0
    con.execute(
        """
        INSERT INTO dim_date
        SELECT d::DATE, year(d), quarter(d), month(d), weekofyear(d), isodow(d)
        FROM generate_series(?::DATE, ?::DATE, INTERVAL 1 DAY) AS g(d)
        """,
        [lo, hi],
    )
    return int((hi - lo).days) + 1
