"""Erasing a person, on SQLite and PostgreSQL: afterwards no text or binary column of
any table (walked from engine/schema.py's metadata, so a new table is checked too)
and no file in the drop folder holds their email, name, phone or street; someone
else's data is untouched; a second run changes nothing; their order still works."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from causeway.config import CausewayConfig, parse_config
from causeway.config.customers import CustomerSettings
from causeway.connectors.shopify.mapping import order_from_rest
from causeway.customers.resolve import resolve
from causeway.engine import links, timeline
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.schema import inbox, merge_log
from causeway.engine.store import Store
from causeway.engine.worker import record_flow_outcome
from causeway.orders.record import update_order
from causeway.privacy.erase import erase_person, person_for
from causeway.privacy.export import collect
from tests.privacy_traces import traces as find_traces

ZEPHYRINE = {
    "email": "Zephyrine.Q@example.org",
    "first_name": "Zephyrine",
    "last_name": "Quillfeather",
    "phone": "+1 613-555-0199",
    "street": "77 Larkspur Crescent",
}
BOB = {
    "email": "bob@example.com",
    "first_name": "Bob",
    "last_name": "Norman",
    "phone": "+1 613-555-0123",
    "street": "1 Chestnut Street",
    # Bob's order mentions her: Bob's order it stays, only her address leaves it.
    "gift_for": "Zephyrine.Q@example.org",
}
# Every form the person's data may take in a column or a file.
TRACES = [
    "zephyrine.q@example.org",
    "zephyrine",
    "quillfeather",
    "6135550199",
    "613-555-0199",
    "555-0199",
    "larkspur",
]


def order_body(person: dict[str, str], order_id: int, customer_id: int) -> dict[str, Any]:
    """A Shopify REST order (the orders/create webhook body)."""
    address = {
        "first_name": person["first_name"],
        "last_name": person["last_name"],
        "name": f"{person['first_name']} {person['last_name']}",
        "address1": person["street"],
        "city": "Ottawa",
        "zip": "K1A 0B1",
        "country_code": "CA",
        "phone": person["phone"],
    }
    return {
        "id": order_id,
        "name": f"#{order_id}",
        "email": person["email"],
        "phone": person["phone"],
        "created_at": "2026-01-05T10:00:00Z",
        "updated_at": "2026-01-05T10:00:00Z",
        "currency": "USD",
        "total_price": "11.00",
        "subtotal_price": "10.00",
        "total_tax": "1.00",
        "financial_status": "paid",
        "note": f"leave it with {person['first_name']}'s neighbour",
        "note_attributes": [{"name": "gift for", "value": person.get("gift_for", "")}],
        "browser_ip": "203.0.113.7",
        "customer": {
            "id": customer_id,
            "email": person["email"],
            "first_name": person["first_name"],
            "last_name": person["last_name"],
            "phone": person["phone"],
        },
        "shipping_address": address,
        "billing_address": address,
        "line_items": [
            {
                "id": 1,
                "sku": "WID-001",
                "name": "Widget",
                "title": "Widget",
                "quantity": 1,
                "price": "10.00",
            },
        ],
    }


def a_hub_that_knows(store: Store, tmp_path: Path) -> CausewayConfig:
    """Everything the hub keeps about two customers, written the way the flows write it."""
    config = parse_config(
        {
            "store": {"url": store.url.render_as_string(hide_password=False)},
            "server": {"public_url": "https://hub.example.com"},
            "systems": {
                "shop": {
                    "type": "shopify",
                    "shop_url": "https://x.myshopify.com",
                    "access_token": "t",
                    "webhook_secret": "s",
                },
                "crm": {
                    "type": "hubspot",
                    "access_token": "t",
                    "client_secret": "s",
                    "portal_id": 1,
                },
                "csv": {"type": "files", "folder": str(tmp_path / "drop")},
            },
        },
        env={},
    )
    queue = JobQueue(store)
    router = lambda record, inbox_id: [  # noqa: E731
        NewJob("orders-to-erp", f"shop:{record.entity_key}", {"inbox_id": inbox_id})
    ]
    received = Inbox(store, queue, router)
    for person, order_id, customer_id in ((ZEPHYRINE, 1001, 501), (BOB, 1002, 502)):
        body = json.dumps(order_body(person, order_id, customer_id)).encode()
        received.accept(
            [InboxRecord("shop", f"evt-{order_id}", "orders/create", f"order:{order_id}", body)]
        )
    settings = CustomerSettings()
    with store.transaction() as conn:
        # The ERP knows Zephyrine by her phone, the CRM by her email: two records until
        # her order shows both, and they are merged.
        resolve(conn, "erp", "p7", {"phone": ZEPHYRINE["phone"]}, 100.0, settings)
        resolve(conn, "crm", "k7", {"email": ZEPHYRINE["email"]}, 100.0, settings)
        for person, order_id, customer_id in ((ZEPHYRINE, 1001, 501), (BOB, 1002, 502)):
            hub_id = links.new_hub_id()
            links.save(
                conn,
                hub_id=hub_id,
                system="shop",
                entity_type="order",
                external_id=str(order_id),
                fingerprint="in_erp",
            )
            links.save(
                conn,
                hub_id=hub_id,
                system="erp",
                entity_type="sale",
                external_id=str(order_id - 1000),
            )
            update_order(
                conn, hub_id, state="in_erp", number=f"#{order_id}", email=person["email"].lower()
            )
            timeline.record(conn, hub_id, "received")
            timeline.record(
                conn, hub_id, "cancelled", detail={"reason": f"{person['last_name']} asked"}
            )
            observed = {
                "email": person["email"],
                "phone": person["phone"],
                "first_name": person["first_name"],
                "last_name": person["last_name"],
                "address": {"street": person["street"], "postal_code": "K1A 0B1"},
            }
            resolve(conn, "shop", str(customer_id), observed, 100.0, settings)
            # A guest customer counted by customers-to-crm is keyed by their email.
            links.save(
                conn,
                hub_id=links.new_hub_id(),
                system="crm",
                entity_type="customer",
                external_id=person["email"].lower(),
            )
        assert conn.execute(select(merge_log)).all()
    # A party job (customers-sync) and a parked job whose error names her.
    queue.enqueue(
        NewJob(
            "customers-sync",
            "erp:party:7",
            {"party": {"id": 7, "name": "Zephyrine Quillfeather", "email": ZEPHYRINE["email"]}},
        )
    )
    queue.complete_all(queue.claim("w", ["orders-to-erp"], limit=10), "w")  # both placed
    queue.enqueue(NewJob("customers-to-crm", "shop:order:1001", {"order": "1001"}))
    (job,) = queue.claim("w", ["customers-to-crm"])
    queue.kill(job, "w", f"HubSpot refused contact {ZEPHYRINE['email']} (Quillfeather): 400")
    record_flow_outcome(store, "customers-to-crm", ok=False, error=f"{ZEPHYRINE['email']}: 400")
    drop = tmp_path / "drop"
    for folder, name, rows in (
        ("processed", "monday.csv", [ZEPHYRINE, BOB]),
        ("errors", "monday.csv.errors.csv", [ZEPHYRINE]),
    ):
        (drop / folder).mkdir(parents=True, exist_ok=True)
        lines = ["order_number,email,first_name,last_name,phone,street,sku,quantity"]
        lines += [
            f"{n},{p['email']},{p['first_name']},{p['last_name']},{p['phone']},{p['street']},WID-001,1"
            for n, p in enumerate(rows, start=2001)
        ]
        (drop / folder / name).write_text("\n".join(lines) + "\n")
    (drop / "out").mkdir(exist_ok=True)
    (drop / "out" / "order-status.csv").write_text(
        f"order_number,state,problem\n2001,failed,no customer {ZEPHYRINE['email']}\n2002,in_erp,\n"
    )
    return config


def traces(store: Store, tmp_path: Path) -> list[str]:
    return find_traces(store, TRACES, [tmp_path / "drop"])


def bodies(store: Store) -> dict[str, bytes]:
    with store.read() as conn:
        return {r.event_id: bytes(r.body) for r in conn.execute(select(inbox))}


def test_erasing_by_email_leaves_no_trace_and_a_second_run_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    config = a_hub_that_knows(store, tmp_path)
    assert len(traces(store, tmp_path)) > 20  # she is everywhere before
    bob_before = json.loads(bodies(store)["evt-1002"])
    bob_file = [
        line
        for line in (tmp_path / "drop/processed/monday.csv").read_text().splitlines()
        if "Bob" in line
    ]

    report = erase_person(store, config, person_for(config, emails=["zephyrine.q@EXAMPLE.org"]))

    assert traces(store, tmp_path) == []
    assert report.changed["golden customer records"] >= 2  # hers and the one merged into it
    assert report.changed["customer matching keys"] > 0
    assert report.changed["csv: processed/ files"] == 1
    assert any("HubSpot" in note for note in report.remote)
    # Bob is untouched, in the store and in the file they share.
    bob_after = json.loads(bodies(store)["evt-1002"])
    assert bob_after["note_attributes"][0]["value"].endswith("@erased.invalid")
    bob_after["note_attributes"] = bob_before["note_attributes"]
    assert bob_after == bob_before
    assert bob_file[0] in (tmp_path / "drop/processed/monday.csv").read_text()
    assert "bob@example.com" in (tmp_path / "drop/processed/monday.csv").read_text()

    again = erase_person(store, config, person_for(config, emails=[ZEPHYRINE["email"]]))
    assert again.total == 0, again.changed


def test_her_order_still_works_after_the_erasure(store: Store, tmp_path: Path) -> None:
    config = a_hub_that_knows(store, tmp_path)
    erase_person(store, config, person_for(config, customers=["shop:501"]))
    assert traces(store, tmp_path) == []
    with store.read() as conn:
        link = links.find(conn, "shop", "order", "1001")  # exactly once: still linked
    assert link is not None and link.fingerprint == "in_erp"
    stored = Inbox(store, JobQueue(store), lambda r, i: []).get(1)
    assert stored is not None
    order = order_from_rest(json.loads(stored.body))  # the erased payload still parses
    assert order.number == "#1001" and order.customer.email is None
    assert [line.sku for line in order.lines] == ["WID-001"]
    dead = JobQueue(store).dead()
    assert dead and dead[0]["flow"] == "customers-to-crm" and "[erased]" in dead[0]["last_error"]


def test_an_export_holds_what_the_erasure_removes(store: Store, tmp_path: Path) -> None:
    config = a_hub_that_knows(store, tmp_path)
    data = json.dumps(collect(store, config, person_for(config, emails=[ZEPHYRINE["email"]])))
    for trace in (
        "Quillfeather",
        "77 Larkspur Crescent",
        "613-555-0199",
        "zephyrine.q@example.org",
    ):
        assert trace.casefold() in data.casefold()
    assert "bob@example.com" not in data and "Chestnut" not in data


def test_a_surname_that_is_also_a_state_leaves_states_alone(store: Store, tmp_path: Path) -> None:
    """Mr Received Done: his details leave his texts, never the hub's states and keys."""
    config = a_hub_that_knows(store, tmp_path)
    done = {**BOB, "email": "done@example.net", "first_name": "Received", "last_name": "Done"}
    body = json.dumps(order_body(done, 1009, 509)).encode()
    queue = JobQueue(store)
    Inbox(
        store, queue, lambda r, i: [NewJob("orders-to-erp", "shop:order:1009", {"inbox_id": i})]
    ).accept([InboxRecord("shop", "evt-1009", "orders/create", "order:1009", body)])
    queue.complete_all(queue.claim("w", ["orders-to-erp"], limit=5), "w")
    with store.transaction() as conn:
        hub_id = links.new_hub_id()
        links.save(conn, hub_id=hub_id, system="shop", entity_type="order", external_id="1009")
        update_order(conn, hub_id, state="received", number="#1009", email="done@example.net")
        timeline.record(conn, hub_id, "received")

    erase_person(store, config, person_for(config, emails=["done@example.net"]))

    assert [j["state"] for j in queue.for_key("shop:order:1009")] == ["done"]
    with store.read() as conn:
        assert [m.milestone for m in timeline.read(conn, hub_id)] == ["received"]
    assert find_traces(store, ["done@example.net", '"Done"', "Received Done"]) == []
