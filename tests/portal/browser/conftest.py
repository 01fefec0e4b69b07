"""The portal as business customers use it: Chromium (Playwright) against one hub, the
real Tryton and a real SMTP server, shared by every scenario of this package.

The ERP is the real Tryton with the build's two B2B companies (scripts/tryton/
setup_business.py: "Acme Retail Ltd" on the Acme wholesale price list, credit limit
5000; "Birch Supplies" on Birch's, limit 300). The hub runs as in production: workers
claim the jobs (a checkout becomes a sale through them), the portal is served by
uvicorn in a thread, e-mails go to the SMTP server and are read back from `world.mail`.
Only the scheduler is off: a scenario runs a flow when its story needs it.

A scenario makes its own people (`world.member(...)`) so scenarios never share a cart
or a session; `world.sign_in(page, member)` gives a tab that person's session (the
login form has scenarios of its own, tests/portal/browser/test_accounts.py).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from causeway.access.portal_sessions import COOKIE, portal_policy
from causeway.config import parse_config
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import portal_accounts, portal_sessions
from causeway.engine.portal_accounts import Company, Membership
from causeway.hub import Hub
from causeway.web.app import create_app
from causeway_sandbox.localserver import BackgroundServer, free_port
from causeway_sandbox.tryton.server import TrytonServer
from tests.console.conftest import chromium  # noqa: F401  (one Chromium per module)
from tests.essential import IN_CI
from tests.mailbox import Mailbox, running_smtp
from tests.tryton_fixtures import connect, own_tryton
from tests.unit.hub_configs import hub_yaml

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

try:
    import playwright.sync_api  # noqa: F401
except ImportError:
    if IN_CI:
        raise
    collect_ignore_glob = ["test_*.py"]

tryton_server = own_tryton("tryton-portal", scope="package")

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "docs" / "portal"
ACME, BIRCH = "Acme Retail Ltd", "Birch Supplies"


@dataclass
class PortalWorld:
    hub: Hub
    url: str
    erp: TrytonServer
    tryton: TrytonConnector  # the test's own connection, to play the warehouse or accounts
    mail: Mailbox
    companies: dict[str, Company]

    def member(
        self, company: str, role: str = "buyer", order_limit: str | None = None
    ) -> Membership:
        """A new person of this company with this role."""
        email = f"{role}-{uuid.uuid4().hex[:6]}@{company.split()[0].lower()}.example"
        return portal_accounts.add_member(
            self.hub.store, self.companies[company].id, email, role, actor="test",
            order_limit=order_limit,
        )  # fmt: skip

    def sign_in(self, page: Page, member: Membership) -> None:
        """Give the tab this person's session (as the login form would)."""
        token = portal_sessions.start(
            self.hub.store, member.user_id, member.company_id, portal_policy(self.hub.config.portal)
        )
        page.context.add_cookies([{"name": COOKIE, "value": token, "url": self.url}])


def party_id(tryton: TrytonConnector, name: str) -> int:
    (found,) = tryton.rpc.model("party.party", "search", [("name", "=", name)])
    return int(found)


@pytest.fixture(scope="package")
def mail_server() -> Iterator[tuple[str, int, Mailbox]]:
    with running_smtp() as server:
        yield server


@pytest.fixture(scope="package")
def world(
    tryton_server: TrytonServer,
    mail_server: tuple[str, int, Mailbox],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[PortalWorld]:
    workdir = tmp_path_factory.mktemp("portal-hub")
    port = free_port()
    host, smtp_port, mailbox = mail_server
    # portal-progress: shipments, invoices and cancellations of portal sales in Tryton
    # become milestones and e-mails (a scenario runs it when its story needs it).
    config = hub_yaml(workdir, {"portal-progress": {"source": "erp", "every": "1h"}})
    config["systems"]["erp"] = {
        "type": "tryton",
        "url": tryton_server.url,
        "database": tryton_server.database,
        "username": tryton_server.username,
        "password": tryton_server.password,
    }
    config["server"] = {"port": port, "public_url": f"http://127.0.0.1:{port}"}
    config["workers"] = {"count": 2, "lease": "3s", "backoff_base": "200ms", "backoff_cap": "2s"}
    config["portal"] = {
        "enabled": True,
        "erp": "erp",
        "reference_prefix": f"p{uuid.uuid4().hex[:4]}-",
    }
    config["notifications"] = {
        "enabled": True,
        "smtp": {"host": host, "port": smtp_port, "security": "none", "timeout": "5s"},
        "sender": "orders@causeway-demo.example",
        "merchant": "Causeway Demo Company",
    }
    hub = Hub(parse_config(config, env={}))
    hub.store.migrate()
    tryton = connect(tryton_server)
    companies = {
        name: portal_accounts.add_company(hub.store, party_id(tryton, name), name, actor="test")
        for name in (ACME, BIRCH)
    }
    hub.start(scheduler=False)
    server = BackgroundServer(create_app(hub), port=port, name="portal-hub").start()
    try:
        yield PortalWorld(hub, server.url, tryton_server, tryton, mailbox, companies)
    finally:
        server.stop()
        hub.stop()
        tryton.close()


@pytest.fixture
def page(chromium: Browser, world: PortalWorld) -> Iterator[Page]:  # noqa: F811
    context = chromium.new_context(base_url=world.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def screenshot(page: Page, name: str) -> Path:
    """The page as a customer sees it: into docs/portal/ when CAUSEWAY_SCREENSHOTS=docs."""
    import tempfile

    docs = os.environ.get("CAUSEWAY_SCREENSHOTS") == "docs"
    folder = SCREENSHOTS if docs else Path(tempfile.gettempdir()) / "causeway-portal-shots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
