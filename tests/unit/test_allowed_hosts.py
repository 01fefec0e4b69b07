"""server.allowed_hosts: which Host headers the hub answers. By default only the names
it is really reached by; any host only when `*` is written."""

from __future__ import annotations

from typing import Any

import pytest

from causeway.config import parse_config
from causeway.errors import ConfigError

ERP = {"type": "tryton", "url": "http://127.0.0.1:9", "database": "d", "username": "u",
       "password": "p"}  # fmt: skip


def hosts(**server: Any) -> list[str]:
    config = parse_config({"server": server, "systems": {"erp": ERP}}, env={})
    return config.server.trusted_hosts()


def test_by_default_the_loopback_names_the_public_url_and_the_listening_address() -> None:
    assert hosts() == ["localhost", "127.0.0.1", "[::1]"]
    assert hosts(public_url="https://Hub.Example.com:8443/causeway", host="10.0.0.5") == [
        "localhost",
        "127.0.0.1",
        "[::1]",
        "hub.example.com",
        "10.0.0.5",
    ]


@pytest.mark.parametrize("wildcard", ["0.0.0.0", "::"])
def test_listening_everywhere_allows_no_extra_host(wildcard: str) -> None:
    assert hosts(host=wildcard) == ["localhost", "127.0.0.1", "[::1]"]


def test_written_hosts_replace_the_default_and_star_allows_any() -> None:
    assert hosts(allowed_hosts=["hub.internal", "*.example.com", "::1"]) == [
        "hub.internal",
        "*.example.com",
        "[::1]",
    ]
    assert hosts(allowed_hosts="*") == ["*"]


@pytest.mark.parametrize(
    "entry", ["https://hub.example.com", "hub.example.com:8080", "hub/x", "*example.com", "a b"]
)
def test_an_entry_that_is_no_host_names_the_key_and_the_fix(entry: str) -> None:
    with pytest.raises(ConfigError) as info:
        hosts(allowed_hosts=[entry])
    assert "server.allowed_hosts" in str(info.value)
    assert "without scheme, port or path" in str(info.value)
