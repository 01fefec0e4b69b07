"""The e-mails page in Chromium: an operator finds a failed e-mail, previews it (its HTML
in a sandboxed frame), retries it and the hub's sender delivers it; previews a template
in French; sends a test e-mail; suppresses an address. The page's screenshot is
docs/console/notifications.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from causeway.engine import mail_outbox as outbox
from causeway.notifications.events import OrderEvent, notify
from causeway.notifications.sender import MailSender
from causeway.web.app import create_app
from causeway_sandbox.localserver import BackgroundServer
from tests.console import conftest as console_kit
from tests.console.conftest import LogIn, Site, console_hub, screenshot
from tests.mailbox import Mailbox
from tests.notifications.conftest import Refusing, smtp

# The console's browser fixtures (Chromium, a tab, signing in), on this module's `site`.
chromium, page, logged_in = console_kit.chromium, console_kit.page, console_kit.logged_in


@pytest.fixture
def mail_server() -> Iterator[tuple[int, Mailbox]]:
    # Refuses the first e-mail for good (550), then accepts.
    with smtp(Refusing(refusals=1, answer="550 5.2.2 Mailbox full")) as server:
        yield server


@pytest.fixture
def site(tmp_path: Path, mail_server: tuple[int, Mailbox]) -> Iterator[Site]:
    section = {
        "enabled": True,
        "smtp": {"host": "127.0.0.1", "port": mail_server[0], "security": "none"},
        "sender": "orders@acme.example",
        "merchant": "Acme Supplies",
        "max_attempts": 3,
    }
    hub = console_hub(tmp_path, server={"public_url": "http://127.0.0.1"}, notifications=section)
    server = BackgroundServer(create_app(hub), name="console").start()
    yield Site(hub, server.url)
    server.stop()
    hub.store.dispose()


def order_emails(site: Site) -> None:
    """Three orders' e-mails: one the server refuses (failed), two sent."""
    for number, event, email in (
        ("CSV-1001", "shipped", "full@customer.example"),
        ("CSV-1002", "confirmed", "ann@customer.example"),
        ("PO-1003", "invoice_issued", "buyer@birch.example"),
    ):
        facts = {
            "carrier": "UPS",
            "tracking_number": "1Z999AA10123456784",
            "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
            "invoice_number": "INV-0042",
            "amount": "240.00",
            "currency": "USD",
            "customer_name": "Ann Lee",
        }
        mail = OrderEvent(
            event=event, order_key=number.lower(), channel="csv" if "CSV" in number else "portal",
            recipient=email, order_number=number, facts=facts, occurrence="1",
        )  # fmt: skip
        with site.hub.store.transaction() as conn:
            notify(conn, site.hub.config.notifications, mail)
    MailSender(site.hub.store, site.hub.config.notifications).send_due()


def test_an_operator_retries_a_failed_email_previews_and_tests_templates(
    page: Page, site: Site, logged_in: LogIn, mail_server: tuple[int, Mailbox]
) -> None:
    _, mailbox = mail_server
    order_emails(site)
    outbox.suppress(site.hub.store, ["bounced@customer.example"], "bounce", "550 user unknown")
    logged_in(page, "operator")
    page.get_by_role("link", name="E-mails").click()
    expect(page.get_by_role("heading", name="E-mails", level=1)).to_be_visible()
    page.get_by_role("link", name="failed (1)").click()
    row = page.get_by_role("row").filter(has_text="full@customer.example")
    expect(row).to_contain_text("550 5.2.2 Mailbox full")
    row.get_by_role("link", name=re.compile("Preview e-mail")).click()
    frame = page.frame_locator("iframe[title^='E-mail']")
    expect(frame.get_by_role("link", name="Track your parcel")).to_be_visible()
    screenshot(page, "notifications")

    page.get_by_role("button", name=re.compile("Retry e-mail")).click()
    expect(page.get_by_role("status")).to_contain_text("due again")
    MailSender(site.hub.store, site.hub.config.notifications).send_due()
    mailbox.wait_for(lambda m: "full@customer.example" in str(m["To"]))

    page.goto("/console/notifications?event=shipped&language=fr#preview")
    preview = page.frame_locator("iframe[title='Preview of shipped (HTML)']")
    expect(preview.get_by_role("link", name="Suivre mon colis")).to_be_visible()

    page.get_by_role("textbox", name="To", exact=True).fill("me@acme.example")
    page.get_by_role("button", name="Send test e-mail").click()
    expect(page.get_by_role("status")).to_contain_text("sent to me@acme.example")
    mailbox.wait_for(lambda m: "[test]" in str(m["Subject"]))

    page.get_by_label("Addresses, one a line").fill("nope\nok@customer.example")
    page.get_by_role("button", name="Suppress", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing suppressed")
    page.get_by_label("Addresses, one a line").fill("gone@customer.example")
    page.get_by_role("button", name="Suppress", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Suppressed 1 address(es)")
    expect(page.locator("#suppressions")).to_contain_text("bounced@customer.example")
    expect(page.locator("#suppressions")).to_contain_text("gone@customer.example")
