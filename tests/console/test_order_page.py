"""The order page (console page 4) without a browser: a hub whose store holds an order's
events, links and timeline, read with API keys. The systems are not reachable here; the
"refresh from the systems" tests give the hub stand-in connectors (the end-to-end test
reads the real Tryton and the Shopify sandbox: tests/e2e/test_console_order.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient

from causeway.engine import links, timeline
from causeway.engine.inbox import InboxRecord
from causeway.engine.jobs import ordering_key
from causeway.errors import RetryableError
from causeway.hub import Hub
from causeway.model import Order
from causeway.model.ports.channel import OrderChange
from causeway.model.ports.erp import SaleLineRead, SaleRead, SaleShipmentRead
from causeway.orders.record import update_order
from causeway.web.console import order_refresh
from tests.console.conftest import ClientFor, client_with_key, console_hub

ORDER_ID = "450789469"
FLOWS = {
    "orders-to-erp": {"source": "shop", "target": "erp", "reference_prefix": "US-"},
    "fulfillments-to-channels": {"source": "erp", "targets": ["shop"]},
}


def order_body(quantity: int = 2, **changes: Any) -> dict[str, Any]:
    return {
        "id": int(ORDER_ID),
        "name": "#1001",
        "email": "ann@example.com",
        "currency": "USD",
        "created_at": "2026-12-01T10:00:00Z",
        "updated_at": "2026-12-01T10:00:00Z",
        "financial_status": "paid",
        "subtotal_price": f"{10 * quantity}.00",
        "total_tax": "0.00",
        "total_price": f"{10 * quantity}.00",
        "line_items": [
            {"id": 1, "sku": "WID-001", "title": "Widget", "name": "Widget"}
            | {"quantity": quantity, "price": "10.00"}
        ],
    } | changes


def hub_with_an_order(tmp_path: Path) -> Hub:
    """A hub holding order #1001 of `shop`: received twice, its first job parked, placed
    in the ERP as sale 17 (SO17), shipped with UPS and invoiced."""
    hub = console_hub(tmp_path, FLOWS)
    hub.inbox.accept(
        [
            InboxRecord(
                "shop",
                "evt-1",
                "orders/create",
                f"order:{ORDER_ID}",
                json.dumps(order_body()).encode(),
            )
        ]
    )
    (job,) = hub.jobs.claim("test", ["orders-to-erp"])
    hub.jobs.kill(job, "test", "unknown product: the ERP has no product with SKU WID-001")
    hub.inbox.accept(
        [
            InboxRecord(
                "shop",
                "evt-2",
                "orders/updated",
                f"order:{ORDER_ID}",
                json.dumps(order_body(note="gift")).encode(),
            )
        ]
    )
    with hub.store.transaction() as conn:
        links.save(
            conn,
            hub_id="H1",
            system="shop",
            entity_type="order",
            external_id=ORDER_ID,
            fingerprint="in_erp",
        )
        links.save(
            conn,
            hub_id="H1",
            system="erp",
            entity_type="sale",
            external_id="17",
            fingerprint="processing",
        )
        links.save(
            conn,
            hub_id="H1",
            system="erp",
            entity_type="invoice",
            external_id="5",
            fingerprint="posted",
        )
        update_order(
            conn,
            "H1",
            state="in_erp",
            number="#1001",
            reference="US-1001",
            erp_number="SO17",
            erp_state="processing",
            total="20.00",
            erp_total="20.00",
            currency="USD",
            email="ann@example.com",
            invoice_state="posted",
        )
        timeline.record(conn, "H1", "received", at=1_764_583_200.0)
        timeline.record(conn, "H1", "in_erp", at=1_764_583_260.0, detail={"erp_number": "SO17"})
        timeline.record(
            conn,
            "H1",
            "shipped",
            at=1_764_590_000.0,
            detail={
                "carrier": "UPS",
                "tracking_number": "1Z999AA10123456784",
                "tracking_url": None,
                "shipment": "CS3",
            },
        )
        timeline.record(conn, "H1", "invoiced", at=1_764_600_000.0, detail={"invoice": "INV5"})
    return hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    hub = hub_with_an_order(tmp_path)
    yield hub
    hub.store.dispose()


@pytest.fixture
def viewer(hub: Hub) -> TestClient:
    return client_with_key(hub, "read")


def page(client: TestClient, path: str = f"/console/orders/shop/{ORDER_ID}") -> str:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


def test_a_viewer_sees_the_order_in_every_system_with_links(viewer: TestClient) -> None:
    html = page(viewer)
    assert "Order #1001" in html
    # Each id links to the record's page in its own system.
    assert f'href="http://127.0.0.1:9/admin/orders/{ORDER_ID}"' in html
    assert 'href="http://127.0.0.1:9/#d/model/sale.sale/17"' in html
    assert 'href="http://127.0.0.1:9/#d/model/account.invoice/5"' in html


def test_the_timeline_shows_each_step_with_the_carriers_tracking_link(viewer: TestClient) -> None:
    html = page(viewer)
    for label in ("Received", "In the ERP", "Shipped", "Invoiced"):
        assert f"<strong>{label}</strong>" in html
    assert 'href="https://www.ups.com/track?tracknum=1Z999AA10123456784"' in html
    assert html.index("<strong>Shipped</strong>") < html.index("<strong>Paid</strong>")
    assert "not yet" in html  # paid, allocated


def test_every_event_and_job_is_there_with_its_payload_and_error(viewer: TestClient) -> None:
    html = page(viewer)
    assert "Events received (2)" in html and "Jobs (2)" in html
    assert html.count("<details") >= 4
    assert "orders/updated" in html and "&#34;note&#34;: &#34;gift&#34;" in html
    assert "unknown product: the ERP has no product with SKU WID-001" in html
    assert "&#34;inbox_id&#34;: 1" in html  # the parked job's payload


def test_the_channels_lines_stand_beside_the_erps_recorded_amounts(viewer: TestClient) -> None:
    html = page(viewer)
    lines = html[html.index('id="lines"') :]
    assert "WID-001" in lines and "as the hub recorded it" in lines
    assert 'class="mismatch"' not in lines[: lines.index('id="live"')]


def test_an_amount_mismatch_is_highlighted(hub: Hub, viewer: TestClient) -> None:
    with hub.store.transaction() as conn:
        timeline.record(
            conn,
            "H1",
            timeline.AMOUNT_MISMATCH,
            detail={
                "channel": {"untaxed": "20.00", "tax": "0.00", "total": "20.00", "currency": "USD"},
                "erp": {"untaxed": "20.00", "tax": "2.00", "total": "22.00", "currency": "USD"},
                "tolerance": "0.01",
                "reason": "the amounts of order #1001 differ between shop and erp",
            },
        )
    html = page(viewer)
    assert 'Status: <strong class="mismatch">amounts differ</strong>' in html
    amounts = html[html.index("<caption>Amounts</caption>") :]
    assert '<tr class="mismatch">\n      <th scope="row">tax</th>' in amounts
    assert '<tr class="mismatch">\n      <th scope="row">total</th>' in amounts
    assert '<tr>\n      <th scope="row">untaxed</th>' in amounts


@pytest.mark.parametrize(
    "path",
    [
        "/console/orders/shop/999",
        "/console/orders/nowhere/450789469",
        "/console/orders/shop/999/refresh",
        "/console/orders/shop/%00",
    ],
)
def test_an_order_the_hub_does_not_know_is_a_readable_404_page(
    viewer: TestClient, path: str
) -> None:
    answer = viewer.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "The hub has seen no order" in answer.text and "Not found" in answer.text


def test_without_a_key_the_page_is_refused(hub: Hub) -> None:
    from causeway.web.app import create_app

    anonymous = TestClient(create_app(hub), base_url="http://localhost", follow_redirects=False)
    answer = anonymous.get(f"/console/orders/shop/{ORDER_ID}")
    assert answer.status_code in (401, 302, 303, 307)
    assert "Widget" not in answer.text


# -- refresh from the systems -------------------------------------------------------------


class ChannelNow:
    """The store as it holds the order now: one unit refunded, fulfilled with the
    tracking number the hub shipped with."""

    def __init__(self, hub: Hub) -> None:
        self.real = hub.connectors["shop"]

    def order_changes_since(
        self, since: datetime | None, page_size: int = 100
    ) -> Iterable[OrderChange]:
        return []

    def order_node(self, external_id: str) -> dict[str, Any]:
        assert external_id == ORDER_ID
        return order_body(quantity=1, financial_status="partially_refunded")

    def order_from_webhook(self, body: dict[str, Any]) -> Order:
        return self.real.order_from_webhook(body)

    def order_from_polled(self, node: dict[str, Any]) -> Order:
        return self.real.order_from_webhook(node)  # the stand-in polls webhook bodies

    def order_updated_at(self, body: bytes) -> datetime | None:
        return None

    def record_url(self, entity_type: str, external_id: str) -> str | None:
        return self.real.record_url(entity_type, external_id)


class ErpNow:
    def __init__(self, hub: Hub, delay: float = 0.0, fails: bool = False) -> None:
        self.real, self.delay, self.fails = hub.connectors["erp"], delay, fails

    def record_url(self, entity_type: str, external_id: str) -> str | None:
        return self.real.record_url(entity_type, external_id)

    def read_sales(self, references: Any) -> dict[str, SaleRead]:
        time.sleep(self.delay)
        if self.fails:
            raise RetryableError("Tryton unreachable at http://127.0.0.1:9 (ConnectError)")
        assert list(references) == ["US-1001"]
        return {
            "US-1001": SaleRead(
                sale_id=17,
                reference="US-1001",
                number="SO17",
                state="done",
                currency="USD",
                untaxed_amount=Decimal("20.00"),
                tax_amount=Decimal(0),
                total_amount=Decimal("20.00"),
                lines=(
                    SaleLineRead(
                        sku="WID-001",
                        description="Widget",
                        quantity=Decimal(2),
                        unit_price=Decimal(10),
                        amount=Decimal(20),
                    ),
                ),
                shipments=(
                    SaleShipmentRead(
                        shipment_id=3,
                        number="CS3",
                        state="done",
                        carrier="UPS",
                        tracking_number="1Z999AA10123456784",
                    ),
                ),
            )
        }


class Contact:
    id = "51"
    properties: ClassVar[dict[str, str]] = {
        "email": "ann@example.com",
        "causeway_order_count": "1",
    }

    def get(self, name: str) -> str | None:
        return self.properties.get(name)


class CrmNow:
    """The CRM has a contact for the order's e-mail (the hub linked none: it never
    counted the order for the CRM, so that is no drift)."""

    def __init__(self, hub: Hub) -> None:
        self.real = hub.connectors["crm"]

    def find_contact_by_email(self, email: str, properties: Any = ()) -> Contact | None:
        return Contact() if email == "ann@example.com" else None

    def record_url(self, entity_type: str, external_id: str) -> str | None:
        return self.real.record_url(entity_type, external_id)

    def ensure_fields(self, *args: Any) -> list[str]:
        raise AssertionError("refresh only reads")

    property_change = upsert_contacts = update_contact = read_contacts = ensure_fields


def stand_ins(hub: Hub, erp: ErpNow | None = None) -> None:
    hub.connectors["shop"] = ChannelNow(hub)
    hub.connectors["erp"] = erp or ErpNow(hub)
    hub.connectors["crm"] = CrmNow(hub)


def test_a_viewer_refreshes_and_sees_each_systems_drift(hub: Hub, viewer: TestClient) -> None:
    stand_ins(hub)
    answer = viewer.get(f"/console/orders/shop/{ORDER_ID}/refresh", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    html = answer.text
    assert "<html" not in html and 'id="refresh"' in html  # the partial alone, for htmx
    assert "Drift:" in html
    assert '<th scope="row">payment status</th><td>paid</td><td>partially_refunded</td>' in html
    assert '<th scope="row">line WID-001</th><td>2</td><td>1</td>' in html
    assert '<th scope="row">state</th><td>processing</td><td>done</td>' in html
    # The live channel order (1 unit) beside the live ERP sale (2): the line differs.
    live = html[html.index("Lines and amounts now") :]
    assert '<tr class="mismatch">\n      <td>WID-001</td>' in live
    assert 'href="http://127.0.0.1:9/#d/model/sale.sale/17"' in html
    # The CRM's contact for the customer, linked in HubSpot's app.
    assert 'href="https://app.hubspot.com/contacts/62515/record/0-1/51"' in html


def test_a_system_that_does_not_answer_shows_so_and_the_others_still_show(
    hub: Hub, viewer: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_ins(hub, ErpNow(hub, fails=True))
    html = page(viewer, f"/console/orders/shop/{ORDER_ID}/refresh")
    assert "<html" in html  # without htmx: the whole page, the readings in it
    assert "did not answer" in html and "Tryton unreachable at http://127.0.0.1:9" in html
    assert "partially_refunded" in html  # the channel still shows

    monkeypatch.setattr(order_refresh, "DEADLINE", 0.2)
    hub.connectors["erp"] = ErpNow(hub, delay=2.0)
    started = time.monotonic()
    html = page(viewer, f"/console/orders/shop/{ORDER_ID}/refresh")
    assert time.monotonic() - started < 1.5
    assert "did not answer within 0.2 s" in html and "partially_refunded" in html


def test_refresh_only_reads_so_a_viewer_may_press_it_and_nothing_changes(
    hub: Hub, client_for: ClientFor
) -> None:
    stand_ins(hub)
    with hub.store.read() as conn:
        before = timeline.read(conn, "H1")
    assert client_for("read").get(f"/console/orders/shop/{ORDER_ID}/refresh").status_code == 200
    with hub.store.read() as conn:
        assert timeline.read(conn, "H1") == before
    assert client_for("read").post(f"/console/orders/shop/{ORDER_ID}/refresh").status_code in (
        404,
        405,
    )


def test_the_status_is_said_once_in_words(viewer: TestClient) -> None:
    html = page(viewer)
    header = html[html.index("<hgroup>") : html.index("</hgroup>")]
    assert "Status: <strong>invoiced</strong>" in header
    assert "hub state" not in header and "in_erp" not in header and "in erp" not in header


def test_a_job_parked_then_replayed_and_done_still_shows_its_earlier_error(
    hub: Hub, viewer: TestClient
) -> None:
    history = hub.jobs.for_key(ordering_key("shop", "order", ORDER_ID))
    parked = next(j for j in history if j["state"] == "dead")
    hub.jobs.replay(parked["id"])
    (job, *_) = hub.jobs.claim("test", ["orders-to-erp"])
    assert job.id == parked["id"]
    hub.jobs.complete(job, "test")

    html = page(viewer)
    jobs = html[html.index('id="jobs"') :]
    done = jobs[jobs.index(f"#{parked['id']} orders-to-erp") :]
    done = done[: done.index("</details>")]
    assert "done" in done and "parked 1 time before" in done
    assert "Earlier errors (before a replay)" in done
    assert "unknown product: the ERP has no product with SKU WID-001" in done
    assert "Last error" not in done  # it is done: the error is an earlier one, said once


def test_an_order_being_sent_on_says_so_beside_its_status(tmp_path: Path) -> None:
    hub = console_hub(tmp_path, FLOWS)
    try:
        hub.inbox.accept(
            [
                InboxRecord(
                    "shop", "evt-9", "orders/create", "order:9", json.dumps(order_body()).encode()
                )
            ]
        )
        hub.jobs.claim("test", ["orders-to-erp"])  # a worker has it now
        html = page(client_with_key(hub, "read"), "/console/orders/shop/9")
        header = html[html.index("<hgroup>") : html.index("</hgroup>")]
        assert "Status: <strong>received</strong>" in header and "· being sent on" in header
    finally:
        hub.store.dispose()
