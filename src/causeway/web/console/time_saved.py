"""The time-saved tile: records the hub handled by itself, times the minutes a person
would have spent on each by hand (`console.minutes_saved`, config/console.py).

What counts as handled automatically is engine/flow_stats.handled(): jobs that ended
done (a job retried before it succeeded counts once; a parked or resolved job does not,
a person handles it; a flow's own scheduled pass is no record). The arithmetic is exact
(Decimal) and rounded once, for display.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DAY = 86400.0
MONTH_DAYS = 30
SIXTY = Decimal(60)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class KindSaved:
    kind: str
    minutes_each: Decimal
    records_day: int
    records_month: int

    @property
    def hours_day(self) -> Decimal:
        return self.records_day * self.minutes_each / SIXTY


@dataclass(frozen=True)
class TimeSaved:
    # Hours a person would have worked: over the last 24 hours, and over a month (the
    # last 30 days, or the days of finished jobs the store keeps, scaled to 30 days).
    hours_day: Decimal
    hours_month: Decimal
    records_day: int
    records_month: int
    by_kind: list[KindSaved]
    # The month figure rests on this many days of kept jobs (retention.done_jobs).
    month_window_days: Decimal
    # Flows whose records have no kind (and so count no time), by name.
    not_counted: list[str]

    @property
    def shown_day(self) -> str:
        return hours_text(self.hours_day)

    @property
    def shown_month(self) -> str:
        return hours_text(self.hours_month)


def hours_text(hours: Decimal) -> str:
    return f"{hours.quantize(TENTH, rounding=ROUND_HALF_UP)} h"


def month_window(done_jobs_kept: float | None) -> Decimal:
    """Days of finished jobs the month figure can read: 30, or fewer when retention
    deletes done jobs sooner (None: kept forever)."""
    if done_jobs_kept is None:
        return Decimal(MONTH_DAYS)
    return min(Decimal(MONTH_DAYS), Decimal(str(done_jobs_kept)) / Decimal(int(DAY)))


def time_saved(
    day: Mapping[str, int],
    month: Mapping[str, int],
    *,
    minutes: Mapping[str, Decimal],
    kinds: Mapping[str, str],
    window_days: Decimal = Decimal(MONTH_DAYS),
) -> TimeSaved:
    """day, month: flow -> records handled in the last 24 hours, in the last
    `window_days` days; minutes: kind -> minutes per record; kinds: flow -> kind."""
    per_kind: dict[str, list[int]] = {}
    not_counted = []
    for flow in sorted(set(day) | set(month)):
        kind = kinds.get(flow)
        if kind is None or kind not in minutes:
            not_counted.append(flow)
            continue
        counts = per_kind.setdefault(kind, [0, 0])
        counts[0] += day.get(flow, 0)
        # The month's count may be minutes older than the day's (MonthCounts caches
        # it): it holds at least the day's records, whatever came in since.
        counts[1] += max(month.get(flow, 0), day.get(flow, 0))
    by_kind = [
        KindSaved(kind, minutes[kind], counts[0], counts[1])
        for kind, counts in sorted(per_kind.items())
    ]
    month_minutes = sum((k.records_month * k.minutes_each for k in by_kind), Decimal(0))
    scale = Decimal(MONTH_DAYS) / window_days if window_days > 0 else Decimal(0)
    return TimeSaved(
        hours_day=sum((k.hours_day for k in by_kind), Decimal(0)),
        hours_month=month_minutes / SIXTY * scale,
        records_day=sum(k.records_day for k in by_kind),
        records_month=sum(k.records_month for k in by_kind),
        by_kind=by_kind,
        month_window_days=window_days,
        not_counted=not_counted,
    )
