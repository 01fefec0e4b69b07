"""The console's wording of stored texts: "parked" for dead jobs, and error and alert
texts without the CLI commands they suggest (the console has a button or a link)."""

from __future__ import annotations

from causeway.errors import UnknownSkuError
from causeway.observability.alerts import DEAD_JOBS, FLOW_FAILING, Alert
from causeway.web.console.wording import alert_text, console_error, job_state, problems_link


def test_a_dead_job_is_called_parked_and_the_other_states_keep_their_names() -> None:
    assert job_state("dead") == "parked"
    for state in ("resolved", "queued", "running", "done"):
        assert job_state(state) == state


def test_the_errors_replay_hint_points_to_the_button_below() -> None:
    stored = str(UnknownSkuError(["NOPE-1"], "tryton"))
    assert "`causeway replay`" in stored  # the stored error keeps it, for the CLI
    shown = console_error(stored)
    assert shown == (
        "unknown SKU NOPE-1 in tryton: create the product in tryton "
        "(or fix the SKU in the store), then replay it below"
    )


def test_without_a_replay_button_the_hint_names_none() -> None:
    """A viewer's page, or a job no longer parked, has no Replay button below."""
    assert console_error("create it, then run `causeway replay`", button=False) == (
        "create it, then replay it"
    )


def test_a_semicolon_hint_and_a_job_number_are_reworded_too() -> None:
    assert console_error("delete the quotation; then run `causeway replay 12`") == (
        "delete the quotation; then replay it below"
    )


def test_an_error_without_a_hint_is_shown_as_it_is() -> None:
    assert console_error("connection refused") == "connection refused"
    assert console_error(None) is None


def test_the_parked_jobs_alert_links_to_the_flows_problems_instead_of_cli_commands() -> None:
    alert = Alert(
        DEAD_JOBS,
        "orders-to-erp",
        "2 job(s) parked, the first 5 min ago: read their reasons in `causeway status`, "
        "fix the cause, then `causeway replay --all --flow orders-to-erp`",
        0.0,
    )
    assert alert_text(alert) == "2 job(s) parked, the first 5 min ago"
    assert problems_link(alert) == "/console/problems?flow=orders-to-erp"


def test_other_alerts_keep_their_message_and_have_no_link() -> None:
    alert = Alert(FLOW_FAILING, "orders-to-erp", "last run failed (timeout)", 0.0)
    assert alert_text(alert) == "last run failed (timeout)"
    assert problems_link(alert) is None
