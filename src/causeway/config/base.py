"""The building blocks of causeway.yaml's models: strict keys, durations, schedules."""

from __future__ import annotations

import re
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


def parse_file_mode(value: object) -> int:
    """'0640' -> 0o640: a file mode written as octal digits, in quotes."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            f'write the mode in quotes, e.g. "0640" (YAML reads an unquoted 0640 as the '
            f"number {value})"
        )
    text = str(value).strip()
    if not re.fullmatch(r"0?[0-7]{3}", text):
        raise ValueError(f'{text!r} is not a file mode: write three octal digits, e.g. "0640"')
    mode = int(text, 8)
    if mode & 0o600 != 0o600:
        raise ValueError(f"{text!r}: start it with 6, so the hub's own user can write the file")
    if mode & 0o111:
        raise ValueError(f"{text!r}: CSV files are not programs; leave out the execute bits")
    return mode


# A file mode as octal text ("0640"); serialised back the same way.
FileMode = Annotated[
    int, BeforeValidator(parse_file_mode), PlainSerializer(lambda mode: f"{mode:04o}")
]


class Strict(BaseModel):
    # A misspelt key is an error, not silently ignored: it names the key.
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
