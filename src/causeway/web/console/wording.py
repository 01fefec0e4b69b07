"""How the console words what the engine stores: a job's state as people say it, and
error and alert texts without the CLI commands they suggest.

The stored texts are written for `causeway status` (they end in "then run `causeway
replay`"); in the console the Replay button sits right below the error, and parked jobs
are replayed from the Problems page, so those hints are reworded here, for display only
(the stored error, the CLI and the JSON API keep them).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from causeway.engine.jobs import DEAD
from causeway.observability.alerts import DEAD_JOBS, Alert

# "dead" is the stored state; everyone else (CLI help, docs, the console) says parked.
_STATES = {DEAD: "parked"}

# ", then run `causeway replay`", "; then run `causeway replay 12`", "then `causeway
# replay --all --flow x`": the hint, with the punctuation that leads into it.
_REPLAY_HINT = re.compile(r"(?P<lead>[,;]?\s*)then (?:run )?`causeway replay[^`]*`")
# The parked-jobs alert's tail: the page links to the Problems page instead.
_DEAD_JOBS_HINT = re.compile(r":\s*read their reasons in `causeway status`.*$", re.S)


def job_state(state: str) -> str:
    """A job's state in the console's words: parked for dead, the others as they are."""
    return _STATES.get(state, state)


def console_error(error: str | None, button: bool = True) -> str | None:
    """An error text for the job's page, where (button) the Replay button sits below it;
    for a viewer, or a job no longer parked, the hint names no button."""
    if error is None:
        return None
    then = "then replay it below" if button else "then replay it"
    return _REPLAY_HINT.sub(lambda m: f"{m['lead'] or ' '}{then}", error)


def alert_text(alert: Alert) -> str:
    """An alert's message for the overview, which links the parked jobs' alert to the
    Problems page (problems_link) rather than naming CLI commands."""
    if alert.kind == DEAD_JOBS:
        return _DEAD_JOBS_HINT.sub("", alert.message)
    return _REPLAY_HINT.sub(
        lambda m: f"{m['lead'] or ' '}then replay them under Problems", alert.message
    )


def problems_link(alert: Alert) -> str | None:
    """The Problems page filtered to the alert's flow, for the parked jobs' alert."""
    if alert.kind != DEAD_JOBS:
        return None
    return f"/console/problems?flow={quote(alert.subject, safe='')}"
