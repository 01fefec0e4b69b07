"""Rendering a console page: the Jinja2 templates and what every page's template sees.

Every template extends base.html and gets, beside the page's own context:
`principal` (who is signed in), `may_operate` and `may_administer` (to leave out the
buttons a viewer may not press: the routes refuse them anyway), `csrf_token` and
`csrf_field()` for forms, `nav` (the sections, the current one marked) and `when()`
to show an epoch timestamp.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from causeway.access.permissions import Permission
from causeway.web.console.labels import status_label
from causeway.web.console.routing import CSRF_FIELD, principal_of
from causeway.web.console.wording import alert_text, console_error, job_state, problems_link

# Autoescaping on for every template: a value from a store or a person is text, never markup.
TEMPLATES = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True
    )
)

# The sections in the navigation bar: (label, path, the permission it needs).
NAV = (
    ("Overview", "/console", Permission.READ),
    ("Problems", "/console/problems", Permission.READ),
    ("Flows", "/console/flows", Permission.READ),
    ("Reports", "/console/reports", Permission.READ),
    ("Portal", "/console/portal", Permission.OPERATE),
    ("E-mails", "/console/notifications", Permission.OPERATE),
    ("Audit log", "/console/audit", Permission.READ),
    ("Users", "/console/users", Permission.ADMINISTER),
)


def when(stamp: float | None) -> str:
    """An epoch timestamp as people read it, in UTC; '-' for none."""
    if stamp is None:
        return "-"
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def short_when(stamp: float | None) -> str:
    """A compact UTC time for tables, '12-06 07:44' (the page puts when() in its title)."""
    if stamp is None:
        return "-"
    return datetime.fromtimestamp(stamp, UTC).strftime("%m-%d %H:%M")


def ago(stamp: float | None, at: float | None = None) -> str:
    """How long ago: '42 s', '5 min', '3 h', '2 d'; '-' for none."""
    if stamp is None:
        return "-"
    seconds = max(0.0, (at if at is not None else datetime.now(UTC).timestamp()) - stamp)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{int(seconds)} s"


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


TEMPLATES.env.globals.update(when=when, ago=ago, short_when=short_when)
TEMPLATES.env.globals.update(alert_text=alert_text, problems_link=problems_link)
TEMPLATES.env.filters.update(pretty_json=pretty_json, status=status_label)
TEMPLATES.env.filters.update(job_state=job_state, console_error=console_error)


# A navigation bar: (label, path, the permission it needs) per section.
Nav = tuple[tuple[str, str, Permission], ...]


def _section(path: str, nav: Nav) -> str:
    """The nav entry a path belongs to: the longest one it starts with."""
    matching = [p for _, p, _ in nav if path == p or path.startswith(p + "/")]
    return max(matching, key=len, default="")


def page_context(request: Request, nav: Nav) -> dict[str, Any]:
    """What every page of the console or the portal gets: who is signed in, the CSRF
    token and its form field, the sections of `nav` they may open (the current marked)."""
    principal = principal_of(request)
    token = getattr(request.state, "csrf_token", None) or ""
    current = _section(request.url.path, nav)
    return {
        "request": request,
        "principal": principal,
        "csrf_token": token,
        "csrf_field": lambda: Markup(
            f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">'
        ),
        "nav": [
            {"label": label, "path": path, "current": path == current}
            for label, path, needs in nav
            if principal is not None and principal.may(needs)
        ],
    }


def common_context(request: Request) -> dict[str, Any]:
    principal = principal_of(request)
    return {
        **page_context(request, NAV),
        "may_operate": bool(principal and principal.may(Permission.OPERATE)),
        "may_administer": bool(principal and principal.may(Permission.ADMINISTER)),
    }


def respond(
    templates: Jinja2Templates,
    request: Request,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    """A template as the response, never kept in a cache."""
    return templates.TemplateResponse(
        request, template, context, status_code=status_code, headers={"Cache-Control": "no-store"}
    )


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """A page (or an htmx partial: a template named _<name>.html) as the response."""
    return respond(TEMPLATES, request, template, {**common_context(request), **(context or {})},
                   status_code)  # fmt: skip


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    """A refusal or a missing record, as a page: what happened and where to go."""
    return render(request, "error.html", {"status": status_code, "message": message}, status_code)
