"""The Selling Partner API client: LWA tokens, per-operation buckets, 429s, retries, errors.

For every request the client:

1. takes one request from its operation's bucket for this selling account (rates.py),
   waiting as long as the bucket needs to refill, never a fixed second;
2. sends the access token Login with Amazon gave (auth.py) in `x-amz-access-token`; a 401,
   or a 403 whose error is `Unauthorized` (how Amazon answers an expired token), renews
   the token and sends the request once more, and only then fails;
3. adopts the rate an answer's `x-amzn-RateLimit-Limit` states for that operation;
4. on `429 QuotaExceeded` empties the operation's bucket (Amazon says it is empty) and
   waits for it to refill at the rate in force, a Retry-After when one is sent, then asks
   again (connectors/http_retry.py's RetryingClient, which gives up after
   max_throttle_waits with a RateLimitedError the job backs off from);
5. retries 5xx, timeouts and connection errors with backoff and jitter, then raises
   RetryableError;
6. turns Amazon's error list ({"errors": [{"code", "message", "details"}]}) into a
   PermanentError naming the operation, code and message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from causeway.connectors.amazon.auth import LwaCredentials, LwaTokens
from causeway.connectors.amazon.rates import (
    RATE_LIMIT_HEADER,
    OperationBudgets,
    adopt_rate,
    header_rate,
)
from causeway.connectors.http_retry import (
    RetryingClient,
    RetryPolicy,
    Throttled,
    Transient,
    retry_after_seconds,
)
from causeway.connectors.tls import http_client
from causeway.engine.rate import RateBudget, RateBudgets
from causeway.errors import PermanentError

Params = Mapping[str, str | int | Sequence[str] | None]


class AmazonApiError(PermanentError):
    """The Selling Partner API refused a request (4xx other than 429 and auth)."""

    def __init__(self, message: str, *, status: int, code: str | None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class AmazonNotFound(AmazonApiError):
    """404: the order (or resource) is not in this selling account."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: httpx.Headers


class AmazonClient(RetryingClient):
    """A synchronous JSON client for one selling account at one regional endpoint."""

    def __init__(
        self,
        endpoint: str,
        credentials: LwaCredentials,
        *,
        selling_partner_id: str,
        budgets: RateBudgets | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint.strip().rstrip("/")
        self.what = f"Amazon SP-API {self.endpoint}"
        self.retry = retry or RetryPolicy()
        self._http = http_client(
            base_url=self.endpoint,
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "Causeway (Language=Python)"},
        )
        self.tokens = LwaTokens(credentials, self._http)
        self.operations = OperationBudgets(
            budgets or RateBudgets(), self.endpoint, selling_partner_id
        )
        # All waiting (backoff between transient retries) goes through one budget's sleep.
        self.budget: RateBudget = self.operations.budget("getOrder")

    def get(self, operation: str, path: str, params: Params | None = None) -> Any:
        """GET `path` as `operation` (its bucket and usage plan); the decoded JSON body."""
        return self._call(self._attempt, "GET", operation, path, _query(params), None).body

    def send(
        self, method: str, operation: str, path: str, params: Params | None = None, body: Any = None
    ) -> Any:
        """`method` (POST, PATCH, ...) `path` as `operation` with a JSON `body`; the decoded
        JSON answer. Retried like a GET: each caller sends only what is safe to repeat."""
        return self._call(self._attempt, method, operation, path, _query(params), body).body

    def upload(self, url: str, content: bytes, content_type: str) -> None:
        """PUT a document to a presigned URL (createFeedDocument's): no access token, no
        usage plan; 5xx and network failures retried, a refusal is a PermanentError."""
        self._call(self._transfer, "PUT", url, content, content_type)

    def download(self, url: str) -> bytes:
        """GET a document from a presigned URL (getFeedDocument's), as stored."""
        return self._call(self._transfer, "GET", url, None, None)

    # ----------------------------------------------------------------- private

    def _attempt(
        self, method: str, operation: str, path: str, query: dict[str, str], body: Any
    ) -> Answer:
        budget = self.operations.budget(operation)
        for renewed in (False, True):
            budget.acquire(1.0)
            self.calls += 1
            token = self.tokens.access_token()
            try:
                response = self._http.request(
                    method,
                    path,
                    params=query,
                    json=body,
                    headers={"x-amz-access-token": token},
                )
            except httpx.TransportError as error:
                raise Transient(f"{type(error).__name__} on {operation}") from error
            rate = header_rate(response.headers.get(RATE_LIMIT_HEADER))
            if rate is not None:
                adopt_rate(budget, rate)
            if _token_refused(response):
                self.tokens.invalidate(token)
                if not renewed:
                    continue  # renew the token and ask once more
                raise PermanentError(
                    f"{self.what} refused a fresh access token for {operation} "
                    f"(HTTP {response.status_code}: {_errors(response)}): the app is not "
                    f"authorised for this seller or lacks the role the operation needs"
                )
            return self._answer(operation, response, budget)
        raise AssertionError("unreachable")

    def _answer(self, operation: str, response: httpx.Response, budget: RateBudget) -> Answer:
        status = response.status_code
        if status == 429:
            # QuotaExceeded: the server's bucket is empty. Wait for one request to refill
            # at the rate in force (or for a Retry-After), not for a fixed second.
            budget.observe(available=0.0)
            wait = 1.0 / budget.refill_per_second
            if "retry-after" in response.headers:
                wait = retry_after_seconds(response.headers["retry-after"], wait)
                budget.pause(wait)
            raise Throttled(f"HTTP 429 on {operation}: {_errors(response)}", wait)
        if status >= 500:
            raise Transient(f"HTTP {status} on {operation}")
        if status == 204:  # done, nothing to say (confirmShipment)
            return Answer(status, None, response.headers)
        try:
            body = response.json()
        except ValueError:
            if status < 400:
                raise Transient(f"HTTP {status} on {operation} with a non-JSON body") from None
            body = None
        if status >= 400:
            code = _first_code(body)
            kind = AmazonNotFound if status == 404 else AmazonApiError
            raise kind(
                f"{self.what} refused {operation} (HTTP {status}): {_errors(response)}",
                status=status,
                code=code,
            )
        return Answer(status, body, response.headers)

    def _transfer(
        self, method: str, url: str, content: bytes | None, content_type: str | None
    ) -> bytes:
        headers = {"Content-Type": content_type} if content_type else {}
        try:
            # The presigned URL is absolute: the endpoint's base URL does not apply.
            response = self._http.request(method, url, content=content, headers=headers)
        except httpx.TransportError as error:
            raise Transient(f"{type(error).__name__} on the feed document") from error
        if response.status_code >= 500:
            raise Transient(f"HTTP {response.status_code} on the feed document")
        if response.status_code >= 400:
            raise PermanentError(
                f"{self.what}: the feed document's URL refused {method} "
                f"(HTTP {response.status_code}: {response.text[:200].strip()})"
            )
        return response.content


def _query(params: Params | None) -> dict[str, str]:
    """Amazon's list parameters are comma-separated (collectionFormat csv)."""
    query: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, str | int):
            query[key] = str(value)
        else:
            query[key] = ",".join(value)
    return query


def _token_refused(response: httpx.Response) -> bool:
    if response.status_code == 401:
        return True
    return response.status_code == 403 and _first_code(_json(response)) == "Unauthorized"


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _first_code(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
        first = body["errors"][0]
        if isinstance(first, dict) and isinstance(first.get("code"), str):
            return str(first["code"])
    return None


def _errors(response: httpx.Response) -> str:
    body = _json(response)
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        parts = []
        for e in body["errors"][:5]:
            if isinstance(e, dict):
                text = f"{e.get('code')}: {e.get('message')}"
                parts.append(f"{text} ({e['details']})" if e.get("details") else text)
        if parts:
            return "; ".join(parts)
    return response.text[:200].strip() or "(no body)"
