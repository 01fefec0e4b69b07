"""What a portal buyer may order, decided without the ERP: quantities, the ERP's minimum
and multiple, price breaks, availability less held stock, and the quick-order reader
against hostile input (huge pastes, binary, spreadsheet formulas, 10,000 lines)."""

from __future__ import annotations

import time
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from causeway.connectors.tryton.portal_catalogue import breaks_from_prices
from causeway.model.ports.portal import Availability, PortalProduct, PriceBreak
from causeway.portal.catalogue import Offer, available_now, search
from causeway.portal.ordering import (
    MAX_LINES,
    TypedLine,
    nearest_allowed,
    parse_quantity,
    quantity_problem,
    read_quick_order,
    split_paste,
    typed_rows,
)
from causeway.stock.sellable import HeldStock

D = Decimal
WIDGET = PortalProduct(product_id=1, sku="WID-001", name="Widget", categories=("Widgets",))
GADGET = PortalProduct(
    product_id=2, sku="GAD-001", name="Gadget", categories=("Gadgets",),
    minimal_quantity=D(2), quantity_multiple=D(2),
)  # fmt: skip
CABLE = PortalProduct(product_id=3, sku="CAB-9", name="Cable", unit="Meter",
                      quantity_multiple=D("0.5"))  # fmt: skip
PRODUCTS = {p.sku: p for p in (WIDGET, GADGET, CABLE)}


def paste(text: str) -> tuple[dict[str, Decimal], list[tuple[tuple[int, ...], str]]]:
    lines = split_paste(text)
    assert not isinstance(lines, str), lines
    order = read_quick_order(lines, PRODUCTS)
    return order.good, [(p.numbers, p.reason) for p in order.problems]


# -- quantities and the ERP's rules ----------------------------------------------------------
def test_a_quantity_is_a_plain_positive_number() -> None:
    assert parse_quantity(" 12 ") == D(12)
    assert parse_quantity("2,5") == D("2.5")
    assert parse_quantity("") == "no quantity"
    for bad in ("abc", "1e3", "=1+1", "-3", "0x10", "1.2.3", "NaN", "Infinity", "12 boxes"):
        assert "is not a number" in str(parse_quantity(bad)), bad
    assert parse_quantity("0") == "the quantity must be more than 0"
    assert "call us" in str(parse_quantity("5000000"))


def test_the_minimum_and_the_multiple_say_what_to_order_instead() -> None:
    assert quantity_problem(GADGET, D(1)) == "the minimum for GAD-001 is 2"
    assert quantity_problem(GADGET, D(5)) == (
        "GAD-001 is sold in multiples of 2: 5 is not one (order 4 or 6)"
    )
    assert quantity_problem(GADGET, D(6)) is None
    assert quantity_problem(WIDGET, D("1.5")) == "WID-001 is sold in whole units, not 1.5"
    assert quantity_problem(CABLE, D("2.5")) is None  # sold by the half metre
    assert "multiples of 0.5" in str(quantity_problem(CABLE, D("2.25")))
    assert nearest_allowed(GADGET, D(1)) == D(2)
    assert nearest_allowed(GADGET, D(3)) == D(4)
    assert nearest_allowed(WIDGET, D(1)) == D(1)


@given(st.integers(min_value=1, max_value=10_000))
def test_a_quantity_the_rules_accept_is_at_least_the_minimum_and_a_multiple(n: int) -> None:
    quantity = D(n)
    if quantity_problem(GADGET, quantity) is None:
        assert quantity >= 2 and quantity % 2 == 0
    assert quantity_problem(GADGET, nearest_allowed(GADGET, quantity)) is None


# -- price breaks -----------------------------------------------------------------------------
def test_breaks_keep_the_quantities_where_the_price_changes() -> None:
    breaks = breaks_from_prices(
        {
            D(0): {"WID-001": D(9), "GAD-001": D("22.5"), "NOPRICE": None},
            D(10): {"WID-001": D(8), "GAD-001": D("22.5")},  # the 10+ line is not the gadget's
            D(50): {"WID-001": D(7), "GAD-001": D("22.5")},
        }
    )
    assert breaks["WID-001"] == (
        PriceBreak(min_quantity=D(0), unit_price=D(9)),
        PriceBreak(min_quantity=D(10), unit_price=D(8)),
        PriceBreak(min_quantity=D(50), unit_price=D(7)),
    )
    assert breaks["GAD-001"] == (PriceBreak(min_quantity=D(0), unit_price=D("22.5")),)
    assert "NOPRICE" not in breaks


def test_an_offer_prices_a_quantity_at_the_last_break_it_reaches() -> None:
    offer = Offer(
        WIDGET, "USD",
        (PriceBreak(min_quantity=D(0), unit_price=D(9)),
         PriceBreak(min_quantity=D(10), unit_price=D(8))),
        {"WH": D(5)},
    )  # fmt: skip
    assert [offer.unit_price(D(q)) for q in (1, 9, 10, 500)] == [D(9), D(9), D(8), D(8)]
    assert Offer(WIDGET, "USD", (), {}).unit_price(D(1)) is None


# -- availability ----------------------------------------------------------------------------
def test_available_now_is_the_forecast_less_what_the_hub_holds_per_warehouse() -> None:
    erp = Availability(sku="WID-001", by_warehouse={"WH": D("100.5"), "EU": D(40)})
    held = HeldStock(by_warehouse={"1": {"WID-001": D(30)}}, anywhere={"WID-001": D(5)})
    keys = {"WH": "1", "EU": "2"}
    # WH ships a store's 30 held; 5 more held where unknown come off every warehouse.
    assert available_now(erp, held, keys, None) == {"WH": D(65), "EU": D(35)}
    assert available_now(erp, held, keys, ["EU"]) == {"EU": D(35)}
    sold_out = HeldStock(anywhere={"WID-001": D(500)})
    assert available_now(erp, sold_out, keys, None) == {"WH": D(0), "EU": D(0)}
    assert available_now(None, held, keys, None) == {}


def test_search_matches_every_word_in_name_or_sku_and_pages() -> None:
    many = [PortalProduct(product_id=n, sku=f"SKU-{n:04d}", name=f"Item {n}") for n in range(60)]
    products = [WIDGET, GADGET, *many]
    assert [p.sku for p in search(products, "gad").products] == ["GAD-001"]
    assert [p.sku for p in search(products, "wid 001").products] == ["WID-001"]
    assert search(products, "", "Gadgets").total == 1
    second = search(products, "item", page=2, per_page=24)
    assert (second.total, second.pages, len(second.products)) == (60, 3, 24)
    assert search(products, "item", page=99, per_page=24).page == 3  # past the end: the last
    assert search(products, "", category="Gadgets").categories == ["Gadgets", "Widgets"]


# -- quick order -----------------------------------------------------------------------------
def test_good_lines_go_through_and_each_bad_one_is_named_with_its_reason() -> None:
    good, problems = paste(
        "SKU;Quantity\nWID-001;3\nwid-001,2\nNOPE,1\nGAD-001,1\nWID-001\n,4\nCAB-9\t1.5\n"
    )
    assert good == {"WID-001": D(5), "CAB-9": D("1.5")}
    assert problems == [
        ((4,), "unknown SKU 'NOPE'"),
        ((6,), "no quantity"),
        ((7,), "no SKU"),
        ((5,), "the minimum for GAD-001 is 2"),
    ]


def test_duplicated_skus_are_merged_and_the_rules_apply_to_their_sum() -> None:
    good, problems = paste("GAD-001,1\nGAD-001,1\nWID-001,1\nWID-001,1\n")
    assert good == {"GAD-001": D(2), "WID-001": D(2)}
    assert problems == []
    _, problems = paste("GAD-001,2\nGAD-001,1\n")
    assert problems == [
        ((1, 2), "GAD-001 adds up to 3 on these lines: GAD-001 is sold in multiples of 2: "
                 "3 is not one (order 2 or 4)"),
    ]  # fmt: skip


def test_spreadsheet_formulas_and_binary_are_unknown_skus_never_evaluated() -> None:
    good, problems = paste("=cmd|' /C calc'!A0,1\n+SUM(A1:A9),2\n@x,1\nWID-001,=1+1\n")
    assert good == {}
    assert [r for _, r in problems] == [
        "unknown SKU \"=cmd|' /C calc'!A0\"",
        "unknown SKU '+SUM(A1:A9)'",
        "unknown SKU '@x'",
        "'=1+1' is not a number",
    ]
    _, problems = paste("\x00\x01\xff\ufeff,1\nWID-\x00001,2\n")
    assert [r for _, r in problems] == [
        "'\ufffd\ufffd\xff\ufffd' is not a SKU",
        "'WID-\ufffd001' is not a SKU",
    ]
    # Excel's byte-order mark before the first line is not part of the SKU.
    assert paste("\ufeffWID-001,1\n") == ({"WID-001": D(1)}, [])


def test_a_huge_paste_is_refused_whole_with_the_limit() -> None:
    refused = split_paste("WID-001,1\n" * (MAX_LINES + 1))
    assert isinstance(refused, str) and f"at most {MAX_LINES:,}" in refused
    assert isinstance(split_paste("x" * 5_000_000), str)


def test_ten_thousand_lines_are_read_quickly() -> None:
    # Split in ten quick orders of 1,000 lines: each is read in well under a second.
    started = time.perf_counter()
    for _ in range(10):
        lines = split_paste("".join(f"WID-001,{n % 7 + 1}\nNOPE-{n},1\n" for n in range(500)))
        assert not isinstance(lines, str)
        order = read_quick_order(lines, PRODUCTS)
        assert len(order.problems) == 500 and order.good["WID-001"] > 0
    assert time.perf_counter() - started < 5


def test_bad_lines_come_back_as_typed_in_their_order() -> None:
    lines = split_paste("NOPE,1\nWID-001,2\n  GAD-001 ; 3  \n")
    assert not isinstance(lines, str)
    order = read_quick_order(lines, PRODUCTS)
    assert order.bad_lines() == ["NOPE,1", "  GAD-001 ; 3  "]
    rows = typed_rows(["NOPE", "", "WID-001"], ["1", "", "x"])
    assert rows == [TypedLine(1, "NOPE", "1"), TypedLine(3, "WID-001", "x")]
    assert read_quick_order(rows, PRODUCTS).bad_rows() == [("NOPE", "1"), ("WID-001", "x")]
    assert read_quick_order([], PRODUCTS).refused is not None
    assert isinstance(typed_rows(["A"] * (MAX_LINES + 1), ["1"] * (MAX_LINES + 1)), str)


@given(st.text(max_size=2_000))
def test_any_paste_is_read_without_an_error(text: str) -> None:
    lines = split_paste(text)
    if isinstance(lines, str):
        return
    order = read_quick_order(lines, PRODUCTS)
    assert all(q > 0 for q in order.good.values())
    assert all(p.reason for p in order.problems)
