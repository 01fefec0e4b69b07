"""The reports in the console: who may open them, a missing warehouse, the filters, the
htmx refresh and the CSV download with the same filters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from causeway.access.permissions import Principal
from causeway.hub import Hub
from causeway.reports import REPORTS
from causeway.web.console.pages import reports
from tests.console.conftest import ClientFor, signed_in
from tests.console.test_console_access import _SignedIn
from tests.reports.warehouse_kit import sample


@pytest.fixture
def built(hub: Hub) -> Iterator[Path]:
    """The sample warehouse where the hub looks for it."""
    path = hub.config.warehouse_file()
    path.parent.mkdir(parents=True)
    yield sample(path.parent)


def test_viewers_find_the_reports_in_the_navigation(hub: Hub, built: Path) -> None:
    viewer = signed_in(hub, "viewer")
    assert 'href="/console/reports"' in viewer.get("/console").text
    listing = viewer.get("/console/reports")
    assert listing.status_code == 200
    for slug, report in REPORTS.items():
        assert f'href="/console/reports/{slug}"' in listing.text
        assert report.question.replace("'", "&#39;") in listing.text
    assert "Warehouse built" in listing.text


def test_a_signed_out_visitor_is_sent_to_sign_in(anonymous: TestClient) -> None:
    for path in ("/console/reports", "/console/reports/channel-pnl",
                 "/console/reports/channel-pnl.csv"):  # fmt: skip
        answer = anonymous.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/console/login?next=")


def test_a_portal_customer_without_read_is_refused(hub: Hub, built: Path) -> None:
    app = FastAPI()
    reports.add_routes(app, hub)
    buyer = Principal.customer("ann@acme.example", "buyer", user_id=1, company_id=1)
    app.add_middleware(_SignedIn, principal=buyer)
    client = TestClient(app)
    for path in ("/console/reports", "/console/reports/channel-pnl",
                 "/console/reports/channel-pnl.csv"):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "may not read" in answer.text


def test_without_a_warehouse_the_pages_say_how_to_build_it(client_for: ClientFor) -> None:
    client = client_for("read")
    listing = client.get("/console/reports")
    assert listing.status_code == 200
    assert "No warehouse yet" in listing.text
    assert "causeway warehouse build" in listing.text
    page = client.get("/console/reports/customer-profitability")
    assert page.status_code == 503
    assert "causeway warehouse build" in page.text
    csv = client.get("/console/reports/customer-profitability.csv")
    assert csv.status_code == 503
    assert "causeway warehouse build" in csv.text


def test_a_report_page_shows_its_table_chart_and_downloads(
    client_for: ClientFor, built: Path
) -> None:
    page = client_for("read").get("/console/reports/channel-pnl")
    assert page.status_code == 200
    assert "<td>amazon</td>" in page.text
    # amazon: 200 USD x 0.9 = 180.00 EUR revenue; 180 - 90 - 3 x 0.9 = 87.30 before its
    # account fees of 20 USD x 0.9 = 18.00: 69.30 profit
    assert '<td class="number">180.00</td>' in page.text
    assert '<td class="number">18.00</td>' in page.text
    assert '<td class="number">69.30</td>' in page.text
    assert "data-vega-spec=" in page.text
    assert 'src="/console/static/vega/vega-embed.min.js"' in page.text
    assert 'href="/console/reports/channel-pnl.csv"' in page.text


def test_the_filters_refresh_in_place_and_the_csv_takes_the_same(
    client_for: ClientFor, built: Path
) -> None:
    client = client_for("read")
    query = {"date_from": "2026-03-01", "date_to": "2026-03-05", "channel": "shop"}
    partial = client.get("/console/reports/channel-pnl", params=query,
                         headers={"HX-Request": "true"})  # fmt: skip
    assert partial.status_code == 200
    assert "<html" not in partial.text  # only the part htmx swaps in
    assert "amazon" not in partial.text.split("<table")[1]
    csv_link = "/console/reports/channel-pnl.csv?date_from=2026-03-01&amp;date_to=2026-03-05"
    assert f'href="{csv_link}&amp;channel=shop"' in partial.text

    csv = client.get("/console/reports/channel-pnl.csv", params=query)
    assert csv.status_code == 200
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in csv.headers["content-disposition"]
    header, *lines = csv.text.splitlines()
    assert header.startswith("channel,company_currency,orders,")
    assert lines == [
        # o1 alone (o3 is on 12 March): 100 - 60 - 50 refunded - 3 fee - 0 shipping cost
        # (the sample's shipments have none) = -13; no account fees (columns 10 and last)
        "shop,EUR,1,0,100.0000,0.0000,60.0000,50.0000,3.0000,0.0000,0.0000,-13.0000,-0.13,0.0000,"
        "100.0000,0"
    ]


def test_bad_filters_say_what_to_write(client_for: ClientFor, built: Path) -> None:
    client = client_for("read")
    page = client.get("/console/reports/returns", params={"date_from": "March"})
    assert page.status_code == 422
    assert "From: &#39;March&#39; is not a date: write it as YYYY-MM-DD" in page.text
    partial = client.get("/console/reports/returns", params={"date_from": "March"},
                         headers={"HX-Request": "true"})  # fmt: skip
    assert partial.status_code == 200  # htmx swaps only a 2xx: the message shows in place
    assert 'id="filter-error"' in partial.text
    csv = client.get("/console/reports/returns.csv", params={"date_to": "2026-13-01"})
    assert csv.status_code == 422
    assert "is not a date" in csv.text
    refused = client.get("/console/reports/integration-record.csv", params={"channel": "shop"})
    assert refused.status_code == 422
    assert "cannot be filtered by channel" in refused.text
    assert client.get("/console/reports/no-such-report").status_code == 404
    assert client.get("/console/reports/no-such-report.csv").status_code == 404


def test_only_the_filters_a_report_takes_are_in_its_form(
    client_for: ClientFor, built: Path
) -> None:
    page = client_for("read").get("/console/reports/integration-record").text
    assert 'name="date_from"' in page
    assert 'name="channel"' not in page
    assert 'name="customer_group"' not in page
