"""The integration's record: what did Causeway handle without a person, what failed, how
fast was it fixed, and how many hours did it save?

Per flow and record kind, over the days in the range (fact_integration, one row per day
and flow):
  handled      = sum(handled): records done without a person
  failed       = sum(failed): records that needed a person;  fixed = sum(fixed)
  failure_rate = failed / (handled + failed)
  hours_to_fix = mean hours from failure to fix, weighted by the records fixed each day
                 (sum(hours_to_fix x fixed) / sum(fixed))
  hours_saved  = sum(handled x minutes_each) / 60  (minutes_each: the configured minutes a
                 person spends per record, per day as configured then)
"""

from __future__ import annotations

from collections.abc import Sequence

from causeway.reports import charts
from causeway.reports.base import ChartSpec, Column, Kind, Report, Row
from causeway.reports.filters import Filter

SQL = """
SELECT i.flow, coalesce(i.kind, '(none)') AS kind,
  coalesce(sum(i.handled), 0) AS handled,
  coalesce(sum(i.failed), 0) AS failed,
  coalesce(sum(i.fixed), 0) AS fixed,
  CAST(sum(i.failed) AS DOUBLE) / nullif(sum(i.handled) + sum(i.failed), 0) AS failure_rate,
  sum(i.hours_to_fix * i.fixed) FILTER (WHERE i.hours_to_fix IS NOT NULL)
    / nullif(sum(i.fixed) FILTER (WHERE i.hours_to_fix IS NOT NULL), 0) AS hours_to_fix,
  CAST(coalesce(sum(i.handled * i.minutes_each), 0) / 60 AS DECIMAL(18, 2)) AS hours_saved
FROM fact_integration i
WHERE ($date_from IS NULL OR i.date >= $date_from) AND ($date_to IS NULL OR i.date <= $date_to)
GROUP BY i.flow, coalesce(i.kind, '(none)')
ORDER BY hours_saved DESC, i.flow
"""


def _chart(rows: Sequence[Row]) -> ChartSpec:
    title = "Hours saved by flow"
    if not rows:
        return charts.empty(title)
    return charts.bar(
        rows,
        category="flow",
        value="hours_saved",
        title=title,
        value_title="hours a person would have spent",
        value_format=",.1f",
        tooltip=("kind", "handled", "failed", "fixed"),
    )


REPORT = Report(
    slug="integration-record",
    title="The integration's record",
    question="What did Causeway handle without a person, what failed, and what did it save?",
    formula=(
        "hours saved = records handled x the configured minutes per record / 60; failure "
        "rate = failed / (handled + failed); hours to fix = mean hours from a failure to "
        "its fix, weighted by the records fixed. Per flow and record kind."
    ),
    sql=SQL,
    columns=(
        Column("flow", "Flow"),
        Column("kind", "Records"),
        Column("handled", "Handled", Kind.COUNT),
        Column("failed", "Failed", Kind.COUNT),
        Column("fixed", "Fixed", Kind.COUNT),
        Column("failure_rate", "Failure rate", Kind.RATIO),
        Column("hours_to_fix", "Hours to fix", Kind.HOURS),
        Column("hours_saved", "Hours saved", Kind.HOURS),
    ),
    filters=frozenset({Filter.DATES}),
    chart=_chart,
)
