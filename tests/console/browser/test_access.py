"""Who may do what, as a browser meets it: a viewer reads a problem but cannot replay it
(no button, and the POST itself is refused), a browser without a session is sent to sign
in, and a form sent with a forged CSRF token changes nothing."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.console.browser.conftest import World, sign_in
from tests.console.conftest import PASSWORD

pytestmark = pytest.mark.tryton


@pytest.fixture(scope="module")
def ghost(world: World) -> dict[str, Any]:
    """A parked order: it names a product the ERP has never heard of."""
    sku = f"GHOST-{uuid.uuid4().hex[:5].upper()}"
    world.sell(sku, "Ghost product")
    order = world.buy("ghost.buyer@example.com", [(sku, 1)])
    world.until("the order is parked", lambda: world.parked(order))
    return order


def job_of(world: World, order: dict[str, Any]) -> int:
    (job,) = world.parked(order)
    return int(job["id"])


def test_a_viewer_sees_a_problem_but_no_replay_button_and_a_replay_post_is_refused(
    world: World, page: Page, ghost: dict[str, Any]
) -> None:
    job = job_of(world, ghost)
    sign_in(page, world, "viewer")
    page.goto(world.console(f"/problems/{job}"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("unknown product")
    expect(page.get_by_role("button", name=re.compile("Replay"))).to_have_count(0)

    # What the button would have sent, with the viewer's own session and CSRF token.
    token = page.locator("input[name=csrf_token]").first.input_value()
    answer = page.request.post(
        world.console(f"/problems/{job}/replay"), form={"csrf_token": token}, max_redirects=0
    )
    assert answer.status == 403
    assert job_of(world, ghost) == job  # still parked


def test_a_browser_without_a_session_is_sent_to_sign_in_and_then_back(
    world: World, page: Page
) -> None:
    page.goto(world.console("/problems"))
    expect(page).to_have_url(re.compile(r"/console/login\?next=%2Fconsole%2Fproblems$"))
    expect(page.get_by_role("heading", name="Sign in to the console")).to_be_visible()

    page.get_by_label("E-mail").fill(world.person("viewer"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(world.console("/problems"))
    expect(page.get_by_role("heading", name="Problems", level=1)).to_be_visible()


def test_a_replay_sent_with_a_forged_csrf_token_is_refused_and_changes_nothing(
    world: World, page: Page, ghost: dict[str, Any]
) -> None:
    job = job_of(world, ghost)
    sign_in(page, world, "operator")
    page.goto(world.console(f"/problems/{job}"))
    replay = page.get_by_role("button", name=f"Replay job {job}")
    # Another site's page posting the form could not know the token: it guesses.
    replay.locator("xpath=ancestor::form//input[@name='csrf_token']").evaluate(
        "field => { field.value = 'forged-by-another-site' }"
    )
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        replay.click()
    assert sent.value.status == 403
    expect(page.get_by_text("reload the page")).to_be_visible()
    assert job_of(world, ghost) == job  # still parked
