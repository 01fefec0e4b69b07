"""The building blocks of causeway.yaml's models: strict keys, durations, schedules."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
)

from causeway.durations import parse_duration, parse_threshold
from causeway.engine.schedule import Schedule, parse_schedule

Duration = Annotated[float, BeforeValidator(parse_duration)]
# An alert threshold: a duration, or `off` (YAML reads a bare off as false) for no alert.
Threshold = Annotated[float | None, BeforeValidator(parse_threshold)]
# realtime | "realtime, every 5m" | "every 3m" | "at 06:00, 18:00 Europe/Berlin" | manual
ScheduleSetting = Annotated[
    Schedule, PlainValidator(parse_schedule), PlainSerializer(Schedule.describe)
]


class Strict(BaseModel):
    # A misspelt key is an error, not silently ignored: it names the key.
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
