"""`causeway portal ...` as an operator uses it: make an ERP party (the real Tryton's) a
portal company by name or id, list the companies, invite people; mistakes in one
sentence, nothing half done."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from causeway.cli import app
from causeway.engine import portal_accounts
from causeway.engine.schema import mail_outbox
from causeway.engine.store import Store

runner = CliRunner()


def config_file(tmp_path: Path, erp: dict[str, object]) -> Path:
    path = tmp_path / "causeway.yaml"
    config = {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        "server": {"public_url": "https://shop.example"},
        "systems": {"erp": {"type": "tryton", **erp}},
        "portal": {"enabled": True, "erp": "erp"},
    }
    path.write_text(yaml.safe_dump(config))
    return path


def cli(path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["portal", *args, "-c", str(path)])
    return result.exit_code, " ".join(result.output.split())


NOWHERE = {"url": "http://127.0.0.1:9", "database": "d", "username": "u", "password": "p"}


def test_invite_adds_the_person_and_queues_their_invitation(tmp_path: Path) -> None:
    path = config_file(tmp_path, NOWHERE)
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    store.migrate()
    company = portal_accounts.add_company(store, 7, "Acme Retail Ltd", actor="test")
    code, out = cli(
        path,
        "invite",
        "Ann@Acme.example",
        "--company",
        str(company.id),
        "--role",
        "buyer",
        "--limit",
        "2500.00",
    )
    assert code == 0, out
    assert "ann@acme.example is buyer of Acme Retail Ltd, orders up to 2500.00" in out
    with store.read() as conn:
        (mail,) = conn.execute(select(mail_outbox)).all()
    assert "https://shop.example/portal/welcome/" in mail.text_body
    code, out = cli(path, "companies", "--json")
    assert code == 0 and json.loads(out)[0]["people"] == 1
    for args, reason in [
        (
            ("invite", "bob@acme.example", "--company", "999", "--role", "buyer"),
            "no portal company",
        ),
        (("invite", "bob", "--company", str(company.id), "--role", "buyer"), "not an e-mail"),
        (("invite", "bob@acme.example", "--company", str(company.id), "--role", "boss"), "role"),
        (
            (
                "invite",
                "bob@acme.example",
                "--company",
                str(company.id),
                "--role",
                "buyer",
                "--limit",
                "much",
            ),
            "not an amount",
        ),
    ]:
        code, out = cli(path, *args)
        assert code == 2 and reason in out and "Traceback" not in out, (args, out)
    assert len(portal_accounts.members_of(store, company.id)) == 1


@pytest.mark.tryton
def test_add_company_finds_the_erp_party_by_name_once(tmp_path: Path, tryton_server) -> None:
    path = config_file(
        tmp_path,
        {
            "url": tryton_server.url,
            "database": tryton_server.database,
            "username": tryton_server.username,
            "password": tryton_server.password,
        },
    )
    code, out = cli(path, "add-company", "--party", "Birch Supplies")
    assert code == 0, out
    assert "Birch Supplies (ERP party" in out
    code, out = cli(path, "add-company", "--party", "Birch Supplies")
    assert code == 2 and "already a portal company" in out
    code, out = cli(path, "add-company", "--party", "no such party anywhere")
    assert code == 2 and "no ERP party" in out
    code, out = cli(path, "add-company", "--party", "987654321")
    assert code == 2 and "no party 987654321" in out
    code, out = cli(path, "companies")
    assert code == 0 and "Birch Supplies" in out
