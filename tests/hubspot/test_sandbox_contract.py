"""The HubSpot sandbox speaks HubSpot's wire contract: shapes, limits, auth, webhook retries.

These go over raw HTTP, not through the connector, so a connector bug cannot hide
a sandbox bug (or the other way round).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from causeway.connectors.hubspot.webhooks import verify_v3
from causeway_sandbox.hubspot.server import HubSpotSandboxServer
from causeway_sandbox.hubspot.settings import HubSpotSandboxSettings
from causeway_sandbox.localserver import BackgroundServer


class Receiver:
    """A webhook target that fails the first `fail_first` deliveries with 500."""

    def __init__(self, secret: str, fail_first: int = 0) -> None:
        self.secret = secret
        self.fail_first = fail_first
        self.received: list[tuple[list[dict], str | None]] = []
        self.lock = threading.Lock()
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            body = await request.body()
            problem = verify_v3(
                self.secret,
                "POST",
                str(request.url),
                body,
                request.headers.get("x-hubspot-signature-v3"),
                request.headers.get("x-hubspot-request-timestamp"),
            )
            with self.lock:
                self.received.append((json.loads(body), problem))
                failing = len(self.received) <= self.fail_first
            return Response(status_code=500 if failing else 204)

        self.server = BackgroundServer(app, name="receiver")


@pytest.fixture
def api(crm: HubSpotSandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=crm.url, headers={"Authorization": f"Bearer {crm.token}"}, trust_env=False
    ) as client:
        yield client


def test_objects_have_hubspots_shape_and_rate_limit_headers(api: httpx.Client) -> None:
    response = api.post("/crm/v3/objects/contacts", json={"properties": {"email": "A@B.example"}})
    assert response.status_code == 201
    body = response.json()
    assert isinstance(body["id"], str) and body["id"].isdigit()
    assert body["archived"] is False and body["createdAt"].endswith("Z")
    assert body["properties"]["email"] == "a@b.example"
    assert response.headers["X-HubSpot-RateLimit-Max"] == "1000"
    assert response.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    duplicate = api.post("/crm/v3/objects/contacts", json={"properties": {"email": "a@B.EXAMPLE"}})
    assert duplicate.status_code == 409
    assert duplicate.json()["message"] == f"Contact already exists. Existing ID: {body['id']}"


def test_partial_batch_errors_are_a_207_with_num_errors(api: httpx.Client) -> None:
    response = api.post(
        "/crm/v3/objects/contacts/batch/upsert",
        json={
            "inputs": [
                {"idProperty": "email", "id": "ok@example.com", "properties": {}},
                {"idProperty": "email", "id": "bad", "properties": {}},
            ]
        },
    )
    assert response.status_code == 207
    body = response.json()
    assert (body["status"], body["numErrors"], len(body["results"])) == ("COMPLETE", 1, 1)
    assert body["errors"][0]["category"] == "VALIDATION_ERROR"
    too_many = [{"idProperty": "email", "id": f"p{i}@x.example"} for i in range(101)]
    refused = api.post("/crm/v3/objects/contacts/batch/upsert", json={"inputs": too_many})
    assert refused.status_code == 400 and refused.json()["status"] == "error"


def test_a_missing_or_wrong_token_is_refused(crm: HubSpotSandboxServer) -> None:
    response = httpx.get(
        f"{crm.url}/crm/v3/properties/contacts",
        headers={"Authorization": "Bearer wrong"},
        trust_env=False,
    )
    assert response.status_code == 401
    assert response.json()["category"] == "INVALID_AUTHENTICATION"


def test_over_the_limit_the_answer_is_hubspots_429_body() -> None:
    with HubSpotSandboxServer(HubSpotSandboxSettings(rate_max=2)) as crm:
        headers = {"Authorization": f"Bearer {crm.token}"}
        answers = [
            httpx.get(f"{crm.url}/crm/v3/properties/deals", headers=headers, trust_env=False)
            for _ in range(3)
        ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    body = answers[2].json()
    assert (body["errorType"], body["policyName"]) == ("RATE_LIMIT", "TEN_SECONDLY_ROLLING")
    assert body["correlationId"] and answers[2].headers["X-HubSpot-RateLimit-Remaining"] == "0"


def test_failed_deliveries_are_retried_signed_and_with_a_higher_attempt_number(
    crm: HubSpotSandboxServer,
) -> None:
    receiver = Receiver(crm.settings.client_secret, fail_first=2)
    with receiver.server.start():
        crm.control(
            "POST",
            "webhooks",
            json={
                "target_url": f"{receiver.server.url}/hook",
                "subscriptions": [{"eventType": "contact.creation"}],
            },
        )
        crm.control("POST", "deals", json={"dealname": "D", "contact": {"email": "n@x.example"}})
        assert crm.control("POST", "webhooks/wait", params={"timeout": 10}).json()["idle"]
    attempts = [events[0]["attemptNumber"] for events, _ in receiver.received]
    assert attempts == [0, 1, 2]
    assert all(problem is None for _, problem in receiver.received)
    assert len({events[0]["eventId"] for events, _ in receiver.received}) == 1


def test_out_of_order_sends_held_events_shuffled_one_per_request(
    crm: HubSpotSandboxServer,
) -> None:
    receiver = Receiver(crm.settings.client_secret)
    crm.control("POST", "faults", json={"out_of_order": True, "seed": 5})
    with receiver.server.start():
        crm.control(
            "POST",
            "webhooks",
            json={
                "target_url": f"{receiver.server.url}/hook",
                "subscriptions": [{"eventType": "contact.creation"}],
            },
        )
        for i in range(5):
            crm.control("POST", "deals", json={"dealname": "D", "contact": {"email": f"{i}@x.io"}})
        assert crm.control("POST", "webhooks/wait", params={"timeout": 10}).json()["idle"]
    order = [events[0]["eventId"] for events, _ in receiver.received]
    # eventIds only ever grow (as HubSpot's do), across resets too.
    assert len(set(order)) == 5 and order != sorted(order)
    assert all(len(events) == 1 for events, _ in receiver.received)
