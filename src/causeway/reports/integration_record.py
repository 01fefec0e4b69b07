"""The integration's record: what did Causeway handle without a person, what failed, how
fast was it fixed, and how many hours did it save?

Per flow and record kind, over the jobs that finished in the range (fact_integration, one
row per finished job, its outcome worked out by the build):
  handled      = jobs done without a person (outcome handled)
  failed       = jobs that needed a person: parked at least once (outcome failed or fixed)
  fixed        = of those, replayed to done or resolved (outcome fixed)
  failure_rate = failed / (handled + failed)
  hours_to_fix = mean of the fixed jobs' hours from their first parking to their end
  hours_saved  = sum of minutes_each over the handled jobs / 60 (minutes_each: the
                 configured minutes a person spends per record, as at the last build)
"""

from __future__ import annotations

from collections.abc import Sequence

from causeway.reports import charts
from causeway.reports.base import ChartSpec, Column, Kind, Report, Row, matching
from causeway.reports.filters import Filter

SQL = f"""
SELECT i.flow, coalesce(i.kind, '(none)') AS kind,
  count(*) FILTER (WHERE i.outcome = 'handled') AS handled,
  count(*) FILTER (WHERE i.outcome IN ('failed', 'fixed')) AS failed,
  count(*) FILTER (WHERE i.outcome = 'fixed') AS fixed,
  CAST(count(*) FILTER (WHERE i.outcome IN ('failed', 'fixed')) AS DOUBLE)
    / nullif(count(*) FILTER (WHERE i.outcome IS NOT NULL), 0) AS failure_rate,
  avg(i.hours_to_fix) FILTER (WHERE i.outcome = 'fixed') AS hours_to_fix,
  CAST(coalesce(sum(i.minutes_each) FILTER (WHERE i.outcome = 'handled'), 0) / 60
    AS DECIMAL(18, 2)) AS hours_saved
FROM fact_integration i
WHERE {matching("i", day="date", channel=None, customer=None)}
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
