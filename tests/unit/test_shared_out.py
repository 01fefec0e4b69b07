"""An amount shared out in proportion: the portal order's tax over its lines, a
shipment's carrier cost over the sales in it."""

from __future__ import annotations

from decimal import Decimal as D

from causeway.model.money import shared_out


def test_shares_follow_the_weights_and_add_up_to_the_amount_exactly() -> None:
    shares = shared_out(D("10.00"), [D(1), D(1), D(1)], D("0.01"))
    assert shares == [D("3.33"), D("3.33"), D("3.34")]  # the last takes what rounding leaves
    assert sum(shares) == D("10.00")
    assert shared_out(D("6.50"), [D(3), D(1)], D("0.01")) == [D("4.88"), D("1.62")]


def test_one_weight_takes_all_and_no_weight_puts_it_on_the_last() -> None:
    assert shared_out(D("6.50"), [D(2)], D("0.01")) == [D("6.50")]
    assert shared_out(D("1.20"), [D(0), D(0)], D("0.01")) == [D(0), D("1.20")]
    assert shared_out(D("1.20"), [], D("0.01")) == []
