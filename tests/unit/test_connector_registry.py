"""Every system in causeway.yaml gets its connector, its webhook receiver when it sends
webhooks, and the rate budget of its credential, from one entry per system type."""

from __future__ import annotations

from pathlib import Path

import pytest

from causeway.config import parse_config
from causeway.config.systems import SYSTEM_MODELS
from causeway.connectors.files.connector import FilesConnector
from causeway.connectors.hubspot.ingress import HubSpotIngress
from causeway.connectors.registry import (
    SYSTEM_TYPES,
    build_connectors,
    build_receivers,
    http_client_of,
)
from causeway.connectors.shopify.ingress import ShopifyIngress
from causeway.connectors.woocommerce import WooCommerceIngress
from causeway.engine.rate import RateBudgets
from tests.unit.hub_configs import hub_config, hub_yaml


def test_every_system_type_the_config_knows_has_one_entry() -> None:
    assert sorted(m.__name__ for m in SYSTEM_MODELS) == sorted(
        e.settings.__name__ for e in SYSTEM_TYPES
    )


def test_each_system_gets_its_connector_and_only_webhook_senders_a_receiver(
    tmp_path: Path,
) -> None:
    config = hub_config(tmp_path, {})
    connectors = build_connectors(config.systems, RateBudgets())
    try:
        assert isinstance(connectors["drop"], FilesConnector)
        assert http_client_of(config.systems["drop"], connectors["drop"]) is None
        for name in ("shop", "erp", "crm", "woo"):  # each speaks HTTP through one client
            assert http_client_of(config.systems[name], connectors[name]) is not None
        receivers = build_receivers(config.systems, config.server.public_url)
        assert sorted(receivers) == ["crm", "shop", "woo"]
        assert isinstance(receivers["shop"], ShopifyIngress)
        assert isinstance(receivers["crm"], HubSpotIngress)
        assert isinstance(receivers["woo"], WooCommerceIngress)
    finally:
        for connector in connectors.values():
            connector.close()


def test_erp_settings_from_the_file_reach_the_tryton_connector(tmp_path: Path) -> None:
    data = hub_yaml(tmp_path, {})
    data["systems"]["erp"] |= {"warehouse": "WH2", "payment_term": "Net 30"}
    config = parse_config(data, env={})
    (erp,) = build_connectors({"erp": config.systems["erp"]}, RateBudgets()).values()
    try:
        assert erp.master.payment_term_name == "Net 30"
        assert erp.master.warehouse_code == "WH2"
    finally:
        erp.close()


def test_two_shops_with_one_token_share_its_budget_and_another_token_has_its_own(
    tmp_path: Path,
) -> None:
    data = hub_yaml(tmp_path, {})
    shop = data["systems"]["shop"]
    data["systems"] = {
        "eu": shop,
        "eu-again": shop,
        "us": shop | {"access_token": "other", "cost_bucket": 2000},
    }
    config = parse_config(data, env={})
    budgets = RateBudgets()
    connectors = build_connectors(config.systems, budgets)
    try:
        assert connectors["eu"].client.budget is connectors["eu-again"].client.budget
        assert connectors["us"].client.budget is not connectors["eu"].client.budget
        assert sorted(b.capacity for b in budgets.all()) == [1000, 2000]
        # Budgets are named in metrics: by a hash of the token, never the token itself.
        assert all("other" not in b.name and ":t" not in b.name for b in budgets.all())
    finally:
        for connector in connectors.values():
            connector.close()


def test_a_system_type_without_an_entry_is_named() -> None:
    with pytest.raises(TypeError, match="no connector for dict"):
        build_connectors({"odd": {}}, RateBudgets())  # type: ignore[dict-item]
