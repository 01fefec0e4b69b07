"""`causeway check` for an Amazon selling account, against the Amazon sandbox and a real
SQS-compatible queue (moto): the right credentials pass; a refresh token Login with
Amazon refuses says to re-authorise the app; a queue that is not there says to create it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from causeway.checks import run_checks
from causeway.config import parse_config
from causeway.engine.store import Store
from causeway_sandbox.amazon import AmazonSandboxServer
from tests.amazon.conftest import MARKETPLACE
from tests.amazon_notifications.local_sqs import LocalSqs, start_local_sqs


@pytest.fixture(scope="module")
def sqs() -> Iterator[LocalSqs]:
    local = start_local_sqs()
    yield local
    local.server.stop()


def amazon_config(
    tmp_path: Path, amazon: AmazonSandboxServer, sqs: LocalSqs, queue_url: str, **changes: Any
) -> Any:
    system = amazon.system_config(notifications=sqs.hub_settings(queue_url))
    data = {
        "store": {"url": f"sqlite:///{tmp_path / 'causeway.db'}"},
        "systems": {"amazon": system | changes},
    }
    config = parse_config(data, env={})
    Store(config.store.url).dispose()  # the hub's store exists, as after a first run
    return config


def amazon_checks(config: Any) -> list[Any]:
    return [c for c in run_checks(config) if c.system == "amazon"]


def test_the_sellers_credentials_marketplaces_and_queue_pass(
    tmp_path: Path, amazon: AmazonSandboxServer, sqs: LocalSqs
) -> None:
    queue = sqs.new_queue()
    found = amazon_checks(amazon_config(tmp_path, amazon, sqs, queue))
    assert [(c.what, c.ok) for c in found] == [
        (f"Login with Amazon accepts the refresh token ({amazon.token_url})", True),
        (f"Orders API answers for marketplaces {MARKETPLACE} at {amazon.endpoint}", True),
        (f"ORDER_CHANGE queue {queue} reachable", True),
    ]
    # One cheap search was all the orders check asked of Amazon.
    calls = amazon.control("GET", "calls").json()
    assert [c["operation"] for c in calls] == ["searchOrders"]
    assert "maxResultsPerPage=1" in calls[0]["query"]


def test_a_refresh_token_amazon_refuses_says_to_reauthorise_the_app(
    tmp_path: Path, amazon: AmazonSandboxServer, sqs: LocalSqs
) -> None:
    config = amazon_config(
        tmp_path, amazon, sqs, sqs.new_queue(), refresh_token="Atzr|revoked-long-ago"
    )
    (refused,) = amazon_checks(config)  # nothing else is tried with a refused token
    assert refused.ok is False
    assert refused.what.startswith("Login with Amazon accepts the refresh token")
    assert "re-authorise the app in Seller Central" in (refused.fix or "")
    assert "systems.amazon.refresh_token" in (refused.fix or "")
    assert "revoked-long-ago" not in (refused.fix or "")  # the secret is never shown


def test_a_queue_that_is_not_there_says_to_create_it_and_subscribe(
    tmp_path: Path, amazon: AmazonSandboxServer, sqs: LocalSqs
) -> None:
    missing = sqs.new_queue().rsplit("/", 1)[0] + "/causeway-order-change-never-made"
    found = amazon_checks(amazon_config(tmp_path, amazon, sqs, missing))
    assert [c.ok for c in found] == [True, True, False]
    fix = found[2].fix or ""
    assert "no such queue: create it in SQS" in fix
    assert "subscribe the account to ORDER_CHANGE" in fix
    assert "systems.amazon.notifications.queue_url" in fix


def test_an_sqs_endpoint_nobody_answers_at_fails_saying_where_to_look(
    tmp_path: Path, amazon: AmazonSandboxServer, sqs: LocalSqs
) -> None:
    config = amazon_config(tmp_path, amazon, sqs, sqs.new_queue())
    notifications = config.systems["amazon"].notifications
    unreachable = notifications.model_copy(update={"endpoint_url": "http://127.0.0.1:9"})
    config.systems["amazon"] = config.systems["amazon"].model_copy(
        update={"notifications": unreachable}
    )
    *_, queue = amazon_checks(config)
    assert queue.ok is False
    assert "could not reach SQS" in (queue.fix or "")
