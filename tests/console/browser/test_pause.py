"""The ERP is about to be upgraded: the operator sends the stock to the stores once more,
then pauses orders-to-erp. New orders are held, not lost and not sent; the overview and
the flows page say so; resuming sends them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from causeway.engine import flow_pauses
from causeway.flows import orders_to_erp, stock_to_channels
from tests.console.browser.conftest import World, open_section, sign_in
from tests.console.conftest import screenshot

pytestmark = pytest.mark.tryton

FLOW, STOCK = orders_to_erp.NAME, stock_to_channels.NAME


@pytest.fixture
def running_again(world: World) -> Iterator[None]:
    """The flow runs again after the test, whatever happened in it (the other scenarios
    share the hub)."""
    yield
    flow_pauses.resume(world.hub.store, FLOW, actor="test")


def held(world: World, order: dict[str, Any]) -> bool:
    """The order's job waits, held by the pause."""
    jobs = world.hub.jobs.for_key(f"shop:order:{order['id']}")
    return [j["state"] for j in jobs] == ["queued"] and world.hub.jobs.counts().get(
        (FLOW, "held"), 0
    ) == 1


def flow_card(page: Page, name: str) -> Locator:
    """A flow's part of the Flows page."""
    return page.get_by_role("article").filter(
        has=page.get_by_role("heading", name=name, exact=True)
    )


def test_pausing_orders_to_erp_holds_new_orders_and_resuming_sends_them(
    world: World, page: Page, running_again: None
) -> None:
    sign_in(page, world, "operator")
    open_section(page, "Flows")
    stock = flow_card(page, STOCK)
    stock.get_by_role("button", name=f"Run {STOCK} now").click()
    expect(page.get_by_role("status")).to_contain_text(f"{STOCK} runs now")
    expect(stock.get_by_role("table", name=f"Recent runs of {STOCK}")).to_contain_text("operator")

    flow = flow_card(page, FLOW)
    flow.get_by_role("button", name=f"Pause {FLOW}").click()
    expect(page.get_by_role("status")).to_contain_text(f"{FLOW} is paused")
    expect(flow).to_contain_text("paused")

    order = world.buy("patient.buyer@example.com", [("SKU-0003", 1)])
    world.until("the order is held", lambda: held(world, order))
    open_section(page, "Overview")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=FLOW, exact=True))
    expect(row).to_contain_text("paused")
    expect(row).to_contain_text("1 held")
    # The stock run's jobs done (the overview refreshes every 10 s): the shot shows charts.
    stock_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=STOCK, exact=True))
    expect(stock_row).to_contain_text(" done", timeout=30_000)
    screenshot(page, "overview")
    open_section(page, "Flows")
    expect(flow).to_contain_text("1 held")
    screenshot(page, "flows")
    assert world.order(order).get("state") != "in_erp"

    flow.get_by_role("button", name=f"Resume {FLOW}").click()
    expect(page.get_by_role("status")).to_contain_text(f"{FLOW} resumed: 1 held job")
    world.until("the order is in the ERP", lambda: world.order(order).get("state") == "in_erp")
    page.reload()
    expect(flow).not_to_contain_text("1 held")
