"""A portal order the hub cannot place: while the ERP does not answer the checkout stays
"being placed" and its job retries; when the job's last attempt fails too, the job is
parked on the console's problems page and the checkout is failed, telling the buyer why
and that our staff have been told. A replay from the problems page that places it makes
it placed, with the ERP's number, as if nothing had happened."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from causeway.config import parse_config
from causeway.engine import portal_checkouts, timeline
from causeway.engine.jobs import DEAD, DONE
from causeway.engine.portal_accounts import Company, Membership
from causeway.engine.portal_checkouts import (
    APPROVED,
    FAILED,
    PLACED,
    PLACING,
    Checkout,
    CheckoutLine,
)
from causeway.hub import Hub
from causeway.portal import order_record
from causeway_sandbox.tryton.server import TrytonServer
from tests.console.conftest import csrf_token, signed_in
from tests.portal.conftest import add_company, add_member, customer_client
from tests.tryton_fixtures import connect
from tests.unit.hub_configs import hub_yaml

# Two attempts, a few milliseconds apart: the whole retry story in a second.
QUICK_RETRIES = {"max_attempts": 2, "backoff_base": 0.01, "backoff_cap": 0.02}


def portal_hub(tmp_path: Path, prefix: str = "portal-", erp: TrytonServer | None = None) -> Hub:
    """A hub on tmp_path's store with the portal on; its ERP is unreachable (nothing
    listens at its address) unless `erp` is given: the ERP that answers again."""
    config = hub_yaml(
        tmp_path,
        {},
        portal={"enabled": True, "erp": "erp", "reference_prefix": prefix},
        workers=QUICK_RETRIES,
    )
    if erp is not None:
        config["systems"]["erp"] |= {
            "url": erp.url,
            "database": erp.database,
            "username": erp.username,
            "password": erp.password,
        }
    hub = Hub(parse_config(config, env={}))
    hub.store.migrate()
    return hub


def approved_checkout(hub: Hub, company: Company, buyer: Membership) -> Checkout:
    """A checkout approved at once and handed to the flow, as submit() leaves it."""
    with hub.store.transaction() as conn:
        checkout, _ = portal_checkouts.create(
            conn,
            company_id=company.id,
            user_id=buyer.user_id,
            idempotency_key="k-1",
            reference_prefix=hub.config.portal.reference_prefix,
            lines=[CheckoutLine("WID-001", Decimal("2"), Decimal("9.00"), "Widget")],
            shipment_address_id=None,
            po_number="PO-13",
            currency="USD",
            state=APPROVED,
            hold_reason=None,
            actor=buyer.email,
        )
        order_record.received(conn, checkout, company=company, email=buyer.email)
        order_record.hand_to_flow(conn, hub.inbox, "erp", checkout)
    return checkout


def work(hub: Hub, until: Any, seconds: float = 30.0) -> None:
    """Run the hub's worker (the job backs off between attempts) until `until()`."""
    worker = hub.new_worker()
    deadline = time.monotonic() + seconds
    while not until():
        assert time.monotonic() < deadline, "the job did not get there in time"
        if not worker.run_once():
            time.sleep(0.01)


def state_of(hub: Hub, checkout: Checkout) -> str:
    found = portal_checkouts.get_for_staff(hub.store, checkout.id)
    assert found is not None
    return found.state


def give_up(hub: Hub, checkout: Checkout) -> dict[str, Any]:
    """Work the checkout's job through its attempts against the unreachable ERP."""
    worker = hub.new_worker()
    worker.run_once()  # the first attempt: connection refused, retried
    retrying = portal_checkouts.get_for_staff(hub.store, checkout.id)
    assert retrying.state == PLACING and retrying.error.startswith("retrying: ")
    work(hub, lambda: state_of(hub, checkout) != PLACING)
    (job,) = hub.jobs.for_key(f"erp:checkout:{checkout.id}")
    assert job["state"] == DEAD
    return job


def test_a_checkout_whose_job_runs_out_of_attempts_fails_and_says_staff_know(
    tmp_path: Path,
) -> None:
    hub = portal_hub(tmp_path)
    acme = add_company(hub, 101, "Acme Retail Ltd")
    buyer = add_member(hub, acme, "ann@acme.example")
    checkout = approved_checkout(hub, acme, buyer)

    job = give_up(hub, checkout)

    failed = portal_checkouts.get_for_staff(hub.store, checkout.id)
    assert failed.state == FAILED
    assert failed.error == (
        "our order system did not take the order after 2 attempts, so it is not placed yet"
    )
    # The job keeps the ERP's own words for staff; the buyer reads none of them.
    assert job["last_error"].startswith("gave up after 2 attempts: ")
    assert "127.0.0.1" not in failed.error
    page = customer_client(hub, buyer).get(f"/portal/checkouts/{checkout.id}")
    assert page.status_code == 200
    assert "Could not be placed" in page.text
    assert "did not take the order after 2 attempts" in page.text
    assert "Our staff have been told" in page.text
    assert "Placing your order" not in page.text and "hx-trigger" not in page.text
    staff = signed_in(hub, "operator")
    problems = staff.get("/console/problems")
    assert f'href="/console/problems/{job["id"]}"' in problems.text
    assert "portal-orders" in problems.text and "gave up after 2 attempts" in problems.text
    order = staff.get(f"/console/orders/portal/{checkout.reference}")
    assert order.status_code == 200 and "failed" in order.text


def test_a_replay_from_the_problems_page_places_the_failed_checkout(
    tmp_path: Path, tryton_server: TrytonServer, unique: str
) -> None:
    prefix = f"fu-{unique}-"  # the session's Tryton is shared: a reference of our own
    with connect(tryton_server) as tryton:
        (acme_party,) = tryton.rpc.model(
            "party.party", "search", [("name", "=", "Acme Retail Ltd")]
        )
    down = portal_hub(tmp_path, prefix)
    acme = add_company(down, acme_party, "Acme Retail Ltd")
    buyer = add_member(down, acme, "ann@acme.example")
    checkout = approved_checkout(down, acme, buyer)
    job = give_up(down, checkout)
    down.store.dispose()

    # The ERP answers again (here: the hub restarted with its right address); staff
    # replay the parked job from the console.
    hub = portal_hub(tmp_path, prefix, erp=tryton_server)
    staff = signed_in(hub, "operator")
    answer = staff.post(
        f"/console/problems/{job['id']}/replay", data={"csrf_token": csrf_token(staff)}
    )
    assert answer.status_code == 303
    work(
        hub, lambda: state_of(hub, checkout) != FAILED and hub.jobs.get(job["id"])["state"] == DONE
    )

    placed = portal_checkouts.get_for_staff(hub.store, checkout.id)
    assert placed.state == PLACED and placed.erp_number and placed.error is None
    with connect(tryton_server) as tryton:
        (sale,) = tryton.rpc.search_read(
            "sale.sale", [("reference", "=", checkout.reference)], ["number", "state"]
        )
    assert sale["number"] == placed.erp_number
    assert sale["state"] in ("confirmed", "processing")
    page = customer_client(hub, buyer).get(f"/portal/checkouts/{checkout.id}")
    assert "Confirmed" in page.text and placed.erp_number in page.text
    assert "Could not be placed" not in page.text
    with hub.store.read() as conn:
        milestones = timeline.read(conn, order_record.hub_id_of(conn, placed))
    assert "in_erp" in {m.milestone for m in milestones}
    # The console reads the sale live: its lines stand beside the checkout's, agreeing.
    live = staff.get(f"/console/orders/portal/{checkout.reference}/refresh").text
    side = " ".join(live[live.index("as read just now") :].split()).replace("> <", "><")
    assert "<td>WID-001</td><td>Widget</td><td>2</td><td>9.00</td><td>18.00</td><td>2" in side
    assert "<td>differs</td>" not in side
