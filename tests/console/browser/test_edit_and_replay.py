"""A wrong field in a parked order (the store's SKU typed with a lower-case L for the I):
the operator corrects it in the record with edit-and-replay, the hub checks the edit
before it takes it, the order lands, and the audit log shows who changed what."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.console.browser.conftest import World, open_section, sign_in
from tests.console.conftest import screenshot

pytestmark = pytest.mark.tryton

TYPO, RIGHT = "WlD-001", "WID-001"  # the ERP knows WID-001


def show_line(textarea: Locator, text: str) -> None:
    """Scroll the text area to the line with `text` (for the screenshot)."""
    textarea.evaluate(
        """(area, text) => {
            const line = area.value.slice(0, area.value.indexOf(text)).split("\\n").length;
            area.scrollTop = Math.max(0, line - 6) * parseFloat(getComputedStyle(area).lineHeight);
        }""",
        text,
    )


def test_an_operator_corrects_a_wrong_sku_in_the_parked_record_and_the_audit_log_shows_it(
    world: World, page: Page
) -> None:
    world.sell(TYPO, "Widget (listed with a typo)", price="10.00")
    order = world.buy("typo.buyer@example.com", [(TYPO, 3)])
    (job,) = world.until("the order is parked", lambda: world.parked(order))

    operator = sign_in(page, world, "operator")
    page.goto(world.console(f"/problems/{job['id']}"))
    record = page.get_by_label("Edit the record")
    original = record.input_value()
    assert f'"{TYPO}"' in original

    # A slip while editing is caught before anything changes.
    record.fill(original.replace('"quantity": 3', '"quantity": "three"', 1))
    page.get_by_role("button", name="Save edit and replay").click()
    expect(page.get_by_role("alert").filter(has_text="quantity")).to_be_visible()
    assert world.parked(order), "a refused edit changes nothing"

    page.get_by_label("Edit the record").fill(original.replace(f'"{TYPO}"', f'"{RIGHT}"'))
    show_line(record, f'"{RIGHT}"')
    screenshot(page, "problem-edit")
    page.get_by_role("button", name="Save edit and replay").click()
    expect(page.get_by_role("status")).to_be_visible()
    world.until("the order is in the ERP", lambda: world.order(order).get("state") == "in_erp")

    open_section(page, "Audit log")
    entry = page.get_by_role("row").filter(has_text=f"job:{job['id']}").filter(has_text="job.edit")
    expect(entry).to_contain_text(operator)
    # The one field that changed, by its place in the record: not the record twice.
    expect(entry.get_by_text("body.line_items.0.sku", exact=True)).to_be_visible()
    expect(entry.locator("del").filter(has_text=re.compile(f"^{TYPO}$"))).to_be_visible()
    expect(entry.locator("ins").filter(has_text=re.compile(f"^{RIGHT}$"))).to_be_visible()
    screenshot(page, "audit-edit")
