"""causeway.yaml: a bad file gets a message that names the key and the fix."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from causeway.config import load_config, parse_config
from causeway.durations import parse_duration
from causeway.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "causeway" / "config" / "example.yaml"
ENV = {"SHOPIFY_ACCESS_TOKEN": "shpat_x", "SHOPIFY_WEBHOOK_SECRET": "s", "TRYTON_PASSWORD": "p"}


def example() -> dict:
    return yaml.safe_load(EXAMPLE.read_text())


def test_the_example_written_by_init_is_valid() -> None:
    config = parse_config(example(), env=ENV)
    assert config.systems["shop"].access_token.get_secret_value() == "shpat_x"
    assert config.flows.stock_to_channels.every == 300
    assert config.flows.stock_to_channels.safety_stock_by_sku == {"WID-001": 10}


def test_a_missing_environment_variable_names_the_key_and_the_variable() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(example(), env={})
    assert "systems.shop.access_token" in str(info.value)
    assert "export SHOPIFY_ACCESS_TOKEN" in str(info.value)


def test_a_misspelt_key_is_reported_not_ignored() -> None:
    data = example()
    data["flows"]["stock-to-channels"]["safety_stok"] = 3
    with pytest.raises(ConfigError, match=r"flows\.stock-to-channels\.safety_stok: unknown key"):
        parse_config(data, env=ENV)


def test_a_flow_naming_a_missing_system_lists_the_defined_ones() -> None:
    data = example()
    data["flows"]["orders-to-erp"]["target"] = "odoo"
    with pytest.raises(ConfigError, match=r"no system named 'odoo' \(systems defined: erp, shop\)"):
        parse_config(data, env=ENV)


def test_a_flow_pointing_at_the_wrong_kind_of_system_says_so() -> None:
    data = example()
    data["flows"]["orders-to-erp"]["target"] = "shop"
    with pytest.raises(
        ConfigError, match="'shop' is of type shopify, but this flow needs one of type tryton"
    ):
        parse_config(data, env=ENV)


def test_bad_values_name_their_key() -> None:
    data = example()
    data["flows"]["stock-to-channels"]["every"] = "soon"
    data["flows"]["stock-to-channels"]["safety_stock"] = -1
    data["systems"]["erp"]["type"] = "odoo"
    with pytest.raises(ConfigError) as info:
        parse_config(data, env=ENV)
    text = str(info.value)
    assert "flows.stock-to-channels.every: 'soon' is not a duration" in text
    assert "flows.stock-to-channels.safety_stock" in text
    assert "systems.erp.type: must be one of shopify, tryton" in text


def test_files_that_are_missing_or_not_yaml_are_explained(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="run `causeway init`"):
        load_config(tmp_path / "nope.yaml")
    broken = tmp_path / "causeway.yaml"
    broken.write_text("systems:\n  shop: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_config(broken)


@pytest.mark.parametrize(
    "text,seconds", [("250ms", 0.25), ("30s", 30), ("5m", 300), ("1h", 3600), (90, 90)]
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_env_default_syntax() -> None:
    data = example()
    data["systems"]["erp"]["password"] = "${ERP_PW:-admin}"
    assert parse_config(data, env=ENV).systems["erp"].password.get_secret_value() == "admin"


def test_stock_channels_with_a_share_a_cap_and_their_own_sku_names() -> None:
    data = example()
    stock = data["flows"]["stock-to-channels"]
    stock.pop("targets", None)
    stock["channels"] = [
        {"system": "shop", "share": "0.5", "cap": 40, "safety_stock": 2, "sku_map": {"A": "a-1"}}
    ]
    settings = parse_config(data, env=ENV).flows.stock_to_channels
    assert settings.targets == ["shop"]
    assert settings.channels[0].allocation().share == Fraction(1, 2)
    assert settings.channels[0].sku_map == {"A": "a-1"}


def test_a_share_written_as_a_decimal_is_that_decimal_exactly() -> None:
    data = example()
    data["flows"]["stock-to-channels"].pop("targets", None)
    data["flows"]["stock-to-channels"]["channels"] = [{"system": "shop", "share": 0.3}]
    settings = parse_config(data, env=ENV).flows.stock_to_channels
    assert settings.channels[0].share == Fraction(3, 10)


def test_a_stock_channel_names_the_erp_warehouse_it_sells_from_or_several_added_up() -> None:
    data = example()
    stock = data["flows"]["stock-to-channels"]
    stock.pop("targets", None)
    stock["channels"] = [
        {"system": "shop", "warehouse": " WH-EU "},
        {"system": "shop2", "warehouse": ["WH-EU", "Berlin  Depot"]},
        {"system": "shop3"},
    ]
    data["systems"]["shop2"] = data["systems"]["shop3"] = data["systems"]["shop"]
    settings = parse_config(data, env=ENV).flows.stock_to_channels
    assert [c.warehouses for c in settings.channels] == [
        ("WH-EU",),
        ("WH-EU", "Berlin Depot"),
        (),  # the ERP connector's own warehouse
    ]


@pytest.mark.parametrize(
    ("warehouse", "message"),
    [("  ", "name the ERP warehouse"), ([], "name the ERP warehouse"), (["A", "a"], "twice")],
)
def test_a_blank_or_repeated_warehouse_is_refused_with_the_form_to_write(
    warehouse: object, message: str
) -> None:
    data = example()
    data["flows"]["stock-to-channels"].pop("targets", None)
    data["flows"]["stock-to-channels"]["channels"] = [{"system": "shop", "warehouse": warehouse}]
    with pytest.raises(ConfigError) as info:
        parse_config(data, env=ENV)
    assert "flows.stock-to-channels.channels" in str(info.value) and message in str(info.value)


def test_the_old_targets_form_gives_every_channel_all_of_the_stock() -> None:
    settings = parse_config(example(), env=ENV).flows.stock_to_channels
    assert [c.system for c in settings.channels] == settings.targets
    assert all(c.share is None and c.cap is None for c in settings.channels)


def test_targets_and_channels_together_is_refused_with_the_fix() -> None:
    data = example()
    data["flows"]["stock-to-channels"]["channels"] = [{"system": "shop", "share": 1.5}]
    with pytest.raises(ConfigError) as info:
        parse_config(data, env=ENV)
    assert "share" in str(info.value)
    data["flows"]["stock-to-channels"]["channels"] = [{"system": "shop"}]
    with pytest.raises(ConfigError, match="either targets"):
        parse_config(data, env=ENV)


@pytest.mark.parametrize(
    ("written", "address"), [("127.0.0.1:8081", ("127.0.0.1", 8081)), ("[::1]:9", ("::1", 9))]
)
def test_the_admin_listener_is_an_address_and_a_port(
    written: str, address: tuple[str, int]
) -> None:
    data = example()
    data["server"] = {"admin_listen": written}
    assert parse_config(data, env=ENV).server.admin_address() == address


@pytest.mark.parametrize("written", ["8081", "localhost", "10.0.0.1:http", "10.0.0.1:70000"])
def test_an_admin_listener_without_a_port_says_how_to_write_one(written: str) -> None:
    data = example()
    data["server"] = {"admin_listen": written}
    with pytest.raises(ConfigError, match=r"server\.admin_listen: .*e\.g\. 127\.0\.0\.1:8081"):
        parse_config(data, env=ENV)


def test_console_sessions_last_as_long_as_written_and_idle_never_outlasts_the_maximum() -> None:
    data = example() | {"console": {"session_idle": "15m", "session_max": "8h"}}
    console = parse_config(data, env=ENV).console
    assert (console.session_idle, console.session_max) == (900.0, 8 * 3600.0)
    data["console"] = {"session_idle": "13h"}
    with pytest.raises(ConfigError, match="session_idle is longer than session_max"):
        parse_config(data, env=ENV)
