"""`causeway portal companies|add-company|invite`: the B2B portal's companies and their
people from the command line (docs/portal/accounts.md, "From the command line").

Every change is audited with the actor `cli:<operating-system user>`, as the console's
are with the person's e-mail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, cast

import typer

from causeway.cli.common import (
    BAD_CONFIG,
    FAILED,
    Column,
    ConfigOption,
    app,
    console,
    fail,
    load_or_exit,
    open_store,
    print_listing,
)

portal_app = typer.Typer(
    help="The B2B portal's companies (ERP parties) and the people who order for them: "
    "buyer (orders up to a limit), approver (also approves orders over it), admin (also "
    "manages the company's people and addresses).",
    no_args_is_help=True,
)
app.add_typer(portal_app, name="portal")


@portal_app.command("companies")
def companies(
    config: ConfigOption = Path("causeway.yaml"),
    as_json: Annotated[bool, typer.Option("--json", help="print as JSON")] = False,
) -> None:
    """Every portal company: its id (for --company), ERP party and people."""
    from causeway.engine import portal_accounts

    with open_store(load_or_exit(config), create=True) as store:
        rows: list[dict[str, Any]] = [
            {
                "id": c.id,
                "name": c.name,
                "party_id": c.party_id,
                "people": len(portal_accounts.members_of(store, c.id)),
                "disabled_at": c.disabled_at,
            }
            for c in portal_accounts.companies(store)
        ]
    print_listing(
        rows,
        [
            Column("id", "id"),
            Column("name", "company"),
            Column("party_id", "ERP party"),
            Column("people", "people"),
            Column("disabled_at", "disabled", ""),
        ],
        as_json=as_json,
        title="Portal companies",
        empty="no portal company yet: `causeway portal add-company --party NAME_OR_ID`",
    )


@portal_app.command("add-company")
def add_company(
    party: Annotated[
        str, typer.Option("--party", help="the ERP party: its id, or (part of) its name or code")
    ],
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Make an ERP party a portal company (its prices, credit and orders are the ERP's)."""
    from causeway.engine.audit import cli_actor
    from causeway.engine.portal_accounts import PortalAccountError
    from causeway.errors import CausewayError
    from causeway.hub import Hub
    from causeway.model.ports.portal import ErpPortalParties
    from causeway.portal import accounts

    settings = load_or_exit(config)
    if not settings.portal.erp or settings.portal.erp not in settings.systems:
        raise fail("portal.erp: name the ERP system the portal reads in causeway.yaml", BAD_CONFIG)
    hub = Hub(settings)
    try:
        erp = cast(ErpPortalParties, hub.connectors[settings.portal.erp])
        party_id = int(party) if party.strip().isdigit() else None
        if party_id is None:
            found = list(erp.find_parties(party, limit=10))
            exact = [p for p in found if p.name.lower() == party.strip().lower()]
            if len(exact) == 1 or len(found) == 1:
                party_id = (exact or found)[0].party_id
            elif not found:
                raise fail(f"no ERP party's name, code or e-mail contains {party!r}", BAD_CONFIG)
            else:
                names = ", ".join(f"{p.name} ({p.party_id})" for p in found)
                raise fail(f"{party!r} matches several parties: {names}; give its id", BAD_CONFIG)
        company = accounts.add_company_for_party(hub.store, erp, party_id, actor=cli_actor())
    except PortalAccountError as exc:
        raise fail(str(exc), BAD_CONFIG) from None
    except CausewayError as exc:
        raise fail(f"the ERP: {hub.redact(str(exc))}", FAILED) from None
    finally:
        hub.stop()
    console.print(
        f"{company.name} (ERP party {company.party_id}) is portal company {company.id}: "
        f"`causeway portal invite EMAIL --company {company.id} --role admin` invites its first "
        "admin.",
        highlight=False,
    )


@portal_app.command("invite")
def invite(
    email: Annotated[str, typer.Argument(help="the person's e-mail: their login")],
    company: Annotated[int, typer.Option("--company", help="the company's id (portal companies)")],
    role: Annotated[str, typer.Option("--role", help="buyer, approver or admin")],
    limit: Annotated[
        str | None,
        typer.Option("--limit", help="the most a buyer orders without approval, e.g. 2500.00"),
    ] = None,
    name: Annotated[str, typer.Option("--name", help="the person's name")] = "",
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Add a person to a company and e-mail them their invitation (the hub sends it)."""
    from causeway.engine.audit import cli_actor
    from causeway.portal import accounts

    settings = load_or_exit(config)
    try:
        with open_store(settings, create=True) as store:
            member = accounts.invite(
                store, settings, company, email, role, actor=cli_actor(), order_limit=limit,
                name=name,
            )  # fmt: skip
    except ValueError as exc:
        raise fail(str(exc), BAD_CONFIG) from None
    limit_text = f", orders up to {member.order_limit}" if member.order_limit is not None else ""
    console.print(
        f"{member.email} is {member.role} of {member.company_name}{limit_text}; their "
        "invitation is in the outbox (the running hub sends it).",
        highlight=False,
    )
