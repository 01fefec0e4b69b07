"""Deals won in the CRM become ERP sales, and the ERP's margins reach the CRM.

The hub runs in-process between the real Tryton and the HubSpot sandbox, which
signs and delivers its webhooks to the hub's real HTTP endpoint. Each test names
its CRM system uniquely: the sale references `<crm>-deal-<id>` stay its own in the
ERP the session shares.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.connectors.hubspot.deals import order_from_deal
from causeway.connectors.tryton.connector import PlacedSale, TrytonConnector
from causeway.engine import links
from causeway.hub import Hub
from causeway.web.app import create_app
from causeway.web.order_view import order_view, timeline
from causeway_sandbox.hubspot.server import HubSpotSandboxServer
from causeway_sandbox.localserver import BackgroundServer
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit
from causeway_sandbox.tryton.warehouse import open_shipments, ship
from tests.e2e.harness import new_port

pytestmark = pytest.mark.tryton

CENT = Decimal("0.01")


class Scene:
    """The hub, its CRM system's name, and the sandbox portal it talks to."""

    def __init__(self, hub: Hub, crm_name: str, crm: HubSpotSandboxServer) -> None:
        self.hub = hub
        self.name = crm_name
        self.crm = crm

    def deal(
        self, lines: list[tuple[str, int, str]], *, email: str | None, stage: str = "closedwon"
    ) -> str:
        """A deal with line items (sku, quantity, price) and a contact, moved to `stage`."""
        body: dict[str, Any] = {
            "dealname": f"Quote {uuid.uuid4().hex[:4]}",
            "line_items": [
                {"hs_sku": sku, "name": sku, "quantity": str(qty), "price": price}
                for sku, qty, price in lines
            ],
        }
        if email:
            body["contact"] = {"email": email, "firstname": "Dana", "lastname": "Buyer"}
        deal_id = str(self.crm.control("POST", "deals", json=body).json()["id"])
        self.move(deal_id, stage)
        return deal_id

    def move(self, deal_id: str, stage: str) -> None:
        self.crm.control("POST", f"deals/{deal_id}/stage", json={"stage": stage})

    def read(self, object_type: str, object_id: str) -> dict[str, Any]:
        properties: dict[str, Any] = self.crm.control(
            "GET", f"objects/{object_type}/{object_id}"
        ).json()["properties"]
        return properties

    def contact(self, email: str) -> dict[str, Any]:
        for record in self.crm.control("GET", "objects/contacts").json():
            if record["properties"].get("email") == email:
                return record["properties"]  # type: ignore[no-any-return]
        raise AssertionError(f"no contact {email}")

    def drain(self) -> None:
        """Every webhook delivered, then every job the hub has run."""
        self.crm.control("POST", "webhooks/wait", params={"timeout": 30})
        self.hub.new_worker().run_until_idle(timeout=120)

    def run(self, flow: str) -> None:
        self.hub.run_flow(flow)
        self.hub.new_worker().run_until_idle(timeout=120)

    def reference(self, deal_id: str) -> str:
        return f"{self.name}-deal-{deal_id}"


@pytest.fixture
def scene(
    tmp_path: Path, tryton_server: TrytonServer, crm_sandbox: HubSpotSandboxServer
) -> Iterator[Scene]:
    name = f"crm{uuid.uuid4().hex[:6]}"
    settings = crm_sandbox.settings
    port = new_port()
    config = parse_config(
        {
            "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
            "server": {"public_url": f"http://127.0.0.1:{port}"},
            "workers": {"lease": "5s", "backoff_base": "200ms", "backoff_cap": "1s"},
            "systems": {
                name: {
                    "type": "hubspot",
                    "base_url": crm_sandbox.url,
                    "access_token": crm_sandbox.token,
                    "client_secret": settings.client_secret,
                    "portal_id": settings.portal_id,
                },
                "erp": {
                    "type": "tryton",
                    "url": tryton_server.url,
                    "database": tryton_server.database,
                    "username": tryton_server.username,
                    "password": tryton_server.password,
                },
            },
            "flows": {
                # The build's goods carry VAT 10 % by default: deals are taxed alike.
                "quotes-to-erp": {"source": name, "target": "erp", "tax_rate": "0.10"},
                "margins-to-crm": {"source": "erp", "target": name},
            },
        },
        env={},
    )
    hub = Hub(config)
    hub.start(workers=0, scheduler=False)  # the test drives the worker itself
    server = BackgroundServer(create_app(hub), port=port).start()
    crm_sandbox.control(
        "POST",
        "webhooks",
        json={
            "target_url": f"{server.url}/webhooks/{name}",
            "subscriptions": [{"eventType": "deal.propertyChange", "propertyName": "dealstage"}],
        },
    )
    yield Scene(hub, name, crm_sandbox)
    server.stop()
    hub.stop()


def sales_for(tryton: TrytonConnector, reference: str) -> list[dict[str, Any]]:
    found = tryton.rpc.search_read(
        "sale.sale", [("reference", "=", reference)], ["id"], context={"active_test": False}
    )
    return [TrytonTestKit(tryton).read_sale(s["id"]) for s in found]


def expected_margin(tryton: TrytonConnector, sale_id: int) -> Decimal:
    """Tryton's own records: the untaxed amount minus, per line, the delivered moves at
    their booked cost and the undelivered rest at the product's cost price."""
    (sale,) = tryton.rpc.read("sale.sale", [sale_id], ["untaxed_amount"])
    cost = Decimal(0)
    for line in tryton.rpc.search_read(
        "sale.line", [("sale", "=", sale_id)], ["quantity", "product", "moves"]
    ):
        (product,) = tryton.rpc.read("product.product", [line["product"]], ["cost_price"])
        delivered = Decimal(0)
        for move in tryton.rpc.read(
            "stock.move", line["moves"], ["quantity", "cost_price", "state"]
        ):
            if move["state"] == "done":
                delivered += Decimal(str(move["quantity"]))
                cost += Decimal(str(move["quantity"])) * Decimal(str(move["cost_price"]))
        rest = Decimal(str(line["quantity"])) - delivered
        cost += rest * Decimal(str(product["cost_price"]))
    margin = Decimal(str(sale["untaxed_amount"])) - cost
    return margin.quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("crm_sandbox", [{"duplicate_rate": 1.0}], indirect=True)
def test_a_deal_won_in_the_crm_becomes_exactly_one_confirmed_sale_despite_redelivery(
    scene: Scene, tryton: TrytonConnector
) -> None:
    deal_id = scene.deal(
        [("WID-001", 3, "9.50"), ("GAD-001", 2, "24.00")], email="dana@b2b.example"
    )
    scene.drain()
    # Every delivery was sent twice with the same event ids; then the salesperson
    # reopens and wins the deal again: a new event of a deal the ERP already has.
    deliveries = scene.crm.control("GET", "webhooks/deliveries").json()
    assert any(d["duplicate"] and d["ok"] for d in deliveries)
    scene.move(deal_id, "contractsent")
    scene.move(deal_id, "closedwon")
    scene.drain()

    (sale,) = sales_for(tryton, scene.reference(deal_id))
    assert sale["state"] in ("confirmed", "processing")
    assert sorted(
        (ln["product_code"], Decimal(str(ln["quantity"])), Decimal(str(ln["unit_price"])))
        for ln in sale["lines"]
    ) == [("GAD-001", Decimal(2), Decimal("24.00")), ("WID-001", Decimal(3), Decimal("9.50"))]
    assert Decimal(str(sale["untaxed_amount"])) == Decimal("76.50")
    deal = scene.read("deals", deal_id)
    assert deal["causeway_erp_order"] == sale["number"]
    assert deal["causeway_erp_state"] == sale["state"]
    assert scene.hub.jobs.dead() == []
    with scene.hub.store.read() as conn:
        link = links.find(conn, scene.name, "deal", deal_id)
        assert link is not None
        kinds = {
            (li.system, li.entity_type, li.external_id) for li in links.for_hub(conn, link.hub_id)
        }
    assert kinds == {(scene.name, "deal", deal_id), ("erp", "sale", str(sale["id"]))}
    # The hub's order view answers for a deal as for a store order.
    view = order_view(scene.hub.store, scene.hub.jobs, scene.name, deal_id)
    assert view is not None and view["status"] == "in_erp"
    assert view["summary"]["erp_number"] == sale["number"]


def test_a_deal_with_an_unknown_sku_is_parked_with_its_reason_while_another_goes_through(
    scene: Scene, tryton: TrytonConnector
) -> None:
    unknown = f"NOPE-{uuid.uuid4().hex[:6].upper()}"
    bad = scene.deal([("WID-001", 1, "10.00"), (unknown, 1, "5.00")], email="ed@b2b.example")
    nobody = scene.deal([("WID-001", 1, "10.00")], email=None)
    good = scene.deal([("SKU-0003", 4, "8.00")], email="flo@b2b.example")
    not_won = scene.deal([("WID-001", 1, "10.00")], email="gus@b2b.example", stage="qualifiedtobuy")
    scene.drain()

    dead = {job["ordering_key"]: job["last_error"] for job in scene.hub.jobs.dead()}
    assert set(dead) == {f"{scene.name}:deal:{bad}", f"{scene.name}:deal:{nobody}"}
    assert f"unknown SKU {unknown}" in dead[f"{scene.name}:deal:{bad}"]
    assert f"deal {nobody} has no associated contact" in dead[f"{scene.name}:deal:{nobody}"]
    assert sales_for(tryton, scene.reference(bad)) == []
    assert sales_for(tryton, scene.reference(not_won)) == []
    (sale,) = sales_for(tryton, scene.reference(good))
    assert scene.read("deals", good)["causeway_erp_order"] == sale["number"]
    assert not scene.read("deals", bad).get("causeway_erp_order")


def test_a_won_deal_whose_webhook_never_came_is_placed_by_the_scheduled_run_then_shows_shipping(
    scene: Scene, tryton: TrytonConnector
) -> None:
    scene.crm.control(
        "POST", "webhooks", json={"target_url": "http://127.0.0.1:9/", "subscriptions": []}
    )
    deal_id = scene.deal([("SKU-0005", 2, "11.00")], email="hal@b2b.example")
    scene.run("quotes-to-erp")
    (sale,) = sales_for(tryton, scene.reference(deal_id))
    assert scene.read("deals", deal_id)["causeway_erp_order"] == sale["number"]

    (shipment,) = open_shipments(tryton.rpc, sale["id"])
    ship(tryton.rpc, shipment, tracking_number=f"1Z{uuid.uuid4().hex[:8].upper()}")
    scene.run("quotes-to-erp")
    assert scene.read("deals", deal_id)["causeway_erp_state"].startswith("shipped")

    # The bookkeeper posts the invoice and books the customer's payment.
    total = Decimal(str(sale["total_amount"]))
    tryton.pay_sale_invoices(
        scene.reference(deal_id), total, "USD", payment_method="Shop payments", note="wire"
    )
    scene.run("quotes-to-erp")
    assert scene.read("deals", deal_id)["causeway_erp_state"] == "shipped, paid"
    assert len(sales_for(tryton, scene.reference(deal_id))) == 1
    assert scene.hub.jobs.dead() == []
    with scene.hub.store.read() as conn:
        link = links.find(conn, scene.name, "deal", deal_id)
        assert link is not None
        reached = [m.milestone for m in timeline.read(conn, link.hub_id)]
    assert reached[:2] == ["received", "in_erp"]
    assert {"shipped", "paid"} <= set(reached)


def test_the_margin_in_the_crm_is_trytons_sale_amount_minus_cost_per_deal_and_per_customer(
    scene: Scene, tryton: TrytonConnector
) -> None:
    email = f"ivy{uuid.uuid4().hex[:4]}@b2b.example"
    shipped = scene.deal([("WID-001", 4, "12.00"), ("GAD-001", 1, "30.00")], email=email)
    open_deal = scene.deal([("SKU-0002", 3, "9.00")], email=email)
    scene.drain()
    (shipped_sale,) = sales_for(tryton, scene.reference(shipped))
    (open_sale,) = sales_for(tryton, scene.reference(open_deal))
    (shipment,) = open_shipments(tryton.rpc, shipped_sale["id"])
    ship(tryton.rpc, shipment, tracking_number=None)

    scene.run("margins-to-crm")

    first = expected_margin(tryton, shipped_sale["id"])
    second = expected_margin(tryton, open_sale["id"])
    assert first == Decimal("78.00") - expected_cost_of_goods(tryton, shipped_sale["id"])
    assert Decimal(scene.read("deals", shipped)["causeway_margin"]) == first
    assert Decimal(scene.read("deals", open_deal)["causeway_margin"]) == second
    contact = scene.contact(email)
    assert Decimal(contact["causeway_margin"]) == first + second
    # (Order count and lifetime value are customers-to-crm's to write, not this flow's.)
    assert scene.hub.jobs.dead() == []

    # Nothing changed in the ERP: the next run writes nothing to the CRM.
    before = scene.crm.control("GET", f"objects/deals/{shipped}").json()["updatedAt"]
    scene.run("margins-to-crm")
    assert scene.crm.control("GET", f"objects/deals/{shipped}").json()["updatedAt"] == before


def expected_cost_of_goods(tryton: TrytonConnector, sale_id: int) -> Decimal:
    """The shipped sale's cost as booked on its done moves (every line shipped)."""
    lines = tryton.rpc.search_read("sale.line", [("sale", "=", sale_id)], ["moves"])
    moves = tryton.rpc.read(
        "stock.move",
        [m for line in lines for m in line["moves"]],
        ["quantity", "cost_price", "state"],
    )
    assert moves and all(m["state"] == "done" for m in moves)
    return sum(
        (Decimal(str(m["quantity"])) * Decimal(str(m["cost_price"])) for m in moves), Decimal(0)
    )


def test_a_crash_after_the_erp_created_the_sale_but_before_the_hub_linked_it_makes_no_second_sale(
    scene: Scene, tryton: TrytonConnector
) -> None:
    deal_id = scene.deal([("SKU-0007", 1, "12.00")], email="jo@b2b.example", stage="contractsent")
    # The hub read the deal and placed the sale, then died before writing its link.
    crm = scene.hub.connectors[scene.name]
    order = order_from_deal(*crm.deal_with_contact(deal_id), default_currency="USD")
    (placed,) = tryton.place_orders([(scene.reference(deal_id), order)]).values()
    assert isinstance(placed, PlacedSale) and placed.created

    scene.move(deal_id, "closedwon")
    scene.drain()

    (sale,) = sales_for(tryton, scene.reference(deal_id))
    assert sale["id"] == placed.sale_id
    assert scene.read("deals", deal_id)["causeway_erp_order"] == placed.number
    assert scene.hub.jobs.dead() == []


def test_a_customer_the_crm_refuses_is_named_while_the_other_margins_are_written_then_retried(
    scene: Scene, tryton: TrytonConnector
) -> None:
    good_email = f"lu{uuid.uuid4().hex[:4]}@b2b.example"
    typo_email = f"kay{uuid.uuid4().hex[:4]}@b2b.example"
    good = scene.deal([("WID-001", 2, "11.00")], email=good_email)
    typo = scene.deal([("GAD-001", 1, "27.00")], email=typo_email)
    scene.drain()
    (typo_sale,) = sales_for(tryton, scene.reference(typo))
    # Someone in the ERP mistypes the customer's email: HubSpot refuses the address.
    (mechanism,) = tryton.rpc.search_read(
        "party.contact_mechanism",
        [("party", "=", typo_sale["party"]), ("type", "=", "email")],
        ["id"],
    )
    broken = typo_email.removesuffix(".example")
    tryton.rpc.write("party.contact_mechanism", [mechanism["id"]], {"value": broken})

    scene.run("margins-to-crm")

    (dead,) = scene.hub.jobs.dead()
    assert dead["flow"] == "margins-to-crm"
    assert f"contact {broken}" in dead["last_error"] and "invalid" in dead["last_error"]
    (good_sale,) = sales_for(tryton, scene.reference(good))
    assert Decimal(scene.contact(good_email)["causeway_margin"]) == expected_margin(
        tryton, good_sale["id"]
    )
    assert Decimal(scene.read("deals", typo)["causeway_margin"]) == expected_margin(
        tryton, typo_sale["id"]
    )

    # Corrected in the ERP, the customer is written by the next run.
    tryton.rpc.write("party.contact_mechanism", [mechanism["id"]], {"value": typo_email})
    scene.run("margins-to-crm")
    assert len(scene.hub.jobs.dead()) == 1
    assert scene.contact(typo_email)["causeway_margin"] == str(
        expected_margin(tryton, typo_sale["id"])
    )
