"""Every order event renders in HTML and plain text, in English and French; the HTML
escapes what customers and ERPs write; the merchant's own templates win, file by file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from causeway.config.notifications import NotificationsSettings
from causeway.notifications.events import EVENTS
from causeway.notifications.templates import languages, render_event, sample_event

SETTINGS = NotificationsSettings(
    merchant="Acme Supplies", logo_url="https://cdn.acme.example/logo.png", sender="o@acme.example"
)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("event", EVENTS)
def test_every_event_renders_in_html_and_text(event: str, language: str) -> None:
    mail = render_event(SETTINGS, sample_event(event, language))
    assert mail.language == language
    assert "PO-1042" in mail.subject and "Acme Supplies" in mail.subject
    assert "\n" not in mail.subject and "{" not in mail.subject
    for body in (mail.text, mail.html):
        assert "PO-1042" in body
        assert "{{" not in body and "{%" not in body
    assert mail.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in mail.html
    assert 'src="https://cdn.acme.example/logo.png"' in mail.html
    assert "<" not in mail.text.replace("<>", "")  # plain text has no markup


def test_the_subjects_differ_per_event_and_language() -> None:
    subjects = {
        (e, lang): render_event(SETTINGS, sample_event(e, lang)).subject
        for e in EVENTS
        for lang in ("en", "fr")
    }
    assert len(set(subjects.values())) == len(subjects)
    assert subjects["confirmed", "fr"] == "Acme Supplies : votre commande PO-1042 est confirmée"


def test_a_shipped_email_has_its_carrier_tracking_number_and_link() -> None:
    mail = render_event(SETTINGS, sample_event("shipped", "en"))
    url = "https://www.dhl.com/track?tracking-id=JD014600006281230112"
    assert f'href="{url}"' in mail.html
    assert "DHL Express" in mail.html and "JD014600006281230112" in mail.html
    assert f"Track your parcel: {url}" in mail.text
    assert "DHL Express" in mail.text


def test_a_customer_name_with_markup_is_escaped_in_html_and_kept_in_text() -> None:
    event = sample_event("confirmed", "en")
    event = replace(event, facts={**event.facts, "customer_name": "<script>alert(1)</script>"})
    mail = render_event(SETTINGS, event)
    assert "<script>" not in mail.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    assert "Dear <script>alert(1)</script>" in mail.text


def test_a_tracking_link_that_is_not_http_becomes_no_link() -> None:
    event = sample_event("shipped", "en")
    event = replace(event, facts={**event.facts, "tracking_url": "javascript:alert(1)"})
    mail = render_event(SETTINGS, event)
    assert "javascript:" not in mail.html and "javascript:" not in mail.text
    assert "Track your parcel" not in mail.html and "Track your parcel" not in mail.text
    assert "JD014600006281230112" in mail.text  # the tracking number still tells it


@pytest.mark.parametrize(
    ("wanted", "default", "written_in"),
    [
        ("fr", "en", "fr"),
        ("fr-CA", "en", "fr"),  # a region falls back to its language
        ("FR_be", "en", "fr"),
        ("de", "en", "en"),  # no German templates: the merchant's default
        ("de", "fr", "fr"),
        (None, "fr", "fr"),  # unknown: the merchant's default
        ("xx", "yy", "en"),  # neither templated: English
        ("../../etc", "en", "en"),  # never a path
    ],
)
def test_the_language_falls_back_to_the_merchants_then_english(
    wanted: str | None, default: str, written_in: str
) -> None:
    settings = SETTINGS.model_copy(update={"language": default})
    assert render_event(settings, sample_event("cancelled", wanted)).language == written_in


def test_the_merchants_own_template_wins_file_by_file(tmp_path: Path) -> None:
    own = tmp_path / "order" / "de"
    own.mkdir(parents=True)
    (own / "shipped.txt").write_text(
        "{% set subject %}{{ merchant }}: Bestellung {{ number }} ist unterwegs{% endset %}"
        "Ihre Bestellung {{ number }} ist mit {{ carrier }} unterwegs: {{ tracking_url }}\n"
    )
    (own / "shipped.html").write_text(
        '{% extends "order/_layout.html" %}{% block heading %}Unterwegs{% endblock %}'
        "{% block body %}<p>{{ customer_name }}</p>{% endblock %}"
    )
    (tmp_path / "order" / "en").mkdir()
    (tmp_path / "order" / "en" / "cancelled.txt").write_text(
        "{% set subject %}Sorry: {{ number }}{% endset %}We cancelled {{ number }}.\n"
    )
    settings = SETTINGS.model_copy(update={"templates": str(tmp_path)})
    german = render_event(settings, sample_event("shipped", "de"))
    assert german.language == "de"
    assert german.subject == "Acme Supplies: Bestellung PO-1042 ist unterwegs"
    assert "mit DHL Express unterwegs" in german.text
    assert "<p>Jane Doe</p>" in german.html and "Unterwegs" in german.html
    # No German confirmed e-mail there: English, built in.
    assert render_event(settings, sample_event("confirmed", "de")).language == "en"
    # Their English cancelled text, with our HTML.
    cancelled = render_event(settings, sample_event("cancelled", "en"))
    assert cancelled.subject == "Sorry: PO-1042" and cancelled.text == "We cancelled PO-1042.\n"
    assert "was cancelled" in cancelled.html
    assert languages(settings) == ["de", "en", "fr"]
