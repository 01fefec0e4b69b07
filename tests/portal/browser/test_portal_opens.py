"""A business customer's person opens the portal and sees their company's name."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.portal.browser.conftest import ACME, PortalWorld, screenshot


def test_a_buyer_of_acme_opens_the_portal(page: Page, world: PortalWorld) -> None:
    buyer = world.member(ACME)
    world.sign_in(page, buyer)
    page.goto("/portal")
    expect(page.get_by_role("link", name=ACME)).to_be_visible()
    screenshot(page, "home")
