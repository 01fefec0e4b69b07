"""Secrets out of every message: URL credentials and the configuration's secret values
are masked in whatever text an error, a log record or an answer carries."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import yaml

from causeway.cli.common import JsonLines
from causeway.config import parse_config
from causeway.redaction import MASK, RedactingFilter, Redactor, strip_url_credentials

PASSWORD = "Tryton-pw-4711/+&"
TOKEN = "shpat_0123456789abcdef"


def test_a_url_password_is_masked_and_the_rest_of_the_message_kept() -> None:
    text = "Tryton unreachable at https://causeway:hunter2@erp.example.com:8000/tryton/rpc/"
    assert strip_url_credentials(text) == (
        "Tryton unreachable at https://causeway:***@erp.example.com:8000/tryton/rpc/"
    )


@pytest.mark.parametrize(
    "text,cleaned",
    [
        # A lone user name may be a token: it goes whole.
        ("GET https://ghp_tok3n@api.example.com/x", "GET https://***@api.example.com/x"),
        # An unencoded @ in the password does not leave its tail behind.
        ("postgresql+psycopg://app:p@ss@db:5432/hub", "postgresql+psycopg://app:***@db:5432/hub"),
        ("'http://u:p@127.0.0.1:9/'", "'http://u:***@127.0.0.1:9/'"),
        # Not credentials: an e-mail address, a path with @, a URL without userinfo.
        ("mail bob@example.com", "mail bob@example.com"),
        ("https://example.com/@team and x@y.z", "https://example.com/@team and x@y.z"),
    ],
)
def test_url_credentials_in_any_scheme_are_masked(text: str, cleaned: str) -> None:
    assert strip_url_credentials(text) == cleaned


def test_a_secret_is_masked_as_written_and_as_urls_json_and_reprs_spell_it() -> None:
    redact = Redactor([PASSWORD])
    for spelling in (PASSWORD, "Tryton-pw-4711%2F%2B%26"):  # as is, percent-encoded
        assert redact(f"login failed: {spelling}!") == f"login failed: {MASK}!"
    quoted = Redactor(['pa"ss\\word'])
    assert quoted('{"password": "pa\\"ss\\\\word"}') == '{"password": "***"}'  # JSON
    assert quoted("{'password': 'pa\"ss\\\\word'}") == "{'password': '***'}"  # repr


def test_values_too_short_to_be_secrets_are_left_alone() -> None:
    # Masking every "p" of a message would destroy it; such a value protects nothing.
    assert Redactor(["p", "ab", "   "])("parked: apple") == "parked: apple"


def test_every_secret_of_a_loaded_config_and_the_store_password_are_known() -> None:
    config = parse_config(
        {
            "store": {"url": "postgresql+psycopg://hub:pg-secret-99@127.0.0.1/hub"},
            "server": {"public_url": "https://hub.example.com"},
            "systems": {
                "shop": {
                    "type": "shopify",
                    "shop_url": "https://example.myshopify.com",
                    "access_token": TOKEN,
                    "webhook_secret": "shop-webhook-secret",
                },
                "erp": {
                    "type": "tryton",
                    "url": "https://erp.example.com",
                    "database": "tryton",
                    "username": "causeway",
                    "password": PASSWORD,
                },
                "crm": {
                    "type": "hubspot",
                    "access_token": "pat-na1-secret",
                    "client_secret": "hubspot-client-secret",
                    "portal_id": 1,
                },
            },
        },
        env={},
    )
    redact = Redactor.from_config(config)
    secrets = [TOKEN, "shop-webhook-secret", PASSWORD, "pat-na1-secret", "hubspot-client-secret"]
    text = " | ".join([*secrets, "pg-secret-99", "tryton"])
    assert redact(text) == " | ".join([MASK] * 6 + ["tryton"])


def test_a_log_record_is_cleaned_message_arguments_and_traceback_alike() -> None:
    logger = logging.getLogger("causeway.test.redaction")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)
            self.format(record)

    handler = Keep()
    handler.addFilter(RedactingFilter(Redactor([PASSWORD])))
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise RuntimeError(f"login refused for {PASSWORD} at https://u:{PASSWORD}@erp/")
        except RuntimeError:
            logger.exception("job %s failed: %s", 7, f"password={PASSWORD}")
        logger.warning("format %s %s", "one")  # arguments that do not fit: still cleaned
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    failed, odd = records
    assert failed.getMessage() == f"job 7 failed: password={MASK}"
    assert failed.exc_info is None and failed.exc_text is not None
    assert "RuntimeError: login refused for ***" in failed.exc_text
    assert PASSWORD not in handler.format(failed)
    assert odd.getMessage().startswith("format %s %s")


def test_a_commands_own_log_handler_cleans_the_loaded_configs_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`causeway check` sets up its own handler (errors only) after loading the config."""
    from causeway.cli.common import load_or_exit, setup_logging

    path = tmp_path / "causeway.yaml"
    erp = {"type": "tryton", "url": "http://127.0.0.1:9", "database": "d", "username": "u",
           "password": PASSWORD}  # fmt: skip
    path.write_text(yaml.safe_dump({"store": {"url": "sqlite:///hub.db"}, "systems": {"erp": erp}}))
    load_or_exit(path)
    setup_logging(level=logging.ERROR)
    logging.getLogger("causeway.check").error("login refused for %s", PASSWORD)
    logged = capsys.readouterr().err
    assert f"login refused for {MASK}" in logged and PASSWORD not in logged


def test_a_json_log_line_keeps_the_cleaned_traceback_and_cleans_extra_fields() -> None:
    logger = logging.getLogger("causeway.test.redaction.json")
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep()
    handler.setFormatter(JsonLines())
    handler.addFilter(RedactingFilter(Redactor([PASSWORD])))
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise RuntimeError(f"login refused for {PASSWORD}")
        except RuntimeError:
            logger.exception(
                "job failed", extra={"system": "erp", "url": f"https://u:{PASSWORD}@e/"}
            )
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    (line,) = lines
    entry = json.loads(line)
    assert PASSWORD not in line
    assert "RuntimeError: login refused for ***" in entry["exception"]
    assert entry["system"] == "erp" and PASSWORD not in entry["url"]
