"""schemathesis against the hub's own OpenAPI spec: every operation, with generated path
parameters, headers and bodies, answers with a status the spec declares, in the shape it
declares, and never with a server error; with an admin key (so that protected operations
are exercised past the guard) and without one (401, declared)."""

from __future__ import annotations

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from causeway.hub import Hub
from tests.auth import HUB_URL, bearer
from tests.hostile.conftest import examples

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_the_spec_declares_what_the_webhook_route_reads_and_refuses(app: FastAPI) -> None:
    operation = app.openapi()["paths"]["/webhooks/{system}"]["post"]
    assert "application/json" in operation["requestBody"]["content"]
    assert {"401", "404", "413"} <= set(operation["responses"])
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert {"X-Shopify-Hmac-Sha256", "X-HubSpot-Signature-v3"} <= headers


def test_every_operation_answers_as_its_spec_says(hostile_hub: Hub, app: FastAPI) -> None:
    key = bearer(hostile_hub, "admin")
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", app, headers={"Host": "127.0.0.1", **key}
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {f"{o.method.upper()} {o.path}" for o in operations} >= {
        "POST /webhooks/{system}",
        "GET /api/orders/{system}/{external_id}",
        "POST /api/flows/{flow}/run",
        "GET /health",
    }
    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=cases, headers=st.sampled_from([key, {}]))
        @settings(
            max_examples=examples(40),
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def answers_as_specified(case: schemathesis.Case, headers: dict[str, str]) -> None:
            case.call_and_validate(base_url=HUB_URL, headers=headers, checks=CHECKS)

        answers_as_specified()
