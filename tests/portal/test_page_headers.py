"""The headers a page facing customers sends (web/page_headers.py), on the portal and the
console, and the templates that let the Content-Security-Policy be strict: no inline
script, no event attribute, no inline style, nothing htmx would have to evaluate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from causeway.web.app import create_app
from causeway.web.page_headers import CONSOLE_POLICY, PORTAL_POLICY
from tests.console.conftest import browser, signed_in
from tests.portal.attack import header_problems
from tests.portal.conftest import add_company, add_member, customer_client, portal_hub

WEB = Path(__file__).resolve().parents[2] / "src" / "causeway" / "web"
TEMPLATES = {
    "portal": sorted((WEB / "portal" / "templates").rglob("*.html")),
    "console": sorted((WEB / "console" / "templates").rglob("*.html")),
}
# What the pages' policy would refuse to run, or what would run anyway if it were looser.
FORBIDDEN = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "an event attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "an inline style attribute": re.compile(r"\sstyle\s*=", re.I),
    "a <style> element": re.compile(r"<style[\s>]", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
    "hx-on (evaluated by htmx)": re.compile(r"\b(data-)?hx-on", re.I),
    "hx-vals or hx-vars with js: (evaluated)": re.compile(r"hx-va(ls|rs)=['\"]\s*(js|javascript):"),
}
# htmx evaluates a trigger filter (hx-trigger="every 5s [cond]") as JavaScript.
TRIGGER_FILTER = re.compile(r"hx-trigger=\"[^\"]*\[")


def test_portal_answers_carry_the_headers_of_a_page_facing_customers(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    ann = add_member(hub, add_company(hub, 101, "Acme"), "ann@acme.example", "buyer")
    signed = customer_client(hub, ann)
    nobody = browser(hub)
    for path, answer in {
        "/portal": signed.get("/portal"),
        "/portal/no-such-page": signed.get("/portal/no-such-page"),
        "/portal (to the login page)": nobody.get("/portal"),
        "/portal/static/pico/pico.min.css": signed.get("/portal/static/pico/pico.min.css"),
        "/portal/static/portal/portal.js": signed.get("/portal/static/portal/portal.js"),
    }.items():
        assert header_problems(path, answer) == [], path
    assert signed.get("/portal").headers["content-security-policy"] == PORTAL_POLICY
    assert "script-src 'self';" in PORTAL_POLICY and "unsafe" not in PORTAL_POLICY


def test_console_pages_carry_them_too_with_eval_for_htmx_trigger_filters(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    console = signed_in(hub, "viewer")
    for path in ("/console", "/console/login", "/console/no-such-page"):
        answer = console.get(path)
        assert answer.headers["content-security-policy"] == CONSOLE_POLICY, path
        assert answer.headers["x-frame-options"] == "DENY", path
        assert answer.headers["referrer-policy"] == "same-origin", path
        assert answer.headers["x-content-type-options"] == "nosniff", path
        assert answer.headers["cache-control"] == "no-store", path
    assert "'unsafe-inline'" not in CONSOLE_POLICY


def test_webhooks_and_the_api_are_left_as_they_were(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    client = TestClient(create_app(hub), base_url="https://localhost")
    assert "content-security-policy" not in client.get("/health").headers


@pytest.mark.parametrize(
    "template",
    [p for files in TEMPLATES.values() for p in files],
    ids=lambda p: f"{p.parent.parent.name}/{p.name}",
)
def test_templates_have_nothing_the_policy_would_block(template: Path) -> None:
    # Jinja comments are not sent (blanked, so that the line numbers stay right).
    text = re.sub(
        r"\{#.*?#\}", lambda m: "\n" * m.group(0).count("\n"), template.read_text(), flags=re.S
    )
    problems = [
        f"{template.relative_to(WEB)}:{text.count(chr(10), 0, match.start()) + 1}: {what}: "
        f"{match.group(0)!r}"
        for what, pattern in FORBIDDEN.items()
        for match in pattern.finditer(text)
    ]
    if template in TEMPLATES["portal"]:  # the console allows eval for its overview
        problems += [
            f"{template.relative_to(WEB)}: an hx-trigger filter (htmx evaluates it): "
            f"{match.group(0)!r}; use a plain trigger or portal.js"
            for match in TRIGGER_FILTER.finditer(text)
        ]
    assert problems == [], (
        "move the behaviour to web/static/portal/portal.js (or console.css/portal.css for a "
        "style): the page's Content-Security-Policy refuses it"
    )


def test_the_portal_turns_htmx_eval_and_its_injected_style_off() -> None:
    base = (WEB / "portal" / "templates" / "base.html").read_text()
    assert '"allowEval": false' in base and '"includeIndicatorStyles": false' in base
    assert "htmx-indicator" in (WEB / "static" / "portal" / "portal.css").read_text()
    assert "htmx-indicator" in (WEB / "static" / "console" / "console.css").read_text()
