"""A HubSpot sandbox portal per test module, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway_sandbox.hubspot.server import HubSpotSandboxServer
from causeway_sandbox.hubspot.settings import HubSpotSandboxSettings
from causeway_sandbox.shopify.settings import FaultSettings


@pytest.fixture(scope="module")
def crm_server() -> Iterator[HubSpotSandboxServer]:
    with HubSpotSandboxServer(HubSpotSandboxSettings(rate_max=1000)) as server:
        yield server


@pytest.fixture
def crm(crm_server: HubSpotSandboxServer) -> Iterator[HubSpotSandboxServer]:
    crm_server.control("POST", "reset")
    # Every knob back to "no faults", whatever the previous test set.
    crm_server.control("POST", "faults", json={**FaultSettings().model_dump(), "seed": 0})
    yield crm_server


@pytest.fixture
def hubspot(crm: HubSpotSandboxServer) -> Iterator[HubSpotConnector]:
    connector = HubSpotConnector(crm.url, crm.token, system="crm")
    yield connector
    connector.close()
