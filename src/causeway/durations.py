"""Durations as people write them in causeway.yaml: 30s, 5m, 1h, 250ms."""

from __future__ import annotations

import re

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: object) -> float:
    """'90s', '5m', '1h', '250ms' or a number of seconds -> seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(
                f"{value!r} is not a duration: write a number with a unit, e.g. 30s, 5m or 1h"
            )
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError("a duration must be greater than zero")
    return seconds


def parse_threshold(value: object) -> float | None:
    """An alert threshold: a duration as above, or off (also false, none) for no alert."""
    if value is None or value is False or str(value).strip().lower() in ("off", "none", "false"):
        return None
    if value is True:
        raise ValueError("an alert threshold is a duration such as 1h, or off")
    return parse_duration(value)
