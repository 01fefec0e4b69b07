"""The report pages in Chromium: every chart is drawn by the vendored vega-embed within
the console's Content-Security-Policy, every CSV downloads, the chart downloads as PNG
and SVG, and the filters refresh the page in place. Screenshots for docs/reports.md."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from causeway.reports import REPORTS
from causeway.reports.location import warehouse_path
from tests.console.conftest import LogIn, Site, _scratch
from tests.reports.warehouse_kit import sample

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

DOCS = Path(__file__).resolve().parents[2] / "docs" / "reports"


@pytest.fixture
def viewer(page: Page, site: Site, logged_in: LogIn) -> Iterator[tuple[Page, list[str]]]:
    """A viewer's tab on a hub with the sample warehouse; the browser's errors, which the
    test expects to stay empty (a refused script or style would be one)."""
    path = warehouse_path(site.hub.config)
    path.parent.mkdir(parents=True, exist_ok=True)
    sample(path.parent)
    errors: list[str] = []

    def console_error(message: ConsoleMessage) -> None:
        # The browser asks for /favicon.ico on its own, which the hub does not serve.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            errors.append(f"{message.text} ({message.location['url']})")

    page.on("console", console_error)
    page.on("pageerror", lambda error: errors.append(str(error)))
    logged_in(page, "viewer")
    yield page, errors


def shot(page: Page, name: str) -> None:
    """Into docs/reports/ with CAUSEWAY_SCREENSHOTS=docs, else a temporary folder."""
    folder = DOCS if os.environ.get("CAUSEWAY_SCREENSHOTS") == "docs" else _scratch()
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_every_report_draws_its_chart_and_downloads_its_csv(
    viewer: tuple[Page, list[str]], tmp_path: Path
) -> None:
    page, errors = viewer
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Reports").click()
    page.wait_for_url("**/console/reports")
    shot(page, "reports")
    for slug, report in REPORTS.items():
        page.goto(f"/console/reports/{slug}")
        page.wait_for_selector(".chart[data-chart-drawn='true'] canvas")
        assert page.get_by_role("heading", name=report.title, exact=True).is_visible()
        assert page.locator("table.report tbody tr").count() >= 1
        shot(page, slug)
        with page.expect_download() as download:
            page.get_by_role("button", name="CSV").click()
        saved = tmp_path / f"{slug}.csv"
        download.value.save_as(saved)
        header = saved.read_text().splitlines()[0]
        assert header == ",".join(c.name for c in report.columns), slug
    assert errors == [], "\n".join(errors)


def test_the_chart_downloads_as_png_and_svg(viewer: tuple[Page, list[str]], tmp_path: Path) -> None:
    page, errors = viewer
    page.goto("/console/reports/channel-pnl")
    page.wait_for_selector(".chart[data-chart-drawn='true']")
    with page.expect_download() as png:
        page.get_by_role("button", name="PNG").click()
    assert png.value.suggested_filename == "channel-pnl.png"
    png.value.save_as(tmp_path / "chart.png")
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as svg:
        page.get_by_role("button", name="SVG").click()
    svg.value.save_as(tmp_path / "chart.svg")
    assert "<svg" in (tmp_path / "chart.svg").read_text()
    assert errors == [], "\n".join(errors)


def test_the_filters_refresh_the_table_and_chart_in_place(viewer: tuple[Page, list[str]]) -> None:
    page, errors = viewer
    page.goto("/console/reports/channel-pnl")
    page.wait_for_selector(".chart[data-chart-drawn='true']")
    assert page.locator("table.report tbody tr").count() == 2  # shop and amazon
    page.get_by_label("Channel", exact=True).fill("amazon")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/console/reports/channel-pnl?*channel=amazon*")
    page.wait_for_selector(".chart[data-chart-drawn='true'] canvas")
    rows = page.locator("table.report tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td").first.inner_text() == "amazon"
    href = page.get_by_role("button", name="CSV").get_attribute("href")
    assert href is not None and "channel=amazon" in href
    page.get_by_label("From", exact=True).fill("2026-04-01")
    page.get_by_label("To", exact=True).fill("2026-03-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#filter-error")
    assert "before it starts" in page.locator("#filter-error").inner_text()
    shot(page, "filter-error")
    assert errors == [], "\n".join(errors)
