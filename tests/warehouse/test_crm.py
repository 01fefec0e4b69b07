"""The CRM's part of the warehouse: deals in fact_deals with their golden customer and
ERP sale, the contacts' lifecycle stage in dim_customer, incremental equal to full, a
CRM error that loses nothing; and the same read from the HubSpot sandbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from causeway.cli import app
from causeway.config import CausewayConfig, parse_config
from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.engine import links
from causeway.engine.store import Store
from causeway.warehouse.build import OVERLAP, STEPS, build
from causeway.warehouse.duck import WarehouseError
from causeway.warehouse.schema import TABLES
from causeway_sandbox.hubspot.server import HubSpotSandboxServer
from causeway_sandbox.hubspot.settings import HubSpotSandboxSettings
from tests.warehouse import hub_rows as seed
from tests.warehouse.conftest import TODAY, config_data, seed_first_day
from tests.warehouse.crm_double import CrmDouble, at
from tests.warehouse.erp_double import ErpDouble

OLD = at("2026-03-25")  # when the first scene's records last changed in the CRM


def crm_config(store_url: str, base_url: str = "http://127.0.0.1:9", **warehouse: Any) -> Any:
    data = config_data(store_url, **warehouse)
    data["server"] = {"public_url": "https://hub.example.com"}
    data["systems"]["crm"] = {
        "type": "hubspot",
        "base_url": base_url,
        "access_token": "pat-sandbox-token",
        "client_secret": "app-secret-0123456789abcdef",
        "portal_id": 62515,
    }
    return data


@pytest.fixture
def crm_settings(hub_store: Store) -> CausewayConfig:
    return parse_config(crm_config(str(hub_store.url)), env={})


def link(store: Store, kind: str, external_id: str, hub_id: str, *, system: str = "crm") -> None:
    with store.transaction() as conn:
        links.save(conn, hub_id=hub_id, system=system, entity_type=kind, external_id=external_id)


def table(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def every_row(path: Path, name: str) -> list[tuple[Any, ...]]:
    return sorted(table(path, f"SELECT * FROM {name}"), key=repr)


def scene(store: Store, erp: ErpDouble, crm: CrmDouble) -> None:
    """c1 is CRM contact 101 (customers-to-crm's link); c2 is contact 102 through a
    deal order's customer link. Deal 1 was won and placed as ERP sale 7."""
    seed_first_day(store, erp)
    link(store, "contact", "101", "c1")
    link(store, "customer", "102", "c2")
    link(store, "deal", "1", "order-of-deal-1")
    link(store, "sale", "7", "order-of-deal-1", system="erp")
    crm.deal("1", amount="1000", state="won", stage="closedwon", contacts=["101", "150"],
             closed="2026-03-03", modified=OLD)  # fmt: skip
    crm.deal("2", amount="500", currency="USD", contacts=["102"], closed="2026-03-12",
             modified=OLD)  # fmt: skip
    crm.deal("3", amount="70", contacts=[], modified=OLD)  # no contact
    # The ERP has no rate for GBP.
    crm.deal("4", amount="30", currency="GBP", contacts=["101"], modified=OLD)
    crm.deal("5", amount=None, state=None, stage="made-up-stage", contacts=["999"],
             modified=at("2026-03-20"))  # fmt: skip
    crm.contact("101", "customer", modified=OLD)
    crm.contact("102", None, segment="loyal", modified=OLD)
    crm.contact("103", "lead", modified=OLD)  # nobody's


def test_deals_land_with_their_golden_customer_and_erp_sale(
    tmp_path: Path, hub_store: Store, crm_settings: CausewayConfig, erp: ErpDouble
) -> None:
    crm = CrmDouble()
    scene(hub_store, erp, crm)
    path = tmp_path / "warehouse.duckdb"
    report = build(hub_store, path, erp=erp, crm=crm, settings=crm_settings, today=TODAY)

    assert {"crm deals", "crm contacts"} <= set(STEPS)
    assert (report.read["crm deals"], report.read["crm contacts"]) == (5, 3)
    found = {
        r[0]: r[1:]
        for r in table(
            path,
            "SELECT deal_id, customer_id, contact_id, contact_count, state, stage, currency, "
            "amount, rate, amount_company, in_erp, erp_sale_id, order_key FROM fact_deals",
        )
    }
    assert found["1"] == ("c1", "101", 2, "won", "closedwon", "EUR", Decimal("1000"),
                          Decimal(1), Decimal("1000"), True, 7, "order-of-deal-1")  # fmt: skip
    # USD at the ERP's rate of the close date (0.8 from 10 March on).
    assert found["2"][:2] == ("c2", "102")
    assert found["2"][6:] == (Decimal("500"), Decimal("0.8"), Decimal("400"), False, None, None)
    assert found["3"][:3] == (None, None, 0)
    assert found["4"][0] == "c1" and found["4"][7:9] == (None, None)  # no rate: not converted
    assert found["5"][:1] + found["5"][3:5] == (None, None, "made-up-stage")
    total = table(path, "SELECT sum(amount_company) FROM fact_deals")[0][0]
    assert total == Decimal("1470")  # 1000 + 400 + 70: the GBP deal is in no such sum

    segments = dict(table(path, "SELECT customer_id, crm_segment FROM dim_customer"))
    assert (segments["c1"], segments["c2"]) == ("customer", "loyal")
    # The days of the deals are days of the calendar.
    assert table(path, "SELECT count(*) FROM dim_date WHERE date = '2026-03-03'") == [(1,)]


def test_without_a_crm_there_are_no_deals_and_segments_come_from_the_golden_record(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    seed_first_day(hub_store, erp)
    path = tmp_path / "warehouse.duckdb"
    report = build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    assert report.tables["fact_deals"] == 0
    assert report.read["crm deals"] == 0
    assert table(path, "SELECT crm_segment FROM dim_customer WHERE customer_id = 'c1'") == [(None,)]


def later(store: Store, crm: CrmDouble) -> None:
    """Deal 2 won and placed, a new deal, a contact linked later, a lifecycle change, c2
    merged into c1."""
    crm.deal("2", amount="550", currency="USD", state="won", stage="closedwon",
             contacts=["102"], closed="2026-03-20")  # fmt: skip
    link(store, "deal", "2", "order-of-deal-2")
    link(store, "sale", "8", "order-of-deal-2", system="erp")
    crm.deal("6", amount="20", contacts=["103"])
    link(store, "contact", "103", "c3")
    link(store, "contact", "999", "c3")  # deal 5 is not read again: the link alone is new
    seed.put_customer(store, "c3")
    crm.contact("101", "evangelist")
    seed.put_customer(store, "c2", merged_into="c1")


def test_an_incremental_build_equals_a_full_one(
    tmp_path: Path, hub_store: Store, crm_settings: CausewayConfig, erp: ErpDouble
) -> None:
    crm = CrmDouble()
    scene(hub_store, erp, crm)
    incremental = tmp_path / "inc.duckdb"
    build(hub_store, incremental, erp=erp, crm=crm, settings=crm_settings, today=TODAY)
    later(hub_store, crm)
    second = build(hub_store, incremental, erp=erp, crm=crm, settings=crm_settings, today=TODAY)
    assert not second.full
    # From the newest change read, less the overlap (which re-reads the scene's deals).
    assert crm.asked[-1] == OLD - dt.timedelta(seconds=OVERLAP)
    rebuilt = tmp_path / "full.duckdb"
    build(hub_store, rebuilt, erp=erp, crm=crm, settings=crm_settings, full=True, today=TODAY)
    for name in TABLES:
        assert every_row(incremental, name.name) == every_row(rebuilt, name.name), name.name

    found = table(
        incremental,
        "SELECT customer_id, state, amount, erp_sale_id FROM fact_deals WHERE deal_id = '2'",
    )
    assert found == [("c1", "won", Decimal("550"), 8)]  # replaced; c2 is c1 now
    assert table(incremental, "SELECT customer_id FROM fact_deals WHERE deal_id = '6'") == [("c3",)]
    segments = dict(table(incremental, "SELECT customer_id, crm_segment FROM dim_customer"))
    assert (segments["c1"], segments["c3"]) == ("evangelist", "lead")


def test_a_crm_error_fails_the_build_clearly_and_loses_nothing(
    tmp_path: Path, hub_store: Store, crm_settings: CausewayConfig, erp: ErpDouble
) -> None:
    crm = CrmDouble()
    scene(hub_store, erp, crm)
    path = tmp_path / "warehouse.duckdb"
    build(hub_store, path, erp=erp, crm=crm, settings=crm_settings, today=TODAY)
    before = {t.name: every_row(path, t.name) for t in TABLES}
    crm.deal("7", contacts=["101"])
    crm.deal("8", contacts=["101"])
    crm.deal("9", contacts=["101"])
    crm.failing = "HubSpot refused POST /crm/v3/objects/deals/search (HTTP 401): bad token"
    with pytest.raises(WarehouseError, match=r"the CRM 'crm' answered an error.*HTTP 401"):
        build(hub_store, path, erp=erp, crm=crm, settings=crm_settings, today=TODAY)
    assert {t.name: every_row(path, t.name) for t in TABLES} == before
    crm.failing = None
    build(hub_store, path, erp=erp, crm=crm, settings=crm_settings, today=TODAY)
    assert table(path, "SELECT count(*) FROM fact_deals WHERE deal_id IN ('7', '8', '9')") == [(3,)]


def test_a_crm_without_a_crm_system_configured_is_refused(
    tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble
) -> None:
    with pytest.raises(WarehouseError, match="names no CRM system"):
        build(hub_store, tmp_path / "w.duckdb", erp=erp, crm=CrmDouble(), settings=settings)


def test_the_crm_key_names_a_crm_system_or_none(hub_store: Store) -> None:
    url = str(hub_store.url)
    assert parse_config(crm_config(url), env={}).warehouse_crm() == "crm"
    assert parse_config(crm_config(url, crm="none"), env={}).warehouse_crm() is None
    with pytest.raises(Exception, match=r"warehouse\.crm: 'erp' is not a CRM system"):
        parse_config(crm_config(url, crm="erp"), env={})


# -- from the HubSpot sandbox ---------------------------------------------------------------
@pytest.fixture
def sandbox() -> Iterator[HubSpotSandboxServer]:
    with HubSpotSandboxServer(HubSpotSandboxSettings(rate_max=1000)) as server:
        yield server


def test_deals_and_segments_from_the_hubspot_sandbox(
    tmp_path: Path, hub_store: Store, erp: ErpDouble, sandbox: HubSpotSandboxServer
) -> None:
    settings = parse_config(crm_config(str(hub_store.url), sandbox.url), env={})
    seed_first_day(hub_store, erp)
    won = sandbox.control(
        "POST",
        "deals",
        json={
            "dealname": "Won",
            "dealstage": "closedwon",
            "amount": "250",
            "contact": {"email": "kim@example.com", "lifecyclestage": "customer"},
            "properties": {"deal_currency_code": "USD", "closedate": "2026-03-12"},
        },
    ).json()
    sandbox.control("POST", "deals", json={"dealname": "Alone", "amount": "10"})
    link(hub_store, "contact", won["contact_id"], "c1")
    path = tmp_path / "warehouse.duckdb"
    hubspot = HubSpotConnector(sandbox.url, sandbox.token, system="crm")
    try:
        build(hub_store, path, erp=erp, crm=hubspot, settings=settings, today=TODAY)
    finally:
        hubspot.close()
    found = table(
        path,
        "SELECT customer_id, state, currency, amount_company FROM fact_deals ORDER BY deal_id",
    )
    assert found == [("c1", "won", "USD", Decimal("200")), (None, "open", "EUR", Decimal("10"))]
    assert table(path, "SELECT crm_segment FROM dim_customer WHERE customer_id = 'c1'") == [
        ("customer",)
    ]

    wrong = HubSpotConnector(sandbox.url, "pat-wrong", system="crm")
    try:
        with pytest.raises(WarehouseError, match="access_token is wrong"):
            build(hub_store, path, erp=erp, crm=wrong, settings=settings, today=TODAY, full=True)
    finally:
        wrong.close()
    assert table(path, "SELECT count(*) FROM fact_deals") == [(2,)]


def test_the_command_line_build_reads_the_configured_crm(
    tmp_path: Path, hub_store: Store, sandbox: HubSpotSandboxServer
) -> None:
    sandbox.control("POST", "deals", json={"dealname": "CLI", "amount": "5"})
    target = tmp_path / "warehouse.duckdb"
    data = crm_config(str(hub_store.url), sandbox.url, erp="none", path=str(target))
    config = tmp_path / "causeway.yaml"
    config.write_text(yaml.safe_dump(data))
    built = CliRunner().invoke(app, ["warehouse", "build", "--config", str(config)])
    assert built.exit_code == 0, built.output
    assert "fact_deals" in built.output
    assert table(target, "SELECT amount, state FROM fact_deals") == [(Decimal("5"), "open")]

    data["systems"]["crm"]["access_token"] = "pat-wrong"
    config.write_text(yaml.safe_dump(data))
    refused = CliRunner().invoke(app, ["warehouse", "build", "--config", str(config)])
    assert refused.exit_code != 0
    assert "access_token is wrong" in " ".join(refused.output.split())
