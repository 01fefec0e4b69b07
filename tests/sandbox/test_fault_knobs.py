"""Every vendor sandbox's fault knobs, one control API (causeway_sandbox.common).

A test sets the scene the same way against Shopify, HubSpot and WooCommerce: read the
knobs and the seed, change some, and get a 422 naming a knob that is wrong, never a 500
that leaves the knobs as they were without saying why.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from causeway_sandbox.common import VendorSandboxServer
from causeway_sandbox.hubspot.server import HubSpotSandboxServer
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.woocommerce import WooSandboxServer

# Each sandbox and the verb its control API has always taken for a change.
SANDBOXES = [(SandboxServer, "PUT"), (HubSpotSandboxServer, "POST"), (WooSandboxServer, "PUT")]


@pytest.fixture(params=SANDBOXES, ids=["shopify", "hubspot", "woocommerce"])
def sandbox(request: pytest.FixtureRequest) -> Iterator[tuple[VendorSandboxServer, str]]:
    server_class, verb = request.param
    with server_class() as server:
        yield server, verb


def test_the_knobs_and_the_seed_are_read_and_changed_in_part(
    sandbox: tuple[VendorSandboxServer, str],
) -> None:
    server, verb = sandbox
    before = server.control("GET", "faults").json()
    assert (before["error_rate_5xx"], before["seed"]) == (0.0, 0)
    after = server.control(verb, "faults", json={"error_rate_5xx": 0.25, "seed": 7}).json()
    assert (after["error_rate_5xx"], after["rate_429"], after["seed"]) == (0.25, 0.0, 7)
    assert server.control("GET", "faults").json() == after


@pytest.mark.parametrize(
    "knobs",
    [{"error_rate_5xx": 2}, {"error_rate_5xx": 0.7, "rate_429": 0.7}],
    ids=["out-of-range", "rates-over-1"],
)
def test_a_wrong_knob_is_a_422_that_says_why_and_changes_nothing(
    sandbox: tuple[VendorSandboxServer, str], knobs: dict[str, float]
) -> None:
    server, verb = sandbox
    answer = httpx.request(verb, f"{server.url}/_sandbox/faults", json=knobs, trust_env=False)
    assert answer.status_code == 422
    assert "error_rate_5xx" in answer.text or "must not exceed 1" in answer.text
    assert server.control("GET", "faults").json()["error_rate_5xx"] == 0.0


def test_a_body_that_is_not_an_object_of_knobs_is_a_422(
    sandbox: tuple[VendorSandboxServer, str],
) -> None:
    server, verb = sandbox
    for body in ({"content": b"[1, 2]"}, {"content": b"not json"}):
        answer = httpx.request(verb, f"{server.url}/_sandbox/faults", trust_env=False, **body)
        assert (answer.status_code, answer.json()["detail"]) == (422, "send a JSON object of knobs")
