"""WooCommerceClient against an httpx.MockTransport answering the way WooCommerce does.

Time is fake (the RateBudget's clock and sleep are injected): every wait the client
makes is recorded and checked instead of slept.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from causeway.connectors.http_retry import RetryPolicy
from causeway.connectors.woocommerce.client import WooCommerceClient
from causeway.connectors.woocommerce.refusals import WooCommerceError, WooCommerceNotFound
from causeway.engine.rate import RateBudget
from causeway.errors import PermanentError, RetryableError
from tests.hubspot.test_client import FakeTime

KEY, SECRET = "ck_live_key_0123", "cs_live_secret_4567"
Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler, time: FakeTime | None = None, **options: object) -> WooCommerceClient:
    time = time or FakeTime()
    budget = RateBudget("woo", 10, 5, clock=time.clock, sleep=time.sleep)
    return WooCommerceClient(
        "https://shop.example/",
        KEY,
        SECRET,
        budget=budget,
        retry=RetryPolicy(max_attempts=3, backoff_initial=0.5, backoff_max=4, max_throttle_waits=3),
        transport=httpx.MockTransport(handler),
        **options,  # type: ignore[arg-type]
    )


def wp_error(status: int, code: str, message: str, **data: object) -> httpx.Response:
    return httpx.Response(
        status, json={"code": code, "message": message, "data": {"status": status, **data}}
    )


def test_the_key_goes_as_http_basic_to_the_rest_api_of_the_site() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": 727})

    assert client(handler).get("/orders/727") == {"id": 727}
    (request,) = seen
    assert str(request.url) == "https://shop.example/wp-json/wc/v3/orders/727"
    assert request.headers["authorization"] == httpx.BasicAuth(KEY, SECRET)._auth_header
    assert "consumer_secret" not in str(request.url)


def test_the_query_string_fallback_sends_no_authorization_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    client(handler, auth="query").get("/orders", {"status": "any"})
    (request,) = seen
    assert "authorization" not in request.headers
    assert request.url.params["consumer_key"] == KEY
    assert request.url.params["consumer_secret"] == SECRET
    assert request.url.params["status"] == "any"


def test_a_site_url_given_as_the_api_url_is_the_same_site() -> None:
    woo = WooCommerceClient("https://shop.example/wp-json/wc/v3/", KEY, SECRET)
    assert (woo.site_url, woo.api_url) == (
        "https://shop.example",
        "https://shop.example/wp-json/wc/v3",
    )


def test_a_list_is_read_page_by_page_as_far_as_x_wp_totalpages_says() -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        asked.append(f"{request.url.params['per_page']}:{page}")
        items = [{"id": page * 10 + i} for i in range(2 if page < 3 else 1)]
        return httpx.Response(200, json=items, headers={"X-WP-Total": "5", "X-WP-TotalPages": "3"})

    ids = [item["id"] for item in client(handler, per_page=2).items("/orders")]
    assert ids == [10, 11, 20, 21, 30]
    assert asked == ["2:1", "2:2", "2:3"]


def test_without_the_headers_a_short_page_is_the_last() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        return httpx.Response(200, json=[{"id": page}] * (2 if page == 1 else 1))

    assert len(list(client(handler, per_page=2).items("/products"))) == 3


def test_per_page_is_woocommerces_100_at_most() -> None:
    with pytest.raises(ValueError, match="between 1 and 100"):
        client(lambda r: httpx.Response(200), per_page=101)


def test_a_429_pauses_the_key_for_retry_after_and_tries_again() -> None:
    time = FakeTime()
    answers = [
        httpx.Response(429, headers={"Retry-After": "7"}, json={"code": "too_many"}),
        httpx.Response(200, json={"id": 1}),
    ]
    woo = client(lambda r: answers.pop(0), time)
    assert woo.get("/orders/1") == {"id": 1}
    assert woo.throttle_waits == 1
    assert any(6.9 < s <= 7.0 for s in time.sleeps)


def test_a_host_that_keeps_answering_429_hands_over_to_the_jobs_backoff() -> None:
    woo = client(lambda r: httpx.Response(429, headers={"Retry-After": "2"}))
    with pytest.raises(RetryableError, match="kept answering 429") as caught:
        woo.get("/orders")
    assert caught.value.retry_after == 2.0


def test_a_5xx_is_retried_here_waiting_at_least_its_retry_after() -> None:
    time = FakeTime()
    answers = [
        httpx.Response(503, headers={"Retry-After": "20"}, text="<h1>Maintenance</h1>"),
        httpx.Response(502, text="Bad gateway"),
        httpx.Response(200, json=[]),
    ]
    woo = client(lambda r: answers.pop(0), time)
    assert woo.get("/orders") == []
    assert woo.transient_retries == 2
    assert sum(time.sleeps) >= 20


def test_a_store_that_stays_down_is_a_retryable_error_naming_the_site_not_the_key() -> None:
    woo = client(
        lambda r: httpx.Response(500, json={"code": "internal_server_error"}), auth="query"
    )
    with pytest.raises(RetryableError) as caught:
        woo.get("/orders")
    assert "https://shop.example unavailable after 3 attempts" in str(caught.value)
    assert SECRET not in str(caught.value) and KEY not in str(caught.value)


def test_a_2xx_that_is_not_json_shows_how_it_starts() -> None:
    notice = "<br />\n<b>Deprecated</b>: Function create_function() is deprecated"
    woo = client(lambda r: httpx.Response(200, text=notice + '{"id": 1}'))
    with pytest.raises(RetryableError, match="non-JSON body: '<br />"):
        woo.get("/orders/1")


def test_an_invalid_parameter_is_refused_naming_it_and_why() -> None:
    answer = wp_error(
        400,
        "rest_invalid_param",
        "Invalid parameter(s): per_page",
        params={"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"},
    )
    with pytest.raises(WooCommerceError) as caught:
        client(lambda r: answer).get("/orders", {"per_page": 500})
    error = caught.value
    assert (error.status, error.code) == (400, "rest_invalid_param")
    assert error.params == {
        "per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"
    }
    assert "GET /orders (HTTP 400): Invalid parameter(s): per_page (rest_invalid_param): " in str(
        error
    )


def test_an_anonymous_refusal_suggests_the_query_string_fallback() -> None:
    answer = wp_error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
    with pytest.raises(WooCommerceError, match="set auth: query"):
        client(lambda r: answer).get("/orders")
    with pytest.raises(WooCommerceError) as caught:
        client(lambda r: answer, auth="query").get("/orders")
    assert "auth: query" not in str(caught.value)
    assert "consumer_key and consumer_secret" in str(caught.value)


def test_a_read_only_key_is_told_to_get_write_permissions() -> None:
    answer = wp_error(
        401,
        "woocommerce_rest_authentication_error",
        "The API key provided does not have write permissions.",
    )
    with pytest.raises(WooCommerceError, match="Read/Write permissions"):
        client(lambda r: answer).post("/products/batch", {})


def test_a_missing_object_is_not_found_and_a_missing_route_says_what_to_check() -> None:
    gone = wp_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
    with pytest.raises(WooCommerceNotFound):
        client(lambda r: gone).get("/orders/9")
    no_route = wp_error(404, "rest_no_route", "No route was found matching the URL")
    with pytest.raises(WooCommerceError, match="permalinks are not 'Plain'") as caught:
        client(lambda r: no_route).get("/orders")
    assert not isinstance(caught.value, WooCommerceNotFound)


def test_a_refusal_that_is_not_json_is_shown_as_text() -> None:
    firewall = httpx.Response(403, text="<html>Access denied by ModSecurity</html>")
    with pytest.raises(WooCommerceError, match=r"ModSecurity.*security plugin or firewall"):
        client(lambda r: firewall).get("/orders")


def test_a_redirect_is_not_followed_but_explained() -> None:
    moved = httpx.Response(301, headers={"Location": "https://www.shop.example/wp-json/wc/v3/"})
    with pytest.raises(PermanentError, match="same www or not"):
        client(lambda r: moved).post("/products/batch", {"update": []})
