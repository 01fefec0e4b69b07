"""Amounts reconcile, end to end: the hub, the real Tryton, the Shopify sandbox.

Shopify's own order fixture (vendor-samples/shopify/order.json, #1001) charged the
customer 398.00 + 11.94 = 409.94, although its three lines of 199.00 add up to 597.00; the
ERP sale made from it says otherwise. On main that passed as `in_erp` with no word
anywhere. Now: in warn mode the sale is confirmed and the order flagged (API, `causeway
status` exit 3, /metrics) until an operator accepts it; in park mode the sale is left a
quotation in Tryton and the job parked, until a person confirms it there and replays.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from causeway.cli import ALERTING, app
from causeway.config import parse_config
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.hub import Hub
from causeway.web.app import create_app
from causeway_sandbox.localserver import BackgroundServer
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from tests.auth import bearer
from tests.e2e.conftest import place_orders
from tests.e2e.harness import SECRET, hub_config, new_port

pytestmark = pytest.mark.tryton

runner = CliRunner()
D = Decimal
VENDOR_ID, VENDOR_NUMBER = "450789469", "#V1001"


def vendor_order() -> bytes:
    """Shopify's own orders/create body (the REST order without its outer key), named
    #V1001: the sandbox numbers its own orders from #1001, and two orders of one store
    with one name would share a sale reference. Its amounts are untouched."""
    for base in (Path(__file__).resolve().parents[3] / "shared", Path("/work/shared")):
        path = base / "vendor-samples" / "shopify" / "order.json"
        if path.exists():
            order = json.loads(path.read_text())["order"]
            return json.dumps(order | {"name": VENDOR_NUMBER}).encode()
    pytest.skip("vendor-samples/shopify/order.json not found")


class RunningHub:
    """A hub (no workers of its own: the test runs them) with its causeway.yaml on disk."""

    def __init__(self, hub: Hub, server: BackgroundServer, config: Path) -> None:
        self.hub, self.server, self.config = hub, server, config
        # What an operator's monitoring reads with: a key of scope read.
        self.api = httpx.Client(base_url=server.url, headers=bearer(hub, "read"))

    def deliver(self, body: bytes, event_id: str) -> None:
        digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
        response = httpx.post(
            f"{self.server.url}/webhooks/shop",
            content=body,
            headers={
                "X-Shopify-Topic": "orders/create",
                "X-Shopify-Event-Id": event_id,
                "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
                "Content-Type": "application/json",
            },
        )
        assert response.status_code == 200, response.text

    def work(self) -> None:
        self.hub.new_worker().run_until_idle(timeout=120)

    def order(self, external_id: str) -> dict[str, Any]:
        response = self.api.get(f"/api/orders/shop/{external_id}")
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def cli(self, *args: str) -> Any:
        return runner.invoke(app, [*args, "-c", str(self.config)], env={})

    def alerts(self) -> dict[tuple[str, str], float]:
        text = self.api.get("/metrics").text
        return {
            (s.labels["kind"], s.labels["subject"]): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
            if s.name == "causeway_alert"
        }


@pytest.fixture
def start_hub(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    prefix: str,
) -> Iterator[Callable[..., RunningHub]]:
    started: list[RunningHub] = []

    def start(**orders_settings: Any) -> RunningHub:
        port = new_port()
        config = hub_config(tmp_path, tryton_server, sandbox.url, port, prefix=prefix)
        config["flows"]["orders-to-erp"].update(orders_settings)
        path = tmp_path / "causeway.yaml"
        path.write_text(yaml.safe_dump(config))
        hub = Hub(parse_config(config, env={}))
        hub.start(workers=0, scheduler=False)  # the test drives the worker itself
        server = BackgroundServer(create_app(hub), port=port).start()
        shop.put("/_sandbox/webhooks", json={"uri": f"{server.url}/webhooks/shop"})
        started.append(RunningHub(hub, server, path))
        return started[-1]

    yield start
    for running in started:
        running.api.close()
        running.server.stop()
        running.hub.stop()


def erp_sale(tryton: TrytonConnector, reference: str) -> dict[str, Any]:
    (sale,) = tryton.rpc.search_read(
        "sale.sale",
        [("reference", "=", reference)],
        ["state", "number", "untaxed_amount", "tax_amount", "total_amount"],
    )
    return sale  # type: ignore[no-any-return]


def breakdown(sale: dict[str, Any]) -> dict[str, str]:
    return {
        "untaxed": str(sale["untaxed_amount"]),
        "tax": str(sale["tax_amount"]),
        "total": str(sale["total_amount"]),
        "currency": "USD",
    }


STORE_CHARGED = {"untaxed": "398.00", "tax": "11.94", "total": "409.94", "currency": "USD"}


def words(output: str) -> str:
    return " ".join(output.split())


def test_warn_confirms_the_sale_flags_the_order_and_alerts_until_accepted(
    start_hub: Callable[..., RunningHub],
    shop: httpx.Client,
    tryton: TrytonConnector,
    prefix: str,
) -> None:
    running = start_hub()  # on_amount_mismatch: warn, the default
    (matching,) = place_orders(shop, 1)
    shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
    running.deliver(vendor_order(), "vendor-1001")
    running.work()

    sale = erp_sale(tryton, f"{prefix}V1001")
    assert sale["state"] in ("confirmed", "processing")  # warn: confirmed as always
    assert sale["total_amount"] != D("409.94")

    view = running.order(VENDOR_ID)
    assert (view["state"], view["status"]) == ("in_erp", "amount_mismatch")
    assert view["amounts"]["channel"] == STORE_CHARGED
    assert view["amounts"]["erp"] == breakdown(sale)
    assert view["amounts"]["erp_number"] == sale["number"]
    assert view["amounts"]["differences"]["total"] == str(sale["total_amount"] - D("409.94"))
    assert "409.94" in view["problem"] and str(sale["total_amount"]) in view["problem"]

    # The store's ordinary order matches to the cent: nothing flagged.
    fine = running.order(str(matching["id"]))
    assert (fine["status"], fine["amounts"], fine["problem"]) == ("in_erp", None, None)

    status = running.cli("status")
    assert status.exit_code == ALERTING, status.output
    text = words(status.output)
    assert "amount_mismatch shop" in text and f"#V1001 (id {VENDOR_ID}): total 409.94" in text
    assert running.alerts().get(("amount_mismatch", "shop")) == 1

    accepted = running.cli(
        "orders", "accept-amounts", "shop", VENDOR_ID, "--note", "store fixture, checked by hand"
    )
    assert accepted.exit_code == 0, accepted.output
    assert ("amount_mismatch", "shop") not in running.alerts()
    after = running.cli("status")
    assert after.exit_code == 0 and "no alerts" in after.output, after.output
    view = running.order(VENDOR_ID)
    assert (view["status"], view["problem"]) == ("in_erp", None)
    assert view["amounts"]["accepted"]["note"] == "store fixture, checked by hand"
    assert view["timeline"][-1]["milestone"] == "amounts_accepted"


def test_park_leaves_a_quotation_until_a_person_confirms_it_in_tryton_and_replays(
    start_hub: Callable[..., RunningHub],
    shop: httpx.Client,
    tryton: TrytonConnector,
    prefix: str,
) -> None:
    running = start_hub(on_amount_mismatch="park")
    (matching,) = place_orders(shop, 1)
    shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
    running.deliver(vendor_order(), "vendor-1001")
    running.work()

    reference = f"{prefix}V1001"
    sale = erp_sale(tryton, reference)
    assert sale["state"] == "quotation"
    (dead,) = running.hub.jobs.dead()
    assert dead["ordering_key"] == f"shop:order:{VENDOR_ID}"
    reason = dead["last_error"]
    assert "shop charged untaxed 398.00 + tax 11.94 = 409.94 USD" in reason
    assert f"= {sale['total_amount']} USD" in reason
    assert "left a quotation" in reason and "causeway replay" in reason
    view = running.order(VENDOR_ID)
    assert (view["state"], view["problem"]) == ("parked", reason)
    assert running.order(str(matching["id"]))["status"] == "in_erp"

    # Replayed with nothing done about it: parked again, still one quotation.
    replay = running.cli("replay", str(dead["id"]))
    assert replay.exit_code == 0, replay.output
    running.work()
    (again,) = running.hub.jobs.dead()
    assert "left a quotation" in again["last_error"]
    assert erp_sale(tryton, reference)["state"] == "quotation"

    # The merchant decides the ERP's amounts are right and confirms the sale in Tryton.
    tryton.rpc.button("sale.sale", "confirm", [sale["id"]])
    assert running.cli("replay", str(again["id"])).exit_code == 0
    running.work()

    assert running.hub.jobs.dead() == []
    view = running.order(VENDOR_ID)
    assert (view["state"], view["status"]) == ("in_erp", "in_erp")
    assert view["amounts"]["erp"] == breakdown(erp_sale(tryton, reference))
    assert "accepted as the merchant's decision" in view["amounts"]["accepted"]["note"]
    found = tryton.rpc.search_read("sale.sale", [("reference", "=", reference)], ["id"])
    assert [s["id"] for s in found] == [sale["id"]]  # exactly once
    status = running.cli("status")
    assert "amount_mismatch" not in status.output, status.output
