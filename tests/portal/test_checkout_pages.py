"""The checkout's pages without an ERP: each checkout is found only within its company
(another company's is 404, like one that does not exist), approvals are for approvers,
and staff decide in the console only about orders over the credit limit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from causeway.engine import audit, portal_carts, portal_checkouts, search
from causeway.engine.portal_accounts import Company, Membership
from causeway.engine.portal_checkouts import Checkout, CheckoutLine
from causeway.hub import Hub
from causeway.model.ports.portal import PlacedPortalSale
from causeway.portal import order_record
from tests.console.conftest import csrf_token, signed_in
from tests.portal.conftest import add_company, add_member, customer_client, portal_csrf, portal_hub

CREDIT_REASON = (
    "the order of 612.00 USD would bring the credit used to 5,300.00 USD, "
    "over the limit of 5,000.00 USD"
)


def flat(html: str) -> str:
    """The page's markup without the white space between tags."""
    return " ".join(html.split()).replace("> <", "><")


def waiting_checkout(
    hub: Hub, company: Company, buyer: Membership, key: str, reason: str
) -> Checkout:
    with hub.store.transaction() as conn:
        checkout, _ = portal_checkouts.create(
            conn,
            company_id=company.id,
            user_id=buyer.user_id,
            idempotency_key=key,
            reference_prefix="portal-",
            lines=[CheckoutLine("WID-001", Decimal("68"), Decimal("9.00"), "Widget")],
            shipment_address_id=None,
            po_number="PO-9",
            currency="USD",
            state="awaiting_approval",
            hold_reason=reason,
            actor=buyer.email,
        )
    return checkout


def test_another_companys_checkout_is_404_on_every_route(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    acme, birch = add_company(hub, 101, "Acme Retail Ltd"), add_company(hub, 102, "Birch")
    acme_buyer = add_member(hub, acme, "ann@acme.example", "approver")
    birch_buyer = add_member(hub, birch, "bo@birch.example")
    theirs = waiting_checkout(hub, birch, birch_buyer, "k-birch", CREDIT_REASON)
    client = customer_client(hub, acme_buyer)
    token = portal_csrf(client)
    for path in (f"/portal/checkouts/{theirs.id}", f"/portal/checkouts/{theirs.id}/status"):
        assert client.get(path).status_code == 404, path
        assert client.get(path.replace(str(theirs.id), "999999")).status_code == 404
    answer = client.post(
        f"/portal/approvals/{theirs.id}", data={"csrf_token": token, "decision": "approve"}
    )
    assert answer.status_code == 404
    reorder = client.post(f"/portal/checkouts/{theirs.id}/reorder", data={"csrf_token": token})
    assert reorder.status_code == 404
    assert portal_carts.lines(hub.store, acme.id, acme_buyer.user_id) == []
    assert portal_checkouts.get_for_staff(hub.store, theirs.id).state == "awaiting_approval"
    assert theirs.reference not in client.get("/portal/approvals").text


def test_a_waiting_checkout_says_why_and_its_approver_approves_it(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    acme = add_company(hub, 101, "Acme Retail Ltd")
    buyer = add_member(hub, acme, "ann@acme.example", "buyer", order_limit="100")
    approver = add_member(hub, acme, "pat@acme.example", "approver")
    checkout = waiting_checkout(hub, acme, buyer, "k1", CREDIT_REASON)
    buyer_client = customer_client(hub, buyer)
    page = buyer_client.get(f"/portal/checkouts/{checkout.id}")
    assert page.status_code == 200
    assert "would bring the credit used to 5,300.00 USD" in page.text
    assert buyer_client.get("/portal/approvals").status_code == 403  # buyers do not approve
    approver_client = customer_client(hub, approver)
    assert checkout.reference in approver_client.get("/portal/approvals").text
    answer = approver_client.post(
        f"/portal/approvals/{checkout.id}",
        data={"csrf_token": portal_csrf(approver_client), "decision": "approve", "note": "ok"},
    )
    assert answer.status_code == 303
    decided = portal_checkouts.get(hub.store, acme.id, checkout.id)
    assert decided.state == "approved" and decided.decided_by == "pat@acme.example"
    assert decided.decision_note == "ok"
    assert audit.recent(hub.store, action="portal.checkout.approved")


def test_reorder_puts_the_lines_back_in_the_cart(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    acme = add_company(hub, 101, "Acme Retail Ltd")
    buyer = add_member(hub, acme, "ann@acme.example")
    checkout = waiting_checkout(hub, acme, buyer, "k1", CREDIT_REASON)
    client = customer_client(hub, buyer)
    answer = client.post(
        f"/portal/checkouts/{checkout.id}/reorder", data={"csrf_token": portal_csrf(client)}
    )
    assert answer.status_code == 303
    (line,) = portal_carts.lines(hub.store, acme.id, buyer.user_id)
    assert (line.sku, line.quantity) == ("WID-001", Decimal("68"))


def test_staff_decide_over_credit_orders_only(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    acme = add_company(hub, 101, "Acme Retail Ltd")
    buyer = add_member(hub, acme, "ann@acme.example")
    over_credit = waiting_checkout(hub, acme, buyer, "k1", CREDIT_REASON)
    over_own_limit = waiting_checkout(
        hub, acme, buyer, "k2", "the order of 612.00 USD is over your order limit of 500.00 USD"
    )
    staff = signed_in(hub, "operator")
    page = staff.get("/console/portal/approvals")
    assert page.status_code == 200
    assert over_credit.reference in page.text and over_own_limit.reference in page.text
    token = csrf_token(staff)
    refused = staff.post(
        f"/console/portal/approvals/{over_own_limit.id}",
        data={"csrf_token": token, "decision": "approve"},
    )
    assert refused.status_code == 409
    rejected = staff.post(
        f"/console/portal/approvals/{over_credit.id}",
        data={"csrf_token": token, "decision": "reject", "note": "overdue invoices"},
    )
    assert rejected.status_code == 303
    assert portal_checkouts.get_for_staff(hub.store, over_credit.id).state == "rejected"


def test_a_portal_order_is_on_the_consoles_order_page_and_in_its_search(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    acme = add_company(hub, 101, "Acme Retail Ltd")
    buyer = add_member(hub, acme, "ann@acme.example")
    checkout = waiting_checkout(hub, acme, buyer, "k1", CREDIT_REASON)
    with hub.store.transaction() as conn:
        order_record.received(conn, checkout, company=acme, email=buyer.email)
    (hit,) = [h for h in search.search(hub.store, checkout.reference) if h.kind == "order"]
    assert hit.system == "portal"
    page = signed_in(hub, "operator").get(hit.url)
    assert page.status_code == 200
    assert checkout.reference in page.text and "awaiting approval" in page.text


def test_the_console_shows_a_portal_orders_checkout_lines_beside_the_erps(
    tmp_path: Path,
) -> None:
    hub = portal_hub(tmp_path)
    acme = add_company(hub, 101, "Acme Retail Ltd")
    buyer = add_member(hub, acme, "ann@acme.example")
    with hub.store.transaction() as conn:
        checkout, _ = portal_checkouts.create(
            conn,
            company_id=acme.id,
            user_id=buyer.user_id,
            idempotency_key="k1",
            reference_prefix="portal-",
            lines=[
                CheckoutLine("WID-001", Decimal("3"), Decimal("9.00"), "Widget"),
                CheckoutLine("GAD-002", Decimal("12"), Decimal("20.00"), "Gadget"),
            ],
            shipment_address_id=None,
            po_number="PO-9",
            currency="USD",
            state="approved",
            hold_reason=None,
            actor=buyer.email,
        )
        order_record.received(conn, checkout, company=acme, email=buyer.email)
    staff = signed_in(hub, "viewer")
    page = staff.get(f"/console/orders/portal/{checkout.reference}")
    assert page.status_code == 200
    lines = page.text[page.text.index('id="lines"') :]
    assert "No lines known" not in lines
    assert "Channel unit price" in lines and "the portal checkout, untaxed prices, USD" in lines
    # Each line: SKU, item, quantity, unit price, amount (untaxed, as the buyer saw them).
    for cells in (
        ("WID-001", "Widget", "3", "9.00", "27.00"),
        ("GAD-002", "Gadget", "12", "20.00", "240.00"),
    ):
        assert "".join(f"<td>{cell}</td>" for cell in cells) in flat(lines), cells
    assert "(not in the ERP)" in lines

    # Placed: the ERP's total (with tax) as the hub recorded it stands beside the lines.
    with hub.store.transaction() as conn:
        placed = portal_checkouts.change_state(conn, checkout, "placing", actor="flow")
        placed = portal_checkouts.change_state(
            conn, placed, "placed", actor="flow", sale_id=17, erp_number="SO17"
        )
        sale = PlacedPortalSale(
            sale_id=17, reference=checkout.reference, number="SO17", state="processing",
            currency="USD", untaxed_amount=Decimal("267.00"), tax_amount=Decimal("26.70"),
            total_amount=Decimal("293.70"),
        )  # fmt: skip
        order_record.placed(conn, placed, sale, "erp")
    again = staff.get(f"/console/orders/portal/{checkout.reference}").text
    lines = again[again.index('id="lines"') :]
    assert "as the hub recorded it" in lines and "293.70" in lines and "267.00" in lines
    assert "SO17" in again and "WID-001" in lines
    assert "<td>differs</td>" not in flat(lines)
