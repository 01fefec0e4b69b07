"""The console as people use it: Chromium (driven by Playwright) against one hub, the
Shopify sandbox and the real Tryton, shared by every scenario of this package.

One Tryton, one store, one hub for all the scenarios (each starts in seconds, the world
behind them in about ten): a scenario buys its own orders with its own e-mail, SKU and
reference, and leaves every flow running as it found it. The hub runs as in production:
its workers claim the jobs, the store's webhooks reach it over HTTP, the console is
served by uvicorn in a thread; only the scheduler is off (a test runs a flow when its
story needs it, as an operator's "Run now" would).

The browser is tests/console/conftest.py's (the system's Chromium, one per session);
each scenario gets a tab of its own (its own cookies) on this package's hub, and leaves
what it shows in docs/console/ (`screenshot(page, name)`) for docs/console.md.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from causeway.config import parse_config
from causeway.engine import links
from causeway.hub import Hub
from causeway.web.app import create_app
from causeway.web.order_view import order_view
from causeway_sandbox.hubspot.server import HubSpotSandboxServer
from causeway_sandbox.hubspot.settings import HubSpotSandboxSettings
from causeway_sandbox.localserver import BackgroundServer, free_port
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from causeway_sandbox.tryton.server import TrytonServer
from tests.console.conftest import add_person, sign_in_through_the_form
from tests.e2e.conftest import store_with_the_catalogue
from tests.e2e.harness import CRM_SECRET, SECRET, TOKEN, crm_system, hub_config, subscribe
from tests.essential import IN_CI
from tests.tryton_fixtures import own_tryton

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

try:
    import playwright.sync_api  # noqa: F401  (the scenarios import it)
except ImportError:  # make venv installs it (requirements/); CI=true must have it
    if IN_CI:
        raise
    collect_ignore_glob = ["test_*.py"]

UPS = "https://www.ups.com/track?tracknum={number}"

tryton_server = own_tryton("tryton-console", scope="package")


# -- the world behind the console --------------------------------------------------------


@dataclass
class World:
    """The hub, what it talks to, and what a scenario does to them."""

    hub: Hub
    url: str  # the hub's, e.g. http://127.0.0.1:41234
    shop: httpx.Client  # the sandbox store's control API: the test plays customer
    erp: TrytonServer
    prefix: str  # sale.reference prefix of the hub's orders in Tryton
    people: dict[str, str] = field(default_factory=dict)  # role -> e-mail

    def console(self, path: str = "") -> str:
        return f"{self.url}/console{path}"

    def person(self, role: str) -> str:
        """The e-mail of a person with this role (created on first use)."""
        if role not in self.people:
            self.people[role] = add_person(self.hub, role)
        return self.people[role]

    def sell(self, sku: str, title: str, price: str = "12.00") -> None:
        """The merchant lists a product in the store (50 in stock)."""
        product = {"title": title, "sku": sku, "price": price, "quantity": 50}
        self.shop.post("/_sandbox/products", json=product).raise_for_status()

    def buy(
        self,
        email: str,
        lines: list[tuple[str, int]],
        *,
        name: tuple[str, str] = ("Robin", "Buyer"),
        paid: bool = False,
    ) -> dict[str, Any]:
        """A customer checks out in the store; the order as the store has it."""
        response = self.shop.post(
            "/_sandbox/orders",
            json={
                "email": email,
                "first_name": name[0],
                "last_name": name[1],
                "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
                "tax_rate": "0.10",
                "financial_status": "paid" if paid else "pending",
            },
        )
        response.raise_for_status()
        return response.json()["order"]  # type: ignore[no-any-return]

    def pay(self, order: dict[str, Any]) -> None:
        self.shop.post(f"/_sandbox/orders/{order['id']}/pay", json={}).raise_for_status()

    def order(self, order: dict[str, Any]) -> dict[str, Any]:
        """The hub's record of a store order ({} until it has one): /api/orders' view."""
        return order_view(self.hub.store, self.hub.jobs, "shop", str(order["id"])) or {}

    def reached(self, order: dict[str, Any]) -> set[str]:
        """The milestones the order reached (in_erp, shipped, invoiced, paid, ...)."""
        return {m["milestone"] for m in self.order(order).get("timeline", [])}

    def sale_id(self, order: dict[str, Any]) -> int:
        with self.hub.store.read() as conn:
            link = links.find(conn, "shop", "order", str(order["id"]))
            assert link is not None, "the hub has no record of the order"
            (sale,) = [s for s in links.for_hub(conn, link.hub_id) if s.entity_type == "sale"]
        return int(sale.external_id)

    def parked(self, order: dict[str, Any]) -> list[dict[str, Any]]:
        """The order's parked jobs."""
        return [
            j for j in self.hub.jobs.for_key(f"shop:order:{order['id']}") if j["state"] == "dead"
        ]

    def idle(self, flow: str) -> bool:
        """No job of `flow` waits or runs (every one done or parked)."""
        counts = self.hub.jobs.counts()
        return not any(
            n for (f, state), n in counts.items() if f == flow and state not in ("done", "dead")
        )

    def until(self, what: str, done: Callable[[], Any], timeout: float = 60) -> Any:
        """Wait for the hub to get somewhere (its workers run on their own): `done()`'s
        first true answer. Deliveries first: the store sends webhooks in the background."""
        self.shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
        deadline = time.monotonic() + timeout
        while not (answer := done()):
            if time.monotonic() > deadline:
                raise AssertionError(f"the hub did not get there in {timeout:.0f} s: {what}")
            time.sleep(0.1)
        return answer


@pytest.fixture(scope="package")
def store_server() -> Iterator[SandboxServer]:
    yield from store_with_the_catalogue(SandboxSettings(api_secret=SECRET, access_token=TOKEN))


@pytest.fixture(scope="package")
def crm_server() -> Iterator[HubSpotSandboxServer]:
    """A HubSpot portal: customers-to-crm makes the golden customers a rep looks up."""
    settings = HubSpotSandboxSettings(rate_max=1000, client_secret=CRM_SECRET)
    with HubSpotSandboxServer(settings) as server:
        yield server


@pytest.fixture(scope="package")
def world(
    tryton_server: TrytonServer,
    store_server: SandboxServer,
    crm_server: HubSpotSandboxServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("console-hub")
    port, prefix = free_port(), f"c{uuid.uuid4().hex[:5]}-"
    config = hub_config(workdir, tryton_server, store_server.url, port, prefix=prefix)
    config["flows"]["fulfillments-to-channels"] = {
        "source": "erp",
        "targets": ["shop"],
        "every": "1h",
        "tracking_urls": {"UPS": UPS},
    }
    config["systems"]["crm"] = crm_system(crm_server)
    config["flows"]["customers-to-crm"] = {"source": "shop", "target": "crm", "every": "1h"}
    config["flows"]["payments-and-invoices"] = {
        "source": "shop",
        "target": "erp",
        "refresh_every": "1h",
    }
    hub = Hub(parse_config(config, env={}))
    hub.start(scheduler=False)  # its workers (2), its inbox writer; flows run on demand
    server = BackgroundServer(create_app(hub), port=port, name="console-hub").start()
    with httpx.Client(base_url=store_server.url, timeout=30) as shop:
        subscribe(shop, server.url, "shop")
        try:
            yield World(hub, server.url, shop, tryton_server, prefix)
        finally:
            server.stop()
            hub.stop()


# -- the browser -------------------------------------------------------------------------


@pytest.fixture
def page(chromium: Browser, world: World) -> Iterator[Page]:
    """A tab of its own (its own cookies) on the package's hub, laptop-sized."""
    context = chromium.new_context(base_url=world.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in(page: Page, world: World, role: str) -> str:
    """Sign in through the login form as the package's person with `role`; their e-mail."""
    email = world.person(role)
    sign_in_through_the_form(page, email)
    page.wait_for_url(world.console())
    return email


def open_section(page: Page, name: str) -> None:
    """Follow a link of the console's navigation bar ("Problems", "Flows", ...)."""
    page.get_by_role("navigation", name="Console").get_by_role(
        "link", name=name, exact=True
    ).click()
