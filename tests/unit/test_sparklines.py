"""The overview's 24-hour charts: small, fixed in height, and readable with an hour of
data (the reviewer saw an empty lag chart when only the last hour had done jobs)."""

from __future__ import annotations

import re

from causeway.engine.flow_stats import Activity, Hour
from causeway.web.console.sparklines import HEIGHT, lag_chart, throughput_chart

BAR = re.compile(r'<g class="bar"><rect [^>]*height="(?!0\.0")[\d.]+"')


def one_hour_of_work() -> Activity:
    quiet = [Hour(n * 3600.0) for n in range(23)]
    return Activity([*quiet, Hour(23 * 3600.0, done=3, dead=1, mean_lag=2.0, max_lag=4.0)])


def test_a_single_hour_of_lag_draws_a_bar() -> None:
    chart = str(lag_chart("orders-to-erp", one_hour_of_work()))
    assert len(BAR.findall(chart)) == 1
    assert (
        'aria-label="orders-to-erp, last 24 hours: longest wait from arrival to done 4 s"' in chart
    )


def test_the_charts_are_small_and_fixed_in_height() -> None:
    assert 24 <= HEIGHT <= 40
    for chart in (throughput_chart, lag_chart):
        svg = str(chart("orders-to-erp", one_hour_of_work()))
        assert f'height="{HEIGHT}"' in svg.split(">", 1)[0]
        assert "<script" not in svg
