"""The portal's Content-Security-Policy in Chromium: the pages run with it (htmx and the
portal's script load, Pico's data: icons show, nothing is blocked). That no site can frame
them is in the headers (tests/portal/test_page_headers.py)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.portal.browser.conftest import ACME, PortalWorld, screenshot

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} line ${e.lineNumber}`);
});
"""


def test_the_portal_runs_under_its_policy_with_nothing_blocked(
    page: Page, world: PortalWorld
) -> None:
    page.add_init_script(WATCH_VIOLATIONS)
    world.sign_in(page, world.member(ACME))
    answer = page.goto("/portal")
    assert (
        answer is not None and "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    )
    expect(page.get_by_role("link", name=ACME)).to_be_visible()
    page.wait_for_function("() => window.htmx !== undefined")
    assert page.evaluate("() => htmx.config.allowEval") is False
    # Pico's data: icons and the portal's own stylesheet applied: nothing refused.
    assert page.evaluate("() => window.__violations") == []
    screenshot(page, "security-home")
