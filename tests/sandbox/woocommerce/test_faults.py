"""Faults set through the control API: 429 with Retry-After, 5xx, latency, for the
next N calls or at a rate; they hit the REST API, never the control API."""

from __future__ import annotations

import time

import httpx
import pytest

from causeway_sandbox.woocommerce import WooSandboxServer


def faults(woo: WooSandboxServer, **knobs: object) -> dict:
    return woo.control("PUT", "faults", json=knobs).json()  # type: ignore[no-any-return]


def test_the_next_calls_are_answered_429_with_retry_after(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    faults(woo, next_429=2, retry_after_s=3)
    answers = [api.get("orders") for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "3"
    assert answers[0].json()["code"] == "rate_limit_exceeded"
    assert woo.control("GET", "faults").json()["next_429"] == 0


@pytest.mark.parametrize(
    ("status", "media"),
    [(500, "application/json"), (502, "text/html"), (503, "text/html")],
)
def test_server_errors_look_like_what_a_wordpress_host_sends(
    woo: WooSandboxServer, api: httpx.Client, status: int, media: str
) -> None:
    faults(woo, next_5xx=1, status_5xx=status)
    failed = api.get("products")
    assert failed.status_code == status
    assert failed.headers["content-type"].startswith(media)
    if status == 500:
        assert failed.json()["code"] == "internal_server_error"
    if status == 503:
        assert failed.headers["Retry-After"] == "600"
    assert api.get("products").status_code == 200


def test_a_fault_rate_hits_that_share_of_calls_and_replays_with_the_seed(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    def run() -> list[int]:
        faults(woo, rate_429=0.3, seed=7)
        return [api.get("orders").status_code for _ in range(60)]

    first = run()
    assert 8 <= first.count(429) <= 30
    assert set(first) == {200, 429}
    assert run() == first


def test_faults_come_before_authentication_and_spare_the_control_api(woo: WooSandboxServer) -> None:
    faults(woo, next_429=1)
    assert httpx.get(woo.api_url + "orders").status_code == 429  # no key, still the host's 429
    faults(woo, error_rate_5xx=1.0)
    assert woo.control("GET", "orders").status_code == 200
    calls = woo.control("GET", "calls").json()
    assert calls[0]["fault"] is True and calls[0]["status"] == 429


def test_latency_delays_the_next_calls_only(woo: WooSandboxServer, api: httpx.Client) -> None:
    faults(woo, latency_ms=300, latency_next=1)
    started = time.monotonic()
    api.get("orders")
    assert time.monotonic() - started >= 0.3
    assert woo.control("GET", "faults").json()["latency_ms"] == 0


def test_bad_knobs_are_refused(woo: WooSandboxServer) -> None:
    response = httpx.put(f"{woo.url}/_sandbox/faults", json={"rate_429": 2})
    assert response.status_code == 422
    assert (
        httpx.put(
            f"{woo.url}/_sandbox/faults", json={"error_rate_5xx": 0.7, "rate_429": 0.7}
        ).status_code
        == 422
    )
