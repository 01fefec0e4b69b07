"""A merchant splits one SKU's sellable stock between channels: a share, a cap, a
channel's own safety stock; and a store without compare-and-set must not get back units
it sold since the hub last looked."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from causeway.stock.allocation import (
    Allocation,
    channel_quantity,
    shares_split_the_stock,
    without_unseen_sales,
)


def test_half_of_the_stock_less_the_channels_safety_stock() -> None:
    assert channel_quantity(41, Allocation(share=Fraction(1, 2), safety_stock=2)) == 18


def test_a_cap_limits_a_channel_whatever_the_stock() -> None:
    assert channel_quantity(500, Allocation(cap=40)) == 40
    assert channel_quantity(30, Allocation(cap=40)) == 30


def test_a_channel_without_share_or_cap_sees_everything() -> None:
    assert channel_quantity(100, Allocation()) == 100


def test_decimal_shares_are_exact() -> None:
    assert channel_quantity(10, Allocation(share=Fraction("0.3"))) == 3


def test_never_negative() -> None:
    assert channel_quantity(1, Allocation(share=Fraction(1, 2), safety_stock=5)) == 0


shares = st.lists(
    st.fractions(min_value=Fraction(1, 100), max_value=1, max_denominator=100),
    min_size=1,
    max_size=6,
)


@given(
    shares=shares,
    sellable=st.integers(min_value=0, max_value=10_000),
    caps=st.lists(st.one_of(st.none(), st.integers(0, 500)), min_size=6, max_size=6),
    safety=st.lists(st.integers(0, 20), min_size=6, max_size=6),
)
def test_channels_never_share_out_more_than_is_sellable(
    shares: list[Fraction], sellable: int, caps: list[int | None], safety: list[int]
) -> None:
    total = sum(shares)
    scaled = [s / total for s in shares] if total > 1 else shares
    allocations = [
        Allocation(share=s, cap=caps[i], safety_stock=safety[i]) for i, s in enumerate(scaled)
    ]
    assert shares_split_the_stock(allocations)
    assert sum(channel_quantity(sellable, a) for a in allocations) <= sellable


def test_channels_without_shares_may_oversell_each_other() -> None:
    allocations = [Allocation(), Allocation()]
    assert not shares_split_the_stock(allocations)
    assert sum(channel_quantity(10, a) for a in allocations) == 20
    assert not shares_split_the_stock([Allocation(share=Fraction(3, 4))] * 2)


def test_units_the_store_sold_since_the_last_publish_are_not_given_back() -> None:
    # Published 10; the store sold 3 (now shows 7) before the hub saw those orders.
    assert without_unseen_sales(10, last_published=10, current=7) == 7
    assert without_unseen_sales(12, last_published=10, current=7) == 9
    assert without_unseen_sales(0, last_published=10, current=5) == 0


def test_sales_the_hub_already_counted_are_not_subtracted_twice() -> None:
    # Published 10; the store sold 3; those orders reached the hub, which now wants 7.
    assert without_unseen_sales(7, last_published=10, current=7) == 7
    # It knows of 3 of the 5 sold: 2 are unseen.
    assert without_unseen_sales(7, last_published=10, current=5) == 5


def test_nothing_is_subtracted_when_the_store_sold_nothing_or_was_never_published() -> None:
    assert without_unseen_sales(8, last_published=10, current=10) == 8
    assert without_unseen_sales(8, last_published=None, current=3) == 8
    assert without_unseen_sales(8, last_published=10, current=None) == 8
    # A restock made in the store is overwritten: the ERP is the authority.
    assert without_unseen_sales(8, last_published=10, current=15) == 8


@given(new=st.integers(0, 1000), last=st.integers(0, 1000), current=st.integers(0, 1000))
def test_the_cas_less_rule_never_raises_the_figure(new: int, last: int, current: int) -> None:
    assert 0 <= without_unseen_sales(new, last, current) <= new
