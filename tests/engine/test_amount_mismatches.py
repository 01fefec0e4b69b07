"""An order whose ERP sale says other amounts than the store charged never passes silently,
on SQLite and PostgreSQL: flagged in the order's timeline and view, an alert in
`causeway status` and /metrics until a person accepts it (warn), or left unconfirmed and
parked (park); a sale a person confirmed anyway is their decision."""

from __future__ import annotations

from decimal import Decimal

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from causeway.engine import timeline
from causeway.engine.facts import read_facts
from causeway.engine.jobs import JobQueue
from causeway.engine.store import Store
from causeway.flows.orders_to_erp.amount_check import PARK, AmountCheck, NotAccepted, accept_amounts
from causeway.observability.metrics import HubCollector
from causeway.orders.status import order_statuses
from causeway.status import collect_status
from causeway.web.order_view import order_view
from tests.engine.amounts_erp import (
    ErpOfGivenAmounts,
    an_order,
    orders_flow,
    receive_and_place,
    run,
)
from tests.engine.test_monitoring import hub_config

D = Decimal


def view(store: Store, external_id: str) -> dict:
    found = order_view(store, JobQueue(store), "shop", external_id)
    assert found is not None
    return found


def amount_metrics(store: Store) -> dict[tuple[str, tuple], float]:
    registry = CollectorRegistry()
    registry.register(HubCollector(store, hub_config(store)))
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(generate_latest(registry).decode())
        for sample in family.samples
        if "amount" in sample.name or sample.name.startswith("causeway_alert")
    }


@pytest.fixture
def erp() -> ErpOfGivenAmounts:
    erp = ErpOfGivenAmounts()
    # The ERP taxed #2 its own way: 597.00 + 35.82 where the store charged 398.00 + 11.94.
    erp.amounts["#2"] = (D("597.00"), D("35.82"))
    return erp


def a_matching_and_a_mismatching_order(store: Store, erp: ErpOfGivenAmounts) -> None:
    """#1 as the store charged it, #2 as the ERP taxed it (warn: both confirmed)."""
    receive_and_place(
        orders_flow(store, erp, AmountCheck()),
        an_order(1, "100.00", "10.00"),
        an_order(2, "398.00", "11.94"),
    )


def test_warn_confirms_the_sale_and_flags_the_order_with_both_breakdowns(
    store: Store, erp: ErpOfGivenAmounts
) -> None:
    flow = orders_flow(store, erp, AmountCheck())
    worker = receive_and_place(flow, an_order(1, "100.00", "10.00"), an_order(2, "398.00", "11.94"))
    assert (worker.stats.done, worker.stats.dead) == (2, 0)
    assert erp.holds == [None]  # warn: the connector confirms as always

    matching = view(store, "1")
    assert (matching["state"], matching["status"], matching["amounts"]) == (
        "in_erp",
        "in_erp",
        None,
    )
    flagged = view(store, "2")
    assert flagged["state"] == "in_erp"  # the sale is in the ERP, confirmed
    assert flagged["status"] == "amount_mismatch"
    amounts = flagged["amounts"]
    assert amounts["channel"] == {
        "untaxed": "398.00",
        "tax": "11.94",
        "total": "409.94",
        "currency": "USD",
    }
    assert amounts["erp"] == {
        "untaxed": "597.00",
        "tax": "35.82",
        "total": "632.82",
        "currency": "USD",
    }
    assert amounts["differences"] == {"untaxed": "199.00", "tax": "23.88", "total": "222.88"}
    assert (amounts["tolerance"], amounts["erp_number"], amounts["accepted"]) == (
        "0.01",
        "SO2",
        None,
    )
    assert "409.94" in flagged["problem"] and "632.82" in flagged["problem"]
    assert [m["milestone"] for m in flagged["timeline"]] == [
        "received",
        "in_erp",
        "amount_mismatch",
    ]


def test_an_open_mismatch_alerts_in_status_and_metrics_until_it_is_accepted(
    store: Store, erp: ErpOfGivenAmounts
) -> None:
    receive_and_place(orders_flow(store, erp, AmountCheck()), an_order(2, "398.00", "11.94"))

    (found,) = read_facts(store).amount_mismatches
    assert (found.system, found.count, [ext for ext, _ in found.oldest]) == ("shop", 1, ["2"])
    (alert,) = collect_status(hub_config(store))["alerts"]
    assert (alert["kind"], alert["subject"]) == ("amount_mismatch", "shop")
    assert "#2 (id 2): total 409.94 in shop, 632.82 in erp" in alert["message"]
    figures = amount_metrics(store)
    assert figures[("causeway_amount_mismatches", (("system", "shop"),))] == 1
    assert figures[("causeway_alert", (("kind", "amount_mismatch"), ("subject", "shop")))] == 1

    accepted = accept_amounts(store, "shop", "2", "  the customer agreed the\nERP price ", by="ann")
    assert (accepted.already, accepted.note, accepted.by) == (
        False,
        "the customer agreed the ERP price",
        "ann",
    )
    assert "632.82" in accepted.reason

    assert read_facts(store).amount_mismatches == []
    assert collect_status(hub_config(store))["alerts"] == []
    figures = amount_metrics(store)
    assert ("causeway_amount_mismatches", (("system", "shop"),)) not in figures
    assert figures[("causeway_alerts_firing", ())] == 0
    after = view(store, "2")
    assert (after["status"], after["problem"]) == ("in_erp", None)
    assert after["amounts"]["accepted"] == {
        "at": accepted.at,
        "note": "the customer agreed the ERP price",
        "by": "ann",
    }
    assert after["timeline"][-1]["milestone"] == "amounts_accepted"


def test_accepting_is_once_and_only_for_an_order_with_a_mismatch(
    store: Store, erp: ErpOfGivenAmounts
) -> None:
    a_matching_and_a_mismatching_order(store, erp)
    first = accept_amounts(store, "shop", "2", "agreed")
    again = accept_amounts(store, "shop", "2", "a second thought")
    assert again.already and (again.at, again.note) == (first.at, "agreed")
    with store.read() as conn:
        hub_id = first.hub_id
        accepted = [m for m in timeline.read(conn, hub_id) if m.milestone == "amounts_accepted"]
    assert len(accepted) == 1
    with pytest.raises(NotAccepted, match="order 1 from 'shop' has no amount mismatch"):
        accept_amounts(store, "shop", "1", "nothing to accept")
    with pytest.raises(NotAccepted, match="no order 99 from 'shop'"):
        accept_amounts(store, "shop", "99", "unknown")
    with pytest.raises(NotAccepted, match="give a note"):
        accept_amounts(store, "shop", "2", " \n\t ")
    with pytest.raises(NotAccepted, match="under 1000"):
        accept_amounts(store, "shop", "2", "x" * 1001)


def test_a_configured_tolerance_lets_a_small_difference_pass(store: Store) -> None:
    erp = ErpOfGivenAmounts()
    erp.amounts["#3"] = (D("100.00"), D("10.04"))  # 4 cents of tax rounding
    receive_and_place(
        orders_flow(store, erp, AmountCheck(tolerance=D("0.05"))), an_order(3, "100.00", "10.00")
    )
    assert view(store, "3")["status"] == "in_erp"
    assert read_facts(store).amount_mismatches == []


def test_park_leaves_a_mismatching_sale_unconfirmed_and_parks_it_with_both_breakdowns(
    store: Store, erp: ErpOfGivenAmounts
) -> None:
    flow = orders_flow(store, erp, AmountCheck(on_mismatch=PARK))
    worker = receive_and_place(flow, an_order(1, "100.00", "10.00"), an_order(2, "398.00", "11.94"))
    assert (worker.stats.done, worker.stats.dead) == (1, 1)
    assert erp.holds[0] is not None  # the connector was told what to hold
    (dead,) = JobQueue(store).dead()
    assert dead["ordering_key"] == "shop:order:2"
    assert "shop charged untaxed 398.00 + tax 11.94 = 409.94 USD" in dead["last_error"]
    assert "the erp sale says untaxed 597.00 + tax 35.82 = 632.82 USD" in dead["last_error"]
    parked = view(store, "2")
    assert (parked["state"], parked["status"]) == ("parked", "parked")
    assert "632.82" in parked["problem"]
    assert view(store, "1")["status"] == "in_erp"
    # The dead job is the signal; no order carries a finding yet.
    assert read_facts(store).amount_mismatches == []

    # Replayed with nothing changed: parked again.
    assert JobQueue(store).replay(dead["id"]) == 1
    assert run(flow).stats.dead == 1


def test_park_takes_a_sale_a_person_confirmed_anyway_as_accepted(
    store: Store, erp: ErpOfGivenAmounts
) -> None:
    flow = orders_flow(store, erp, AmountCheck(on_mismatch=PARK))
    receive_and_place(flow, an_order(2, "398.00", "11.94"))
    (dead,) = JobQueue(store).dead()

    erp.confirmed_by_a_person.add("#2")  # in Tryton, as the parked job's reason says
    JobQueue(store).replay(dead["id"])
    assert run(flow).stats.done == 1

    placed = view(store, "2")
    assert (placed["state"], placed["status"]) == ("in_erp", "in_erp")
    assert placed["amounts"]["erp"]["total"] == "632.82"
    note = placed["amounts"]["accepted"]["note"]
    assert note.startswith("confirmed in erp by a person") and "merchant's decision" in note
    assert read_facts(store).amount_mismatches == []
    assert collect_status(hub_config(store))["alerts"] == []


def test_park_confirms_a_sale_whose_amounts_now_match(store: Store, erp: ErpOfGivenAmounts) -> None:
    flow = orders_flow(store, erp, AmountCheck(on_mismatch=PARK))
    receive_and_place(flow, an_order(2, "398.00", "11.94"))
    (dead,) = JobQueue(store).dead()

    del erp.amounts["#2"]  # a person corrected the quotation in the ERP
    JobQueue(store).replay(dead["id"])
    assert run(flow).stats.done == 1
    placed = view(store, "2")
    assert (placed["status"], placed["amounts"]) == ("in_erp", None)


def test_a_drop_folders_order_status_shows_the_mismatch_with_its_reason(
    store: Store, erp: ErpOfGivenAmounts
) -> None:
    # The same path for a CSV drop folder's orders: order-status.csv tells the partner.
    a_matching_and_a_mismatching_order(store, erp)
    with store.read() as conn:
        rows = {row.order_number: row for row in order_statuses(conn, "shop")}
    assert (rows["1"].state, rows["1"].problem) == ("in_erp", None)
    assert rows["2"].state == "amount_mismatch"
    assert rows["2"].problem is not None and "632.82" in rows["2"].problem
    accept_amounts(store, "shop", "2", "agreed")
    with store.read() as conn:
        rows = {row.order_number: row for row in order_statuses(conn, "shop")}
    assert (rows["2"].state, rows["2"].problem) == ("in_erp", None)
