"""Accounts as people use them, in Chromium against the real Tryton and a real SMTP
server: an operator invites a buyer from the console, the buyer opens the e-mail's link,
chooses a password and later signs in with the form; a sign-in link by e-mail; a person
of two companies switches between them; a company admin manages its people and adds a
delivery address in the ERP."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from causeway.engine import portal_accounts, users
from tests.portal.browser.conftest import ACME, BIRCH, PortalWorld, screenshot

PASSWORD = "correct horse battery staple"


def link_in_mail(world: PortalWorld, address: str, kind: str) -> str:
    """The /portal/<kind>/... link of the e-mail this address received (waits for it)."""
    (message,) = world.mail.wait_for(lambda m: address in str(m["To"]).lower())
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    match = re.search(rf"{re.escape(world.url)}/portal/{kind}/\S+", text)
    assert match, text
    assert match.group(0) in html  # the same link in both parts
    return match.group(0)


def test_an_operator_invites_a_buyer_who_sets_a_password_and_signs_in(
    page: Page, world: PortalWorld
) -> None:
    operator = f"ops-{uuid.uuid4().hex[:6]}@causeway.example"
    users.add(world.hub.store, operator, "operator", PASSWORD, actor="test")
    page.goto("/console/login")
    page.get_by_label("E-mail").fill(operator)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Portal", exact=True).click()
    page.get_by_label("Find an ERP party").fill("Acme Retail")
    page.get_by_role("button", name="Find in the ERP").click()
    page.get_by_role("link", name="In the portal").click()  # added by the world already
    expect(page.get_by_role("heading", name=ACME)).to_be_visible()
    # The party's e-mail contacts in Tryton are offered for a one-click invitation.
    expect(page.get_by_role("button", name="Invite orders@acme-retail.example")).to_be_visible()

    buyer = f"buyer-{uuid.uuid4().hex[:6]}@acme.example"
    form = page.locator("#invite form").first
    form.get_by_label("E-mail").fill(buyer)
    form.get_by_label("Role").select_option("buyer")
    form.get_by_label("Order limit").fill("750.00")
    form.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("The invitation is on its way.")).to_be_visible()
    expect(page.get_by_role("cell", name=buyer, exact=True)).to_be_visible()
    screenshot(page, "console-portal-company")

    link = link_in_mail(world, buyer, "welcome")
    newcomer = page.context.browser.new_context(viewport={"width": 1280, "height": 800})
    tab = newcomer.new_page()
    tab.goto(link)
    expect(tab.get_by_role("heading", name="Welcome: choose your password")).to_be_visible()
    tab.get_by_label("Password", exact=False).first.fill(PASSWORD)
    tab.get_by_label("The same password again").fill(PASSWORD)
    screenshot(tab, "portal-welcome")
    tab.get_by_role("button", name="Save and sign in").click()
    expect(tab.get_by_text(f"Signed in as {buyer} (buyer)")).to_be_visible()
    expect(tab.get_by_role("link", name=ACME)).to_be_visible()

    tab.get_by_role("button", name="Sign out").click()
    expect(tab.get_by_role("heading", name="Sign in")).to_be_visible()
    tab.get_by_label("E-mail").fill(buyer)
    tab.get_by_label("Password").fill("not the password at all")
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("alert")).to_have_text(
        "The e-mail or the password is not right, or this login is disabled."
    )
    tab.get_by_label("Password").fill(PASSWORD)
    screenshot(tab, "portal-login")
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_text(f"Signed in as {buyer} (buyer)")).to_be_visible()
    # The link worked once: opened again, it says so.
    tab.goto(link)
    expect(tab.get_by_role("heading", name="This link does not work")).to_be_visible()
    newcomer.close()


def test_a_buyer_signs_in_with_a_link_by_e_mail(page: Page, world: PortalWorld) -> None:
    buyer = world.member(ACME)  # invited, never chose a password
    page.goto("/portal")
    page.get_by_role("link", name="E-mail me a sign-in link").click()
    page.get_by_label("E-mail").fill(buyer.email)
    page.get_by_role("button", name="Send me a sign-in link").click()
    expect(page.get_by_role("status")).to_contain_text("an e-mail with a link is on its way")
    link = link_in_mail(world, buyer.email, "magic")
    page.goto(link)
    screenshot(page, "portal-magic-link")
    page.get_by_role("button", name=f"Sign in as {buyer.email}").click()
    expect(page.get_by_text(f"Signed in as {buyer.email} (buyer)")).to_be_visible()
    assert page.url.rstrip("/").endswith("/portal")


def test_a_person_of_two_companies_switches_between_them(page: Page, world: PortalWorld) -> None:
    both = world.member(ACME, "approver")
    portal_accounts.add_member(
        world.hub.store, world.companies[BIRCH].id, both.email, "buyer", actor="test"
    )
    world.sign_in(page, both)
    page.goto("/portal")
    expect(page.get_by_role("link", name=ACME)).to_be_visible()
    page.get_by_label("Company").select_option(label=BIRCH)
    expect(page.get_by_role("link", name=BIRCH)).to_be_visible()
    expect(page.get_by_text(f"Signed in as {both.email} (buyer)")).to_be_visible()
    page.get_by_label("Company").select_option(label=ACME)
    expect(page.get_by_text(f"Signed in as {both.email} (approver)")).to_be_visible()


def test_a_company_admin_manages_people_and_adds_a_delivery_address(
    page: Page, world: PortalWorld
) -> None:
    admin = world.member(BIRCH, "admin")
    buyer = world.member(BIRCH, "buyer", order_limit="100")
    world.sign_in(page, admin)
    page.goto("/portal")
    page.get_by_role("link", name="Company").click()
    row = page.locator(f"#member-{buyer.member_id}")
    row.get_by_label(f"Order limit of {buyer.email}").fill("250.00")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    assert (
        str(portal_accounts.member(world.hub.store, buyer.company_id, buyer.member_id).order_limit)
        == "250.00"
    )
    street = f"{uuid.uuid4().hex[:4]} Canal Street"
    page.get_by_text("Add a delivery address").click()
    page.get_by_label("Name").last.fill("Goods in")
    page.get_by_label("Street").fill(street)
    page.get_by_label("Postal code").fill("M1 3HE")
    page.get_by_label("City").fill("Manchester")
    page.get_by_role("button", name="Add the address").click()
    expect(page.get_by_role("status")).to_have_text("Address added.")
    expect(page.get_by_text(f"Goods in, {street}, M1 3HE, Manchester")).to_be_visible()
    screenshot(page, "company")


def test_an_operator_adds_an_erp_party_as_a_portal_company(page: Page, world: PortalWorld) -> None:
    name = f"Cedar Trading {uuid.uuid4().hex[:4]}"
    world.tryton.rpc.create("party.party", [{"name": name}])
    operator = f"ops-{uuid.uuid4().hex[:6]}@causeway.example"
    users.add(world.hub.store, operator, "operator", PASSWORD, actor="test")
    page.goto("/console/login")
    page.get_by_label("E-mail").fill(operator)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/console/portal")
    page.get_by_label("Find an ERP party").fill(name)
    page.get_by_role("button", name="Find in the ERP").click()
    page.get_by_role("button", name=f"Add {name} to the portal").click()
    expect(page.get_by_text("The company was added: invite its people below.")).to_be_visible()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    added = [c for c in portal_accounts.companies(world.hub.store) if c.name == name]
    assert len(added) == 1
    page.goto(f"/console/portal?q={name}")  # found again, it is marked as in the portal
    expect(page.get_by_role("link", name="In the portal")).to_be_visible()
