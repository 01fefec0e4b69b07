"""The Shopify Admin GraphQL client: auth, cost-based throttling, retries.

Shopify limits GraphQL by *cost*, not by request count: every credential has a
bucket (e.g. 1000 points, refilled at 50/s), a query may only start when the
bucket holds its requested cost, and every answer reports the bucket's real
state in `extensions.cost.throttleStatus`. The client therefore:

1. estimates a document's cost (the `requestedQueryCost` Shopify reported the
   last time this document ran, a small default before that) and takes that
   many units from the credential's shared RateBudget, waiting if needed;
2. after every answer, adopts Shopify's own view of the bucket (`observe`), so
   several flows and processes on one credential converge on the truth;
3. on THROTTLED (HTTP 200 with errors[].extensions.code) waits exactly
   (requested - available) / restoreRate, by asking the budget for the
   requested cost again, and retries; on HTTP 429 pauses the whole credential
   for Retry-After. Neither is a fixed sleep.
4. 5xx, timeouts and connection errors are retried with exponential backoff and
   jitter (tenacity), then surface as RetryableError so the job backs off;
5. bad credentials and GraphQL errors are PermanentError with a message an
   operator can act on: retrying them can only fail again.

All waiting goes through the budget's `sleep`, so tests drive time with a fake
clock and sleep instead of waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Self

import httpx

from causeway.connectors.http_retry import (
    RetryPolicy,
    Transient,
    retry_after_seconds,
    with_transient_retries,
)
from causeway.connectors.shopify.api_versions import API_VERSION
from causeway.connectors.tls import http_client
from causeway.engine.rate import RateBudget
from causeway.errors import PermanentError, RateLimitedError

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 1000.0  # Shopify's standard bucket; observe() corrects it per shop
DEFAULT_RESTORE_RATE = 50.0
DEFAULT_ESTIMATE = 10.0  # a small query or a mutation, until Shopify reports the cost


class _Throttled(Exception):
    """Shopify asked us to slow down; `retry_after` is the wait it implies."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ShopifyGraphQL:
    """A synchronous Admin GraphQL client for one shop and one access token."""

    def __init__(
        self,
        shop_url: str,
        access_token: str,
        *,
        budget: RateBudget | None = None,
        timeout: float = 30.0,
        api_version: str = API_VERSION,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not shop_url.startswith(("http://", "https://")):
            shop_url = f"https://{shop_url}"
        self.shop_url = shop_url.rstrip("/")
        self.api_version = api_version
        self.endpoint = f"{self.shop_url}/admin/api/{api_version}/graphql.json"
        self.served_version: str | None = None  # X-Shopify-API-Version of the last answer
        self.budget = budget or RateBudget(
            f"shopify:{self.shop_url}", DEFAULT_CAPACITY, DEFAULT_RESTORE_RATE
        )
        self.retry = retry or RetryPolicy()
        self._estimates: dict[str, float] = {}
        self._http = http_client(
            timeout=timeout,
            transport=transport,
            headers={
                "X-Shopify-Access-Token": access_token,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        # Counters for metrics: requests sent, THROTTLED/429 answers waited out,
        # and transient failures retried.
        self.calls = 0
        self.throttle_waits = 0
        self.transient_retries = 0

    # ------------------------------------------------------------------ public

    def execute(self, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run one document and return its `data`.

        Raises RetryableError when Shopify stays unavailable or throttled beyond
        the retry policy, PermanentError for credentials and GraphQL errors.
        """
        payload = {"query": document, "variables": dict(variables or {})}
        waits = 0
        while True:
            try:
                return self._with_transient_retries(document, payload)
            except _Throttled as throttled:
                waits += 1
                self.throttle_waits += 1
                if waits > self.retry.max_throttle_waits:
                    raise RateLimitedError(
                        f"Shopify kept throttling {self.shop_url} after {waits - 1} waits: "
                        f"{throttled}",
                        retry_after=throttled.retry_after,
                    ) from None
                log.info("shopify throttled, waiting %.2fs: %s", throttled.retry_after, throttled)

    def estimate(self, document: str) -> float:
        """The cost the next run of `document` is expected to request."""
        return self._estimates.get(document, DEFAULT_ESTIMATE)

    def close(self) -> None:
        self._http.close()

    def watch(self, hook: Callable[[httpx.Response], None]) -> None:
        """Call `hook` with every HTTP answer (the hub notes when each system last answered)."""
        self._http.event_hooks["response"].append(hook)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ----------------------------------------------------------------- private

    def _with_transient_retries(self, document: str, payload: dict[str, Any]) -> dict[str, Any]:
        return with_transient_retries(
            self.retry,
            what=f"Shopify {self.shop_url}",
            sleep=self.budget.sleep,
            on_retry=self._count_retry,
            call=self._attempt,
            args=(document, payload),
        )

    def _count_retry(self, state: Any) -> None:
        self.transient_retries += 1
        log.warning(
            "shopify transient failure (attempt %d): %s",
            state.attempt_number,
            state.outcome.exception(),
        )

    def _attempt(self, document: str, payload: dict[str, Any]) -> dict[str, Any]:
        estimate = self.estimate(document)
        self.budget.acquire(estimate)
        self.calls += 1
        try:
            try:
                response = self._http.post(self.endpoint, json=payload)
            except httpx.TransportError as error:  # timeouts, refused, reset, protocol
                raise Transient(f"{type(error).__name__}: {error}") from error
            self._check_status(response)
            self._note_served_version(response.headers.get("X-Shopify-API-Version"))
        except (Transient, _Throttled):
            # Shopify did not run the query, so it did not charge for it either.
            self.budget.refund(estimate)
            raise
        try:
            body = response.json()
        except ValueError:
            # A 200 that is not JSON comes from a proxy or a half-written answer.
            raise Transient(f"HTTP {response.status_code} with a non-JSON body") from None
        if not isinstance(body, dict):
            raise Transient(f"HTTP {response.status_code} with a non-object JSON body")
        requested = self._observe_cost(document, estimate, body)
        errors = body.get("errors")
        if errors:
            self._raise_for_errors(errors, requested)
        data = body.get("data")
        if not isinstance(data, dict):
            raise PermanentError(f"Shopify {self.shop_url} answered without data: {body!r:.300}")
        return data

    def _check_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        if status == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            self.budget.pause(wait)
            raise _Throttled(f"HTTP 429, Retry-After {wait:g}s", wait)
        if status >= 500:
            raise Transient(f"HTTP {status}")
        if status == 401:
            raise PermanentError(
                f"Shopify {self.shop_url} rejected the access token (HTTP 401): the "
                "access_token is wrong, revoked, or for another shop. Set access_token to "
                "the Admin API access token of an app installed on this shop, then replay."
            )
        if status == 403:
            raise PermanentError(
                f"Shopify {self.shop_url} refused the access token (HTTP 403): the app "
                "lacks an access scope this call needs (read_orders, read_products, "
                "read_inventory, write_inventory, read_locations, write_products for "
                "catalog-to-channels). Grant the scopes in the "
                "app's configuration, reinstall it, update access_token, then replay."
            )
        detail = response.text[:300]
        if status == 404:
            raise PermanentError(
                f"Shopify {self.endpoint} not found (HTTP 404): check shop_url "
                f"(https://<shop>.myshopify.com) and api_version. {detail}"
            )
        raise PermanentError(f"Shopify {self.shop_url} answered HTTP {status}: {detail}")

    def _note_served_version(self, served: str | None) -> None:
        """Shopify answers a version it no longer serves as another one, and says which."""
        if not served or served == self.served_version:
            return
        self.served_version = served
        if served != self.api_version:
            log.warning(
                "Shopify %s answers Admin API %s as %s: %s is no longer served (or not yet); "
                "set api_version to a version Shopify serves (docs/connectors/shopify.md)",
                self.shop_url,
                self.api_version,
                served,
                self.api_version,
            )

    def _observe_cost(self, document: str, estimate: float, body: dict[str, Any]) -> float:
        """Learn the document's cost and adopt the bucket state Shopify reports."""
        extensions = body.get("extensions")
        cost = extensions.get("cost") if isinstance(extensions, dict) else None
        if not isinstance(cost, dict):
            return estimate
        requested = _number(cost.get("requestedQueryCost"))
        if requested is not None:
            self._estimates[document] = requested
        status = cost.get("throttleStatus")
        available = _number(status.get("currentlyAvailable")) if isinstance(status, dict) else None
        if isinstance(status, dict) and available is not None:
            self.budget.observe(
                available=available,
                capacity=_number(status.get("maximumAvailable")),
                refill_per_second=_number(status.get("restoreRate")),
            )
        else:
            actual = _number(cost.get("actualQueryCost"))
            if actual is not None and actual < estimate:
                self.budget.refund(estimate - actual)
        return requested if requested is not None else estimate

    def _raise_for_errors(self, errors: Any, requested: float) -> None:
        items = errors if isinstance(errors, list) else [errors]
        codes = [_error_code(e) for e in items]
        if "THROTTLED" in codes:
            # The budget now holds Shopify's `available`; asking it for `requested`
            # again waits exactly (requested - available) / restoreRate.
            shortfall = max(0.0, min(requested, self.budget.capacity) - self.budget.available)
            wait = shortfall / self.budget.refill_per_second
            raise _Throttled(f"THROTTLED, requested cost {requested:g}", wait)
        messages = "; ".join(_error_message(e) for e in items)
        if "INTERNAL_SERVER_ERROR" in codes:
            # Shopify documents this one as passing: it asks clients to retry.
            raise Transient(f"GraphQL INTERNAL_SERVER_ERROR: {messages}")
        if "MAX_COST_EXCEEDED" in codes:
            raise PermanentError(
                f"Shopify refused a query whose requested cost is {requested:g} points, over "
                f"its single-query limit (1000): nested connections multiply, so lower "
                f"page_size or the first: of the nested connections in the document. "
                f"{messages}"
            )
        if "ACCESS_DENIED" in codes:
            raise PermanentError(
                f"Shopify denied access: the access token lacks a scope. Grant it in the "
                f"app's configuration and reinstall. {messages}"
            )
        raise PermanentError(f"Shopify GraphQL error: {messages}")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _error_code(error: Any) -> str | None:
    if isinstance(error, dict):
        extensions = error.get("extensions")
        if isinstance(extensions, dict) and isinstance(extensions.get("code"), str):
            return str(extensions["code"])
    return None


def _error_message(error: Any) -> str:
    if isinstance(error, dict):
        message = str(error.get("message", error))
        path = error.get("path")
        return f"{message} (at {'.'.join(map(str, path))})" if isinstance(path, list) else message
    return str(error)
