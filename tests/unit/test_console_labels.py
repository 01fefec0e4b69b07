"""The console's status words: one mapping for the order page, the customer page and
the search results (web/console/labels.py)."""

from __future__ import annotations

import pytest

from causeway.engine import timeline
from causeway.web.console.labels import STATUS_LABELS, status_label, step_label
from causeway.web.console.rendering import TEMPLATES


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("received", "received"),
        ("in_erp", "in the ERP"),
        ("allocated", "allocated"),
        ("partially_shipped", "partly shipped"),
        ("shipped", "shipped"),
        ("invoiced", "invoiced"),
        ("paid", "paid"),
        ("refunded", "refunded"),
        ("returned", "returned"),
        ("cancelled", "cancelled"),
        ("parked", "parked"),
        ("amount_mismatch", "amounts differ"),
        ("amounts_accepted", "amounts accepted"),
    ],
)
def test_each_status_reads_as_words(code: str, words: str) -> None:
    assert status_label(code) == words


def test_every_milestone_and_finding_of_the_timeline_has_its_words() -> None:
    assert set(timeline.ENTRIES) <= set(STATUS_LABELS)


def test_an_unknown_code_still_reads_as_words_and_none_as_a_dash() -> None:
    assert status_label("on_hold") == "on hold"
    assert status_label(None) == "-"
    assert status_label("") == "-"


def test_a_timeline_step_is_the_same_words_as_a_heading() -> None:
    assert step_label("in_erp") == "In the ERP"
    assert step_label("amount_mismatch") == "Amounts differ"


def test_templates_have_the_status_filter() -> None:
    template = TEMPLATES.env.from_string("{{ 'in_erp' | status }}")
    assert template.render() == "in the ERP"
