"""Business customers browse the catalogue with their own prices, fill a cart and use the
quick order, in Chromium against the real Tryton (the world of conftest.py)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.portal.browser.conftest import ACME, BIRCH, PortalWorld, screenshot


def test_two_companies_with_different_price_lists_see_different_prices_for_the_same_sku(
    page: Page, world: PortalWorld
) -> None:
    world.sign_in(page, world.member(ACME))
    page.goto("/portal")
    expect(page.locator("article.product-card").first).to_be_visible()
    screenshot(page, "catalogue")
    page.get_by_label("Search by name or SKU").fill("widget")
    page.get_by_role("button", name="Search").click()
    card = page.locator('article.product-card[data-sku="WID-001"]')
    expect(card.locator(".price")).to_contain_text("9.00 USD")
    expect(card.locator(".breaks")).to_contain_text("from 10: 8.00 USD")
    expect(card.locator(".availability")).to_contain_text("available now")
    expect(card.locator("img")).to_have_attribute("src", "/portal/images/WID-001/0")
    # The image really loads, through the hub.
    assert card.locator("img").evaluate("img => img.decode().then(() => img.naturalWidth)") > 0

    birch = page.context.browser.new_context(base_url=world.url)  # type: ignore[union-attr]
    try:
        other = birch.new_page()
        world.sign_in(other, world.member(BIRCH))
        other.goto("/portal?q=WID-001")
        birch_card = other.locator('article.product-card[data-sku="WID-001"]')
        expect(birch_card.locator(".price")).to_contain_text("9.50 USD")
        expect(birch_card.locator(".breaks")).to_have_count(0)
        expect(other.get_by_role("link", name=BIRCH)).to_be_visible()
    finally:
        birch.close()


def test_search_and_the_product_page_with_its_breaks(page: Page, world: PortalWorld) -> None:
    world.sign_in(page, world.member(ACME))
    page.goto("/portal")
    page.get_by_label("Category").select_option("Gadgets")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("article.product-card")).to_have_count(2)
    card = page.locator('article.product-card[data-sku="GAD-002"]')
    expect(card.locator(".rules")).to_contain_text("Min. 2 · multiples of 2")
    page.get_by_role("link", name="Gadget", exact=True).first.click()
    expect(page.get_by_role("heading", name="Gadget")).to_be_visible()
    expect(page.locator(".warehouses")).to_contain_text("WH")
    page.goto("/portal/products/WID-001")
    expect(page.locator(".break-table")).to_contain_text("10 or more")
    screenshot(page, "product")


def test_add_to_cart_and_change_the_quantity(page: Page, world: PortalWorld) -> None:
    world.sign_in(page, world.member(ACME))
    page.goto("/portal?q=gadget")
    gadget = page.locator('article.product-card[data-sku="GAD-002"]')
    gadget.get_by_label("Quantity of GAD-002").fill("4")
    gadget.get_by_role("button", name="Add to cart").click()
    expect(gadget.locator(".added")).to_contain_text("Added 4: 4 of GAD-002 in your cart")
    page.goto("/portal?q=widget")
    widget = page.locator('article.product-card[data-sku="WID-001"]')
    widget.get_by_label("Quantity of WID-001").fill("3")
    widget.get_by_role("button", name="Add to cart").click()
    expect(widget.locator(".added")).to_contain_text("3 of WID-001")

    page.get_by_role("link", name="Cart", exact=True).click()
    expect(page.locator("#cart-total")).to_have_text("117.00 USD")  # 4 x 22.50 + 3 x 9.00
    # Ten widgets reach Acme's break: 8.00 each.
    row = page.locator('tr[data-sku="WID-001"]')
    row.get_by_label("Quantity of WID-001").fill("10")
    row.get_by_role("button", name="Update").click()
    expect(page.locator("#cart-total")).to_have_text("170.00 USD")
    # 5 gadgets is not a multiple of 2: refused, said why, what was typed stays.
    gadget_row = page.locator('tr[data-sku="GAD-002"]')
    gadget_row.get_by_label("Quantity of GAD-002").fill("5")
    gadget_row.get_by_role("button", name="Update").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "GAD-002 is sold in multiples of 2: 5 is not one (order 4 or 6)"
    )
    expect(page.get_by_label("Quantity of GAD-002")).to_have_value("5")
    expect(page.locator("#cart-total")).to_have_text("170.00 USD")
    expect(
        page.get_by_role("button", name="Checkout").or_(page.locator("#checkout"))
    ).to_be_visible()
    screenshot(page, "cart")
    page.locator('tr[data-sku="GAD-002"]').get_by_role("button", name="Remove GAD-002").click()
    expect(page.locator("#cart-total")).to_have_text("80.00 USD")
    expect(page.locator("a#checkout")).to_have_attribute("href", "/portal/checkout")


def test_quick_order_with_one_bad_sku_names_the_line(page: Page, world: PortalWorld) -> None:
    world.sign_in(page, world.member(BIRCH))
    page.goto("/portal/quick-order")
    page.get_by_label(re.compile("One line per product")).fill(
        "sku,quantity\nWID-001,5\nGAD-001,2\nWDI-001,3\nIPOD2008RED,1\n"
    )
    page.get_by_role("button", name="Add pasted lines to cart").click()
    problems = page.locator("#quick-problems")
    expect(problems).to_contain_text("Line 4")
    expect(problems).to_contain_text("unknown SKU 'WDI-001'")
    expect(problems.locator("li")).to_have_count(1)
    expect(page.locator("#quick-added")).to_contain_text(
        "5 × WID-001, 2 × GAD-001, 1 × IPOD2008RED"
    )
    # The bad line is back in the form to fix; the good ones are in the cart.
    expect(page.get_by_label(re.compile("One line per product"))).to_have_value("WDI-001,3")
    screenshot(page, "quick-order")
    page.get_by_label(re.compile("One line per product")).fill("WID-001,3")
    page.get_by_role("button", name="Add pasted lines to cart").click()
    expect(page.locator("#quick-added")).to_contain_text("3 × WID-001")
    page.get_by_role("link", name="View cart").click()
    expect(
        page.locator('tr[data-sku="WID-001"]').get_by_label("Quantity of WID-001")
    ).to_have_value("8")
