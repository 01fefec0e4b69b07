"""Rendering order e-mails (the notifications helper replaces this first cut with a
template per event, HTML and plain text, per language)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import jinja2

from causeway.config.notifications import NotificationsSettings

if TYPE_CHECKING:
    from causeway.notifications.events import OrderEvent

_ENV = jinja2.Environment(autoescape=True)
_SUBJECT = "{{ merchant }}: order {{ number }} {{ event }}"
_TEXT = (
    "Order {{ number }}: {{ event }}.\n"
    "{% for k, v in facts.items() %}{{ k }}: {{ v }}\n{% endfor %}"
)


def render_order_mail(
    settings: NotificationsSettings, event: OrderEvent
) -> tuple[str, str, str | None]:
    """(subject, plain text, HTML) of the event's e-mail."""
    context = {
        "merchant": settings.merchant,
        "number": event.order_number,
        "event": event.event.replace("_", " "),
        "facts": dict(event.facts),
    }
    subject = jinja2.Environment(autoescape=False).from_string(_SUBJECT).render(context)
    text = jinja2.Environment(autoescape=False).from_string(_TEXT).render(context)
    return subject, text, _ENV.from_string("<pre>" + _TEXT + "</pre>").render(context)
