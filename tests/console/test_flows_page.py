"""The Flows page: everyone with a key reads each flow and its recent runs; operators run
it now, pause and resume it (a read key is refused), and the audit log says who did."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from causeway.engine import audit, flow_history
from causeway.engine.flow_pauses import is_paused
from causeway.engine.jobs import DONE, HELD, JobQueue, NewJob
from causeway.engine.worker import BatchOutcome, record_flow_outcome
from causeway.hub import Hub
from causeway.web.console.rendering import short_when, when
from tests.console.conftest import client_with_key, console_hub

FLOW = "cancellations"  # real time, takes the channel's cancellations
STOCK = "stock-to-channels"  # every 5 minutes, with a pass of its own


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    hub = console_hub(
        tmp_path,
        {
            FLOW: {"source": "shop", "target": "erp"},
            STOCK: {"source": "erp", "targets": ["shop"]},
        },
    )
    yield hub
    hub.store.dispose()


def cancellation(number: str) -> NewJob:
    return NewJob(FLOW, f"shop:order:{number}", {"order": number})


def test_a_viewer_reads_the_flows_without_any_button(hub: Hub) -> None:
    page = client_with_key(hub, "read").get("/console/flows")
    assert page.status_code == 200
    assert f'id="flow-{FLOW}"' in page.text and f'id="flow-{STOCK}"' in page.text
    assert "every 5m" in page.text
    assert f'aria-label="Pause {FLOW}"' not in page.text
    assert "Run now" not in page.text


def test_a_read_key_is_refused_every_action(hub: Hub) -> None:
    reader = client_with_key(hub, "read")
    for verb in ("run", "pause", "resume"):
        assert reader.post(f"/console/flows/{FLOW}/{verb}").status_code == 403
    assert not is_paused(hub.store, FLOW)
    assert flow_history.recent(hub.store, FLOW) == []


def test_without_a_credential_an_action_is_refused(hub: Hub) -> None:
    from causeway.web.app import create_app

    anonymous = TestClient(create_app(hub), base_url="http://localhost", follow_redirects=False)
    assert anonymous.post(f"/console/flows/{FLOW}/pause").status_code in (401, 303)
    assert not is_paused(hub.store, FLOW)


def test_pausing_a_flow_holds_new_changes_and_resuming_releases_them(hub: Hub) -> None:
    operator = client_with_key(hub, "run")
    page = operator.get("/console/flows")
    assert f'aria-label="Pause {FLOW}"' in page.text

    paused = operator.post(f"/console/flows/{FLOW}/pause")
    assert paused.status_code == 303
    assert paused.headers["location"].startswith(f"/console/flows?flow={FLOW}&said=paused")
    page = operator.get(paused.headers["location"])
    assert f"{FLOW} is paused" in page.text
    assert f'aria-label="Resume {FLOW}"' in page.text
    assert f'aria-label="Run {FLOW} now"' not in page.text  # nothing runs while paused

    jobs = JobQueue(hub.store)
    jobs.enqueue(cancellation("1001"))
    assert jobs.counts() == {(FLOW, HELD): 1}
    # Run now is refused while paused, whoever asks.
    assert operator.post(f"/console/flows/{FLOW}/run").status_code == 409

    resumed = operator.post(f"/console/flows/{FLOW}/resume")
    assert "said=resumed%3A1" in resumed.headers["location"]
    assert "1 held job(s) released" in operator.get(resumed.headers["location"]).text
    assert jobs.counts() == {(FLOW, "queued"): 1}

    entries = audit.recent(hub.store, subject=f"flow:{FLOW}")
    assert [(e.action, e.actor) for e in entries] == [
        ("flow.resume", "key:console-run-0"),
        ("flow.pause", "key:console-run-0"),
    ]


def test_run_now_releases_what_the_flow_holds_and_shows_the_run(hub: Hub) -> None:
    operator = client_with_key(hub, "run")
    answer = operator.post(f"/console/flows/{STOCK}/run")
    assert answer.status_code == 303
    assert "said=run%3A1" in answer.headers["location"]  # its own pass, queued
    (run,) = flow_history.recent(hub.store, STOCK)
    assert (run.actor, run.trigger, run.queued) == ("key:console-run-0", "on demand", 1)

    # The pass would call the ERP: a worker's outcome of it, by hand.
    queue = JobQueue(hub.store)
    (job,) = queue.claim("w", [STOCK])
    queue.complete(job, "w")
    record_flow_outcome(hub.store, STOCK, ok=True, batch=BatchOutcome(done=1))
    (run,) = flow_history.recent(hub.store, STOCK)
    assert (run.done, run.outcome) == (1, "ok")
    page = operator.get("/console/flows").text
    assert "Recent runs of stock-to-channels" in page
    assert "key:console-run-0" in page
    assert queue.counts() == {(STOCK, DONE): 1}


def test_recent_runs_fit_their_card_compact_dates_whole_numbers_a_scroller(hub: Hub) -> None:
    operator = client_with_key(hub, "run")
    operator.post(f"/console/flows/{STOCK}/run")
    (run,) = flow_history.recent(hub.store, STOCK)
    page = operator.get("/console/flows").text
    table = page.split(f"Recent runs of {STOCK}", 1)[0].rsplit("<div", 1)[1]
    assert table.startswith(' class="overflow-auto">')  # a phone scrolls it, the card holds
    full, short = when(run.started_at), short_when(run.started_at)
    assert re.fullmatch(r"\d\d-\d\d \d\d:\d\d", short)
    assert f'<time datetime="{full}" title="{full}">{short}</time>' in page
    assert '<td data-label="Queued" class="num">1</td>' in page


def test_an_unknown_flow_is_not_found(hub: Hub) -> None:
    operator = client_with_key(hub, "run")
    assert operator.post("/console/flows/nope/pause").status_code == 404
