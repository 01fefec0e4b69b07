"""A company's statement of account for a period (docs/portal/history.md): the ERP's
invoices, credit notes and payments on its account with the balance before and after,
as a page and as downloads: /portal/statement.pdf (made in the hub) and
/portal/statement.csv (the same lines, safe to open in a spreadsheet), both with
?start=YYYY-MM-DD&end=YYYY-MM-DD.

A date that is not a date, or a start after the end, gets a message that says which and
how to write it; nothing is read from the ERP for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from causeway.access.permissions import Permission
from causeway.errors import RetryableError
from causeway.hub import Hub
from causeway.portal.statements import file_name, running, statement_csv, statement_pdf
from causeway.web.portal.history_access import company_name, erp_down, history_erp, party_of
from causeway.web.portal.rendering import error_page, render
from causeway.web.portal.routing import PORTAL, customer, page


class PeriodError(ValueError):
    """The period asked for is not one; the message says why, for the customer."""


def parse_period(start: str, end: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period from the form; empty fields: from January 1st of this year to today."""
    first = _date("start", start) if start.strip() else today.replace(month=1, day=1)
    last = _date("end", end) if end.strip() else today
    if first > last:
        raise PeriodError(
            f"The period starts on {first.isoformat()}, after it ends on {last.isoformat()}: "
            f"choose a start date on or before the end date."
        )
    return first, last


def _date(field: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(
            f"The {field} date {value.strip()[:40]!r} is not a date: write it as YYYY-MM-DD, "
            f"for example {dt.date.today().replace(day=1).isoformat()}."
        ) from None


def add_routes(app: FastAPI, hub: Hub) -> None:
    @app.get(f"{PORTAL}/statement", **page(Permission.SHOP))
    def statement_page(request: Request, start: str = "", end: str = "") -> HTMLResponse:
        who = customer(request)
        party = party_of(hub, who)
        context: dict[str, Any] = {"start": start, "end": end, "statement": None, "error": None}
        try:
            first, last = parse_period(start, end, dt.date.today())
        except PeriodError as exc:
            context["error"] = str(exc)
            return render(request, "statement.html", context, status_code=400)
        try:
            statement = history_erp(hub).statement(party, first, last)
        except RetryableError:
            return erp_down(request)
        context |= {
            "start": first.isoformat(),
            "end": last.isoformat(),
            "statement": statement,
            "rows": running(statement),
        }
        return render(request, "statement.html", context)

    @app.get(f"{PORTAL}/statement.pdf", **page(Permission.SHOP))
    def statement_as_pdf(request: Request, start: str = "", end: str = "") -> Response:
        return _download(request, start, end, "pdf")

    @app.get(f"{PORTAL}/statement.csv", **page(Permission.SHOP))
    def statement_as_csv(request: Request, start: str = "", end: str = "") -> Response:
        return _download(request, start, end, "csv")

    def _download(request: Request, start: str, end: str, kind: str) -> Response:
        who = customer(request)
        party = party_of(hub, who)
        try:
            first, last = parse_period(start, end, dt.date.today())
        except PeriodError as exc:
            return error_page(request, 400, str(exc))
        try:
            statement = history_erp(hub).statement(party, first, last)
        except RetryableError:
            return erp_down(request)
        company = company_name(hub, who)
        if kind == "pdf":
            content = statement_pdf(
                statement, company=company, merchant=hub.config.notifications.merchant
            )
            media_type = "application/pdf"
        else:
            content = statement_csv(statement)
            media_type = "text/csv; charset=utf-8"
        name = file_name(company, statement, kind)
        return Response(
            content,
            media_type=media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )
