"""When a flow runs: in real time, every N seconds, at times of day, or only on demand.

One model for every flow, written in causeway.yaml as one line:

    realtime                      each change is processed as it arrives
    realtime, every 5m            ... plus a periodic run (e.g. the reconciling poll)
    every 3m                      changes wait, then run together every 3 minutes
    at 06:00, 18:00               ... at these times of day (the hub's local time)
    at 06:00, 18:00 Europe/Berlin ... in that time zone, following its DST changes
    manual                        only when asked: `causeway flow run NAME`

A flow that is not real time still receives every change as it arrives (nothing
is lost while it waits): the change's job is *held* until the next run releases
it. That is what makes "every 3 minutes" a batch and "manual" a button.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from causeway.durations import parse_duration

Mode = Literal["realtime", "every", "at", "manual"]
REALTIME: Final = "realtime"
INTERVAL: Final = "every"
DAILY: Final = "at"
MANUAL: Final = "manual"

# The run_at of a held job: far beyond any real time, so no claim takes it until a
# run releases it (sets run_at to now).
HELD_UNTIL = 1e13
# The run_at of a job held because its flow is paused (engine/flow_pauses.py): also
# held (>= HELD_UNTIL), and told apart so that resuming releases only what the pause held.
PAUSED_UNTIL = 2e13

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Schedule:
    mode: Mode
    every_seconds: float | None = None
    times: tuple[time, ...] = ()
    timezone: str | None = None

    @property
    def holds_changes(self) -> bool:
        """Changes wait for the next run instead of being processed at once."""
        return self.mode != REALTIME

    @property
    def runs_by_itself(self) -> bool:
        return self.mode != MANUAL and (self.mode != REALTIME or self.every_seconds is not None)

    def next_run(self, after: float) -> float | None:
        """The first run time strictly after `after` (epoch seconds); None: on demand only."""
        if self.mode == DAILY:
            return _next_time_of_day(self.times, self.timezone, after)
        if self.every_seconds is not None and self.mode != MANUAL:
            return after + self.every_seconds
        return None

    def describe(self) -> str:
        if self.mode == DAILY:
            when = ", ".join(t.strftime("%H:%M") for t in self.times)
            return f"at {when}" + (f" {self.timezone}" if self.timezone else "")
        if self.mode == INTERVAL:
            return f"every {_seconds_text(self.every_seconds or 0)}"
        if self.mode == REALTIME and self.every_seconds is not None:
            return f"realtime, every {_seconds_text(self.every_seconds)}"
        return self.mode


def _seconds_text(seconds: float) -> str:
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _next_time_of_day(times: tuple[time, ...], zone_name: str | None, after: float) -> float:
    zone = ZoneInfo(zone_name) if zone_name else None
    start = datetime.fromtimestamp(after, zone)
    # Wall-clock times: combine each day's date with each time in the zone, so 06:00
    # stays 06:00 across a DST change. Two days ahead always holds the next one.
    for day in range(3):
        date = (start + timedelta(days=day)).date()
        for moment in sorted(times):
            candidate = datetime.combine(date, moment, tzinfo=zone)
            if zone is None:
                candidate = candidate.astimezone()
            if candidate.timestamp() > after:
                return candidate.timestamp()
    raise AssertionError("unreachable: a time of day recurs within two days")


def parse_schedule(value: object) -> Schedule:
    """Read a schedule line (see the module docstring); errors say what to write."""
    if isinstance(value, Schedule):
        return value
    text = str(value).strip()
    lowered = text.lower()
    if lowered == MANUAL:
        return Schedule(MANUAL)
    if lowered == REALTIME:
        return Schedule(REALTIME)
    if lowered.startswith(REALTIME):
        rest = text[len(REALTIME) :].lstrip(" ,").strip()
        if rest.lower().startswith("every "):
            return Schedule(REALTIME, every_seconds=parse_duration(rest[6:].strip()))
    elif lowered.startswith("every "):
        return Schedule(INTERVAL, every_seconds=parse_duration(text[6:].strip()))
    elif lowered.startswith("at "):
        return _parse_daily(text[3:])
    raise ValueError(
        f"{text!r} is not a schedule: write realtime, 'realtime, every 5m', 'every 3m', "
        f"'at 06:00, 18:00' (optionally followed by a time zone such as Europe/Berlin) or manual"
    )


def _parse_daily(text: str) -> Schedule:
    parts = [p.strip() for p in text.replace(",", " ").split()]
    zone = None
    # A time zone is the last word, when it is a name (a bad time like 25:00 is not).
    if parts and any(c.isalpha() for c in parts[-1]):
        zone = parts.pop()
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{zone!r} is not a time zone: use an IANA name such as Europe/Berlin"
            ) from None
    times = []
    for part in parts:
        match = _TIME.match(part)
        if not match:
            raise ValueError(f"{part!r} is not a time of day: write HH:MM, e.g. 06:00")
        times.append(time(int(match.group(1)), int(match.group(2))))
    if not times:
        raise ValueError("'at' needs at least one time of day, e.g. 'at 06:00, 18:00'")
    return Schedule(DAILY, times=tuple(sorted(set(times))), timezone=zone)
