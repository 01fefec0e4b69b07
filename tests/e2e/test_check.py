"""`causeway check` as an integrator runs it before going live: against the Shopify
sandbox and the real Tryton it passes once the webhooks are subscribed; a wrong token,
a missing scope, a missing product or a missing webhook subscription fails, naming the
system and the fix."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from causeway.checks import run_checks
from causeway.cli import app
from causeway.config import parse_config
from causeway.engine.store import Store
from causeway.flows.stock_to_channels.declaration import StockChannelSettings
from causeway.hub import Hub
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from causeway_sandbox.tryton.server import TrytonServer
from tests.e2e.harness import SECRET, TOKEN, hub_config, new_port

runner = CliRunner()


def full_config(
    tmp_path: Path, tryton: TrytonServer, shop_url: str, *, subscribed: bool = True, **changes: Any
) -> Any:
    """The demo's hub with every flow that touches the store and the ERP enabled, as it is
    once it has run: its store exists and (unless `subscribed` is False) the store's
    webhooks are subscribed. Its causeway.yaml is written beside it for the command line."""
    data = hub_config(tmp_path, tryton, shop_url, new_port())
    data["flows"] |= {
        "fulfillments-to-channels": {
            "source": "erp",
            "targets": ["shop"],
            "tracking_urls": {"UPS": "https://www.ups.com/track?tracknum={number}"},
        },
        "payments-and-invoices": {"source": "shop", "target": "erp"},
        "cancellations": {"source": "shop", "target": "erp"},
        "returns-to-erp": {"source": "shop", "target": "erp"},
        "catalog-to-channels": {"source": "erp", "targets": ["shop"]},
    }
    for key, value in changes.items():
        section, _, name = key.partition("__")
        data["systems"][section][name] = value
    (tmp_path / "causeway.yaml").write_text(yaml.safe_dump(data))
    config = parse_config(data, env={})
    Store(config.store.url).dispose()
    if subscribed:
        subscribe_like_the_running_hub(config)
    return config


def subscribe_like_the_running_hub(config: Any) -> None:
    hub = Hub(config, store=Store("sqlite://", migrate=False))
    try:
        uri = config.server.webhook_url("shop")
        hub.connectors["shop"].subscribe_webhooks(uri, hub.flows.webhook_topics("shop"))
    finally:
        hub.stop(timeout=0)


def failures(results: list[Any]) -> list[Any]:
    return [r for r in results if not r.ok]


def test_check_passes_against_the_sandbox_and_the_real_tryton(
    tmp_path: Path, tryton_server: TrytonServer, sandbox: SandboxServer
) -> None:
    # Before `causeway run` ever started, the webhooks are not subscribed: that is named.
    config = full_config(tmp_path, tryton_server, sandbox.url, subscribed=False)
    (missing,) = failures(run_checks(config))
    assert (missing.system, missing.what) == (
        "shop",
        f"webhook subscriptions at {config.server.public_url}/webhooks/shop",
    )
    assert "orders/create" in (missing.fix or "") and "causeway run" in (missing.fix or "")
    subscribe_like_the_running_hub(config)
    results = run_checks(config)
    assert failures(results) == []
    checked = {(r.system, r.what.split(" (")[0]) for r in results}
    assert {
        ("store", "writable"),
        ("shop", "access token accepted"),
        ("shop", "access scopes"),
        ("shop", "Admin API version 2026-10"),
        ("erp", "modules activated"),
        ("erp", "product SHIPPING"),
        ("erp", "product DISCOUNT"),
        ("erp", "product GIFTCARD"),
        ("erp", "product TIP"),
        ("erp", "tax rounded per line"),
        ("erp", "payment method 'Shop payments'"),
        ("erp", "carrier 'UPS'"),
    } <= checked
    # Through the command line: one line per check, exit 0, and --json.
    path = tmp_path / "causeway.yaml"
    result = runner.invoke(app, ["check", "-c", str(path)])
    assert result.exit_code == 0, result.output
    assert "✓ erp" in result.output and "✗" not in result.output
    as_json = runner.invoke(app, ["check", "-c", str(path), "--json"])
    assert as_json.exit_code == 0 and all(c["ok"] for c in json.loads(as_json.output))


def test_a_store_pinned_to_a_version_shopify_no_longer_serves_is_a_warning_with_the_fix(
    tmp_path: Path, tryton_server: TrytonServer, sandbox: SandboxServer
) -> None:
    """Shopify (and the sandbox) answer 2025-10 as 2026-01: it works today, and breaks when
    the fall-forward reaches 2026-04, which removed what the stock writes used to send."""
    config = full_config(tmp_path, tryton_server, sandbox.url, shop__api_version="2025-10")
    results = run_checks(config)
    assert failures(results) == []
    (version,) = [r for r in results if r.what.startswith("Admin API version")]
    assert version.what == "Admin API version 2025-10"
    assert (version.fix or "").startswith(
        "Shopify answered it as 2026-01. Admin API 2025-10 is past Shopify's support window"
    )
    assert "Set api_version to 2026-10" in (version.fix or "")
    assert "(systems.shop.api_version)" in (version.fix or "")
    result = runner.invoke(app, ["check", "-c", str(tmp_path / "causeway.yaml")])
    assert result.exit_code == 0, result.output
    assert "! shop   Admin API version 2025-10: Shopify answered it as 2026-01" in result.output
    assert re.search(r"all \d+ checks passed, 1 with a warning", result.output)


def test_a_wrong_shopify_token_fails_naming_the_system(
    tmp_path: Path, tryton_server: TrytonServer, sandbox: SandboxServer
) -> None:
    config = full_config(
        tmp_path, tryton_server, sandbox.url, subscribed=False, shop__access_token="shpat_wrong"
    )
    (wrong,) = failures(run_checks(config))
    assert (wrong.system, wrong.what) == ("shop", "access token accepted")
    assert "rejected the access token" in (wrong.fix or "")


def test_a_wrong_tryton_password_fails_naming_the_system(
    tmp_path: Path, tryton_server: TrytonServer, sandbox: SandboxServer
) -> None:
    config = full_config(tmp_path, tryton_server, sandbox.url, erp__password="wrong")
    (wrong,) = failures(run_checks(config))
    assert wrong.system == "erp" and wrong.what.startswith("login as")
    assert "systems.erp.username or its password" in (wrong.fix or "")


def test_a_missing_product_names_the_sku_and_the_fix(
    tmp_path: Path, tryton_server: TrytonServer, sandbox: SandboxServer
) -> None:
    config = full_config(tmp_path, tryton_server, sandbox.url, erp__discount_sku="RABATT")
    results = run_checks(config)
    (missing,) = failures(results)
    assert (missing.system, missing.what) == ("erp", "product RABATT (discount_sku)")
    assert "create a service product 'RABATT'" in (missing.fix or "")
    assert "systems.erp.discount_sku" in (missing.fix or "")
    path = tmp_path / "causeway.yaml"
    result = runner.invoke(app, ["check", "-c", str(path)])
    assert result.exit_code == 1
    assert "✗ erp" in result.output and "1 of" in result.output


@pytest.fixture
def narrow_sandbox() -> Any:
    """A store whose app was installed without the inventory scopes."""
    settings = SandboxSettings(
        api_secret=SECRET,
        access_token=TOKEN,
        access_scopes=["read_orders", "read_customers", "read_products"],
    )
    with SandboxServer(settings) as server:
        yield server


def test_missing_access_scopes_are_named_with_the_flows_that_need_them(
    tmp_path: Path, tryton_server: TrytonServer, narrow_sandbox: SandboxServer
) -> None:
    config = full_config(tmp_path, tryton_server, narrow_sandbox.url)
    (scopes,) = failures(run_checks(config))
    assert scopes.system == "shop" and "write_inventory" in scopes.what
    assert "stock-to-channels" in (scopes.fix or "") and "reinstall" in (scopes.fix or "")


def test_a_stock_channel_fed_by_a_warehouse_tryton_lacks_fails_listing_its_warehouses(
    tmp_path: Path, tryton_server: TrytonServer, sandbox: SandboxServer
) -> None:
    config = full_config(tmp_path, tryton_server, sandbox.url)
    stock = config.flows.settings("stock-to-channels")
    fed = [StockChannelSettings(system="shop", warehouse=["Warehouse", "Atlantis"])]
    config.flows.put("stock-to-channels", stock.model_copy(update={"channels": fed}))
    (missing,) = failures(run_checks(config))
    assert (missing.system, missing.what) == (
        "erp",
        "warehouse 'Atlantis' feeding channel 'shop' (stock-to-channels)",
    )
    assert "it has: [WH] Warehouse" in (missing.fix or "")
