"""bench/warehouse.py's baseline: each report of causeway.reports computed with plain
pandas over the warehouse's CSV export (`causeway warehouse export --format csv`), as a
company that only had the export would: read_csv of the tables the report needs (only
the columns it needs), then filters, merges and groupby.

Each function answers what the report's SQL answers (src/causeway/reports/*.py: the same
rows, keys and figures); `differences` checks it against the DuckDB report's rows.
Money is float here (read_csv's), so figures are compared after rounding to cents.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the lock

Frame: TypeAlias = pd.DataFrame
PandasReport = Callable[..., Frame]


def read(folder: Path, table: str, columns: Sequence[str]) -> Frame:
    """A table of the export, only `columns`; dates stay ISO text (they compare as text)."""
    return pd.read_csv(
        folder / f"{table}.csv",
        usecols=list(columns),
        dtype={c: "string" for c in columns if c.endswith(("_date", "date", "_id", "_key"))},
    )


def matching(
    frame: Frame,
    *,
    day: str = "order_date",
    date_from: Any = None,
    date_to: Any = None,
    channel: str | None = None,
    channel_column: str = "channel",
) -> Frame:
    """The reports' filters (reports/base.py: matching): day in the range, the channel."""
    keep = pd.Series(True, index=frame.index)
    if date_from is not None:
        keep &= frame[day] >= str(date_from)
    if date_to is not None:
        keep &= frame[day] <= str(date_to)
    if channel is not None:
        keep &= frame[channel_column] == channel
    return frame[keep.fillna(False).astype(bool)]


def _sum(series: pd.Series) -> float:
    return float(series.sum()) if len(series) else 0.0


# -- profitability: per customer, per segment, per channel --------------------------------
def per_order(folder: Path, **filters: Any) -> Frame:
    """reports/customer_profitability.py PER_ORDER: each placed order with its costs,
    refunds, fees and shipping cost (all NULL for an order without a rate)."""
    orders = read(
        folder,
        "fact_orders",
        (
            "order_key",
            "channel",
            "customer_id",
            "order_date",
            "state",
            "company_currency",
            "rate",
            "goods_net_company",
            "discounts_company",
            "shipping_charged_company",
        ),
    )
    orders = matching(orders[orders["state"] == "placed"], **filters)
    orders = orders.assign(customer_id=orders["customer_id"].fillna("guest"))
    keys = set(orders["order_key"])
    parts = []
    for table, column, name in (
        ("fact_order_lines", "cost_company", "cogs"),
        ("fact_returns", "refunded_company", "refunds"),
        ("fact_returns", "restocked_cost_company", "restocked_cost"),
        ("fact_channel_fees", "fee_company", "fees"),
        ("fact_fulfilments", "shipping_cost_company", "shipping_cost"),
    ):
        found = read(folder, table, ("order_key", column))
        found = found[found["order_key"].isin(keys)]
        parts.append(found.groupby("order_key")[column].sum().rename(name))
    per = orders.merge(pd.concat(parts, axis=1), left_on="order_key", right_index=True, how="left")
    converted = per["rate"].notna()
    per = per.assign(
        unconverted=~converted,
        revenue=per["goods_net_company"],
        discounts=per["discounts_company"],
        shipping_charged=per["shipping_charged_company"],
    )
    # goods back on the shelf are no cost of the order
    per["cogs"] = per["cogs"].fillna(0.0) - per["restocked_cost"].fillna(0.0)
    for name in ("cogs", "refunds", "fees", "shipping_cost"):
        per[name] = per[name].fillna(0.0).where(converted)
    per["profit"] = (
        per["revenue"]
        + per["shipping_charged"].fillna(0.0)
        - per["cogs"]
        - per["shipping_cost"]
        - per["refunds"]
        - per["fees"]
    )
    return per


def figures(per: Frame, keys: list[str]) -> Frame:
    """reports/customer_profitability.py FIGURES, per group of `keys`."""
    grouped = per.groupby(keys, dropna=False, sort=False)
    out = grouped.agg(
        orders=("order_key", "size"),
        unconverted_orders=("unconverted", "sum"),
        revenue=("revenue", "sum"),
        discounts=("discounts", "sum"),
        cogs=("cogs", "sum"),
        refunds=("refunds", "sum"),
        fees=("fees", "sum"),
        shipping_cost=("shipping_cost", "sum"),
        profit=("profit", "sum"),
        shipping_charged=("shipping_charged", "sum"),
    )
    out["margin"] = out["profit"] / out["revenue"].where(out["revenue"] != 0)
    return out.reset_index()


def customer_profitability(folder: Path, **filters: Any) -> Frame:
    per = per_order(folder, **filters)
    customers = read(folder, "dim_customer", ("customer_id", "customer_group", "rfm_segment"))
    per = per.merge(customers, on="customer_id", how="left")
    per["rfm_segment"] = per["rfm_segment"].fillna("unknown")
    out = figures(per, ["customer_id", "customer_group", "rfm_segment", "company_currency"])
    return out.sort_values(["profit", "customer_id"], ascending=[False, True])


def segment_profitability(folder: Path, **filters: Any) -> Frame:
    per = per_order(folder, **filters)
    customers = read(folder, "dim_customer", ("customer_id", "rfm_segment"))
    per = per.merge(customers, on="customer_id", how="left")
    per["rfm_segment"] = per["rfm_segment"].fillna("unknown")
    out = figures(per, ["rfm_segment", "company_currency"])
    counted = per.groupby(["rfm_segment", "company_currency"], dropna=False)[
        "customer_id"
    ].nunique()
    out = out.merge(
        counted.rename("customers").reset_index(), on=["rfm_segment", "company_currency"]
    )
    return out.sort_values(["profit", "rfm_segment"], ascending=[False, True])


def channel_pnl(folder: Path, **filters: Any) -> Frame:
    per = per_order(folder, **filters)
    keys = ["channel", "company_currency"]
    out = figures(per, keys)
    converted = out["orders"] - out["unconverted_orders"]
    out["average_order"] = (out["revenue"] / converted.where(converted != 0)).round(4)
    # The account fees of the settlement periods ending in the range, per channel; a
    # channel with account fees and no orders still has its row.
    periods = read(
        folder,
        "fact_account_fees",
        ("channel", "company_currency", "period_end", "rate", "amount_company"),
    )
    periods = matching(periods, day="period_end", **filters)
    account = (
        periods.assign(unconverted=periods["rate"].isna())
        .groupby(keys, dropna=False)
        .agg(
            account_fees=("amount_company", "sum"), unconverted_account_fees=("unconverted", "sum")
        )
        .reset_index()
    )
    out = out.merge(account, on=keys, how="outer")
    sums = ["orders", "unconverted_orders", "revenue", "discounts", "cogs", "refunds", "fees"]
    sums += [
        "shipping_cost",
        "shipping_charged",
        "profit",
        "account_fees",
        "unconverted_account_fees",
    ]
    out[sums] = out[sums].fillna(0.0)
    out["profit"] = out["profit"] - out["account_fees"]
    out["margin"] = out["profit"] / out["revenue"].where(out["revenue"] != 0)
    return out.sort_values(["profit", "channel"], ascending=[False, True])


# -- products -------------------------------------------------------------------------------
def _sold_lines(folder: Path, columns: Sequence[str], **filters: Any) -> Frame:
    lines = read(folder, "fact_order_lines", ("state", "order_date", "channel", *columns))
    return matching(lines[lines["state"] == "placed"], **filters)


def _titles(folder: Path) -> Frame:
    return read(folder, "dim_product", ("sku", "title"))


def product_margin(folder: Path, **filters: Any) -> Frame:
    lines = _sold_lines(
        folder,
        ("sku", "company_currency", "quantity", "rate", "net_company", "cost_company"),
        **filters,
    )
    lines = lines.assign(
        uncosted=lines["cost_company"].isna() | lines["rate"].isna(),
        revenue=lines["net_company"].where(lines["cost_company"].notna()),
        cogs=lines["cost_company"].where(lines["net_company"].notna()),
    )
    sold = (
        lines.groupby(["sku", "company_currency"], dropna=False)
        .agg(
            units_sold=("quantity", "sum"),
            uncosted_lines=("uncosted", "sum"),
            revenue=("revenue", "sum"),
            cogs=("cogs", "sum"),
        )
        .reset_index()
    )
    snaps = read(folder, "fact_stock_snapshots", ("date", "kind", "sku", "quantity"))
    snaps = snaps[snaps["kind"] == "erp"]
    date_to = filters.get("date_to")
    upto = snaps if date_to is None else snaps[snaps["date"] <= str(date_to)]
    last = upto.groupby("sku")["date"].max().rename("last").reset_index()
    on_last = snaps.merge(last, left_on=["sku", "date"], right_on=["sku", "last"])
    stock = (
        on_last.assign(q=on_last["quantity"].clip(lower=0))
        .groupby("sku")["q"]
        .sum()
        .rename("ending_stock")
        .reset_index()
    )
    out = sold.merge(stock, on="sku", how="left").merge(_titles(folder), on="sku", how="left")
    total = out["units_sold"] + out["ending_stock"]
    out["sell_through"] = out["units_sold"] / total.where(total != 0)
    out["margin"] = out["revenue"] - out["cogs"]
    out["margin_pct"] = out["margin"] / out["revenue"].where(out["revenue"] != 0)
    return out.sort_values(["margin", "sku"], ascending=[False, True])


def returns(folder: Path, **filters: Any) -> Frame:
    sold = (
        _sold_lines(folder, ("sku", "quantity"), **filters)
        .groupby("sku")["quantity"]
        .sum()
        .rename("units_sold")
        .reset_index()
    )
    found = read(
        folder,
        "fact_returns",
        (
            "order_date",
            "channel",
            "sku",
            "reason",
            "company_currency",
            "quantity",
            "rate",
            "refunded_company",
        ),
    )
    found = matching(found, **filters)
    found = found.assign(reason=found["reason"].fillna("unknown"), unconverted=found["rate"].isna())
    returned = (
        found.groupby(["sku", "reason", "company_currency"], dropna=False)
        .agg(
            units_returned=("quantity", "sum"),
            unconverted_returns=("unconverted", "sum"),
            refunded=("refunded_company", "sum"),
        )
        .reset_index()
    )
    out = returned.merge(sold, on="sku", how="left").merge(_titles(folder), on="sku", how="left")
    out["return_rate"] = out["units_returned"] / out["units_sold"].where(out["units_sold"] != 0)
    return out.sort_values(["return_rate", "sku", "reason"], ascending=[False, True, True])


# -- attribution, fulfilment ------------------------------------------------------------------
def attribution(folder: Path, **filters: Any) -> Frame:
    orders = read(
        folder,
        "fact_orders",
        (
            "order_date",
            "channel",
            "state",
            "campaign_key",
            "company_currency",
            "rate",
            "goods_net_company",
        ),
    )
    orders = matching(orders[orders["state"] == "placed"], **filters)
    campaigns = read(
        folder,
        "dim_campaign",
        ("campaign_key", "source", "campaign", "medium", "landing_site", "referrer"),
    )
    names = ["source", "campaign", "medium", "landing_site", "referrer"]
    joined = orders.merge(campaigns, on="campaign_key", how="left")
    joined[names] = joined[names].fillna("(none)")
    joined["converted"] = joined["rate"].notna()
    out = (
        joined.groupby([*names, "company_currency"], dropna=False)
        .agg(
            orders=("state", "size"),
            converted=("converted", "sum"),
            revenue=("goods_net_company", "sum"),
        )
        .reset_index()
    )
    out["unconverted_orders"] = out["orders"] - out["converted"]
    out["average_order"] = (out["revenue"] / out["converted"].where(out["converted"] != 0)).round(4)
    whole = out.groupby("company_currency", dropna=False)["revenue"].transform("sum")
    out["share"] = out["revenue"] / whole.where(whole != 0)
    return out.drop(columns="converted").sort_values(
        ["revenue", "source", "campaign", "landing_site", "referrer"],
        ascending=[False, True, True, True, True],
    )


def fulfilment(folder: Path, **filters: Any) -> Frame:
    found = read(
        folder, "fact_fulfilments", ("channel", "warehouse", "ship_date", "lead_time_hours")
    )
    found["lead_time_hours"] = found["lead_time_hours"].astype(float)  # object when empty
    found = matching(found[found["lead_time_hours"].notna()], day="ship_date", **filters)
    found = found.assign(warehouse=found["warehouse"].fillna("(unknown)"))
    hours = found.groupby(["channel", "warehouse"])["lead_time_hours"]
    out = pd.DataFrame(
        {
            "shipments": hours.size(),
            "mean_hours": hours.mean(),
            "p50_hours": hours.quantile(0.5),
            "p90_hours": hours.quantile(0.9),
            "max_hours": hours.max(),
        }
    ).reset_index()
    return out.sort_values(["channel", "warehouse"])


# -- stock, carts, the integration ------------------------------------------------------------
def stock_outs(folder: Path, **filters: Any) -> Frame:
    snaps = read(
        folder,
        "fact_stock_snapshots",
        ("date", "system", "kind", "location", "sku", "out_of_stock"),
    )
    snaps = matching(snaps, day="date", channel_column="system", **filters)
    keys = ["sku", "kind", "system", "location"]
    # One row a day per key (the table's primary key): the rows of a group are its days.
    observed = snaps.groupby(keys).size().rename("days_observed")
    out_rows = snaps[snaps["out_of_stock"].astype(bool)]
    out_days = out_rows.groupby(keys)["date"].agg(["size", "min", "max"])
    out_days.columns = ["out_of_stock_days", "first_out", "last_out"]
    out = pd.concat([observed, out_days], axis=1).reset_index()
    out["out_of_stock_days"] = out["out_of_stock_days"].fillna(0).astype(int)
    out["share"] = out["out_of_stock_days"] / out["days_observed"]
    return out.sort_values(["out_of_stock_days", *keys], ascending=[False, True, True, True, True])


def abandoned_carts(folder: Path, **filters: Any) -> Frame:
    found = read(
        folder,
        "fact_carts",
        ("channel", "created_date", "currency", "state", "abandoned_at", "total"),
    )
    found = matching(found, day="created_date", **filters)
    state = found["state"]
    found = found.assign(
        currency=found["currency"].fillna("(none)"),
        decided=state != "open",
        abandoned=found["abandoned_at"].notna() | state.isin(["abandoned", "recovered"]),
        recovered=state == "recovered",
        abandoned_value=found["total"].where(state == "abandoned"),
        recovered_value=found["total"].where(state == "recovered"),
    )
    out = (
        found.groupby(["channel", "currency"])
        .agg(
            carts=("state", "size"),
            decided=("decided", "sum"),
            abandoned=("abandoned", "sum"),
            recovered=("recovered", "sum"),
            abandoned_value=("abandoned_value", "sum"),
            recovered_value=("recovered_value", "sum"),
        )
        .reset_index()
    )
    out["abandonment_rate"] = out["abandoned"] / out["decided"].where(out["decided"] != 0)
    out["recovery_rate"] = out["recovered"] / out["abandoned"].where(out["abandoned"] != 0)
    return out.sort_values(["channel", "currency"])


def integration_record(folder: Path, **filters: Any) -> Frame:
    """One row per finished job: its outcome counted per flow and kind."""
    found = read(
        folder,
        "fact_integration",
        ("date", "flow", "kind", "outcome", "hours_to_fix", "minutes_each"),
    )
    found = matching(found, day="date", **filters)
    outcome = found["outcome"]
    handled = outcome == "handled"
    fixed = outcome == "fixed"
    found = found.assign(
        kind=found["kind"].fillna("(none)"),
        handled=handled,
        failed=outcome.isin(["failed", "fixed"]),
        fixed=fixed,
        counted=outcome.notna(),
        fix_hours=found["hours_to_fix"].where(fixed),
        saved=found["minutes_each"].where(handled),
    )
    out = (
        found.groupby(["flow", "kind"])
        .agg(
            handled=("handled", "sum"),
            failed=("failed", "sum"),
            fixed=("fixed", "sum"),
            counted=("counted", "sum"),
            hours_to_fix=("fix_hours", "mean"),
            saved=("saved", "sum"),
        )
        .reset_index()
    )
    out["failure_rate"] = out["failed"] / out["counted"].where(out["counted"] != 0)
    # CAST(... AS DECIMAL(18, 2)) rounds half away from zero (float's round() may not).
    out["hours_saved"] = np.floor(out["saved"] / 60 * 100 + 0.5 + 1e-9) / 100
    out = out.drop(columns=["counted", "saved"])
    return out.sort_values(["hours_saved", "flow"], ascending=[False, True])


# -- the CRM --------------------------------------------------------------------------------------
def crm_deals(folder: Path, **filters: Any) -> Frame:
    deals = read(
        folder,
        "fact_deals",
        ("pipeline", "state", "amount", "rate", "amount_company", "in_erp", "company_currency",
         "created_date", "order_key"),
    )  # fmt: skip
    deals = matching(deals, day="created_date", **filters)
    orders = read(folder, "fact_orders", ("order_key", "goods_net_company", "state"))
    orders = orders.rename(columns={"state": "order_state", "goods_net_company": "revenue"})
    found = deals.merge(orders, on="order_key", how="left")
    state, in_erp = found["state"], found["in_erp"].astype(bool)
    found = found.assign(
        pipeline=found["pipeline"].fillna("(none)"),
        open=state == "open",
        won=state == "won",
        lost=state == "lost",
        open_amount=found["amount_company"].where(state == "open"),
        won_amount=found["amount_company"].where(state == "won"),
        lost_amount=found["amount_company"].where(state == "lost"),
        in_erp=in_erp,
        erp_revenue=found["revenue"].where(in_erp & (found["order_state"] == "placed")),
        unconverted=found["amount"].notna() & found["rate"].isna(),
    )
    out = (
        found.groupby(["pipeline", "company_currency"])
        .agg(
            deals=("state", "size"),
            open=("open", "sum"),
            won=("won", "sum"),
            lost=("lost", "sum"),
            open_amount=("open_amount", "sum"),
            won_amount=("won_amount", "sum"),
            lost_amount=("lost_amount", "sum"),
            in_erp=("in_erp", "sum"),
            erp_revenue=("erp_revenue", "sum"),
            unconverted_deals=("unconverted", "sum"),
        )
        .reset_index()
    )
    decided = out["won"] + out["lost"]
    out["win_rate"] = out["won"] / decided.where(decided != 0)
    return out.sort_values(["won_amount", "pipeline"], ascending=[False, True])


PANDAS_REPORTS: dict[str, PandasReport] = {
    "customer-profitability": customer_profitability,
    "segment-profitability": segment_profitability,
    "product-margin": product_margin,
    "channel-pnl": channel_pnl,
    "attribution": attribution,
    "fulfilment-lead-time": fulfilment,
    "returns": returns,
    "stock-outs": stock_outs,
    "abandoned-carts": abandoned_carts,
    "crm-deals": crm_deals,
    "integration-record": integration_record,
}


# -- the check ---------------------------------------------------------------------------------
def differences(
    slug: str, duck: Sequence[Mapping[str, Any]], pandas: Sequence[Mapping[str, Any]]
) -> list[str]:
    """What differs between the DuckDB report's rows and the pandas rows (none: equal).
    Rows are matched by the report's text columns; numbers are equal after rounding to
    cents (money) or to 1e-6 relative (ratios, hours)."""
    from causeway.reports import REPORTS

    report = REPORTS[slug]
    keys = [c.name for c in report.columns if c.kind == "text"]
    numbers = [c.name for c in report.columns if c.kind != "text"]
    found: list[str] = []

    def key(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(_text(row.get(k)) for k in keys)

    left = {key(r): r for r in duck}
    right = {key(r): r for r in pandas}
    if len(left) != len(duck) or len(right) != len(pandas):
        found.append(f"keys not unique: {len(duck)} rows, {len(left)} keys (pandas {len(right)})")
    if set(left) != set(right):
        only = sorted(set(left) ^ set(right), key=str)[:3]
        found.append(f"keys differ: {len(left)} vs {len(right)} rows, e.g. {only}")
    for k in set(left) & set(right):
        for name in numbers:
            a, b = _number(left[k].get(name)), _number(right[k].get(name))
            if not _close(a, b):
                found.append(f"{k} {name}: duckdb {a} pandas {b}")
    return found


def _text(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return round(a, 2) == round(b, 2) or math.isclose(a, b, rel_tol=1e-6, abs_tol=0.006)
