"""The soak's reconciliation counts what went wrong: a doubled sale, a lost order, a sale
that does not match, a cancellation or payment not applied, a stock difference."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bench.soak.plan import KILL_HUB, RESTART_ERP, SoakPlan
from bench.soak.reconcile import (
    erp_stock_drift,
    reconcile_orders,
    sellable,
    stock_mismatches,
)

PREFIX = "soak-"


def order(number: int, *lines: tuple[str, int, int], **extra: Any) -> dict[str, Any]:
    """A store order: lines of (sku, ordered, current quantity) at 10.00, no tax."""
    total = sum(Decimal(10) * current for _, _, current in lines)
    return {
        "id": number,
        "name": f"#{number}",
        "line_items": [
            {"sku": sku, "quantity": ordered, "current_quantity": current, "price": "10.00"}
            for sku, ordered, current in lines
        ],
        "total_price": str(total),
        "current_total_price": str(total),
        "financial_status": "paid",
        "cancelled_at": None,
        **extra,
    }


def sale(number: int, *lines: tuple[str, int], **extra: Any) -> dict[str, Any]:
    return {
        "reference": f"{PREFIX}{number}",
        "state": "processing",
        "shipment_state": "waiting",
        "invoice_state": "paid",
        "total_amount": Decimal(sum(10 * q for _, q in lines)),
        "lines": [
            {"product_code": sku, "quantity": Decimal(q), "unit_price": Decimal(10)}
            for sku, q in lines
        ],
        **extra,
    }


def test_orders_that_each_have_their_matching_sale_reconcile_to_zero() -> None:
    orders = [order(1001, ("A", 2, 2)), order(1002, ("A", 1, 1), ("B", 3, 2))]
    sales = [sale(1001, ("A", 2)), sale(1002, ("A", 1), ("B", 2), ("SHIPPING", 1))]
    sales[1]["total_amount"] = Decimal(30)
    result = reconcile_orders(orders, sales, PREFIX)
    assert result.ok, result.problems
    assert (result.orders_sent, result.orders_in_erp, result.orders_edited) == (2, 2, 1)


def test_a_doubled_sale_and_a_missing_one_are_counted() -> None:
    orders = [order(1001, ("A", 1, 1)), order(1002, ("A", 1, 1))]
    result = reconcile_orders(orders, [sale(1001, ("A", 1)), sale(1001, ("A", 1))], PREFIX)
    assert result.duplicates == ["soak-1001"]
    assert result.lost == ["soak-1002"]
    assert not result.ok


def test_a_sale_with_other_lines_a_draft_or_an_unknown_reference_is_counted() -> None:
    orders = [order(1, ("A", 3, 2)), order(2, ("A", 1, 1)), order(3, ("B", 1, 1))]
    sales = [
        sale(1, ("A", 3)),  # the edit never reached the ERP
        sale(2, ("A", 1), state="draft"),
        sale(3, ("B", 1), total_amount=Decimal("11.00")),
        sale(4, ("B", 1)),
    ]
    result = reconcile_orders(orders, sales, PREFIX)
    assert [w.split(":")[0] for w in result.wrong] == ["soak-1", "soak-2", "soak-3"]
    assert "draft" in result.wrong[1] and "total" in result.wrong[2]
    assert result.unknown_sales == ["soak-4"]


def test_cancelled_orders_need_a_cancelled_sale_and_paid_orders_a_paid_invoice() -> None:
    cancelled = {"cancelled_at": "2025-01-01T10:00:00-05:00", "financial_status": "pending"}
    orders = [
        order(1, ("A", 1, 1), **cancelled),
        order(2, ("A", 1, 1), **cancelled),
        order(3, ("A", 1, 1), **cancelled),  # never placed: fine
        order(4, ("A", 1, 1)),
    ]
    sales = [
        sale(1, ("A", 1), state="done", shipment_state="none", invoice_state="none"),
        sale(2, ("A", 1)),  # still live
        sale(4, ("A", 1), invoice_state="pending"),
    ]
    result = reconcile_orders(orders, sales, PREFIX)
    assert [n.split(":")[0] for n in result.not_cancelled] == ["soak-2"]
    assert [n.split(":")[0] for n in result.not_paid] == ["soak-4"]
    assert not result.lost and result.orders_cancelled == 3


def test_a_store_quantity_the_erp_cannot_back_is_a_stock_mismatch() -> None:
    erp = sellable({"A": Decimal(10), "B": Decimal(1), "C": Decimal(5)}, safety_stock=2)
    assert erp == {"A": 8, "B": 0, "C": 3}
    assert stock_mismatches({"A": 8, "B": 0, "C": 3}, erp) == {}
    assert stock_mismatches({"A": 9, "B": 0}, erp) == {"A": (9, 8), "C": (None, 3)}


def test_erp_forecast_must_be_the_starting_stock_less_every_live_orders_units() -> None:
    orders = [
        order(1, ("A", 3, 2)),
        order(2, ("A", 5, 5), cancelled_at="2025-01-01T10:00:00-05:00"),
        order(3, ("B", 1, 1)),
    ]
    starting = {"A": Decimal(100), "B": Decimal(50)}
    assert erp_stock_drift(starting, {"A": Decimal(98), "B": Decimal(49)}, orders) == {}
    drift = erp_stock_drift(starting, {"A": Decimal(93), "B": Decimal(49)}, orders)
    assert drift == {"A": (Decimal(93), Decimal(98))}


def test_the_chaos_timetable_is_the_same_for_a_seed_and_inside_the_ordering_window() -> None:
    plan = SoakPlan(orders=300, rate=5, seed=7, hub_kills=2, erp_restarts=1)
    events = plan.chaos()
    assert events == SoakPlan(orders=300, rate=5, seed=7, hub_kills=2, erp_restarts=1).chaos()
    assert events != SoakPlan(orders=300, rate=5, seed=8, hub_kills=2, erp_restarts=1).chaos()
    assert [e.action for e in events].count(KILL_HUB) == 2
    assert [e.action for e in events].count(RESTART_ERP) == 1
    assert all(6 <= e.at <= 54 for e in events)
