"""quotes-to-erp and margins-to-crm in causeway.yaml and in the hub: which systems they
need, when they run, and which received changes start their jobs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.engine.inbox import InboxRecord
from causeway.engine.schedule import INTERVAL, REALTIME
from causeway.errors import ConfigError
from causeway.flows.quotes_to_erp import is_won_event, milestones_of
from causeway.hub import Hub


def config(tmp_path: Path, flows: dict[str, Any]) -> dict[str, Any]:
    return {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        "server": {"public_url": "https://hub.example.com"},
        "systems": {
            "crm": {
                "type": "hubspot",
                "base_url": "http://127.0.0.1:9",
                "access_token": "t",
                "client_secret": "s",
                "portal_id": 62515,
            },
            "erp": {
                "type": "tryton",
                "url": "http://127.0.0.1:9",
                "database": "d",
                "username": "u",
                "password": "p",
            },
        },
        "flows": flows,
    }


BOTH = {
    "quotes-to-erp": {"source": "crm", "target": "erp"},
    "margins-to-crm": {"source": "erp", "target": "crm"},
}


def test_quotes_run_in_real_time_with_a_5_minute_poll_and_margins_every_15_minutes(
    tmp_path: Path,
) -> None:
    flows = parse_config(config(tmp_path, BOTH), env={}).flows
    assert flows.quotes_to_erp is not None and flows.margins_to_crm is not None
    quotes = flows.quotes_to_erp.effective_schedule()
    margins = flows.margins_to_crm.effective_schedule()
    assert (quotes.mode, quotes.every_seconds) == (REALTIME, 300.0)
    assert (margins.mode, margins.every_seconds) == (INTERVAL, 900.0)
    assert flows.quotes_to_erp.won_stages == ["closedwon"]


@pytest.mark.parametrize(
    ("flows", "message"),
    [
        (
            {"quotes-to-erp": {"source": "erp", "target": "erp"}},
            "flows.quotes-to-erp.source: system 'erp' is a tryton, but this flow needs a hubspot",
        ),
        (
            {"margins-to-crm": {"source": "erp", "target": "erp"}},
            "flows.margins-to-crm.target: system 'erp' is a tryton, but this flow needs a hubspot",
        ),
        (
            {"quotes-to-erp": {"source": "crm", "target": "erp", "won_stages": []}},
            "won_stages",
        ),
    ],
)
def test_a_flow_between_the_wrong_kinds_of_system_is_refused_naming_the_key(
    tmp_path: Path, flows: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(config(tmp_path, flows), env={})


def record(topic: str, entity: str, body: dict[str, Any]) -> InboxRecord:
    return InboxRecord(
        source="crm",
        event_id=f"{topic}-{entity}",
        topic=topic,
        entity_key=entity,
        body=json.dumps(body).encode(),
    )


def test_a_dealstage_change_starts_a_quotes_job_keyed_by_the_deal_and_nothing_else_does(
    tmp_path: Path,
) -> None:
    hub = Hub(parse_config(config(tmp_path, BOTH), env={}))
    try:
        (job,) = hub.route(
            record("deal.propertyChange.dealstage", "deal:1001", {"propertyValue": "closedwon"}),
            7,
        )
        assert (job.flow, job.ordering_key, job.payload) == (
            "quotes-to-erp",
            "crm:deal:1001",
            {"inbox_id": 7},
        )
        assert hub.route(record("contact.creation", "contact:5", {}), 8) == []
        assert hub.route(record("deal.propertyChange.amount", "deal:1001", {}), 9) == []
        assert hub.wired["quotes-to-erp"].run_payload == {"poll": True}
        assert hub.wired["margins-to-crm"].run_payload == {"run": True}
    finally:
        hub.stop()


def test_only_a_change_to_a_won_stage_is_a_won_deal() -> None:
    won = ("closedwon", "won-custom")
    topic = "deal.propertyChange.dealstage"
    assert is_won_event(topic, "won-custom", won)
    assert not is_won_event(topic, "contractsent", won)
    assert not is_won_event(topic, None, won)
    assert is_won_event("deals/poll", None, won)


def test_the_erp_state_written_to_a_deal_marks_the_orders_milestones() -> None:
    assert milestones_of("processing") == []
    assert milestones_of("shipped, invoiced") == ["shipped", "invoiced"]
    assert milestones_of("partially shipped, paid") == ["partially_shipped", "paid"]
    assert milestones_of("cancelled") == ["cancelled"]
