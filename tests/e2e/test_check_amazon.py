"""`causeway check` for a hub selling on Amazon, against the Amazon sandbox and the real
Tryton: what the flows naming Amazon need of the ERP is checked too: the FBA warehouse
(channel_fulfilled_warehouse) must be there, the fees' expense account must be there, and
the marketplace's party may be missing (channel-fees makes it at the first booking)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from causeway.checks import run_checks
from causeway.config import parse_config
from causeway.engine.store import Store
from causeway_sandbox.amazon import AmazonSandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from tests.e2e.harness import hub_config, new_port

pytestmark = pytest.mark.tryton


@pytest.fixture(scope="module")
def amazon() -> Iterator[AmazonSandboxServer]:
    with AmazonSandboxServer() as server:
        yield server


def amazon_hub(
    tmp_path: Path, tryton: TrytonServer, amazon: AmazonSandboxServer, **fees: Any
) -> Any:
    config = hub_config(tmp_path, tryton, "http://127.0.0.1:9", new_port())
    config["systems"] = {"erp": config["systems"]["erp"], "amazon": amazon.system_config()}
    channel = {
        "system": "amazon",
        "reference_prefix": "AMZ-",
        "channel_fulfilled_warehouse": "Amazon FBA",  # the session's Tryton has none
    }
    config["flows"] = {
        "orders-to-erp": {"target": "erp", "channels": [channel]},
        "channel-fees": {"channels": ["amazon"], "target": "erp", **fees},
    }
    parsed = parse_config(config, env={})
    Store(parsed.store.url).dispose()
    return parsed


def test_a_missing_fba_warehouse_fails_and_the_fees_party_is_made_when_missing(
    tmp_path: Path, tryton_server: TrytonServer, amazon: AmazonSandboxServer
) -> None:
    found = run_checks(amazon_hub(tmp_path, tryton_server, amazon, party="Amazon EU Sarl"))
    failed = [(c.system, c.what) for c in found if not c.ok]
    assert failed == [
        ("erp", "warehouse 'Amazon FBA' of channel 'amazon (fulfilled by the channel)'")
    ]
    fees = [c.what for c in found if c.system == "erp" and "marketplace fees" in c.what]
    assert fees == [
        "party 'Amazon EU Sarl' for marketplace fees (none yet: made at the first booking)",
        "expense account 'the default expense account' for marketplace fees (channel-fees)",
    ]
    assert [c.ok for c in found if c.system == "amazon"] == [True, True]


def test_a_fees_account_tryton_lacks_fails_saying_what_to_set(
    tmp_path: Path, tryton_server: TrytonServer, amazon: AmazonSandboxServer
) -> None:
    found = run_checks(amazon_hub(tmp_path, tryton_server, amazon, fees_account="No Such Fees"))
    (account,) = [c for c in found if "expense account" in c.what]
    assert account.ok is False
    assert "flows.channel-fees.fees_account" in (account.fix or "")
