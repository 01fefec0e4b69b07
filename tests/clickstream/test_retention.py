"""Storefront events are forgotten after their system's clickstream.retention, by the
hub's retention pass (`causeway prune`, and the running hub every retention.every)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from causeway.config import parse_config
from causeway.engine.schema import metadata
from causeway.engine.store import Store
from causeway.engine.web_events import WebEvent, store_web_events, web_events_of
from causeway.privacy.retention import prune
from tests.clickstream.conftest import config_with

DAY = 86400.0
NOW = 1_800_000_000.0


def event(event_id: str, days_ago: float, system: str = "shop") -> WebEvent:
    at = NOW - days_ago * DAY
    return WebEvent(system, event_id, "page_viewed", "c1", occurred_at=at, received_at=at)


def test_events_older_than_their_retention_are_pruned(store: Store) -> None:
    config = parse_config(config_with(str(store.url), retention="30d"), env={})
    store_web_events(store, [event("old", 31), event("recent", 29), event("new", 0)])
    report = prune(store, config, at=NOW)
    assert report.removed["shop: web events"] == 1
    assert [row["event_id"] for row in web_events_of(store, "shop")] == ["recent", "new"]


def test_a_resent_event_is_stored_once_on_every_store(store: Store) -> None:
    assert store_web_events(store, [event("e1", 0), event("e2", 0), event("e1", 0)]) == 2
    assert store_web_events(store, [event("e1", 0), event("e3", 0)]) == 1
    assert store_web_events(store, [event("e1", 0, system="other-shop")]) == 1
    assert [row["event_id"] for row in web_events_of(store, "shop")] == ["e1", "e2", "e3"]


def test_the_migrations_match_what_schema_py_describes(store: Store) -> None:
    with store.read() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
