"""The Problems page and its actions, as an operator and a viewer use them (API keys: a
`run` key operates, a `read` key only looks)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from causeway.engine import audit
from causeway.engine.inbox import InboxRecord
from causeway.engine.jobs import DEAD, QUEUED, RESOLVED
from causeway.errors import PermanentError, UnknownSkuError
from causeway.hub import Hub
from tests.console.conftest import client_with_key, console_hub
from tests.unit.shopify_payloads import rest_order

ORDERS = {"orders-to-erp": {"source": "shop", "target": "erp"}}


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    hub = console_hub(tmp_path, ORDERS)
    yield hub
    hub.store.dispose()


@pytest.fixture
def operator(hub: Hub) -> TestClient:
    return client_with_key(hub, "run")


@pytest.fixture
def viewer(hub: Hub) -> TestClient:
    return client_with_key(hub, "read")


def park_order(hub: Hub, number: int = 1, error: BaseException | None = None) -> int:
    """A Shopify order of `shop` whose orders-to-erp job was parked (unknown SKU)."""
    body = rest_order() | {"id": number, "name": f"#{number}"}
    hub.inbox.accept(
        [
            InboxRecord(
                "shop", f"e{number}", "orders/create", f"order:{number}", json.dumps(body).encode()
            )
        ]
    )
    (job,) = hub.jobs.claim("w", ["orders-to-erp"])
    cause = error or UnknownSkuError(["IPOD2008GREEN"], "erp")
    hub.jobs.kill(job, "w", str(cause), cause=cause)
    return job.id


def state(hub: Hub, job_id: int) -> str:
    job = hub.jobs.get(job_id)
    assert job is not None
    return str(job["state"])


def test_the_list_shows_counts_by_class_and_the_unknown_product_naming_its_sku(
    hub: Hub, viewer: TestClient
) -> None:
    park_order(hub, 1)
    park_order(hub, 2, PermanentError("Tryton refused the sale"))
    page = viewer.get("/console/problems")
    assert page.status_code == 200
    assert "2 parked jobs" in page.text
    assert re.search(r"unknown product <strong>1</strong>", page.text)
    assert re.search(r"rejected by the target system <strong>1</strong>", page.text)
    assert "unknown product: <code>IPOD2008GREEN</code>" in page.text
    assert "Tryton refused the sale" in page.text


def test_the_filter_form_refreshes_only_the_list(hub: Hub, viewer: TestClient) -> None:
    park_order(hub, 1)
    park_order(hub, 2, PermanentError("refused"))
    partial = viewer.get(
        "/console/problems?class=unknown_product",
        headers={"HX-Request": "true", "HX-Target": "problem-list"},
    )
    assert partial.status_code == 200
    assert partial.text.lstrip().startswith('<section id="problem-list"')
    assert "1 parked job" in partial.text and "refused" not in partial.text
    assert "<html" not in partial.text
    # The same address without htmx is the whole page (a bookmarked, filtered list).
    assert "<html" in viewer.get("/console/problems?class=unknown_product").text
    for query in ("system=woo", "flow=payments-and-invoices", "assignee=nobody", "age=7d"):
        text = viewer.get(f"/console/problems?{query}").text
        assert ("No parked jobs" in text) == (query != "assignee=nobody"), query
    assert "Filter ignored: age" in viewer.get("/console/problems?age=soon").text


def test_a_viewer_sees_no_action_and_every_post_is_refused(hub: Hub, viewer: TestClient) -> None:
    job_id = park_order(hub)
    for path in ("/console/problems", f"/console/problems/{job_id}"):
        main = viewer.get(path).text.split("<main", 1)[1]
        assert 'method="post"' not in main and "Replay selected" not in main, path
        assert 'type="checkbox"' not in main and "<textarea" not in main
    posts: list[tuple[str, dict[str, Any]]] = [
        ("/console/problems/replay", {"job": [job_id]}),
        (f"/console/problems/{job_id}/replay", {}),
        (f"/console/problems/{job_id}/resolve", {"note": "done"}),
        (f"/console/problems/{job_id}/assign", {"assignee": "a@example.com"}),
        (f"/console/problems/{job_id}/edit", {"body": "{}"}),
    ]
    for path, form in posts:
        assert viewer.post(path, data=form).status_code == 403, path
    assert state(hub, job_id) == DEAD
    assert audit.recent(hub.store) == []


def test_a_post_without_a_credential_is_refused(hub: Hub) -> None:
    job_id = park_order(hub)
    anonymous = TestClient(client_with_key(hub, "read").app, base_url="http://localhost")
    assert anonymous.post(f"/console/problems/{job_id}/replay").status_code == 401


def test_an_operator_replays_a_selection(hub: Hub, operator: TestClient) -> None:
    first, second = park_order(hub, 1), park_order(hub, 2)
    page = operator.get("/console/problems").text
    assert 'aria-label="Select job 1"' in page and "Replay selected</button>" in page
    answer = operator.post("/console/problems/replay", data={"job": [first, second]})
    assert answer.status_code == 200 and "Replayed 2 job(s)." in answer.text
    assert state(hub, first) == state(hub, second) == QUEUED
    assert {e.subject for e in audit.recent(hub.store, action="job.replay")} == {
        f"job:{first}",
        f"job:{second}",
    }
    assert {e.actor for e in audit.recent(hub.store)} == {"key:console-run-0"}


def test_the_job_page_shows_error_history_and_record_and_its_actions(
    hub: Hub, operator: TestClient
) -> None:
    job_id = park_order(hub)
    page = operator.get(f"/console/problems/{job_id}")
    assert page.status_code == 200
    assert "unknown product <code>IPOD2008GREEN</code>" in page.text
    assert "&#34;sku&#34;: &#34;IPOD2008GREEN&#34;" in page.text  # the record's JSON, escaped
    for label in (
        f"Replay job {job_id}</button>",
        "Save edit and replay</button>",
        "Resolve without running</button>",
        '<label for="note">Resolution note</label>',
        '<label for="assignee">Assign to (e-mail)</label>',
    ):
        assert label in page.text
    assert operator.get("/console/problems/999").status_code == 404


def test_the_job_page_says_parked_and_points_to_its_replay_button_not_the_cli(
    hub: Hub, operator: TestClient
) -> None:
    job_id = park_order(hub)
    page = operator.get(f"/console/problems/{job_id}").text
    assert "<dt>State</dt><dd>parked</dd>" in page
    assert "causeway replay" not in page
    assert "(or fix the SKU in the store), then replay it below</pre>" in page
    seen = client_with_key(hub, "read").get(f"/console/problems/{job_id}").text
    assert "then replay it</pre>" in seen and "causeway replay" not in seen  # no button
    operator.post(f"/console/problems/{job_id}/resolve", data={"note": "booked by hand"})
    assert "<dt>State</dt><dd>resolved</dd>" in operator.get(f"/console/problems/{job_id}").text


def test_an_operator_assigns_and_resolves_with_a_note(hub: Hub, operator: TestClient) -> None:
    job_id = park_order(hub)
    assigned = operator.post(
        f"/console/problems/{job_id}/assign", data={"assignee": "ana@example.com"}
    )
    assert assigned.status_code == 303
    assert "ana@example.com" in operator.get("/console/problems?assignee=ana@example.com").text
    refused = operator.post(f"/console/problems/{job_id}/resolve", data={"note": " "})
    assert refused.status_code == 422 and "needs a note" in refused.text
    done = operator.post(f"/console/problems/{job_id}/resolve", data={"note": "booked by hand"})
    assert done.status_code == 303
    assert state(hub, job_id) == RESOLVED
    shown = operator.get(done.headers["location"]).text
    assert "Resolved: the job will not run." in shown and "booked by hand" in shown
    assert "No parked jobs" in operator.get("/console/problems").text
    (entry,) = audit.recent(hub.store, action="job.resolve")
    assert entry.note == "booked by hand"


def test_edit_and_replay_of_an_order_with_its_sku_fixed(hub: Hub, operator: TestClient) -> None:
    job_id = park_order(hub)
    fixed = copy.deepcopy(rest_order() | {"id": 1, "name": "#1"})
    fixed["line_items"][0]["sku"] = "IPOD-GREEN"
    answer = operator.post(f"/console/problems/{job_id}/edit", data={"body": json.dumps(fixed)})
    assert answer.status_code == 303
    assert state(hub, job_id) == QUEUED
    page = operator.get(answer.headers["location"]).text
    assert "Edit saved as a new record and the job replayed." in page
    assert "edited from record 1 (e1)" in page
    (entry,) = audit.recent(hub.store, action="job.edit")
    assert entry.after["changed"] == [
        {"path": "line_items.0.sku", "before": "IPOD2008GREEN", "after": "IPOD-GREEN"}
    ]


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda b: b["line_items"][0].update(quantity="abc"), "line_items.0.quantity"),
        (lambda b: b.pop("line_items"), "line_items: Field required"),
    ],
)
def test_a_broken_edit_is_refused_inline_and_nothing_changes(
    hub: Hub, operator: TestClient, damage: Any, says: str
) -> None:
    job_id = park_order(hub)
    before = hub.jobs.get(job_id)
    broken = copy.deepcopy(rest_order() | {"id": 1, "name": "#1"})
    damage(broken)
    answer = operator.post(f"/console/problems/{job_id}/edit", data={"body": json.dumps(broken)})
    assert answer.status_code == 422
    assert "The edit was refused; nothing changed." in answer.text
    assert says in answer.text and 'aria-invalid="true"' in answer.text
    assert str(escape(json.dumps(broken))) in answer.text  # the operator's text, kept to fix
    assert hub.jobs.get(job_id) == before
    assert hub.inbox.get(2) is None
    assert audit.recent(hub.store) == []
