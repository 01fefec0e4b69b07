"""`POST /api/mail/suppressions`: addresses the hub must never write to again, fed by an
operator or by a small relay in front of the e-mail provider's bounce and complaint
webhooks (docs/notifications.md). All or nothing: one address that cannot be one refuses
the whole request, naming each bad entry, so nothing is half-applied."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from causeway.access.permissions import Permission
from causeway.engine import mail_outbox
from causeway.hub import Hub
from causeway.notifications.addresses import normalised, problem_with
from causeway.web.access import protected
from causeway.web.answers import ErrorAnswer
from causeway.web.console.routing import actor

MAX_ADDRESSES = 10_000  # a provider's daily bounce export fits; more: send it in parts
SHOWN_PROBLEMS = 20


class Suppressions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    addresses: list[str] = Field(
        description=f"the addresses, at most {MAX_ADDRESSES} a request", max_length=MAX_ADDRESSES
    )
    reason: Literal["bounce", "complaint", "manual"]
    detail: str | None = Field(
        default=None, max_length=1000, description="what the provider said, for the console"
    )


def add_mail_routes(app: FastAPI, hub: Hub) -> None:
    # 400: FastAPI's own answer to a body that is not JSON (the fuzzers send such).
    not_json: dict[int | str, Any] = {
        400: {"model": ErrorAnswer, "description": "the body is not JSON"}
    }

    @app.post("/api/mail/suppressions", **protected(Permission.OPERATE, responses=not_json))
    def suppress(body: Suppressions, request: Request) -> dict[str, Any]:
        """Suppress the addresses: e-mails waiting for them become `suppressed` and none
        is queued for them again. Addresses suppressed already keep their first reason."""
        problems = [
            f"addresses[{index}] {address[:80]!r}: {problem}"
            for index, address in enumerate(body.addresses)
            if (problem := problem_with(normalised(address))) is not None
        ]
        if problems:
            more = len(problems) - SHOWN_PROBLEMS
            shown = problems[:SHOWN_PROBLEMS] + ([f"... and {more} more"] if more > 0 else [])
            raise HTTPException(422, "not e-mail addresses, nothing stored: " + "; ".join(shown))
        added, stopped = mail_outbox.suppress(
            hub.store,
            [normalised(a) for a in body.addresses],
            body.reason,
            body.detail,
            actor=actor(request),
        )
        unique = len({normalised(a) for a in body.addresses})
        return {
            "suppressed": added,
            "already_suppressed": unique - added,
            "emails_stopped": stopped,
        }
