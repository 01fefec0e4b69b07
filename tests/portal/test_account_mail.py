"""The account e-mails' templates: each kind carries its link in both parts, names what
it is for, and a name or company that looks like markup stays text in the HTML."""

from __future__ import annotations

import pytest

from causeway.config.notifications import NotificationsSettings
from causeway.notifications.account_mail import KINDS, render_account_mail

SETTINGS = NotificationsSettings(merchant="Causeway & Sons", logo_url="https://cdn.example/l.png")
LINK = "https://portal.example.com/portal/magic/TOKEN-123"
HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_carries_its_link_and_escapes_what_people_typed(kind: str) -> None:
    subject, text, html = render_account_mail(
        SETTINGS,
        kind,
        link=LINK,
        expires_at=1_800_000_000,
        email="ann@acme.example",
        name=HOSTILE,
        company=HOSTILE,
        role="buyer",
    )
    assert LINK in text and f'href="{LINK}"' in html
    assert "2027-01-15 08:00 UTC" in text and "2027-01-15 08:00 UTC" in html
    assert HOSTILE not in html and "&lt;img" in html
    assert "Causeway &amp; Sons" in html and "Causeway & Sons" in text
    assert "\n" not in subject and subject.strip() == subject
    assert 'src="https://cdn.example/l.png"' in html


def test_an_invitation_says_what_for_and_up_to_which_limit() -> None:
    subject, text, _ = render_account_mail(
        SETTINGS,
        "invite",
        link=LINK,
        expires_at=0,
        email="ann@acme.example",
        company="Acme Retail Ltd",
        role="buyer",
        order_limit="750.00",
        inviter="boss@acme.example",
    )
    assert subject == "Causeway & Sons invites you to order for Acme Retail Ltd"
    assert "boss@acme.example invited you" in text and "orders up to 750.00" in text
    _, again, _ = render_account_mail(
        SETTINGS,
        "invite",
        link=LINK,
        expires_at=0,
        email="ann@acme.example",
        company="Birch",
        role="admin",
        has_password=True,
    )
    assert "Sign in with your usual password" in again


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown account e-mail"):
        render_account_mail(SETTINGS, "welcome", link=LINK, expires_at=0, email="a@b.example")
