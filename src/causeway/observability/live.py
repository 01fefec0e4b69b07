"""Asking several systems at once for a page, with a deadline.

A page that reads the ERP, the CRM and the stores live must not hang on the one that is
down: a connector retries a failed request with backoff (connectors/http_retry.py) and
a silent server is only given up on at its timeout. So each question runs in a thread
of its own; what has not answered by the deadline is reported as such and the page
shows everything else. A question still running after the deadline finishes in the
background and its answer is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger("causeway.observability.live")

T = TypeVar("T")

# Long enough for a busy ERP to answer a read of one product; short enough for a person
# waiting on the page.
DEADLINE = 8.0

# Shared and bounded: a page asks a handful of questions; a system that hangs holds at
# most these threads until its connector's own timeout.
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="live-read")


@dataclass(frozen=True)
class Answer(Generic[T]):
    """What one system said, or why there is nothing: `problem` is for people."""

    value: T | None = None
    problem: str | None = None

    @property
    def answered(self) -> bool:
        return self.problem is None


def ask_all(
    questions: Mapping[str, Callable[[], T]],
    *,
    deadline: float = DEADLINE,
    clean: Callable[[str], str] = str,
) -> dict[str, Answer[T]]:
    """Ask every question at once; name -> its answer, or the reason there is none (an
    error it raised, or no answer within `deadline` seconds, counted for all together).
    clean: what an error's text goes through before people see it (the hub's Redactor,
    so a secret a connector's error quotes never reaches a page)."""
    futures = {name: _POOL.submit(ask) for name, ask in questions.items()}
    wait(futures.values(), timeout=deadline)
    answers: dict[str, Answer[T]] = {}
    for name, future in futures.items():
        if not future.done():
            answers[name] = Answer(problem=f"did not answer within {deadline:g} s")
        elif (error := future.exception()) is not None:
            log.info("live read %s failed: %s", name, error)
            answers[name] = Answer(problem=clean(_plain(error)))
        else:
            answers[name] = Answer(future.result())
    return answers


def _plain(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
