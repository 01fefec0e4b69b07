"""Account e-mails of the portal (an invitation, a password reset, a magic sign-in link),
rendered from templates/account/: `<kind>.subject.txt`, `<kind>.txt` and `<kind>.html`.
HTML is autoescaped (a company or person's name is text, never markup); the subject and
plain text are not, as they are no HTML. causeway/portal/accounts.py queues them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jinja2

from causeway.config.notifications import NotificationsSettings

KINDS = ("invite", "reset", "magic")
_FOLDER = Path(__file__).parent / "templates" / "account"
_HTML = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_FOLDER), autoescape=True, undefined=jinja2.StrictUndefined
)
_TEXT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_FOLDER),
    autoescape=False,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def render_account_mail(
    settings: NotificationsSettings, kind: str, *, link: str, expires_at: float, **facts: Any
) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of an account e-mail of this kind, carrying `link`.
    facts: email, name, and for an invitation company, role, order_limit, inviter,
    has_password."""
    if kind not in KINDS:
        raise ValueError(f"unknown account e-mail {kind!r}: use {', '.join(KINDS)}")
    expires = dt.datetime.fromtimestamp(expires_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    context = {
        "merchant": settings.merchant,
        "logo_url": settings.logo_url,
        "language": settings.language,
        "link": link,
        "expires": expires,
        "name": "",
        "inviter": None,
        "order_limit": None,
        "has_password": False,
        **facts,
    }
    subject = " ".join(_TEXT.get_template(f"{kind}.subject.txt").render(context).split())
    text = _TEXT.get_template(f"{kind}.txt").render(context)
    html = _HTML.get_template(f"{kind}.html").render({**context, "subject": subject})
    return subject, text, html
