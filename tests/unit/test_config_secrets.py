"""causeway.yaml refuses what would let a secret leak or a forger in: empty secrets, a
HubSpot system without the public URL its signatures cover or the account it belongs
to, passwords written into URLs, and plain http to another machine. Each message names
the key and the fix, and never repeats the value."""

from __future__ import annotations

from typing import Any

import pytest

from causeway.config import parse_config
from causeway.errors import ConfigError

SHOP = {
    "type": "shopify",
    "shop_url": "https://example-eu.myshopify.com",
    "access_token": "${SHOPIFY_ACCESS_TOKEN}",
    "webhook_secret": "${SHOPIFY_WEBHOOK_SECRET}",
}
ERP = {
    "type": "tryton",
    "url": "https://erp.example.com",
    "database": "tryton",
    "username": "causeway",
    "password": "${TRYTON_PASSWORD}",
}
CRM = {
    "type": "hubspot",
    "access_token": "${HUBSPOT_ACCESS_TOKEN}",
    "client_secret": "${HUBSPOT_CLIENT_SECRET}",
    "portal_id": 62515,
}
ENV = {
    "SHOPIFY_ACCESS_TOKEN": "shpat_0123456789",
    "SHOPIFY_WEBHOOK_SECRET": "shop-webhook-secret",
    "TRYTON_PASSWORD": "tryton-password",
    "HUBSPOT_ACCESS_TOKEN": "pat-na1-0123",
    "HUBSPOT_CLIENT_SECRET": "hubspot-client-secret",
}


def config(**changes: Any) -> dict[str, Any]:
    """A valid file with a store, an ERP and a CRM; `changes` replace whole sections."""
    data: dict[str, Any] = {
        "server": {"public_url": "https://hub.example.com"},
        "systems": {"shop": dict(SHOP), "erp": dict(ERP), "crm": dict(CRM)},
    }
    data.update(changes)
    return data


# Every URL of a system the hub talks to or is reached at, and where its secret goes.
URL_KEYS = {
    ("systems", "shop", "shop_url"): "access_token: ${SHOPIFY_ACCESS_TOKEN}",
    ("systems", "erp", "url"): "password: ${TRYTON_PASSWORD}",
    ("systems", "crm", "base_url"): "access_token: ${HUBSPOT_ACCESS_TOKEN}",
    ("server", "public_url"): "authenticated by their signatures",
}


def with_value(
    where: tuple[str, ...], value: str, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`data` (default: the valid file) with the key at `where` set to `value`."""
    data = config() if data is None else data
    section = data
    for key in where[:-1]:
        section = section[key]
    section[where[-1]] = value
    return data


def refusal(data: dict[str, Any], env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, env=ENV if env is None else env)
    return str(caught.value)


def test_the_reference_file_is_valid() -> None:
    parsed = parse_config(config(), env=ENV)
    assert parsed.server.public_url == "https://hub.example.com"


# -- empty secrets ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "system,key,variable",
    [
        ("shop", "access_token", "SHOPIFY_ACCESS_TOKEN"),
        ("shop", "webhook_secret", "SHOPIFY_WEBHOOK_SECRET"),
        ("erp", "password", "TRYTON_PASSWORD"),
        ("crm", "access_token", "HUBSPOT_ACCESS_TOKEN"),
        ("crm", "client_secret", "HUBSPOT_CLIENT_SECRET"),
    ],
)
@pytest.mark.parametrize("unset", ["${VAR:-}", "", "   "])
def test_an_empty_secret_is_refused_naming_the_key_and_the_variable_to_set(
    system: str, key: str, variable: str, unset: str
) -> None:
    # `${VAR:-}` with VAR unset is the usual way an empty secret slips in.
    data = config()
    data["systems"][system][key] = unset.replace("VAR", variable)
    env = {k: v for k, v in ENV.items() if k != variable}
    message = refusal(data, env)
    assert f"systems.{system}.{key}: is empty; set it to " in message
    assert f"${{{variable}}}" in message


def test_an_empty_hubspot_client_secret_would_let_anyone_sign_so_it_is_refused() -> None:
    data = config()
    data["systems"]["crm"]["client_secret"] = "${HUBSPOT_CLIENT_SECRET:-}"
    message = refusal(data, {k: v for k, v in ENV.items() if k != "HUBSPOT_CLIENT_SECRET"})
    assert "systems.crm.client_secret: is empty" in message
    assert "anyone could sign webhooks" in message


def test_a_secret_of_the_wrong_type_is_refused_without_repeating_it() -> None:
    data = config()
    data["systems"]["erp"]["password"] = 73195046  # YAML reads an unquoted number
    message = refusal(data)
    assert "systems.erp.password" in message
    assert "73195046" not in message


# -- HubSpot: public_url and portal_id ---------------------------------------------------


def test_a_hubspot_system_needs_server_public_url_and_says_why() -> None:
    message = refusal(config(server={}))
    assert "server.public_url: required because 'crm' is a HubSpot system" in message
    assert "HubSpot signs each webhook over the URL it delivers to" in message
    assert "<public_url>/webhooks/crm" in message


def test_without_a_hubspot_system_public_url_stays_optional() -> None:
    data = config(server={})
    del data["systems"]["crm"]
    assert parse_config(data, env=ENV).server.public_url is None


def test_a_hubspot_system_needs_its_portal_id() -> None:
    data = config()
    del data["systems"]["crm"]["portal_id"]
    assert "systems.crm.portal_id: required key is missing" in refusal(data)


# -- credentials in URLs -----------------------------------------------------------------


@pytest.mark.parametrize("where,fix", URL_KEYS.items())
@pytest.mark.parametrize(
    "url",
    ["https://causeway:Hunter2-secret@erp.example.com", "https://Hunter2-secret@erp.example.com"],
)
def test_a_url_with_a_user_or_password_in_it_is_refused_without_repeating_it(
    where: tuple[str, ...], fix: str, url: str
) -> None:
    message = refusal(with_value(where, url))
    key = ".".join(where)
    assert f"{key}: holds a user name or password (user:password@host)" in message
    assert "remove it from the URL" in message and fix in message
    assert "Hunter2-secret" not in message


def test_the_store_url_may_carry_its_password_and_is_taken_as_written() -> None:
    data = config(store={"url": "postgresql+psycopg://causeway:${PGPASSWORD}@db.internal/hub"})
    parsed = parse_config(data, env={**ENV, "PGPASSWORD": "pg-secret-99"})
    assert parsed.store.url == "postgresql+psycopg://causeway:pg-secret-99@db.internal/hub"


# -- https -------------------------------------------------------------------------------


@pytest.mark.parametrize("where", URL_KEYS)
def test_plain_http_to_another_machine_is_refused(where: tuple[str, ...]) -> None:
    message = refusal(with_value(where, "http://erp.example.com:8000"))
    assert f"{'.'.join(where)}: uses http:// to erp.example.com, another machine" in message
    assert "use https://" in message and "localhost, 127.0.0.0/8 and ::1" in message


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",
        "http://127.8.9.10:8000/tryton",
        "http://localhost:8000",
        "http://[::1]:8000",
        "https://erp.example.com",
    ],
)
def test_http_is_accepted_for_this_machine_and_https_for_any(url: str) -> None:
    data = config()
    for where in URL_KEYS:
        data = with_value(where, url, data)
    parsed = parse_config(data, env=ENV)
    assert parsed.systems["erp"].url == url  # type: ignore[union-attr]
    assert parsed.server.public_url == url


@pytest.mark.parametrize(
    "url,problem",
    [
        ("erp.example.com", "is not a URL: write it as https://host"),
        ("ftp://erp.example.com", "is not a URL: write it as https://host"),
        ("https://erp.example.com:port", "has a port that is not a number"),
        # Names that only look local are other machines.
        ("http://127.0.0.1.nip.io:1", "uses http:// to 127.0.0.1.nip.io, another machine"),
        ("http://localhost.example.com", "uses http:// to localhost.example.com, another"),
    ],
)
def test_other_unusable_urls_are_refused_with_the_form_to_write(url: str, problem: str) -> None:
    assert f"systems.erp.url: {problem}" in refusal(with_value(("systems", "erp", "url"), url))
