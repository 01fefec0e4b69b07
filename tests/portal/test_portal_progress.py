"""portal-progress against the real Tryton: a portal sale shipped, invoiced or cancelled in
the ERP becomes the order's milestones and e-mails, each exactly once however often the
flow runs (flows/portal_progress/flow.py)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import links, timeline
from causeway.engine.schema import mail_outbox
from causeway.flows.portal_progress import PortalProgress
from causeway.hub import Hub
from causeway.notifications.events import PORTAL_CHANNEL
from causeway.orders.record import ORDER, SALE, update_order
from tests.portal.conftest import portal_hub
from tests.portal.erp_history import party_id, place_sale, post_invoice, ship_sale

ACME_EMAIL = "orders@acme-retail.example"


@pytest.fixture
def prefix() -> str:
    return f"pp{uuid.uuid4().hex[:5]}-"


@pytest.fixture
def hub(tmp_path: Path, prefix: str) -> Hub:
    return portal_hub(
        tmp_path,
        portal={"enabled": True, "erp": "erp", "reference_prefix": prefix},
        notifications={"enabled": True, "merchant": "Causeway Demo Company"},
    )


def progress(hub: Hub, tryton: TrytonConnector, prefix: str) -> PortalProgress:
    return PortalProgress(
        hub.store,
        source="erp",
        source_connector=tryton,
        notifications=hub.config.notifications,
        reference_prefix=prefix,
    )


def mails(hub: Hub) -> list[tuple[str, str, str, str]]:
    """(event, recipient, dedupe key, text) of every e-mail queued."""
    with hub.store.read() as conn:
        rows = conn.execute(
            select(
                mail_outbox.c.event,
                mail_outbox.c.recipient,
                mail_outbox.c.dedupe_key,
                mail_outbox.c.text_body,
            ).order_by(mail_outbox.c.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def hub_order(hub: Hub, sale_id: int) -> str:
    with hub.store.read() as conn:
        link = links.find(conn, "erp", SALE, str(sale_id))
    assert link is not None, "the hub has no order of the sale"
    return link.hub_id


def reached(hub: Hub, hub_id: str) -> dict[str, dict]:
    with hub.store.read() as conn:
        return {m.milestone: m.detail for m in timeline.read(conn, hub_id)}


def test_a_shipment_done_in_the_erp_is_one_shipped_milestone_and_one_e_mail(
    hub: Hub, tryton: TrytonConnector, prefix: str
) -> None:
    acme = party_id(tryton, "Acme Retail Ltd")
    sale = place_sale(tryton, acme, f"{prefix}41", {"WID-001": 2})
    elsewhere = place_sale(tryton, acme, f"not-portal-{prefix}", {"WID-001": 1})
    shipment = ship_sale(tryton, sale, tracking_number=f"1Z{prefix.upper()}")
    ship_sale(tryton, elsewhere, tracking_number="1ZOTHER")
    flow = progress(hub, tryton, prefix)

    assert flow.run() == 1
    order = hub_order(hub, sale)
    shipped = reached(hub, order)["shipped"]
    assert shipped["carrier"] == "UPS" and shipped["tracking_number"] == f"1Z{prefix.upper()}"
    assert shipped["tracking_url"].startswith("https://www.ups.com/track?tracknum=1Z")
    (mail,) = mails(hub)
    assert mail[:2] == ("shipped", ACME_EMAIL)  # the hub did not know the buyer: the party
    assert mail[2] == f"order:{order}:shipped:{shipment}"
    assert f"1Z{prefix.upper()}" in mail[3]
    with hub.store.read() as conn:  # the sale keyed in the ERP became a portal order
        adopted = links.find(conn, PORTAL_CHANNEL, ORDER, f"{prefix}41")
        assert adopted is not None and adopted.hub_id == order
        assert links.find(conn, "erp", SALE, str(elsewhere)) is None  # not a portal sale

    assert flow.run() == 0  # a re-run (the poll reads back over its overlap): nothing new
    assert len(mails(hub)) == 1

    post_invoice(tryton, sale)
    assert flow.run() == 1  # followed: the hub knows the order and the ERP has not finished it
    events = [m[0] for m in mails(hub)]
    assert events == ["shipped", "invoice_issued"]
    assert "invoiced" in reached(hub, order)
    assert flow.run() == 0 and len(mails(hub)) == 2


def test_a_sale_cancelled_in_the_erp_tells_its_buyer_once(
    hub: Hub, tryton: TrytonConnector, prefix: str
) -> None:
    acme = party_id(tryton, "Acme Retail Ltd")
    sale = place_sale(tryton, acme, f"{prefix}42", {"WID-001": 1})
    with hub.store.transaction() as conn:  # what the checkout records of its order
        hub_id = links.new_hub_id()
        reference = f"{prefix}42"
        links.save(
            conn, hub_id=hub_id, system=PORTAL_CHANNEL, entity_type=ORDER, external_id=reference
        )
        links.save(conn, hub_id=hub_id, system="erp", entity_type=SALE, external_id=str(sale))
        update_order(
            conn, hub_id, reference=f"{prefix}42", number=f"{prefix}42", email="buyer@acme.example"
        )
    flow = progress(hub, tryton, prefix)
    assert flow.run() == 0  # confirmed, nothing shipped: no news

    assert tryton.cancel_sale(f"{prefix}42") is not None
    assert flow.run() == 1
    (mail,) = mails(hub)
    assert mail[:2] == ("cancelled", "buyer@acme.example")  # the buyer who ordered
    assert "cancelled" in reached(hub, hub_id)
    assert flow.run() == 0  # finished in the ERP: no longer followed
    assert len(mails(hub)) == 1
