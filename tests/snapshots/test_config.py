"""stock-snapshots in causeway.yaml: daily by default, and bad settings refused with the
key that is wrong."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.engine.schedule import DAILY
from causeway.errors import ConfigError
from causeway.flows.stock_snapshots.declaration import StockSnapshotsFlow

SYSTEMS: dict[str, Any] = {
    "erp": {
        "type": "tryton",
        "url": "http://127.0.0.1:8000",
        "database": "db",
        "username": "admin",
        "password": "secret",
    },
    "shop": {
        "type": "shopify",
        "shop_url": "https://example.myshopify.com",
        "access_token": "shpat_x",
        "webhook_secret": "s",
    },
}


def config_with(snapshots: dict[str, Any]) -> dict[str, Any]:
    return {"systems": SYSTEMS, "flows": {"stock-snapshots": snapshots}}


def test_it_runs_once_a_day_unless_told_otherwise() -> None:
    settings = StockSnapshotsFlow(source="erp")
    schedule = settings.effective_schedule()
    assert (schedule.mode, schedule.times) == (DAILY, (time(23, 50),))


def test_a_configuration_naming_known_systems_is_accepted() -> None:
    config = parse_config(
        config_with({"source": "erp", "channels": [{"system": "shop"}], "schedule": "at 06:00"}),
        env={},
    )
    settings = config.flows.settings("stock-snapshots")
    assert isinstance(settings, StockSnapshotsFlow)
    assert [c.system for c in settings.channels] == ["shop"]


@pytest.mark.parametrize(
    ("snapshots", "key"),
    [
        ({"source": "nowhere"}, "source"),
        ({"source": "erp", "channels": [{"system": "nowhere"}]}, "channels"),
        ({"source": "shop"}, "source"),  # a store is not an ERP
    ],
)
def test_an_unknown_or_wrong_system_is_refused_naming_the_key(
    snapshots: dict[str, Any], key: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(config_with(snapshots), env={})
    message = str(refused.value)
    assert f"flows.stock-snapshots.{key}:" in message


def test_a_store_listed_twice_is_refused() -> None:
    with pytest.raises(ConfigError, match="each system at most once"):
        parse_config(
            config_with({"source": "erp", "channels": [{"system": "shop"}, {"system": "shop"}]}),
            env={},
        )
