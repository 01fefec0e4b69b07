"""`causeway demo --once --json`: the tour a new user runs first, as a check. Three stores
(two Shopify stores, in dollars and in euros, and a WooCommerce store) and Amazon sell
into one real Tryton; what the demo reports is checked against Tryton's own database
afterwards."""

from __future__ import annotations

import json
import math
import sqlite3
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from causeway_sandbox.tryton.server import TrytonServer

pytestmark = pytest.mark.tryton

BUILD_STOCK = 1000  # of every SKU in the Tryton build (scripts/tryton/setup_business.py)
# The stores' prefixes and currencies, as the tour tells them.
STORES = {"shop_us": ("US-", "USD"), "shop_eu": ("EU-", "EUR"), "woo": ("WOO-", "USD")}
# One paid at checkout, one Pending and paid later, one fulfilled by Amazon (FBA).
AMAZON_ORDERS = 3


def run_demo(workdir: Path, orders: int) -> dict[str, Any]:
    options = ["--once", "--json", "--orders", str(orders), "--workdir", str(workdir)]
    result = subprocess.run(
        [sys.executable, "-m", "causeway.cli", "demo", *options],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return json.loads(result.stdout)  # type: ignore[no-any-return]  # nothing but JSON


def tryton_rows(workdir: Path, query: str) -> list[tuple[Any, ...]]:
    """Rows of the demo's Tryton database, read after the demo stopped it."""
    database = workdir / "tryton" / "erp.sqlite"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return connection.execute(query).fetchall()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, tryton_server: TrytonServer) -> Any:
    # tryton_server is requested only so that a missing build skips (or fails in CI)
    # with the same message as the other end-to-end tests; the demo starts its own.
    workdir = tmp_path_factory.mktemp("demo")
    return workdir, run_demo(workdir, orders=6)


def test_orders_of_three_stores_land_in_one_tryton_once_each_with_prefix_and_currency(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    workdir, summary = demo
    assert summary["ok"] is True, summary["problems"]
    assert summary["problems"] == []
    sales = tryton_rows(
        workdir,
        "SELECT s.reference, c.code, s.state, s.number FROM sale_sale s "
        "JOIN currency_currency c ON c.id = s.currency",
    )
    # The demo's Tryton holds these sales and no other: the stores' and Amazon's.
    assert len(sales) == 6 + AMAZON_ORDERS
    assert [n for n, count in Counter(s[0] for s in sales).items() if count > 1] == []
    for system, (prefix, currency) in STORES.items():
        store = summary["stores"][system]
        theirs = [s for s in sales if s[0].startswith(prefix)]
        assert store["orders_placed"] == store["orders_in_erp"] == len(theirs) == 2
        assert {s[1] for s in theirs} == {currency}
        assert {s[2] for s in theirs} <= {"confirmed", "processing", "done"}
        # The sale numbers the demo shows are the ones Tryton gave these sales.
        assert sorted(store["erp_numbers"].values()) == sorted(str(s[3]) for s in theirs)
    # The euro store's sales are on its channel's terms.
    eu_terms = tryton_rows(
        workdir,
        "SELECT DISTINCT p.name, t.name FROM sale_sale s "
        "JOIN product_price_list p ON p.id = s.price_list "
        "JOIN account_invoice_payment_term t ON t.id = s.payment_term "
        "WHERE s.reference LIKE 'EU-%'",
    )
    assert eu_terms == [("EUR Retail", "Net 30")]


def test_each_store_shows_its_share_of_what_tryton_can_still_sell(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    workdir, summary = demo
    config = yaml.safe_load((workdir / "causeway.yaml").read_text())
    channels = config["flows"]["stock-to-channels"]["channels"]
    assert "targets" not in config["flows"]["stock-to-channels"]
    assert sum(Fraction(str(c["share"])) for c in channels) == 1  # never more than there is
    # What the merchant's warehouse sold: Amazon's FBA sales left Amazon's, not theirs.
    sold = merchant_sold(workdir)
    assert sold, "the demo's customers bought nothing"
    for channel in channels:
        if channel["system"] == "amazon":  # its listings: the next test
            continue
        shown = summary["stores"][channel["system"]]["stock_shown"]
        share = Fraction(str(channel["share"]))
        expected = {
            sku: max(
                0,
                math.floor(share * (BUILD_STOCK - int(sold.get(sku, 0)))) - channel["safety_stock"],
            )
            for sku in shown
        }
        assert shown == expected, channel["system"]


def test_shipments_fulfil_each_stores_order_and_each_stores_payments_pay_its_invoices(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    workdir, summary = demo
    assert summary["orders_shipped_in_erp"] == summary["orders_fulfilled_in_store"] == 3
    for store in summary["stores"].values():
        assert store["orders_shipped_in_erp"] == store["orders_fulfilled_in_store"] == 1
    for system, store in summary["stores"].items():
        assert store["invoices_paid_in_erp"] == store["orders_placed"] >= 1, system
    config = yaml.safe_load((workdir / "causeway.yaml").read_text())
    orders = config["flows"]["orders-to-erp"]
    assert "source" not in orders
    assert [(c["system"], c["reference_prefix"]) for c in orders["channels"]] == [
        (system, prefix) for system, (prefix, _) in STORES.items()
    ] + [("amazon", "AMZ-")]


def test_amazon_orders_reach_tryton_by_their_lifecycle_and_a_shipment_is_confirmed_on_amazon(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    workdir, summary = demo
    amazon = summary["amazon"]
    assert amazon["orders_placed"] == amazon["orders_in_erp"] == AMAZON_ORDERS
    # The Pending order was held (awaiting payment) before Amazon said it was paid.
    assert amazon["orders_held_until_paid"] == 1
    sales = tryton_rows(
        workdir,
        "SELECT s.reference, c.code, s.state, s.number FROM sale_sale s "
        "JOIN currency_currency c ON c.id = s.currency WHERE s.reference LIKE 'AMZ-%'",
    )
    assert sorted(s[0] for s in sales) == sorted(f"AMZ-{o}" for o in amazon["erp_numbers"])
    assert {s[1] for s in sales} == {"USD"}
    assert {s[2] for s in sales} <= {"confirmed", "processing", "done"}
    assert sorted(amazon["erp_numbers"].values()) == sorted(str(s[3]) for s in sales)
    # The FBA order is one sale from the Amazon FBA warehouse, its shipment done at once;
    # the others ship from the merchant's.
    warehouses = tryton_rows(
        workdir,
        "SELECT s.reference, w.code, (SELECT group_concat(DISTINCT m.state) FROM stock_move m "
        "WHERE m.origin = 'sale.line,' || l.id) FROM sale_sale s "
        "JOIN stock_location w ON w.id = s.warehouse JOIN sale_line l ON l.sale = s.id "
        "WHERE s.reference LIKE 'AMZ-%'",
    )
    fba = [(w[0], w[2]) for w in warehouses if w[1] == "FBA"]
    assert amazon["fba_orders"] == len({reference for reference, _ in fba}) == 1
    assert {state for _, state in fba} == {"done"}
    # The paid order shipped in Tryton was confirmed on Amazon with its tracking number.
    assert amazon["orders_shipped_in_erp"] == amazon["shipments_confirmed_on_amazon"] == 1
    assert [t.startswith("1Z999AA1") for t in amazon["tracking_numbers"]] == [True]
    config = yaml.safe_load((workdir / "causeway.yaml").read_text())
    assert config["systems"]["amazon"]["type"] == "amazon"
    assert config["flows"]["cancellations"]["channels"] == [{"system": "amazon"}]
    assert "amazon" in config["flows"]["fulfillments-to-channels"]["targets"]


def test_amazon_takes_its_share_of_stock_by_feed_and_its_fees_are_booked_in_tryton(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    workdir, summary = demo
    amazon = summary["amazon"]
    config = yaml.safe_load((workdir / "causeway.yaml").read_text())
    (channel,) = [
        c for c in config["flows"]["stock-to-channels"]["channels"] if c["system"] == "amazon"
    ]
    share = Fraction(str(channel["share"]))
    # The merchant-fulfilled listings show Amazon's share of what Tryton can still sell,
    # once every feed was processed and settled by the hub.
    assert amazon["feeds_submitted"] == amazon["feeds_settled"] >= 2
    sold = merchant_sold(workdir)
    listed = amazon["listing_quantities"]
    assert {sku: listed[sku] for sku in amazon["listed"]} == {
        sku: math.floor(share * (BUILD_STOCK - int(sold.get(sku, 0)))) for sku in amazon["listed"]
    }
    assert listed[amazon["fba_listing"]] is None  # FBA: never given the ERP's stock
    # The SKU Amazon refused is parked once, with Amazon's message, for the tour's replay.
    refused = amazon["refused_sku"]
    assert listed[refused] is None  # listed without a quantity; the refused one not applied
    ((_job, message),) = amazon["parked"].items()
    assert message.startswith(f"amazon: SKU {refused}: Amazon refused it (listings feed ")
    assert "90220: '[batteries_required]' is required but not supplied." in message
    # Fees: one posted supplier invoice per shipped Amazon order (the paid one and the
    # FBA one), and a credit note for the refunded one, as Tryton holds them.
    documents = tryton_rows(
        workdir,
        "SELECT i.reference, i.number, i.state, i.type, p.name FROM account_invoice i "
        "JOIN party_party p ON p.id = i.party WHERE i.reference LIKE 'AMZ-%-fees%'",
    )
    by_reference = {d[0]: d[1:] for d in documents}
    (paid, _, fba) = list(amazon["erp_numbers"])
    invoices = {f"AMZ-{paid}-fees", f"AMZ-{fba}-fees"}
    credit = f"AMZ-{paid}-fees-refund-1"
    assert set(by_reference) == invoices | {credit}
    assert set(amazon["fee_invoices"]) == invoices
    assert set(amazon["fee_credit_notes"]) == {credit}
    for reference, document in (amazon["fee_invoices"] | amazon["fee_credit_notes"]).items():
        number, state, kind, party = by_reference[reference]
        assert (document["number"], document["state"]) == (str(number), state)
        assert (state, kind, party) == ("posted", "in", "Amazon")
    # 15 % of the paid order's 28.00; 15 % of the FBA order's 30.00 and 3 x 3.22 FBA fees;
    # the refund gives 4.20 back and Amazon keeps 20 % of it.
    totals = {r: Decimal(d["total"]) for r, d in amazon["fee_invoices"].items()}
    assert totals == {f"AMZ-{paid}-fees": Decimal("4.20"), f"AMZ-{fba}-fees": Decimal("14.16")}
    assert Decimal(amazon["fee_credit_notes"][credit]["total"]) == Decimal("-3.36")
    # The closed settlement's account fees (subscription 39.99, FBA storage 12.50): one
    # posted supplier invoice with a line per fee.
    ((reference, document),) = amazon["account_fee_invoices"].items()
    assert reference.startswith("amazon-account-fees-")
    lines = tryton_rows(
        workdir,
        "SELECT i.number, i.state, i.type, p.name, l.quantity * l.unit_price "
        "FROM account_invoice i "
        "JOIN party_party p ON p.id = i.party "
        "JOIN account_invoice_line l ON l.invoice = i.id "
        f"WHERE i.reference = '{reference}' ORDER BY l.unit_price",
    )
    assert [(str(number), state, kind, party) for number, state, kind, party, _ in lines] == [
        (document["number"], "posted", "in", "Amazon")
    ] * 2
    assert [round(Decimal(str(line[4])), 2) for line in lines] == [
        Decimal("12.50"),
        Decimal("39.99"),
    ]
    assert Decimal(document["total"]) == Decimal("52.49")
    assert config["flows"]["channel-fees"]["channels"] == ["amazon"]


def test_fewer_orders_than_stores_is_refused_with_the_reason_before_anything_starts() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "causeway.cli", "demo", "--once", "--json", "--orders", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert summary["ok"] is False
    assert summary["problems"] == ["--orders 2: at least one per store, 3"]


def merchant_sold(workdir: Path) -> dict[str, Any]:
    """SKU -> units the merchant's warehouses sold: Amazon's FBA sales left Amazon's."""
    return dict(
        tryton_rows(
            workdir,
            "SELECT p.code, SUM(l.quantity) FROM sale_line l "
            "JOIN product_product p ON p.id = l.product JOIN sale_sale s ON s.id = l.sale "
            "JOIN stock_location w ON w.id = s.warehouse "
            "WHERE s.state IN ('confirmed', 'processing', 'done') AND w.code != 'FBA' "
            "GROUP BY p.code",
        )
    )
