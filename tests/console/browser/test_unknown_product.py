"""An order names a product the ERP does not have: the operator sees it under Problems as
"unknown product" with the SKU, creates the product in Tryton, replays the order from the
console, and finds it in the ERP with its sale number."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from causeway_sandbox.tryton.testkit import TrytonTestKit
from tests.console.browser.conftest import World, open_section, sign_in
from tests.console.conftest import screenshot
from tests.tryton_fixtures import connect

pytestmark = pytest.mark.tryton


def test_an_unknown_product_is_named_under_problems_created_replayed_and_lands_in_the_erp(
    world: World, page: Page
) -> None:
    sku = f"LAMP-{uuid.uuid4().hex[:5].upper()}"
    world.sell(sku, "Desk lamp")  # the store sells it; nobody told the ERP
    order = world.buy("lamp.lover@example.com", [(sku, 1), ("WID-001", 2)])
    (job,) = world.until("the order is parked", lambda: world.parked(order))

    sign_in(page, world, "operator")
    open_section(page, "Problems")
    row = page.get_by_role("row").filter(has_text=sku)
    expect(row).to_contain_text("unknown product")
    expect(row).to_contain_text("orders-to-erp")
    screenshot(page, "problems")

    with connect(world.erp) as erp:  # the product manager creates it in Tryton
        TrytonTestKit(erp).ensure_product(sku, "Desk lamp", Decimal(12), Decimal(5), Decimal(10))

    row.get_by_role("link", name=str(job["id"])).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("unknown product")
    page.get_by_role("button", name=f"Replay job {job['id']}").click()
    expect(page.get_by_role("status")).to_contain_text("replay", ignore_case=True)

    world.until("the order is in the ERP", lambda: world.order(order).get("state") == "in_erp")
    with connect(world.erp) as erp:
        sale = TrytonTestKit(erp).read_sale(world.sale_id(order))
    page.get_by_label("Search orders, customers, products").fill(order["name"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(order["name"])
    in_erp = page.get_by_role("listitem").filter(has_text="In the ERP")
    expect(in_erp).to_contain_text(re.compile(rf"\bsale {re.escape(sale['number'])}\b"))
    # The job is done now, and still tells why it was parked before the replay.
    done = page.locator("details").filter(has_text=f"#{job['id']} orders-to-erp")
    expect(done.locator("summary")).to_contain_text("parked 1 time before")
    done.locator("summary").click()
    expect(done.get_by_role("listitem").filter(has_text="unknown product")).to_contain_text(sku)
    screenshot(page, "order")
