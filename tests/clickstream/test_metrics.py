"""What became of each request shows on /metrics, per configured system and outcome."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from causeway.hub import Hub
from tests.auth import bearer
from tests.clickstream.conftest import batch, pixel_event


def counted(client: TestClient, hub: Hub, outcome: str) -> float:
    text = client.get("/metrics", headers=bearer(hub, "read")).text
    pattern = rf'causeway_clickstream_requests_total\{{outcome="{outcome}",system="shop"\}} (\S+)'
    match = re.search(pattern, text)
    return float(match.group(1)) if match else 0.0


def test_each_answer_is_counted_by_its_outcome(hub: Hub, client: TestClient) -> None:
    before = {o: counted(client, hub, o) for o in ("accepted", "declined", "refused")}
    client.post("/collect/shop", content=batch(pixel_event()))
    client.post("/collect/shop", content=batch(pixel_event(), analytics=False))
    client.post("/collect/shop", content=b"not json")
    client.post("/collect/nowhere", content=batch(pixel_event()))  # not counted: no label
    after = {o: counted(client, hub, o) for o in before}
    assert {o: after[o] - before[o] for o in before} == {
        "accepted": 1,
        "declined": 1,
        "refused": 1,
    }
    assert 'system="nowhere"' not in client.get("/metrics", headers=bearer(hub, "read")).text
