"""causeway.yaml `retention:`: how long the hub keeps what it received (docs/privacy.md).

Each period is a duration (30d, 12h) or `off` to keep for ever. The defaults keep a
month of raw payloads and finished work, which is what an operator needs to look into
a problem, and keep longer what serves as history: dead jobs (the operator's to-do
list), error reports, the inbox rows that record each delivery (without their
bodies), and the merge log (the undo of a wrong customer merge).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from causeway.config.base import Duration, Strict
from causeway.durations import parse_threshold

DAY = 86400.0


def parse_retention(value: object) -> float | None:
    if value is True:
        raise ValueError("a retention period is a duration such as 30d, or off (keep for ever)")
    return parse_threshold(value)


# A duration, or off (None): kept for ever.
Retention = Annotated[float | None, BeforeValidator(parse_retention)]


class RetentionSettings(Strict):
    every: Duration = Field(default=3600.0, description="how often the running hub prunes")
    batch_size: int = Field(
        default=500,
        ge=1,
        le=10_000,
        description="rows changed per transaction: pruning never holds the store's write "
        "lock for long",
    )
    done_jobs: Retention = Field(
        default=30 * DAY, description="finished jobs (their payloads and history)"
    )
    dead_jobs: Retention = Field(
        default=90 * DAY,
        description="parked jobs and their errors: the operator's to-do list, kept longer",
    )
    inbox_bodies: Retention = Field(
        default=30 * DAY,
        description="the raw body and headers of each received change (customers' data); "
        "the record that it was received stays",
    )
    inbox_records: Retention = Field(
        default=365 * DAY,
        description="the rest of each inbox record (source, event id, topic, when): the "
        "dedupe record of a delivery and the order's event history",
    )
    processed_files: Retention = Field(
        default=30 * DAY, description="imported CSV files in each drop folder's processed/"
    )
    error_files: Retention = Field(
        default=90 * DAY,
        description="rejected files and error reports in errors/, until someone fixes them",
    )
    merge_log: Retention = Field(
        default=365 * DAY,
        description="golden-customer merges (both records as they were): undo is possible "
        "until then",
    )
    exports: Retention = Field(
        default=30 * DAY, description="personal-data exports written for data requests"
    )
