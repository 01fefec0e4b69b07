"""The WooCommerce REST API v3 client: auth, pages, the host's limits, retries, refusals.

WooCommerce is a WordPress plugin: its REST API answers at <site>/wp-json/wc/v3, each
request one PHP run on the merchant's own host. The client therefore:

1. authenticates with the REST key: HTTP Basic (consumer key : consumer secret) over
   HTTPS, or, for hosts whose web server drops the Authorization header (some Apache
   CGI/FastCGI set-ups), the same key in the query string (`auth: query`);
2. takes one unit per request from the credential's RateBudget (requests_per_second),
   so the hub never floods a small host; a 429 pauses the whole credential for the
   host's Retry-After and the request is tried again;
3. retries 5xx, timeouts and connection errors right here with backoff and jitter
   (connectors/http_retry.py), waiting at least a 503's Retry-After, then raises
   RetryableError so the job backs off;
4. turns WooCommerce's error bodies (`code`, `message`, `data.status`, `data.params`)
   into a WooCommerceError an operator can act on (refusals.py);
5. walks lists page by page, as far as X-WP-TotalPages says (per_page 100 at most).

All waiting goes through the budget's `sleep`, so tests drive time with a fake clock.
No message ever holds a URL with its query: with `auth: query` that holds the key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from causeway.connectors.http_retry import (
    RetryingClient,
    RetryPolicy,
    Throttled,
    Transient,
    retry_after_seconds,
)
from causeway.connectors.tls import http_client
from causeway.connectors.woocommerce.refusals import refusal
from causeway.engine.rate import RateBudget
from causeway.errors import InvalidPayloadError, PermanentError

API_PATH = "/wp-json/wc/v3"
MAX_PER_PAGE = 100  # WooCommerce refuses more (rest_invalid_param)
DEFAULT_REQUESTS_PER_SECOND = 5.0
Auth = Literal["header", "query"]


def site_url(url: str) -> str:
    """The WordPress site's address, whether `url` names the site or its REST API."""
    url = url.strip().rstrip("/")
    for suffix in (API_PATH, "/wp-json"):
        url = url.removesuffix(suffix)
    return url


@dataclass(frozen=True)
class Answer:
    """One successful answer: its status, decoded JSON body and headers."""

    status: int
    body: Any
    headers: httpx.Headers

    @property
    def total_pages(self) -> int | None:
        """X-WP-TotalPages: how many pages the list has at this per_page (None: not sent)."""
        return _header_int(self.headers, "x-wp-totalpages")

    @property
    def total(self) -> int | None:
        """X-WP-Total: how many items the list has in all (None: not sent)."""
        return _header_int(self.headers, "x-wp-total")


class WooCommerceClient(RetryingClient):
    """A synchronous JSON client for one WooCommerce store and one REST key."""

    def __init__(
        self,
        url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        auth: Auth = "header",
        budget: RateBudget | None = None,
        timeout: float = 30.0,
        per_page: int = MAX_PER_PAGE,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}, not {per_page}")
        self.site_url = site_url(url)
        self.api_url = self.site_url + API_PATH
        self.what = f"WooCommerce {self.site_url}"
        self.auth = auth
        self.per_page = per_page
        self.budget = budget or RateBudget(
            f"woocommerce:{self.site_url}",
            2 * DEFAULT_REQUESTS_PER_SECOND,
            DEFAULT_REQUESTS_PER_SECOND,
        )
        self.retry = retry or RetryPolicy()
        # The query-string fallback sends the key as parameters of every request instead.
        self._key_params = (
            {"consumer_key": consumer_key, "consumer_secret": consumer_secret}
            if auth == "query"
            else {}
        )
        self._http = http_client(
            base_url=self.api_url,
            timeout=timeout,
            transport=transport,
            auth=httpx.BasicAuth(consumer_key, consumer_secret) if auth == "header" else None,
            headers={"Accept": "application/json"},
        )

    # ------------------------------------------------------------------ public

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Answer:
        """One request to `path` (under /wp-json/wc/v3); raises on anything but 2xx.

        RetryableError when the store stays unavailable or rate limited beyond the
        retry policy, WooCommerceError (a PermanentError) when it refuses the request.
        """
        return self._call(self._attempt, method, path, params, json)

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params).body

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, json=body).body

    def put(self, path: str, body: Any) -> Any:
        return self.request("PUT", path, json=body).body

    def pages(
        self, path: str, params: Mapping[str, Any] | None = None, *, per_page: int | None = None
    ) -> Iterator[list[Any]]:
        """Each page of a list, first to last, `per_page` items a page (the client's own
        unless a smaller one is asked for).

        Stops at X-WP-TotalPages, or, when a host's cache strips that header, at the
        first page shorter than per_page.
        """
        size = min(per_page or self.per_page, self.per_page)
        page = 1
        while True:
            answer = self.request(
                "GET", path, params={**(params or {}), "per_page": size, "page": page}
            )
            if not isinstance(answer.body, list):
                raise InvalidPayloadError(
                    f"WooCommerce {self.site_url} answered GET {path} with "
                    f"{type(answer.body).__name__}, not a list"
                )
            yield answer.body
            last = answer.total_pages
            if not answer.body or (last is None and len(answer.body) < size):
                return
            if last is not None and page >= last:
                return
            page += 1

    def items(
        self, path: str, params: Mapping[str, Any] | None = None, *, per_page: int | None = None
    ) -> Iterator[Any]:
        """Every item of a list, page after page."""
        for page in self.pages(path, params, per_page=per_page):
            yield from page

    # ----------------------------------------------------------------- private

    def _attempt(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Any
    ) -> Answer:
        self.budget.acquire(1.0)
        self.calls += 1
        query = {**(params or {}), **self._key_params}
        try:
            response = self._http.request(method, path, params=query or None, json=body)
        except httpx.TransportError as error:  # timeouts, refused, reset, protocol
            raise Transient(f"{type(error).__name__} on {method} {path}") from error
        status = response.status_code
        if status == 429:
            wait = retry_after_seconds(response.headers.get("retry-after"))
            self.budget.pause(wait)
            raise Throttled(f"HTTP 429 on {method} {path}, Retry-After {wait:g}s", wait)
        if status >= 500:
            if "retry-after" in response.headers:
                # The host says when it expects to be back: nobody on this key asks before.
                self.budget.pause(retry_after_seconds(response.headers["retry-after"]))
            raise Transient(f"HTTP {status} on {method} {path}")
        if 300 <= status < 400:
            raise PermanentError(
                f"WooCommerce {self.site_url} redirected {method} {path} (HTTP {status}) to "
                f"another address: set url to the site's address as WordPress gives it "
                f"(Settings > General), with https:// and the same www or not"
            )
        payload = _decoded(response)
        if status >= 400:
            raise refusal(method, path, status, payload, site=self.site_url, auth=self.auth)
        if payload is _NOT_JSON:
            # A 2xx that is not JSON: a proxy's half answer, or PHP notices printed in
            # front of it (WP_DEBUG_DISPLAY on); the start of it says which.
            start = response.text[:80].strip()
            raise Transient(f"HTTP {status} on {method} {path} with a non-JSON body: {start!r}")
        return Answer(status, payload, response.headers)


_NOT_JSON = object()


def _decoded(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return _NOT_JSON if response.status_code < 400 else response.text[:300]


def _header_int(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
