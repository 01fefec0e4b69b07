"""causeway.yaml `console:`: how long a login to the operator console lasts
(docs/security.md, "People, roles and sessions").

A session ends when it has been idle for `session_idle` (nobody clicked: the laptop
left open in a meeting room) and in any case `session_max` after its login, so that a
stolen cookie is worth a working day at most.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from causeway.config.base import Duration, Strict


class ConsoleSettings(Strict):
    session_idle: Duration = Field(
        default=30 * 60.0, description="a session unused this long ends (log in again)"
    )
    session_max: Duration = Field(
        default=12 * 3600.0, description="every session ends this long after its login"
    )

    @model_validator(mode="after")
    def _idle_within_max(self) -> ConsoleSettings:
        if self.session_idle > self.session_max:
            raise ValueError(
                "session_idle is longer than session_max, so it would never apply: "
                "make it shorter (defaults: session_idle 30m, session_max 12h)"
            )
        return self
