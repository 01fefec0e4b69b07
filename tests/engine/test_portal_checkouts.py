"""Portal checkouts in the store: one per idempotency key even when two requests race,
numbered from the portal's prefix, read only within their company, and every state
change compare-and-set, with who and when, in the audit log."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from causeway.engine import audit, portal_checkouts
from causeway.engine.portal_checkouts import CheckoutLine, CheckoutStateError
from causeway.engine.store import Store

LINES = [
    CheckoutLine("WID-001", Decimal("3"), Decimal("9.00"), "Widget"),
    CheckoutLine("GAD-001", Decimal("12"), Decimal("20.00"), "Gadget"),
]


def make(store: Store, key: str, company_id: int = 1, user_id: int = 10, state: str = "approved"):
    with store.transaction() as conn:
        return portal_checkouts.create(
            conn,
            company_id=company_id,
            user_id=user_id,
            idempotency_key=key,
            reference_prefix="portal-",
            lines=LINES,
            shipment_address_id=3,
            po_number="PO-1",
            currency="USD",
            state=state,
            hold_reason=None,
            actor="buyer@acme.example",
        )


@pytest.fixture
def migrated(store: Store) -> Store:
    store.migrate()
    return store


def test_a_checkout_is_numbered_and_totalled(migrated: Store) -> None:
    checkout, new = make(migrated, "k1")
    assert new
    assert checkout.reference == f"portal-{checkout.id}"
    assert checkout.total == Decimal("267.00")
    assert [line.sku for line in checkout.lines] == ["WID-001", "GAD-001"]


Outcome = tuple[list[tuple[int, bool]], list[BaseException]]


def race(store: Store, key: str, requests: int) -> Outcome:
    """`requests` submissions of one checkout form at the same instant: what each got."""
    barrier = threading.Barrier(requests)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait()
            checkout, new = make(store, key)
            results.append((checkout.id, new))
        except BaseException as exc:  # reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_requests_with_one_key_at_once_make_one_checkout_and_never_fail(migrated: Store) -> None:
    # A deadlock between two racing inserts once showed in 1 race of 40: race often.
    for attempt in range(100):
        results, errors = race(migrated, f"same-key-{attempt}", requests=4)
        assert not errors
        assert len({checkout_id for checkout_id, _ in results}) == 1
        assert sorted(new for _, new in results) == [False, False, False, True]
    assert len(portal_checkouts.of_company(migrated, 1, limit=200)) == 100


def test_a_key_of_another_company_is_refused(migrated: Store) -> None:
    make(migrated, "k1", company_id=1)
    with pytest.raises(CheckoutStateError, match="no valid key"):
        make(migrated, "k1", company_id=2)


def test_another_companys_checkout_is_not_found(migrated: Store) -> None:
    mine, _ = make(migrated, "k1", company_id=1)
    theirs, _ = make(migrated, "k2", company_id=2)
    assert portal_checkouts.get(migrated, 1, mine.id) == mine
    assert portal_checkouts.get(migrated, 1, theirs.id) is None
    assert portal_checkouts.get(migrated, 1, 999_999) is None
    assert [c.id for c in portal_checkouts.of_company(migrated, 1)] == [mine.id]
    assert portal_checkouts.get_for_staff(migrated, theirs.id) == theirs


def test_state_changes_are_compare_and_set_and_audited(migrated: Store) -> None:
    waiting, _ = make(migrated, "k1", state="awaiting_approval")
    assert [c.id for c in portal_checkouts.waiting(migrated)] == [waiting.id]
    with migrated.transaction() as conn:
        approved = portal_checkouts.change_state(
            conn, waiting, "approved", actor="approver@acme.example", note="ok", decision=True
        )
    assert approved.state == "approved" and approved.decided_by == "approver@acme.example"
    assert approved.decision_note == "ok" and approved.decided_at is not None
    # A second approver working from the same page: the checkout changed meanwhile.
    with pytest.raises(CheckoutStateError, match="changed meanwhile"), migrated.transaction() as c:
        portal_checkouts.change_state(c, waiting, "rejected", actor="other@acme.example")
    with pytest.raises(CheckoutStateError, match="cannot become placed"):
        with migrated.transaction() as conn:
            portal_checkouts.change_state(conn, approved, "placed", actor="flow")
    entries = audit.recent(migrated, subject=portal_checkouts.subject(waiting.id))
    assert {e.action for e in entries} >= {"portal.checkout.create", "portal.checkout.approved"}
