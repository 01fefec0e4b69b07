"""The HubSpot CRM v3 HTTP client: Bearer auth, the per-10-seconds limit, retries.

HubSpot limits a private app by request count per rolling interval (for example
100 or 190 requests per 10 s) and per day, and reports its own view on every
answer in `X-HubSpot-RateLimit-Max`, `-Remaining` and `-Interval-Milliseconds`.
The client therefore:

1. takes one unit per request from the credential's shared RateBudget, waiting
   when the bucket is empty, so several flows on one token stay under the limit;
2. adopts HubSpot's headers into the budget after every answer, so the budget
   converges on the server's truth (a bigger add-on limit, other processes);
3. on 429 (`errorType: RATE_LIMIT`) pauses the whole credential for Retry-After
   when sent, else for one request's share of the window, doubling while HubSpot
   keeps refusing (up to a whole window), and retries; a DAILY policy is not
   waited out here: the job backs off;
4. retries 5xx, timeouts and connection errors with exponential backoff and
   jitter (the same RetryPolicy as the Shopify client), then RetryableError;
5. turns every other 4xx into PermanentError carrying HubSpot's message and
   correlationId, which HubSpot support asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from causeway.connectors.http_retry import (
    RetryingClient,
    RetryPolicy,
    Throttled,
    Transient,
    retry_after_seconds,
)
from causeway.connectors.tls import http_client
from causeway.engine.rate import RateBudget
from causeway.errors import PermanentError, RateLimitedError

DEFAULT_MAX = 100.0  # private app, per 10 s; the headers correct it
DEFAULT_INTERVAL = 10.0


class HubSpotError(PermanentError):
    """HubSpot refused a request; `status`, `category` and `correlation_id` say why."""

    def __init__(
        self, message: str, *, status: int, category: str | None, correlation_id: str | None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.correlation_id = correlation_id


class HubSpotNotFound(HubSpotError):
    """The object (or endpoint) does not exist: HTTP 404."""


class HubSpotClient(RetryingClient):
    """A synchronous JSON client for one HubSpot account and one access token."""

    def __init__(
        self,
        base_url: str,
        access_token: str,
        *,
        budget: RateBudget | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.what = f"HubSpot {self.base_url}"
        self.budget = budget or RateBudget(
            f"hubspot:{self.base_url}", DEFAULT_MAX, DEFAULT_MAX / DEFAULT_INTERVAL
        )
        self.retry = retry or RetryPolicy()
        self._http = http_client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={
                "Authorization": f"Bearer {access_token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        self.daily_remaining: int | None = None
        self._refused_in_a_row = 0

    # ------------------------------------------------------------------ public

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> tuple[int, Any]:
        """(HTTP status, decoded JSON body or None); raises on anything but 2xx."""
        return self._call(self._attempt, method, path, json, params)

    # ----------------------------------------------------------------- private

    def _attempt(
        self, method: str, path: str, body: Any, params: Mapping[str, Any] | None
    ) -> tuple[int, Any]:
        self.budget.acquire(1.0)
        self.calls += 1
        try:
            response = self._http.request(method, path, json=body, params=params)
        except httpx.TransportError as error:
            raise Transient(f"{type(error).__name__}: {error}") from error
        self._observe(response.headers)
        status = response.status_code
        if status == 429:
            self._refused_in_a_row += 1
            raise self._throttled(response)
        self._refused_in_a_row = 0
        if status >= 500:
            raise Transient(f"HTTP {status} on {method} {path}")
        if status == 204 or not response.content:
            payload: Any = None
        else:
            try:
                payload = response.json()
            except ValueError:
                if status < 400:
                    raise Transient(f"HTTP {status} with a non-JSON body") from None
                payload = {"message": response.text[:300]}
        if status >= 400:
            raise _refusal(method, path, status, payload)
        return status, payload

    def _observe(self, headers: httpx.Headers) -> None:
        """Adopt HubSpot's own count of the interval's remaining requests."""
        daily = _int(headers.get("x-hubspot-ratelimit-daily-remaining"))
        if daily is not None:
            self.daily_remaining = daily
        remaining = _int(headers.get("x-hubspot-ratelimit-remaining"))
        if remaining is None:
            return
        maximum = _int(headers.get("x-hubspot-ratelimit-max"))
        interval_ms = _int(headers.get("x-hubspot-ratelimit-interval-milliseconds"))
        refill = None
        if maximum and interval_ms:
            refill = maximum / (interval_ms / 1000.0)
        self.budget.observe(
            available=float(remaining),
            capacity=float(maximum) if maximum else None,
            refill_per_second=refill,
        )

    def _throttled(self, response: httpx.Response) -> Exception:
        body = _json_object(response)
        policy = str(body.get("policyName") or "")
        message = str(body.get("message") or "rate limited")
        correlation = body.get("correlationId")
        if "DAILY" in policy.upper():
            # Waiting a day inside one request would hold a worker; the job backs off.
            return RateLimitedError(
                f"HubSpot daily request limit reached ({policy}): {message} "
                f"(correlationId {correlation})",
                retry_after=3600.0,
            )
        if "retry-after" in response.headers:
            wait = retry_after_seconds(response.headers["retry-after"])
        else:
            # The window is rolling: when its oldest request leaves is unknown. Start
            # with one request's worth and double while HubSpot keeps refusing, up to
            # a whole window, so a full window is not hammered.
            interval = self.budget.capacity / self.budget.refill_per_second
            base = 1.0 / self.budget.refill_per_second
            wait = min(interval, base * 2 ** (self._refused_in_a_row - 1))
        self.budget.pause(wait)
        return Throttled(f"HTTP 429 {policy or 'RATE_LIMIT'} (correlationId {correlation})", wait)


def _refusal(method: str, path: str, status: int, payload: Any) -> HubSpotError:
    body = payload if isinstance(payload, dict) else {}
    message = str(body.get("message") or payload or f"HTTP {status}")
    category = body.get("category")
    correlation = body.get("correlationId")
    text = f"HubSpot refused {method} {path} (HTTP {status}"
    text += f", {category}): " if category else "): "
    text += message
    if correlation:
        text += f" (correlationId {correlation})"
    if status == 401:
        text += (
            ". The access_token is wrong or revoked: set it to the private app's access "
            "token, then replay."
        )
    elif status == 403:
        text += ". The private app lacks a scope this call needs: grant it, then replay."
    kind = HubSpotNotFound if status == 404 else HubSpotError
    return kind(text, status=status, category=category, correlation_id=correlation)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
