"""The console's customer page, assembled (customers/view.py): the golden record with
each field's rule, merges and their undo, orders, figures, the CRM contact and cases."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from causeway.config.customers import CustomerSettings
from causeway.config.flows import RfmThresholds
from causeway.customers import crm_contact, merges
from causeway.customers.orders import order_facts, standing
from causeway.customers.resolve import resolve
from causeway.customers.view import (
    CustomerSources,
    CustomerView,
    Moved,
    read_customer,
    undo_merge,
)
from causeway.customers.view_crm import with_crm
from causeway.engine import audit, entities, golden_records, timeline
from causeway.engine.store import Store
from causeway.errors import PermanentError
from tests.entity_records import CRM, FakeCrm, ada_with_history

DAY1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()
SOURCES = CustomerSources(
    CustomerSettings(), crm=CRM, cases_crm=CRM, portals={CRM: 62515}, currency=None
)


@pytest.fixture
def hub_store(sqlite_store: Store) -> Store:
    sqlite_store.migrate()
    return sqlite_store


def shown(store: Store, customer_id: str, sources: CustomerSources = SOURCES) -> CustomerView:
    view = read_customer(store, customer_id, sources)
    assert isinstance(view, CustomerView), view
    return view


def test_each_field_says_which_system_gave_it_and_why_that_value_won(hub_store: Store) -> None:
    ada = ada_with_history(hub_store)
    fields = {f.name: f for f in shown(hub_store, ada.customer_id).fields}

    first = fields["first_name"]
    assert (first.value, first.source, first.rule) == ("Augusta", CRM, "source: crm")
    assert first.why == "crm owns this field: its value always wins"
    # The merged WooCommerce record's value lost, and is shown as such.
    assert [(o.source.split(" ")[0], o.value) for o in first.others] == [("woo", "A.")]

    last = fields["last_name"]
    assert last.source in ("shop", "woo") and last.value == "Lovelace"
    assert "crm owns this field but has not given it" in last.why
    assert fields["credit_limit"].why == "no system has given a value"
    assert fields["address"].rule == "newest"


def test_the_systems_that_know_the_customer_are_listed_with_their_ids(hub_store: Store) -> None:
    ada = ada_with_history(hub_store)
    assert set(shown(hub_store, ada.customer_id).systems) == {
        ("shop", "c-1"),
        (CRM, "501"),
        ("woo", "w-9"),
    }


def test_orders_figures_and_segment_are_those_the_crm_contact_is_given(hub_store: Store) -> None:
    ada = ada_with_history(hub_store)
    view = shown(hub_store, ada.customer_id)

    [order] = view.orders
    assert (order.store, order.number, order.status, order.erp_number) == (
        "shop",
        "#1001",
        "in_erp",
        "SO-7",
    )
    assert (order.total, order.currency, order.channel) == (Decimal("25.00"), "USD", "shop/web")
    assert view.standing is not None
    assert (view.standing.figures.lifetime_value, view.standing.figures.currency) == (
        Decimal("25.00"),
        "USD",
    )
    assert view.standing.segment == crm_contact.NEW  # one order, three days ago
    # customers-to-crm's computation, on the same orders, gives the same segment.
    with hub_store.read() as conn:
        members = golden_records.family(conn, ada.customer_id)
        facts = order_facts(conn, CRM, members)
        flows = standing(
            conn, CRM, members, currency=None, rfm=RfmThresholds(), today=datetime.now(UTC)
        )
    assert flows == view.standing
    figures = crm_contact.figures(facts)
    assert figures is not None
    assert crm_contact.segment(figures, datetime.now(UTC), RfmThresholds()) == view.standing.segment


def test_an_order_shows_its_shipment_with_tracking_and_where_its_invoice_stands(
    hub_store: Store,
) -> None:
    ada = ada_with_history(hub_store)
    [before] = shown(hub_store, ada.customer_id).orders
    assert (before.shipment, before.invoice_number, before.invoice_state) == (None, None, None)

    url = "https://www.ups.com/track?tracknum=1Z999"
    with hub_store.transaction() as conn:
        partly = {"carrier": "UPS", "tracking_number": "1Z998", "tracking_url": None}
        timeline.record(conn, ada.order_hub_id, "partially_shipped", at=DAY1, detail=partly)
    [partial] = shown(hub_store, ada.customer_id).orders
    assert partial.shipment is not None and not partial.shipment.complete
    # No address was recorded: UPS's own tracking page.
    assert partial.shipment.tracking_url == "https://www.ups.com/track?tracknum=1Z998"

    with hub_store.transaction() as conn:
        rest = {"carrier": "UPS", "tracking_number": "1Z999", "tracking_url": url}
        timeline.record(conn, ada.order_hub_id, "shipped", at=DAY1 + 86400, detail=rest)
        invoice = {"invoice_number": "INV-3", "invoice_state": "paid"}
        entities.merge(conn, ada.order_hub_id, invoice, entity_type="order")

    [after] = shown(hub_store, ada.customer_id).orders
    assert after.shipment is not None and after.shipment.complete
    assert (after.shipment.carrier, after.shipment.tracking_number) == ("UPS", "1Z999")
    assert after.shipment.tracking_url == url
    assert (after.invoice_number, after.invoice_state) == ("INV-3", "paid")


def test_the_segment_follows_the_flows_rfm_settings(hub_store: Store) -> None:
    ada = ada_with_history(hub_store)
    lapsing = CustomerSources(
        CustomerSettings(), crm=CRM, rfm=RfmThresholds(recent_days=1, lapsing_days=1)
    )
    found = shown(hub_store, ada.customer_id, lapsing).standing
    assert found is not None and found.segment == crm_contact.LOST  # 3 days > twice 1 day


def test_the_crm_contact_has_its_id_and_a_link_into_hubspot(hub_store: Store) -> None:
    ada = ada_with_history(hub_store)
    view = shown(hub_store, ada.customer_id)
    assert view.contact_id == "501"
    assert view.contact_url == "https://app.hubspot.com/contacts/62515/record/0-1/501"


def test_without_customers_to_crm_there_are_no_counted_orders_but_the_record_shows(
    hub_store: Store,
) -> None:
    ada = ada_with_history(hub_store)
    view = shown(hub_store, ada.customer_id, CustomerSources(CustomerSettings()))
    assert (view.orders, view.standing, view.contact_id, view.cases) == ((), None, None, ())
    assert view.name == "Augusta Lovelace"


def test_open_cases_come_from_the_crm_live(hub_store: Store) -> None:
    ada = ada_with_history(hub_store)
    view = with_crm(shown(hub_store, ada.customer_id), SOURCES, {CRM: FakeCrm({"9001": "1"})})
    [case] = view.cases
    assert (case.ticket_id, case.order, case.open, case.subject) == (
        "9001",
        "#1001",
        True,
        "Where is my parcel?",
    )
    assert case.url == "https://app.hubspot.com/contacts/62515/record/0-5/9001"
    assert view.open_cases == (case,)
    # What the CRM says now joins each field's other values.
    phone = next(f for f in view.fields if f.name == "phone")
    assert [(o.source, o.value) for o in phone.others] == [("crm now", "+44 20")]

    closed = with_crm(shown(hub_store, ada.customer_id), SOURCES, {CRM: FakeCrm({"9001": "4"})})
    assert closed.open_cases == () and closed.cases[0].open is False


def test_a_crm_that_does_not_answer_is_named_and_the_recorded_cases_still_show(
    hub_store: Store,
) -> None:
    ada = ada_with_history(hub_store)
    view = with_crm(
        shown(hub_store, ada.customer_id),
        SOURCES,
        {CRM: FakeCrm(down=True)},
        clean=lambda text: text.replace("refused", "[masked]"),
    )
    assert view.crm_problem == "crm did not answer: HubSpot did not answer: connection [masked]"
    assert [(c.ticket_id, c.open) for c in view.cases] == [("9001", None)]
    assert len(view.open_cases) == 1  # not known closed: still counted as open


def test_a_merged_away_id_names_its_survivor_and_an_unknown_id_nothing(hub_store: Store) -> None:
    ada = ada_with_history(hub_store)
    assert read_customer(hub_store, ada.merged_id, SOURCES) == Moved(ada.customer_id)
    assert read_customer(hub_store, "no-such-customer", SOURCES) is None


def test_undoing_a_merge_restores_both_records_and_is_audited(hub_store: Store) -> None:
    ada = ada_with_history(hub_store)
    [merge] = shown(hub_store, ada.customer_id).merges
    assert (merge.id, merge.merged_id, merge.reason, merge.can_undo) == (
        ada.merge_id,
        ada.merged_id,
        "same person",
        True,
    )

    undo_merge(hub_store, ada.merge_id, CustomerSettings(), actor="key:ops")

    back = shown(hub_store, ada.merged_id)  # its own page again, no redirect
    assert ("woo", "w-9") in back.systems
    assert ("woo", "w-9") not in shown(hub_store, ada.customer_id).systems
    [after] = shown(hub_store, ada.customer_id).merges
    assert after.undone_at is not None and not after.can_undo
    [entry] = audit.recent(hub_store, action="customer.merge.undo")
    assert (entry.actor, entry.subject) == ("key:ops", f"customer:{ada.customer_id}")
    assert entry.before[ada.merged_id]["merged_into"] == ada.customer_id
    assert entry.after[ada.merged_id]["merged_into"] is None
    assert ["woo", "w-9"] in entry.after[ada.merged_id]["systems"]

    with pytest.raises(PermanentError, match="already undone"):
        undo_merge(hub_store, ada.merge_id, CustomerSettings(), actor="key:ops")
    assert len(audit.recent(hub_store, action="customer.merge.undo")) == 1


def test_a_records_merges_are_read_newest_first_undone_ones_too(store: Store) -> None:
    """engine/golden_records.merges_into, on every supported database."""
    ada = ada_with_history(store)
    settings = CustomerSettings()
    with store.transaction() as conn:
        other = resolve(conn, "shop", "c-2", {"email": "someone@example.net"}, 1.0, settings)
        later = merges.merge(conn, ada.customer_id, other.customer_id, "operator", settings)
        merges.undo(conn, ada.merge_id, settings)
    with store.read() as conn:
        found = golden_records.merges_into(conn, [ada.customer_id])
        assert golden_records.merges_into(conn, [ada.merged_id]) == []
    assert [(e.id, e.reason, e.undone_at is not None) for e in found] == [
        (later.merge_id, "operator", False),
        (ada.merge_id, "same person", True),
    ]
    assert all(e.at for e in found)
