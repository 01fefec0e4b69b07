"""A HubSpot sandbox portal per test module, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.sandbox.hubspot.server import HubSpotSandboxServer
from causeway.sandbox.hubspot.settings import HubSpotSandboxSettings


@pytest.fixture(scope="module")
def crm_server() -> Iterator[HubSpotSandboxServer]:
    with HubSpotSandboxServer(HubSpotSandboxSettings(rate_max=1000)) as server:
        yield server


@pytest.fixture
def crm(crm_server: HubSpotSandboxServer) -> Iterator[HubSpotSandboxServer]:
    crm_server.control("POST", "reset")
    crm_server.control("POST", "faults", json={"error_rate_5xx": 0.0, "rate_429": 0.0, "seed": 0})
    yield crm_server


@pytest.fixture
def hubspot(crm: HubSpotSandboxServer) -> Iterator[HubSpotConnector]:
    connector = HubSpotConnector(crm.url, crm.token, system="crm")
    yield connector
    connector.close()
