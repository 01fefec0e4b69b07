"""Signing in and out in a real browser (Chromium, driven by Playwright): the login page
as people see it, an operator reaching the overview and signing out, a wrong password,
and what each role is offered."""

from __future__ import annotations

import pytest

from tests.essential import IN_CI

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the chromium fixture says how to get it; CI=true must have it
    if IN_CI:
        raise
    pytest.skip("the browser tests need the playwright package", allow_module_level=True)

from tests.console.conftest import LogIn, Site, add_person, screenshot, sign_in_through_the_form


def test_the_login_page(page: Page, site: Site) -> None:
    page.goto("/console/problems")
    expect(page).to_have_url(f"{site.url}/console/login?next=%2Fconsole%2Fproblems")
    expect(page.get_by_role("heading", name="Sign in to the console")).to_be_visible()
    expect(page.get_by_label("E-mail")).to_be_focused()
    screenshot(page, "login")


def test_an_operator_signs_in_sees_the_overview_and_signs_out(
    page: Page, site: Site, logged_in: LogIn
) -> None:
    email = logged_in(page, "operator")
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    expect(page.get_by_text(f"Signed in as {email} (operator)")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{site.url}/console/login")
    page.goto("/console")
    expect(page).to_have_url(f"{site.url}/console/login?next=%2Fconsole")


def test_a_wrong_password_is_said_plainly_and_the_e_mail_kept(page: Page, site: Site) -> None:
    email = add_person(site.hub, "viewer", "bob@example.com")
    sign_in_through_the_form(page, email, "not my password at all")
    expect(page.get_by_role("alert")).to_have_text(
        "The e-mail or the password is not right, or this login is disabled."
    )
    expect(page.get_by_label("E-mail")).to_have_value(email)
    expect(page.get_by_label("Password")).to_be_focused()
    screenshot(page, "login-failed")


def test_signing_in_returns_to_the_page_asked_for(page: Page, site: Site) -> None:
    email = add_person(site.hub, "viewer")
    page.goto("/console/audit")
    sign_in_through_the_form(page, email, go=False)
    expect(page).to_have_url(f"{site.url}/console/audit")
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()


def test_a_viewer_is_not_offered_the_users_page(page: Page, logged_in: LogIn) -> None:
    logged_in(page, "viewer")
    nav = page.get_by_role("navigation", name="Console")
    expect(nav.get_by_role("link", name="Audit log")).to_be_visible()
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)


def test_an_admin_adds_a_person_and_the_audit_log_shows_it(page: Page, logged_in: LogIn) -> None:
    admin = logged_in(page, "admin", "ann@example.com")
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Users").click()
    form = page.get_by_role("article").filter(has_text="Add a person")
    form.get_by_label("E-mail").fill("cara@example.com")
    form.get_by_label("Role").select_option("operator")
    form.get_by_label("Initial password").fill("a long first password")
    form.get_by_role("button", name="Add").click()
    expect(page.get_by_role("status")).to_have_text("cara@example.com can now sign in")
    expect(page.get_by_role("cell", name="cara@example.com", exact=True)).to_be_visible()
    screenshot(page, "users")
    page.get_by_role("link", name="Audit log").click()
    row = page.get_by_role("row").filter(has_text="user:cara@example.com")
    expect(row.get_by_role("definition")).to_have_text(["false", "cara@example.com", "operator"])
    expect(row).to_contain_text(admin)
    expect(row).to_contain_text("user.add")
    screenshot(page, "audit")
