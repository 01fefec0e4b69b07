"""Rendering order e-mails: a Jinja2 template per event and language, in HTML (autoescaped:
a customer's name or an ERP's text is never markup) and in plain text.

Templates live in order/<language>/<event>.html and .txt beside this file. The plain text
template also sets the subject (`{% set subject %}...{% endset %}`). A merchant's own folder
(`notifications.templates`) is looked in first, file by file, so overriding one e-mail in
one language is one file. The language is the customer's where known and templated, else
`notifications.language`, else English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from causeway.config.notifications import NotificationsSettings

if TYPE_CHECKING:
    from causeway.notifications.events import OrderEvent

BUILT_IN = Path(__file__).parent
FALLBACK_LANGUAGE = "en"  # every event has an English template, whatever the settings say


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str
    language: str


@lru_cache(maxsize=16)
def _environments(override: str | None) -> tuple[jinja2.Environment, jinja2.Environment]:
    """(HTML environment, text environment) over the merchant's folder, then ours."""
    folders = [str(BUILT_IN)] if override is None else [override, str(BUILT_IN)]
    loader = jinja2.FileSystemLoader(folders)
    common: dict[str, Any] = {
        "loader": loader,
        "undefined": jinja2.ChainableUndefined,  # a missing fact shows nothing, never fails
        "keep_trailing_newline": True,
    }
    html = jinja2.Environment(autoescape=True, **common)
    text = jinja2.Environment(autoescape=False, trim_blocks=True, lstrip_blocks=True, **common)
    for env in (html, text):
        env.filters["money"] = money
        env.filters["web_url"] = web_url
    return html, text


def money(amount: Any, currency: Any = None) -> str:
    """1234.5, "EUR" -> "1,234.50 EUR" (Decimal, never float)."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except ArithmeticError:
        return str(amount)
    shown = f"{value:,.2f}"
    return f"{shown} {currency}" if currency else shown


def web_url(value: Any) -> str:
    """An http(s) URL, or nothing: an ERP's tracking URL becomes a link, never a script."""
    url = str(value or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def language_of(settings: NotificationsSettings, wanted: str | None, event: str) -> str:
    """The language to write `event` in: the customer's ("fr-CA" -> "fr") when templated,
    else the merchant's default when templated, else English."""
    html, _ = _environments(settings.templates)
    for candidate in (wanted, settings.language, FALLBACK_LANGUAGE):
        if not candidate:
            continue
        code = candidate.replace("_", "-").split("-")[0].strip().lower()
        if code.isalpha() and _has(html, f"order/{code}/{event}.html"):
            return code
    return FALLBACK_LANGUAGE


def _has(env: jinja2.Environment, name: str) -> bool:
    try:
        env.get_template(name)
    except jinja2.TemplateNotFound:
        return False
    return True


def languages(settings: NotificationsSettings) -> list[str]:
    """The languages some order e-mail is written in (built in, or in the merchant's folder)."""
    folders = [BUILT_IN / "order"]
    if settings.templates:
        folders.append(Path(settings.templates) / "order")
    found = {
        p.name for folder in folders if folder.is_dir() for p in folder.iterdir() if p.is_dir()
    }
    return sorted(found)


def context_of(settings: NotificationsSettings, event: OrderEvent) -> dict[str, Any]:
    facts = dict(event.facts)
    return {
        **facts,
        "facts": facts,
        "event": event.event,
        "number": event.order_number,
        "customer_name": facts.get("customer_name") or "",
        "merchant": settings.merchant,
        "logo_url": settings.logo_url,
        "reply_to": settings.reply_to or settings.sender,
        "lines": list(facts.get("lines") or []),
    }


def render_event(settings: NotificationsSettings, event: OrderEvent) -> RenderedMail:
    """The event's e-mail, in the customer's language where templated."""
    language = language_of(settings, event.language, event.event)
    html_env, text_env = _environments(settings.templates)
    context = context_of(settings, event)
    text_template = text_env.get_template(f"order/{language}/{event.event}.txt")
    module = text_template.make_module(context)
    subject = " ".join(str(getattr(module, "subject", "")).split())
    if not subject:
        subject = f"{settings.merchant}: {event.order_number}"
    text = str(module).strip() + "\n"
    html = html_env.get_template(f"order/{language}/{event.event}.html").render(
        context, subject=subject, language=language
    )
    return RenderedMail(subject=subject, text=text, html=html, language=language)


def render_order_mail(
    settings: NotificationsSettings, event: OrderEvent
) -> tuple[str, str, str | None]:
    """(subject, plain text, HTML) of the event's e-mail."""
    mail = render_event(settings, event)
    return mail.subject, mail.text, mail.html


SAMPLE_FACTS: Mapping[str, Any] = {
    "customer_name": "Jane Doe",
    "erp_number": "SO-1042",
    "carrier": "DHL Express",
    "tracking_number": "JD014600006281230112",
    "tracking_url": "https://www.dhl.com/track?tracking-id=JD014600006281230112",
    "reason": "The customer asked for it",
    "invoice_number": "INV-2026-0042",
    "amount": "1234.50",
    "currency": "EUR",
    "approver": "Sam Approver",
    "lines": [
        {"sku": "WID-001", "name": "Widget", "quantity": 3},
        {"sku": "GAD-001", "name": "Gadget", "quantity": 2},
    ],
}


def sample_event(event: str, language: str | None) -> OrderEvent:
    """An event with made-up facts, for previews and test e-mails."""
    from causeway.notifications.events import OrderEvent

    return OrderEvent(
        event=event,
        order_key="sample",
        channel="portal",
        recipient="customer@example.com",
        order_number="PO-1042",
        facts=dict(SAMPLE_FACTS, at=datetime.now(UTC).date().isoformat()),
        occurrence="SHIP-0007" if event == "shipped" else None,
        language=language,
    )
