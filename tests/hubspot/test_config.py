"""A causeway.yaml can name a HubSpot system: validated, and built into a connector."""

from __future__ import annotations

import pytest

from causeway.config import HubSpotSystem, parse_config
from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.connectors.registry import build_connector
from causeway.engine.rate import RateBudgets
from causeway.errors import ConfigError

YAML = {
    "server": {"public_url": "https://hub.example.com"},
    "systems": {
        "crm": {
            "type": "hubspot",
            "access_token": "pat-na1-token",
            "client_secret": "app-secret",
            "portal_id": 62515,
            "requests_per_interval": 190,
        }
    },
}


def test_a_hubspot_system_gets_hubspots_url_and_a_budget_from_its_limit() -> None:
    config = parse_config(YAML)
    system = config.systems["crm"]
    assert isinstance(system, HubSpotSystem)
    assert system.base_url == "https://api.hubapi.com"
    budgets = RateBudgets()
    connector = build_connector("crm", system, budgets)
    assert isinstance(connector, HubSpotConnector)
    [budget] = budgets.all()
    assert (budget.capacity, budget.refill_per_second) == (190, 19.0)
    # The same token shares one budget, whichever connector uses it.
    again = build_connector("crm-copy", system, budgets)
    assert again.client.budget is connector.client.budget
    connector.close()
    again.close()


def test_a_missing_secret_or_a_misspelt_key_is_named() -> None:
    with pytest.raises(ConfigError, match="client_secret"):
        parse_config({"systems": {"crm": {"type": "hubspot", "access_token": "t"}}})
    bad = {**YAML, "systems": {"crm": {**YAML["systems"]["crm"], "acces_token": "x"}}}
    with pytest.raises(ConfigError, match="acces_token"):
        parse_config(bad)
