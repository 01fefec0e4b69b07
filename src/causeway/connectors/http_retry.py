"""Retrying one HTTP request right where it failed, the same way for every connector.

A transient failure (5xx, timeout, connection reset) is retried a few times with
exponential backoff and jitter, through the credential's own `sleep` so tests drive
time; after that the failure becomes a RetryableError and the job's backoff takes
over. How a rate limit is read is each vendor's (its client's attempt raises Throttled
after pausing the credential's budget); waiting it out is the same for every REST client
(RetryingClient).
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self, TypeVar

import httpx
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from causeway.engine.rate import RateBudget
from causeway.errors import RateLimitedError, RetryableError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard a client tries before handing the failure to the job's own backoff.

    max_attempts bounds transient failures (5xx, timeouts) per request; backoff
    grows from backoff_initial, doubling with jitter, up to backoff_max seconds.
    max_throttle_waits bounds rate-limit answers waited out per request.
    """

    max_attempts: int = 6
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    max_throttle_waits: int = 20


class Transient(Exception):
    """A failure worth retrying right here (5xx, timeout, connection reset)."""


def retry_after_seconds(value: str | None, default: float = 1.0) -> float:
    """Retry-After as seconds: a number ("2.0") or an HTTP date."""
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


def with_transient_retries(
    policy: RetryPolicy,
    *,
    what: str,
    sleep: Callable[[float], None],
    on_retry: Callable[[RetryCallState], None],
    call: Callable[..., T],
    args: tuple[Any, ...],
) -> T:
    """`call(*args)`, retried on Transient; RetryableError naming `what` when it keeps failing."""
    retrying = Retrying(
        stop=stop_after_attempt(policy.max_attempts),
        # 0.5, 1, 2, 4 ... s plus up to 1 s of jitter, so that workers that failed
        # together do not all come back in the same instant.
        wait=wait_exponential(multiplier=policy.backoff_initial, max=policy.backoff_max)
        + wait_random(0, 1.0),
        retry=retry_if_exception_type(Transient),
        sleep=sleep,
        before_sleep=on_retry,
    )
    try:
        return retrying(call, *args)
    except RetryError as error:
        cause = error.last_attempt.exception()
        raise RetryableError(
            f"{what} unavailable after {policy.max_attempts} attempts: {cause}",
            retry_after=policy.backoff_max,
        ) from cause


class Throttled(Exception):
    """The remote system asked to slow down (a 429); `wait` is the pause it implies."""

    def __init__(self, message: str, wait: float) -> None:
        super().__init__(message)
        self.wait = wait


class RetryingClient:
    """What the connectors' REST clients share: one httpx.Client (`_http`), a rate budget
    whose `sleep` all waiting goes through, the retry policy, the counters metrics read,
    and the two loops: a rate limit waited out (`Throttled`, after the attempt paused the
    budget) up to max_throttle_waits times, transient failures retried with backoff.

    A subclass sets `what` (the system, for messages), `_http`, `budget` and `retry`, and
    implements one attempt that raises Throttled or Transient.
    """

    what: str
    budget: RateBudget
    retry: RetryPolicy
    _http: httpx.Client
    calls = 0
    throttle_waits = 0
    transient_retries = 0

    def _call(self, attempt: Callable[..., T], *args: Any) -> T:
        """`attempt(*args)` through both loops; RetryableError when they run out."""
        waits = 0
        while True:
            try:
                return with_transient_retries(
                    self.retry,
                    what=self.what,
                    sleep=self.budget.sleep,
                    on_retry=self._count_retry,
                    call=attempt,
                    args=args,
                )
            except Throttled as throttled:
                waits += 1
                self.throttle_waits += 1
                if waits > self.retry.max_throttle_waits:
                    raise RateLimitedError(
                        f"{self.what} kept answering 429 after {waits - 1} waits: {throttled}",
                        retry_after=throttled.wait,
                    ) from None
                log.info("%s rate limited, waiting %.2fs: %s", self.what, throttled.wait, throttled)

    def _count_retry(self, state: RetryCallState) -> None:
        self.transient_retries += 1
        outcome = state.outcome.exception() if state.outcome else None
        log.warning(
            "%s transient failure (attempt %d): %s", self.what, state.attempt_number, outcome
        )

    def watch(self, hook: Callable[[httpx.Response], None]) -> None:
        """Call `hook` with every HTTP answer (the hub notes when each system last answered)."""
        self._http.event_hooks["response"].append(hook)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
