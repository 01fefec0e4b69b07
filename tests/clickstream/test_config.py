"""causeway.yaml's clickstream: section: each mistake named with its fix."""

from __future__ import annotations

from typing import Any

import pytest

from causeway.config import parse_config
from causeway.errors import ConfigError
from tests.clickstream.conftest import CLICKSTREAM, config_with


def problems(**settings: Any) -> str:
    with pytest.raises(ConfigError) as raised:
        parse_config(config_with("sqlite:///hub.db", **settings), env={})
    return str(raised.value)


def test_a_valid_block_has_its_defaults() -> None:
    config = parse_config(
        config_with("sqlite:///hub.db", allowed_origins=["https://Shop.Example.com/"]), env={}
    )
    settings = config.clickstream["shop"]
    assert settings.enabled and not settings.require_consent
    assert settings.allowed_origins == ["https://shop.example.com"]
    assert settings.retention == 90 * 86400.0


def test_the_collect_key_comes_from_the_environment_and_is_never_shown() -> None:
    data = config_with("sqlite:///hub.db", collect_key="${CLICKSTREAM_KEY}")
    config = parse_config(data, env={"CLICKSTREAM_KEY": "k" * 32})
    assert config.clickstream["shop"].collect_key.get_secret_value() == "k" * 32
    message = problems(collect_key="short-secret")
    assert "clickstream.shop.collect_key: is shorter than 16 characters" in message
    assert "short-secret" not in message
    assert "is empty; set it to a random key" in problems(collect_key="")


@pytest.mark.parametrize(
    ("origins", "named"),
    [
        (["*"], "'*' would let any site write events; list each storefront"),
        (["shop.example.com"], "is not an origin: write it as https://host[:port]"),
        (["https://shop.example.com/pixel"], "has more than an origin"),
        (["http://shop.example.com"], "uses http:// to another machine: use https://"),
    ],
)
def test_an_origin_that_is_not_one_says_how_to_write_it(origins: list[str], named: str) -> None:
    assert named in problems(allowed_origins=origins)


def test_limits_and_retention_say_what_to_fix() -> None:
    assert "clickstream.shop.max_body_bytes" in problems(max_body_bytes=10)
    assert "clickstream.shop.events_per_minute" in problems(events_per_minute=0)
    assert "retention: is shorter than a day: write e.g. 30d" in problems(retention="1h")
    assert "clickstream.shop.collect_keys: unknown key" in problems(collect_keys="x")


def test_a_clickstream_must_belong_to_a_store_system() -> None:
    data = config_with("sqlite:///hub.db")
    data["clickstream"] = {"shopp": CLICKSTREAM}
    with pytest.raises(ConfigError, match=r"clickstream\.shopp: no system named 'shopp'"):
        parse_config(data, env={})
    data["clickstream"] = {"erp": CLICKSTREAM}
    with pytest.raises(ConfigError, match=r"system 'erp' is of type tryton, but storefront events"):
        parse_config(data, env={})


def test_a_sandboxed_pixels_null_origin_is_allowed_only_when_written() -> None:
    written = parse_config(config_with("sqlite:///hub.db", allowed_origins=["null"]), env={})
    assert written.clickstream["shop"].allows("null")
    assert (
        not parse_config(config_with("sqlite:///hub.db"), env={}).clickstream["shop"].allows("null")
    )
