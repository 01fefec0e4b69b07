"""One check's outcome: which system, what was checked, and for a failure the fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    system: str
    what: str
    ok: bool
    # For a failure, or a warning (ok, with a fix): what is wrong, then what to do, as a
    # sentence an operator acts on.
    fix: str | None = None


def passed(system: str, what: str) -> Check:
    return Check(system, what, True)


def failed(system: str, what: str, fix: str) -> Check:
    return Check(system, what, False, fix)


def no_public_url(system: str, what: str, topics: list[str]) -> Check:
    """Webhooks wanted but nowhere to send them: server.public_url is not set."""
    return failed(
        system,
        what,
        f"server.public_url is not set, so {system} cannot send the hub {', '.join(topics)}: "
        f"set it to the https address the store reaches the hub at (until then only the "
        f"reconcile polls bring changes in)",
    )


def warned(system: str, what: str, fix: str) -> Check:
    """Works today but needs attention soon: shown with its fix, not counted as failed."""
    return Check(system, what, True, fix)


def present(system: str, what: str, found: bool, fix: str) -> Check:
    """Something the flows need is there, or the fix for its absence."""
    return passed(system, what) if found else failed(system, what, fix)
