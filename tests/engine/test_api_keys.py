"""API keys in the store, on SQLite and PostgreSQL: made once and shown once, kept only as
a hash, found by their public prefix, refused once revoked or forged, and their last use
recorded without turning every request into a write."""

from __future__ import annotations

import hashlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from causeway.engine import api_keys
from causeway.engine.api_keys import USE_RECORDED_EVERY, ApiKeyError
from causeway.engine.schema import api_keys as api_keys_table
from causeway.engine.schema import metadata
from causeway.engine.store import Store


def test_a_new_key_is_shown_once_and_kept_only_as_its_hash(store: Store) -> None:
    key, secret = api_keys.create(store, "prometheus", "read")
    tag, public_id, random_part = secret.split("_", 2)
    assert (tag, f"{tag}_{public_id}") == ("cw", key.prefix)
    assert len(random_part) >= 43  # 256 bits, base64url
    with store.read() as conn:
        row = conn.execute(select(api_keys_table)).one()
    assert row.secret_sha256 == hashlib.sha256(random_part.encode()).hexdigest()
    assert random_part not in "".join(str(value) for value in row)
    assert api_keys.list_keys(store) == [key]
    assert api_keys.verify(store, secret) is not None


def test_two_keys_never_share_a_secret_or_a_prefix(store: Store) -> None:
    made = [api_keys.create(store, f"k{n}", "read") for n in range(20)]
    assert len({key.prefix for key, _ in made}) == len({secret for _, secret in made}) == 20


def test_a_name_is_taken_for_good_even_once_revoked(store: Store) -> None:
    api_keys.create(store, "grafana", "read")
    with pytest.raises(ApiKeyError, match="an API key named 'grafana' already exists"):
        api_keys.create(store, "grafana", "admin")
    api_keys.revoke(store, "grafana")
    with pytest.raises(ApiKeyError, match="already exists \\(revoked"):
        api_keys.create(store, "grafana", "read")


@pytest.mark.parametrize("name", ["", "has space", "-leading", "x" * 65, "tab\there", "é"])
def test_a_name_that_is_no_name_is_refused_with_the_rule(store: Store, name: str) -> None:
    with pytest.raises(ApiKeyError, match="not a usable key name: use up to 64 letters"):
        api_keys.create(store, name, "read")


def test_revoking_refuses_the_key_and_says_whether_it_changed_anything(store: Store) -> None:
    _, secret = api_keys.create(store, "ci", "run")
    key, revoked_now = api_keys.revoke(store, "ci")
    assert revoked_now and key.revoked
    assert api_keys.verify(store, secret) is None
    again, revoked_now = api_keys.revoke(store, "ci")
    assert not revoked_now and again.revoked_at == key.revoked_at
    with pytest.raises(ApiKeyError, match="no API key named 'nosuch'; `causeway keys list`"):
        api_keys.revoke(store, "nosuch")


def test_a_forged_secret_under_a_real_prefix_is_refused(store: Store) -> None:
    key, secret = api_keys.create(store, "ci", "run")
    assert api_keys.verify(store, f"{key.prefix}_{'A' * 43}") is None
    assert api_keys.verify(store, secret + "\x00") is None
    assert api_keys.verify(store, "cw_" + "0" * 12 + "_" + secret.split("_", 2)[2]) is None
    for malformed in ("", "cw", "cw__", "cw_x_y", "ab_0123456789ab_secret", "cw_0123456789ab"):
        assert api_keys.verify(store, malformed) is None


def test_last_use_is_written_at_most_once_a_minute(store: Store) -> None:
    key, secret = api_keys.create(store, "prometheus", "read")
    start = key.created_at + 1
    assert api_keys.verify(store, secret, at=start) is not None
    for seconds in (1, 15, USE_RECORDED_EVERY - 1):  # a scrape every 15 s, say
        assert api_keys.verify(store, secret, at=start + seconds) is not None
        assert api_keys.list_keys(store)[0].last_used_at == start
    assert api_keys.verify(store, secret, at=start + USE_RECORDED_EVERY) is not None
    assert api_keys.list_keys(store)[0].last_used_at == start + USE_RECORDED_EVERY


def test_migration_0006_creates_the_table_schema_py_describes(store: Store) -> None:
    with store.read() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if "api_keys" in str(d)] == []
