"""Portal accounts as people meet them: an invitation, a password-reset or a magic
sign-in link by e-mail (docs/portal/accounts.md).

Each link is a one-time token (engine/portal_tokens.py) made in the same transaction
that queues its e-mail (engine/mail_outbox.py): both are committed, or neither. Links
point at portal.public_url, else server.public_url, so an e-mail never carries an
address the customer cannot reach.

Asking for a magic link or a reset gets the same answer whether or not the address has
a login (the pages say "if it has one, a link is on its way"); only a person who may
sign in gets an e-mail, and a few per address per quarter of an hour at most
(engine/login_throttle.py, scope "portal-link"), so the form cannot be used to flood
someone's mailbox.
"""

from __future__ import annotations

from decimal import Decimal

from causeway.config.models import CausewayConfig
from causeway.engine import audit, login_throttle, portal_accounts, portal_people, portal_tokens
from causeway.engine.mail_outbox import Mail, queue
from causeway.engine.portal_accounts import Membership, PortalAccountError
from causeway.engine.store import Store, now
from causeway.engine.users import normalise_email
from causeway.model.ports.portal import ErpPortalParties, PartyAddress
from causeway.notifications.account_mail import render_account_mail

# Where each kind of link opens (web/portal/pages/account.py).
LINK_PATHS = {"invite": "/portal/welcome/", "reset": "/portal/reset/", "magic": "/portal/magic/"}
LINK_REQUESTS = login_throttle.Limits(per_email=3, per_address=20, scope="portal-link")


class NoPublicUrl(PortalAccountError):
    pass


def links_base(config: CausewayConfig) -> str:
    base = config.portal.public_url or config.server.public_url
    if not base:
        raise NoPublicUrl(
            "e-mailed links need the portal's address: set portal.public_url (or "
            "server.public_url) in causeway.yaml"
        )
    return base.rstrip("/")


def send_link(
    store: Store,
    config: CausewayConfig,
    user_id: int,
    purpose: str,
    *,
    mail_kind: str | None = None,
    actor: str | None = None,
    **facts: object,
) -> str:
    """Make a one-time link of this purpose for this person and queue the e-mail that
    carries it (template `mail_kind`, default the purpose), in one transaction, audited
    when someone (`actor`) sent it for them. Returns the recipient's address."""
    person = portal_people.person(store, user_id)
    if person is None:
        raise PortalAccountError(f"there is no portal user {user_id}")
    base = links_base(config)
    lifetime = config.portal.link_lifetime
    with store.transaction() as conn:
        made_at = now()
        token = portal_tokens.issue(conn, user_id, purpose, lifetime, at=made_at)
        subject, text, html = render_account_mail(
            config.notifications, mail_kind or purpose,
            link=f"{base}{LINK_PATHS[purpose]}{token}", expires_at=made_at + lifetime,
            email=person.email, name=person.name, **facts,
        )  # fmt: skip
        queue(
            conn,
            Mail(
                dedupe_key=f"account:{purpose}:{portal_tokens.digest(token)}",
                event=mail_kind or purpose,
                recipient=person.email,
                subject=subject,
                text_body=text,
                html_body=html,
            ),
        )
        if actor is not None:
            audit.record(
                conn, actor=actor, action=f"portal.link.{mail_kind or purpose}",
                subject=f"portal-user:{person.email}", before=None,
                after={"purpose": purpose, "expires_at": made_at + lifetime},
            )  # fmt: skip
    return person.email


def invite(
    store: Store,
    config: CausewayConfig,
    company_id: int,
    email: str,
    role: str,
    *,
    actor: str,
    order_limit: str | Decimal | None = None,
    name: str = "",
    inviter: str | None = None,
) -> Membership:
    """Add this person (made if new) to the company and e-mail them: an invitation to
    choose a password, or, when they have one already, a note with a sign-in link."""
    links_base(config)  # refuse before adding anyone when no link could be made
    address = normalise_email(email)
    company = portal_accounts.company(store, company_id)
    if company is None:
        raise PortalAccountError(f"there is no portal company {company_id}")
    member = portal_accounts.add_member(
        store, company_id, address, role, actor=actor, name=name, order_limit=order_limit
    )
    send_invitation(store, config, member, inviter=inviter, actor=actor)
    return member


def send_invitation(
    store: Store,
    config: CausewayConfig,
    member: Membership,
    *,
    actor: str,
    inviter: str | None = None,
) -> None:
    """(Again) e-mail a member their invitation to the company."""
    person = portal_people.person(store, member.user_id)
    has_password = bool(person and person.has_password)
    limit = member.order_limit
    send_link(
        store, config, member.user_id, "magic" if has_password else "invite",
        mail_kind="invite", company=member.company_name, role=member.role,
        order_limit=str(limit) if limit is not None else None, inviter=inviter,
        has_password=has_password, actor=actor,
    )  # fmt: skip


def ask_for_link(
    store: Store, config: CausewayConfig, email: str, purpose: str, address: str | None
) -> bool:
    """Someone asked for a magic link or a reset for this e-mail: send it if the address
    has a login that may sign in and it was not asked for too often. The caller answers
    the same whatever this returns (True: an e-mail was queued)."""
    if purpose not in ("magic", "reset"):
        raise ValueError(f"one asks for a magic or a reset link, not {purpose!r}")
    if login_throttle.retry_after(store, email, address, LINK_REQUESTS) is not None:
        return False
    login_throttle.record_failure(store, email, address, LINK_REQUESTS)  # counts every ask
    person = portal_people.find(store, email)
    if person is None or not portal_people.may_sign_in(store, person.id):
        return False
    send_link(store, config, person.id, purpose)
    return True


def add_delivery_address(
    store: Store, erp: ErpPortalParties, company_id: int, address: PartyAddress, *, actor: str
) -> int:
    """A new delivery address on the company's ERP party (the ERP keeps addresses; the
    audit log keeps who added which)."""
    company = portal_accounts.company(store, company_id)
    if company is None:
        raise PortalAccountError(f"there is no portal company {company_id}")
    address_id = erp.add_party_address(company.party_id, address)
    with store.transaction() as conn:
        audit.record(
            conn, actor=actor, action="portal.address.add",
            subject=f"portal-company:{company_id}", before=None,
            after={"address_id": address_id, "address": address.one_line()},
        )  # fmt: skip
    return address_id


def add_company_for_party(
    store: Store, erp: ErpPortalParties, party_id: int, *, actor: str
) -> portal_accounts.Company:
    """Make this ERP party a portal company, named as the ERP names it."""
    party = erp.portal_party(party_id)
    if party is None:
        raise PortalAccountError(f"the ERP has no party {party_id}")
    return portal_accounts.add_company(store, party.party_id, party.name, actor=actor)
