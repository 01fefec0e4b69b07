"""causeway.yaml for tests that build a hub without reaching any system: one system of
each type, every one at an address nothing listens on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from causeway.config import parse_config
from causeway.config.models import CausewayConfig
from causeway.config.systems import (
    CRM,
    DROP_FOLDER,
    ERP,
    MARKETPLACE,
    STORE,
    Kind,
    ShopifySystem,
)

NOWHERE = "http://127.0.0.1:9"


def systems(tmp_path: Path) -> dict[str, dict[str, Any]]:
    return {
        "shop": {"type": "shopify", "shop_url": NOWHERE, "access_token": "t"}
        | {"webhook_secret": "s"},
        "erp": {"type": "tryton", "url": NOWHERE, "database": "d", "username": "u"}
        | {"password": "p"},
        "crm": {"type": "hubspot", "base_url": NOWHERE, "access_token": "t"}
        | {"client_secret": "s", "portal_id": 62515},
        "drop": {"type": "files", "folder": str(tmp_path / "drop")},
        "woo": {"type": "woocommerce", "url": NOWHERE, "consumer_key": "ck"}
        | {"consumer_secret": "cs", "webhook_secret": "s"},
        "amazon": {"type": "amazon", "endpoint": NOWHERE, "token_url": NOWHERE}
        | {"client_id": "c", "client_secret": "s", "refresh_token": "r"}
        | {"marketplace_ids": ["ATVPDKIKX0DER"], "selling_partner_id": "A1"},
    }


# The system above of each kind (or type, where a role takes only one).
OF_KIND: dict[Kind, str] = {
    STORE: "shop",
    ShopifySystem: "shop",
    ERP: "erp",
    CRM: "crm",
    DROP_FOLDER: "drop",
    MARKETPLACE: "amazon",
}


def hub_yaml(tmp_path: Path, flows: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        "server": {"public_url": "https://hub.example.com"},  # HubSpot signs over it
        "systems": systems(tmp_path),
        "flows": flows,
        **sections,
    }


def hub_config(tmp_path: Path, flows: dict[str, Any], **sections: Any) -> CausewayConfig:
    return parse_config(hub_yaml(tmp_path, flows, **sections), env={})
