"""`causeway orders accept-amounts`: an operator accepts an order's amount mismatch, and
`causeway status` stops alerting once every mismatch is accepted."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import yaml

from causeway.cli import ALERTING, app
from causeway.engine import links, timeline
from causeway.engine.store import Store
from causeway.flows.orders_to_erp.amount_check import PARK, AmountCheck
from tests.engine.amounts_erp import ErpOfGivenAmounts, an_order, orders_flow, receive_and_place
from tests.unit.test_cli import ENV, config_file, runner

__all__ = ["config_file"]  # the fixture, shared with test_cli


def a_mismatching_order_placed(config_file: Path) -> str:
    """Order #2 reached the ERP, whose sale says 632.82 where the store charged 409.94."""
    store = Store(yaml.safe_load(config_file.read_text())["store"]["url"])
    erp = ErpOfGivenAmounts()
    erp.amounts["#2"] = (Decimal("597.00"), Decimal("35.82"))
    receive_and_place(orders_flow(store, erp, AmountCheck()), an_order(2, "398.00", "11.94"))
    store.dispose()
    return "2"


def words(output: str) -> str:
    return " ".join(output.split())  # as read, whatever the terminal's width


def test_an_accepted_mismatch_stops_the_alert_and_is_in_the_orders_timeline(
    config_file: Path,
) -> None:
    order_id = a_mismatching_order_placed(config_file)
    before = runner.invoke(app, ["status", "-c", str(config_file)], env=ENV)
    assert before.exit_code == ALERTING, before.output
    assert "amount_mismatch shop" in words(before.output)
    assert "accept-amounts shop <id>" in words(before.output)

    accepted = runner.invoke(
        app,
        [
            "orders",
            "accept-amounts",
            "shop",
            order_id,
            "-c",
            str(config_file),
            "--note",
            "the customer agreed the ERP price by phone",
        ],
        env=ENV,
    )
    assert accepted.exit_code == 0, accepted.output
    text = words(accepted.output)
    assert "order #2: amounts accepted" in text and "632.82" in text
    assert "0 amount mismatch(es) from shop still to look at" in text

    after = runner.invoke(app, ["status", "-c", str(config_file)], env=ENV)
    assert after.exit_code == 0, after.output
    assert "no alerts" in after.output
    store = Store(yaml.safe_load(config_file.read_text())["store"]["url"])
    with store.read() as conn:
        link = links.find(conn, "shop", "order", order_id)
        assert link is not None
        entries = {m.milestone: m for m in timeline.read(conn, link.hub_id)}
    store.dispose()
    note = entries["amounts_accepted"]
    assert note.detail["note"] == "the customer agreed the ERP price by phone" and note.at > 0

    again = runner.invoke(
        app,
        ["orders", "accept-amounts", "shop", order_id, "-c", str(config_file), "--note", "x"],
        env=ENV,
    )
    assert again.exit_code == 0 and "already accepted" in again.output


def test_nothing_to_accept_or_a_wrong_request_exits_non_zero_with_a_plain_sentence(
    config_file: Path,
) -> None:
    a_mismatching_order_placed(config_file)
    unknown = runner.invoke(
        app,
        ["orders", "accept-amounts", "shop", "77", "-c", str(config_file), "--note", "n"],
        env=ENV,
    )
    assert unknown.exit_code == 1 and "no order 77 from 'shop'" in words(unknown.output)
    no_system = runner.invoke(
        app,
        ["orders", "accept-amounts", "nosuch", "2", "-c", str(config_file), "--note", "n"],
        env=ENV,
    )
    assert no_system.exit_code == 2 and "no system named 'nosuch'" in words(no_system.output)
    no_note = runner.invoke(
        app, ["orders", "accept-amounts", "shop", "2", "-c", str(config_file)], env=ENV
    )
    assert no_note.exit_code == 2 and "--note" in no_note.output
    blank = runner.invoke(
        app,
        ["orders", "accept-amounts", "shop", "2", "-c", str(config_file), "--note", "  "],
        env=ENV,
    )
    assert blank.exit_code == 1 and "give a note" in words(blank.output)


def test_an_order_number_that_looks_like_markup_is_printed_as_it_is(config_file: Path) -> None:
    # A drop folder's partner chooses its order numbers; status must not choke on them.
    store = Store(yaml.safe_load(config_file.read_text())["store"]["url"])
    erp = ErpOfGivenAmounts()
    odd = an_order(3, "10.00", "1.00").model_copy(update={"number": "[/red]#3[bold]"})
    erp.amounts[odd.number] = (Decimal("12.00"), Decimal("1.20"))
    receive_and_place(orders_flow(store, erp, AmountCheck()), odd)
    store.dispose()
    status = runner.invoke(app, ["status", "-c", str(config_file)], env=ENV)
    assert status.exit_code == ALERTING, status.output
    assert "[/red]#3[bold] (id 3): total 11.00 in shop, 13.20 in erp" in words(status.output)
    accepted = runner.invoke(
        app,
        ["orders", "accept-amounts", "shop", "3", "-c", str(config_file), "--note", "[b]ok"],
        env=ENV,
    )
    assert accepted.exit_code == 0, accepted.output
    assert "order [/red]#3[bold]: amounts accepted" in words(accepted.output)


def test_a_parked_mismatch_of_such_an_order_is_listed_as_it_is(config_file: Path) -> None:
    store = Store(yaml.safe_load(config_file.read_text())["store"]["url"])
    erp = ErpOfGivenAmounts()
    odd = an_order(4, "10.00", "1.00").model_copy(update={"number": "[/red]#4"})
    erp.amounts[odd.number] = (Decimal("12.00"), Decimal("1.20"))
    receive_and_place(orders_flow(store, erp, AmountCheck(on_mismatch=PARK)), odd)
    store.dispose()
    table = runner.invoke(app, ["status", "-c", str(config_file)], env=ENV)
    # A parked job is an alert (dead_jobs): status exits 3, and prints it all the same.
    assert table.exit_code == 3 and "Dead jobs" in table.output, table.output
    as_json = runner.invoke(app, ["status", "-c", str(config_file), "--json"], env=ENV)
    (dead,) = json.loads(as_json.output)["dead"]
    assert "the amounts of order [/red]#4 differ" in dead["last_error"]
