"""Account fees into the warehouse: each settlement period whose account fees the ERP
booked (flows/channel_fees/account_fees.py) -> one fact_account_fees row.

What a marketplace charged the seller's account belongs to no order: the Channel P&L
subtracts it per channel, counted by the period's end (reports/channel_pnl.py). The
periods are few (one per channel a fortnight), so the build reads them whole and
rewrites the table each time, as it does the carts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from decimal import InvalidOperation
from typing import Any

import duckdb

from causeway.warehouse.duck import insert_rows
from causeway.warehouse.money import Rates, converted, decimal
from causeway.warehouse.orders import utc
from causeway.warehouse.schema import FACT_ACCOUNT_FEES

log = logging.getLogger("causeway.warehouse")
Row = dict[str, Any]


def account_fee_row(booking: Mapping[str, Any], rates: Rates) -> Row | None:
    """fact_account_fees' row of one booked period, converted at the ERP's rate on the
    period's end; None for a period booked before the hub kept its channel and dates,
    or a booking whose "<total> <currency>" cannot be read."""
    record = booking["record"]
    parts = (booking.get("booked") or "").split()
    if not record.get("channel") or len(parts) != 2:
        return None
    try:
        amount, currency = decimal(parts[0]), parts[1]
    except InvalidOperation:
        return None
    period_start, period_end = _day(record.get("period_start")), _day(record.get("period_end"))
    rate = rates.rate(currency, period_end or period_start)
    return {
        "channel": record["channel"],
        "period_id": booking["period_id"],
        "period_start": period_start,
        "period_end": period_end,
        "booked_at": utc(booking.get("booked_at")),
        "currency": currency,
        "company_currency": rates.company_currency,
        "rate": rate,
        "amount": amount,
        "amount_company": converted(amount, rate),
    }


def booked_currencies(bookings: Sequence[Mapping[str, Any]]) -> set[str]:
    """The currencies the periods were booked in (the build asks the ERP their rates)."""
    return {parts[1] for b in bookings if len(parts := (b.get("booked") or "").split()) == 2}


def write_account_fees(
    con: duckdb.DuckDBPyConnection, bookings: Sequence[Mapping[str, Any]], rates: Rates
) -> int:
    """Rewrite fact_account_fees from every booked period; returns the rows written."""
    rows = [row for b in bookings if (row := account_fee_row(b, rates)) is not None]
    if len(rows) < len(bookings):
        log.info(
            "warehouse: %d booked account fee period(s) left out: booked before the hub "
            "kept their channel and dates",
            len(bookings) - len(rows),
        )
    con.execute(f"DELETE FROM {FACT_ACCOUNT_FEES.name}")
    insert_rows(con, FACT_ACCOUNT_FEES, rows)
    return len(rows)


def _day(text: str | None) -> dt.date | None:
    """An ISO time as its UTC day (a naive time is taken as UTC)."""
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.date()
