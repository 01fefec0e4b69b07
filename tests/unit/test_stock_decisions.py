"""stock-to-channels pushes a store only the quantities that changed since it last did
(what a channel may sell at all is stock/sellable.py: tests/unit/test_sellable.py)."""

from __future__ import annotations

from causeway.flows.stock_to_channels import changed_since_published


def test_only_values_that_differ_from_the_last_published_are_pushed() -> None:
    sellable = {"A": 35, "B": 30, "C": 0}
    assert changed_since_published(sellable, {"A": "35", "B": "29"}) == {"B": 30, "C": 0}
    assert changed_since_published(sellable, {"A": "35", "B": "30", "C": "0"}) == {}


def test_a_quantity_the_channel_refused_is_not_sent_again_until_it_changes() -> None:
    published = {"TEE": "refused:6", "CAP": "refused:6"}
    assert changed_since_published({"TEE": 6, "CAP": 5}, published) == {"CAP": 5}
