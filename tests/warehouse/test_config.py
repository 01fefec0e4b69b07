"""causeway.yaml `warehouse:`: defaults, and clear errors for what cannot work."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from causeway.config import parse_config
from causeway.errors import ConfigError
from tests.warehouse.conftest import config_data


def parsed(**warehouse: Any):  # type: ignore[no-untyped-def]
    return parse_config(config_data("sqlite:///hub.db", **warehouse), env={})


def test_defaults_read_the_only_erp_into_warehouse_duckdb() -> None:
    settings = parsed()
    assert settings.warehouse_erp() == "erp"
    # beside the SQLite store, wherever the hub was started from
    assert (
        settings.warehouse_file() == Path("hub.db").resolve().parent / "warehouse/warehouse.duckdb"
    )
    assert parsed(path="/srv/w.duckdb").warehouse_file() == Path("/srv/w.duckdb")
    assert parsed(erp="none").warehouse_erp() is None


@pytest.mark.parametrize(
    ("warehouse", "message"),
    [
        ({"erp": "shop"}, "warehouse.erp: 'shop' is not an ERP system"),
        ({"channel_fees": {"amazon": {"percent": 15}}}, "no system named 'amazon'"),
        ({"channel_fees": {"shop": {"fixed": "0.30"}}}, "in which currency"),
        ({"channel_fees": {"shop": {"percent": 150}}}, "less than or equal to 100"),
        ({"company_currency": "euro"}, "not an ISO 4217 currency code"),
        ({"destination": "mysql://u@h/db"}, "not a destination the load supports"),
        ({"destination": "postgresql://u@h"}, "names no host or database"),
        ({"path": "warehouse/"}, "is not a file path"),
    ],
)
def test_what_cannot_work_is_refused_with_the_key_and_the_fix(
    warehouse: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        parsed(**warehouse)


def test_the_destination_password_is_a_secret() -> None:
    settings = parsed(destination="postgresql://u:hunter2@db.example.com:5432/dw")
    assert "hunter2" not in repr(settings.warehouse)


def test_the_commented_example_in_example_yaml_is_valid() -> None:
    """Uncommented, config/example.yaml's warehouse block parses as it says."""
    example = Path(__file__).resolve().parents[2] / "src" / "causeway" / "config" / "example.yaml"
    lines = example.read_text().splitlines()
    start = lines.index("# warehouse:")
    block = []
    for line in lines[start:]:
        if not line.startswith("#"):
            break
        block.append(line[2:])
    warehouse = yaml.safe_load("\n".join(block))["warehouse"]
    settings = parse_config(
        config_data("sqlite:///hub.db", **warehouse), env={"WAREHOUSE_PASSWORD": "pw"}
    )
    assert settings.warehouse.channel_fees["shop"].percent == Decimal("2.9")
    assert settings.warehouse_erp() == "erp"
