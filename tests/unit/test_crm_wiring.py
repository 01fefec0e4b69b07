"""customers-to-crm and cases in causeway.yaml: checked against the systems they name,
and wired so that ticket webhooks start a case job and nothing else does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.engine.inbox import InboxRecord
from causeway.engine.schedule import INTERVAL, REALTIME
from causeway.errors import ConfigError
from causeway.hub import Hub

SYSTEMS = {
    "shop": {
        "type": "shopify",
        "shop_url": "http://127.0.0.1:9",
        "access_token": "t",
        "webhook_secret": "s",
    },
    "crm": {
        "type": "hubspot",
        "base_url": "http://127.0.0.1:9",
        "access_token": "t",
        "client_secret": "s",
        "portal_id": 62515,
    },
}


def config(tmp_path: Path, flows: dict[str, Any]) -> Any:
    return parse_config(
        {
            "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
            "server": {"public_url": "https://hub.example.com"},
            "systems": SYSTEMS,
            "flows": flows,
        }
    )


def test_the_flows_refuse_systems_of_the_wrong_kind(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"customers-to-crm\.target: system 'shop'"):
        config(tmp_path, {"customers-to-crm": {"source": "shop", "target": "shop"}})
    with pytest.raises(ConfigError, match=r"cases\.source: system 'shop' is a shopify"):
        config(tmp_path, {"cases": {"source": "shop", "target": "shop"}})


def test_defaults_run_every_five_minutes_with_documented_rfm_thresholds(tmp_path: Path) -> None:
    parsed = config(
        tmp_path,
        {
            "customers-to-crm": {"source": "shop", "target": "crm", "rfm": {"recent_days": 30}},
            "cases": {"source": "crm", "target": "shop"},
        },
    )
    customers = parsed.flows.customers_to_crm
    assert customers is not None
    assert customers.effective_schedule().mode == INTERVAL
    assert customers.effective_schedule().every_seconds == 300
    assert (customers.rfm.recent_days, customers.rfm.lapsing_days) == (30, 180)
    cases = parsed.flows.cases
    assert cases is not None and cases.effective_schedule().mode == REALTIME
    assert cases.effective_schedule().every_seconds == 300
    assert cases.order_property == "causeway_order_number"


def test_a_ticket_webhook_starts_one_case_job_keyed_by_the_ticket(tmp_path: Path) -> None:
    hub = Hub(
        config(
            tmp_path,
            {
                "customers-to-crm": {"source": "shop", "target": "crm"},
                "cases": {"source": "crm", "target": "shop"},
            },
        )
    )
    try:

        def record(topic: str) -> InboxRecord:
            return InboxRecord(
                source="crm", event_id="1", topic=topic, entity_key="ticket:77", body=b"{}"
            )

        (job,) = hub.route(record("ticket.creation"), 1)
        assert (job.flow, job.ordering_key, job.payload) == (
            "cases",
            "crm:ticket:77",
            {"ticket": "77"},
        )
        assert len(hub.route(record("ticket.propertyChange.causeway_order_number"), 2)) == 1
        # Our own writes of the order's state come back as webhooks: they start nothing.
        assert hub.route(record("ticket.propertyChange.causeway_shipment"), 3) == []
        assert hub.webhook_topics("crm") == [
            "ticket.creation",
            "ticket.propertyChange.causeway_order_number",
        ]
    finally:
        hub.stop()
