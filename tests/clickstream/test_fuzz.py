"""Whatever a holder of the public collect key sends, the hub answers with a status it
declares, never a server error, and stores events only when it says it accepted them;
on SQLite and on PostgreSQL, which refuses NUL and lone surrogates in text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from causeway.engine.web_events import web_events_of
from causeway.hub import Hub
from tests.auth import hub_client
from tests.clickstream.conftest import KEY, pixel_event, product_added, start
from tests.hostile.conftest import examples

DECLARED = {202, 204, 400, 413, 429}

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@st.composite
def mangled_events(draw: st.DrawFn) -> dict[str, Any]:
    """A real event with some of its fields replaced by anything."""
    event = draw(
        st.sampled_from([pixel_event(), product_added(), pixel_event("checkout_completed")])
    )
    for field in draw(st.lists(st.sampled_from(sorted(event)), max_size=3)):
        event[field] = draw(json_values)
    return event


bodies = (
    st.binary(max_size=300)
    | json_values.map(lambda value: json.dumps(value).encode())
    | st.lists(mangled_events(), min_size=1, max_size=4).map(
        lambda events: json.dumps({"events": events}).encode()
    )
)


@pytest.fixture(params=["sqlite", "postgres"])
def fuzzed(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[tuple[Hub, TestClient]]:
    url = (
        f"sqlite:///{tmp_path / 'hub.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    hub = start(url, events_per_minute=100_000)
    with hub_client(hub, scope=None) as client:
        client.headers.update({"X-Causeway-Collect-Key": KEY})
        yield hub, client
    hub.stop()


def test_anything_sent_is_answered_as_declared_and_stored_only_when_accepted(
    fuzzed: tuple[Hub, TestClient],
) -> None:
    hub, client = fuzzed
    accepted: list[int] = []

    @given(body=bodies)
    @settings(
        max_examples=examples(60),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def answers_as_declared(body: bytes) -> None:
        response = client.post("/collect/shop", content=body)
        assert response.status_code in DECLARED, response.text
        if response.status_code == 202:
            accepted.append(response.json()["accepted"])

    answers_as_declared()
    assert hub.web_event_writer is not None and hub.web_event_writer.flush(10)
    assert hub.web_event_writer.failed == 0  # nothing accepted that the store refused
    assert len(web_events_of(hub.store, "shop", limit=100_000)) <= sum(accepted)


def test_text_no_store_could_keep_is_cleaned_or_refused(fuzzed: tuple[Hub, TestClient]) -> None:
    hub, client = fuzzed
    odd = "a\u0000b\ud800c"
    event = pixel_event(data={"note": odd, "nested": [{"k": odd}]})
    event["context"]["document"] = {"location": {"href": odd}, "referrer": odd}
    body = json.dumps({"events": [event]}).encode()  # JSON escapes: \u0000, \ud800
    assert client.post("/collect/shop", content=body).status_code == 202
    refused = json.dumps({"events": [pixel_event(client_id=odd)]}).encode()
    assert client.post("/collect/shop", content=refused).status_code == 400
    assert hub.web_event_writer is not None and hub.web_event_writer.flush(10)
    (row,) = web_events_of(hub.store, "shop")
    assert row["page_url"] == "abc"
    assert json.loads(row["data"])["note"] == odd  # kept, escaped
