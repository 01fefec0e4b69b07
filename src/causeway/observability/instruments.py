"""The figures only a running process sees, as it sees them (per process).

Everything that can be read from the store is read at scrape time instead
(observability/metrics.py), so it is right however many processes share the store.
This module imports nothing from the engine so that the engine can import it.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

# Time from a webhook request's arrival to its answer: for a stored delivery, that
# includes the group commit, which is what the sender waits for.
WEBHOOK_LATENCY = Histogram(
    "causeway_webhook_latency_seconds",
    "Time from a webhook request to the hub's answer (stored: after the commit)",
    ["system", "outcome"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,
)

JOB_RETRIES = Counter(
    "causeway_job_retries",
    "Failed job attempts scheduled to run again (by this process)",
    ["flow"],
    registry=None,
)

# Requests to POST /collect/{system} (docs/clickstream.md), by answer: accepted (queued to
# be stored), declined (no analytics consent: nothing stored, by design), refused (wrong
# key or origin, oversized, malformed), rate_limited, and dropped (the store too slow).
CLICKSTREAM_REQUESTS = Counter(
    "causeway_clickstream_requests",
    "Storefront event requests by what became of them (by this process)",
    ["system", "outcome"],
    registry=None,
)

INSTRUMENTS = (WEBHOOK_LATENCY, JOB_RETRIES, CLICKSTREAM_REQUESTS)
