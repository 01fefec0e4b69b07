"""A customer calls: the service rep types the caller's e-mail and, on one page, sees
their orders, which one shipped and its tracking link, and where each invoice stands."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from causeway.flows import customers_to_crm
from causeway.flows import fulfillments_to_channels as fulfil
from causeway_sandbox.tryton.warehouse import open_shipments, ship
from tests.console.browser.conftest import World, sign_in
from tests.console.conftest import screenshot
from tests.tryton_fixtures import connect

pytestmark = pytest.mark.tryton

CALLER = ("Ada", "Lovelace")


def test_a_rep_finds_a_callers_orders_shipment_tracking_and_invoices_by_their_email(
    world: World, page: Page
) -> None:
    email = f"ada.{uuid.uuid4().hex[:6]}@example.com"
    tracking = f"1Z{uuid.uuid4().hex[:10].upper()}"
    shipped = world.buy(email, [("GAD-001", 1)], name=CALLER)
    waiting = world.buy(email, [("SKU-0002", 2)], name=CALLER)
    for order in (shipped, waiting):
        world.until("in the ERP", lambda o=order: world.order(o).get("state") == "in_erp")

    # The warehouse ships the first in Tryton; the store is told; the customer pays it.
    with connect(world.erp) as erp:
        (shipment,) = open_shipments(erp.rpc, world.sale_id(shipped))
        ship(erp.rpc, shipment, tracking_number=tracking)
    world.hub.run_flow(fulfil.NAME)
    world.pay(shipped)
    world.until("shipped and paid", lambda: {"shipped", "paid"} <= world.reached(shipped))
    world.hub.run_flow(customers_to_crm.NAME)  # the golden customer, counted with her orders
    world.until("the customer is in the CRM", lambda: world.idle(customers_to_crm.NAME))

    sign_in(page, world, "viewer")
    page.get_by_label("Search orders, customers, products").fill(email)
    page.keyboard.press("Enter")
    # Her e-mail is hers alone: her page opens at once (her orders, which carry it too,
    # are on it), no list to choose from.
    expect(page.get_by_role("heading", level=1)).to_have_text(" ".join(CALLER))
    expect(page).to_have_url(re.compile(r"/console/customers/[^/?]+$"))

    orders = page.get_by_role("row")
    first, second = orders.filter(has_text=shipped["name"]), orders.filter(has_text=waiting["name"])
    shipment = first.get_by_role("cell").filter(has_text=tracking)
    expect(shipment).to_contain_text(re.compile(r"^\s*shipped\b.*UPS", re.S))
    expect(shipment.get_by_role("link", name=tracking)).to_have_attribute(
        "href", f"https://www.ups.com/track?tracknum={tracking}"
    )
    expect(first).to_contain_text("paid")
    expect(second).to_contain_text("not shipped")
    expect(second).not_to_contain_text("paid")
    screenshot(page, "customer")
