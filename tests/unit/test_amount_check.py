"""The amount check's decisions, without an ERP: when a placed sale's amounts differ from
what the channel charged (tolerance, currency, rounding, which parts), what an operator
reads about it, the order's status while nobody has accepted it, and its alert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from causeway.connectors.shopify.mapping import order_from_rest
from causeway.engine.facts import Facts
from causeway.engine.timeline import Milestone, OpenFindings, status
from causeway.errors import ConfigError
from causeway.flows.orders_to_erp.amount_check import PARK, WARN, AmountCheck
from causeway.model import Customer, Order
from causeway.model.amounts import Amounts
from causeway.observability.alerts import AMOUNT_MISMATCH, evaluate
from tests.unit.test_alerts import config
from tests.vendor_samples import load_sample

D = Decimal


def amounts(untaxed: str, tax: str, total: str, currency: str = "USD") -> Amounts:
    return Amounts(untaxed=D(untaxed), tax=D(tax), total=D(total), currency=currency)


@dataclass(frozen=True)
class Sale:
    untaxed_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal


# The Shopify vendor sample #1001: the store charged 398.00 + 11.94 = 409.94; its three
# lines of 199.00 each, taxed 6 % by the ERP, make 597.00 + 35.82 = 632.82.
STORE = amounts("398.00", "11.94", "409.94")
ERP = amounts("597.00", "35.82", "632.82")


def vendor_order(currency: str = "USD") -> Order:
    stamp = datetime(2008, 1, 10, 16, tzinfo=UTC)
    return Order(
        external_id="450789469",
        number="#1001",
        currency=currency,
        created_at=stamp,
        updated_at=stamp,
        customer=Customer(email="bob.norman@mail.example.com"),
        lines=(),
        subtotal=D("398.00"),
        total_tax=D("11.94"),
        total=D("409.94"),
    )


# -- when amounts differ ----------------------------------------------------------------


def test_equal_amounts_are_no_mismatch_whatever_their_trailing_zeros() -> None:
    check = AmountCheck()
    assert check.compare(STORE, STORE) is None
    assert check.compare(STORE, amounts("398", "11.940", "409.9400")) is None


def test_the_vendor_sample_differs_in_every_part_by_erp_minus_channel() -> None:
    mismatch = AmountCheck().compare(STORE, ERP)
    assert mismatch is not None
    assert mismatch.differences == {"untaxed": D("199.00"), "tax": D("23.88"), "total": D("222.88")}


def test_a_difference_of_exactly_the_tolerance_passes_and_a_cent_more_does_not() -> None:
    check = AmountCheck(tolerance=D("0.01"))
    assert check.compare(STORE, amounts("398.01", "11.94", "409.95")) is None
    assert check.compare(STORE, amounts("397.99", "11.93", "409.93")) is None  # either way
    mismatch = check.compare(STORE, amounts("398.00", "11.96", "409.96"))
    assert mismatch is not None and mismatch.differences == {"tax": D("0.02"), "total": D("0.02")}


def test_a_rounding_difference_below_a_cent_is_not_a_mismatch_at_the_default() -> None:
    # Per-line vs per-document tax rounding: half a cent at most on an ordinary order.
    assert AmountCheck().compare(STORE, amounts("398.00", "11.945", "409.945")) is None
    assert AmountCheck().compare(STORE, amounts("398.00", "11.9401", "409.9401")) is None


def test_only_the_parts_beyond_the_tolerance_are_named() -> None:
    # Tax moved between the parts, the total is the same: untaxed and tax differ.
    mismatch = AmountCheck().compare(STORE, amounts("400.00", "9.94", "409.94"))
    assert mismatch is not None and mismatch.differences == {
        "untaxed": D("2.00"),
        "tax": D("-2.00"),
    }


def test_a_configured_tolerance_widens_the_check_and_zero_tightens_it() -> None:
    off_by_four = amounts("398.00", "11.98", "409.98")
    assert AmountCheck(tolerance=D("0.05")).compare(STORE, off_by_four) is None
    assert AmountCheck(tolerance=D("0.01")).compare(STORE, off_by_four) is not None
    exact = AmountCheck(tolerance=D(0))
    assert exact.compare(STORE, STORE) is None
    assert exact.compare(STORE, amounts("398.00", "11.945", "409.945")) is not None


def test_a_sale_in_another_currency_never_matches_even_with_the_same_figures() -> None:
    mismatch = AmountCheck(tolerance=D(1000)).compare(
        STORE, amounts("398.00", "11.94", "409.94", "EUR")
    )
    assert mismatch is not None and "currency" in mismatch.differences
    text = mismatch.describe("#1001", "shop", "erp")
    assert "the sale is in EUR, the order in USD" in text
    # The currency code's case is not a difference.
    assert AmountCheck().compare(STORE, amounts("398.00", "11.94", "409.94", "usd")) is None


def test_the_tolerance_is_in_the_orders_currency() -> None:
    yen = amounts("1000", "100", "1100", "JPY")
    assert AmountCheck(tolerance=D(1)).compare(yen, amounts("1001", "100", "1101", "JPY")) is None
    assert AmountCheck().compare(yen, amounts("1001", "100", "1101", "JPY")) is not None


def test_a_negative_tolerance_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        AmountCheck(tolerance=D("-0.01"))


def test_the_sale_is_compared_with_what_the_order_says_the_customer_was_charged() -> None:
    order = vendor_order()
    check = AmountCheck()
    matching = Sale(D("398.00"), D("11.94"), D("409.94"))
    assert check.of_sale(order, matching) is None
    mismatch = check.of_sale(order, Sale(D("597.00"), D("35.82"), D("632.82")))
    assert mismatch is not None and (mismatch.channel, mismatch.erp) == (STORE, ERP)


# -- what an operator reads ---------------------------------------------------------------


def test_an_order_that_does_not_add_up_says_so_after_the_breakdowns() -> None:
    # Shopify's own sample, as the store sends it: it does not add up by its own figures,
    # so no sale could match it, and the operator reads why (model/consistency.py).
    order = order_from_rest(load_sample("shopify", "order.json"))
    mismatch = AmountCheck().of_sale(order, Sale(D("597.00"), D("35.82"), D("632.82")))
    assert mismatch is not None
    text = mismatch.describe("#1001", "shop", "erp")
    assert text.endswith(
        "; the shop order itself does not add up: subtotal 398.00 is not what the lines come "
        "to after discounts: 597.00; discount TENOFF (10.00) took nothing off: the order's "
        "discounts total 0.00; State Tax 6%: 11.94 charged, but 6% of the taxed 597.00 is 35.82"
    )
    detail = mismatch.detail(order="#1001", source="shop", target="erp", erp_number="SO7")
    assert len(detail["order_problems"]) == 3


def test_the_description_gives_both_breakdowns_the_differences_and_the_tolerance() -> None:
    mismatch = AmountCheck().compare(STORE, ERP)
    assert mismatch is not None
    assert mismatch.describe("#1001", "shop", "erp") == (
        "the amounts of order #1001 differ between shop and erp: shop charged "
        "untaxed 398.00 + tax 11.94 = 409.94 USD, the erp sale says "
        "untaxed 597.00 + tax 35.82 = 632.82 USD "
        "(untaxed +199.00, tax +23.88, total +222.88; tolerance 0.01 USD)"
    )


def test_the_timeline_detail_keeps_both_breakdowns_exactly_as_strings() -> None:
    mismatch = AmountCheck().compare(STORE, ERP)
    assert mismatch is not None
    detail = mismatch.detail(order="#1001", source="shop", target="erp", erp_number="SO7")
    assert detail["channel"] == {
        "untaxed": "398.00",
        "tax": "11.94",
        "total": "409.94",
        "currency": "USD",
    }
    assert detail["erp"]["total"] == "632.82" and detail["erp_number"] == "SO7"
    assert detail["differences"] == {"untaxed": "199.00", "tax": "23.88", "total": "222.88"}
    assert detail["tolerance"] == "0.01" and "409.94" in detail["reason"]


def test_park_mode_asks_the_connector_to_hold_only_mismatching_quotations() -> None:
    hold = AmountCheck(on_mismatch=PARK).hold("shop", "erp")
    order = vendor_order()
    assert hold(order, Sale(D("398.00"), D("11.94"), D("409.94"))) is None
    reason = hold(order, Sale(D("597.00"), D("35.82"), D("632.82")))
    assert reason is not None and "409.94" in reason and "632.82" in reason
    assert AmountCheck().on_mismatch == WARN and not AmountCheck().parks


# -- the order's status and the alert -----------------------------------------------------


def at(name: str, when: float, **detail: Any) -> Milestone:
    return Milestone(name, when, detail)


def test_an_unaccepted_mismatch_is_the_orders_status_above_its_lifecycle() -> None:
    placed = [at("received", 1), at("in_erp", 2)]
    assert status(placed) == "in_erp"
    flagged = [*placed, at("amount_mismatch", 2), at("shipped", 3)]
    assert status(flagged) == "amount_mismatch"
    assert status([*flagged, at("amounts_accepted", 4, note="ok")]) == "shipped"


NOW = 1_800_000_000.0


def open_findings(count: int, *examples: tuple[str, str, str, str]) -> OpenFindings:
    return OpenFindings(
        "shop",
        count,
        NOW - 600,
        tuple(
            (
                ext,
                at(
                    "amount_mismatch",
                    NOW - 600,
                    order=number,
                    target="erp",
                    channel={"total": channel},
                    erp={"total": erp},
                ),
            )
            for ext, number, channel, erp in examples
        ),
    )


def facts(*found: OpenFindings) -> Facts:
    hub = {"hub": NOW - 86400, "webhooks:shop": NOW - 86400}
    return Facts(
        now=NOW, watching=hub, last_webhook_at={"shop": NOW - 60}, amount_mismatches=list(found)
    )


def test_no_open_mismatch_no_alert() -> None:
    assert evaluate(config(), facts()) == []


def test_open_mismatches_are_one_alert_per_system_naming_the_oldest_and_the_way_out() -> None:
    found = open_findings(
        5,
        ("450789469", "#1001", "409.94", "632.82"),
        ("450789470", "#1002", "10.00", "11.00"),
    )
    (alert,) = evaluate(config(), facts(found))
    assert (alert.kind, alert.subject, alert.since) == (AMOUNT_MISMATCH, "shop", NOW - 600)
    assert alert.message.startswith("5 order(s) from shop whose ERP sale amounts differ")
    assert "#1001 (id 450789469): total 409.94 in shop, 632.82 in erp" in alert.message
    assert "and 3 more" in alert.message
    assert "causeway orders accept-amounts shop <id> --note" in alert.message


# -- the settings -------------------------------------------------------------------------


def with_orders(**settings: Any) -> Any:
    return config(orders=settings)


def test_the_defaults_warn_at_one_cent() -> None:
    flow = config().flows.orders_to_erp
    assert (flow.amount_tolerance, flow.on_amount_mismatch) == (D("0.01"), "warn")


def test_the_tolerance_and_the_action_are_configurable() -> None:
    flow = with_orders(amount_tolerance=0.05, on_amount_mismatch="park").flows.orders_to_erp
    assert (flow.amount_tolerance, flow.on_amount_mismatch) == (D("0.05"), "park")


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"on_amount_mismatch": "ignore"}, "flows.orders-to-erp.on_amount_mismatch"),
        ({"amount_tolerance": -1}, "flows.orders-to-erp.amount_tolerance"),
        ({"amount_tolerance": "a cent"}, "flows.orders-to-erp.amount_tolerance"),
    ],
)
def test_a_bad_setting_is_refused_naming_the_key(settings: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        with_orders(**settings)
