"""causeway.yaml `console:`: the operator console (docs/console.md)."""

from __future__ import annotations

from pydantic import Field

from causeway.config.base import Duration, Strict


class ConsoleSettings(Strict):
    enabled: bool = Field(
        default=True,
        description="serve the operator console under /console; false turns it off "
        "(the API and the webhooks stay)",
    )
    session_idle: Duration = Field(
        default=1800.0, description="a console session unused this long ends (default 30m)"
    )
    session_max: Duration = Field(
        default=43200.0,
        description="a console session ends this long after sign-in, used or not (default 12h)",
    )
