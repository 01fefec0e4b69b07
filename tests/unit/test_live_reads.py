"""Asking several systems at once for a page (observability/live.py): the one that does
not answer is named, the others' answers are kept, and the page does not wait past the
deadline."""

from __future__ import annotations

import threading
import time

from causeway.observability.live import ask_all


def test_answers_errors_and_silence_each_come_back_under_their_name() -> None:
    release = threading.Event()

    def silent() -> str:
        release.wait(5)
        return "too late"

    def broken() -> str:
        raise ConnectionError("connection refused by https://user:secret@erp.example.com")

    started = time.monotonic()
    answers = ask_all(
        {"erp": broken, "crm": lambda: "contact 501", "shop": silent},
        deadline=0.3,
        clean=lambda text: text.replace("secret", "***"),
    )
    waited = time.monotonic() - started
    release.set()

    assert answers["crm"].answered and answers["crm"].value == "contact 501"
    assert answers["erp"].problem == "connection refused by https://user:***@erp.example.com"
    assert answers["shop"].problem == "did not answer within 0.3 s"
    assert waited < 2


def test_an_error_without_words_is_named_by_its_kind() -> None:
    def empty() -> None:
        raise TimeoutError()

    assert ask_all({"erp": empty})["erp"].problem == "TimeoutError"
