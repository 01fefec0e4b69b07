"""Retrying one HTTP request right where it failed, the same way for every connector.

A transient failure (5xx, timeout, connection reset) is retried a few times with
exponential backoff and jitter, through the credential's own `sleep` so tests drive
time; after that the failure becomes a RetryableError and the job's backoff takes
over. Rate limits are not handled here: each client knows its vendor's.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from causeway.errors import RetryableError

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
