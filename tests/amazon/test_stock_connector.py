"""Stock to Amazon against the sandbox: every change in one feed, submitted without waiting
for Amazon to process it and settled later from its report; one SKU's refusal named with
its message while the others apply, FBA listings left alone, sold-outs patched at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from causeway.connectors.amazon import AmazonConnector
from causeway.connectors.amazon.feeds import FeedResult, ProcessingReport, ReportIssue
from causeway.connectors.amazon.stock import AmazonStock
from causeway.flows.stock_to_channels.settlement import wait_for
from causeway.model.ports.channel import DeferredStock, QuantityChange, SetOutcome, StockChannel
from causeway_sandbox.amazon import AmazonSandboxServer

Connect = Callable[..., AmazonConnector]
BATTERIES = "'[batteries_required]' is required but not supplied."


def stock(connect: Connect, **kwargs: Any) -> AmazonConnector:
    kwargs.setdefault("feed_poll_every", 0.02)
    return connect(**kwargs)


def listed(amazon: AmazonSandboxServer, *skus: str, quantity: int = 10, fba: bool = False) -> None:
    channel = {"fulfillmentChannelCode": "AMAZON_NA"} if fba else {"quantity": quantity}
    amazon.control(
        "POST", "listings", json=[{"sku": s, "productType": "LUGGAGE", **channel} for s in skus]
    )


def shown(amazon: AmazonSandboxServer) -> dict[str, int | None]:
    return amazon.control("GET", "listings").json()  # type: ignore[no-any-return]


def operations(amazon: AmazonSandboxServer) -> list[str]:
    return [c["operation"] for c in amazon.control("GET", "calls").json()]


def settled(connector: AmazonConnector | AmazonStock, *changes: QuantityChange) -> SetOutcome:
    """set_available, its feed waited for as the stock flow does without a job queue."""
    return wait_for(connector, connector.set_available(list(changes)))


def change(sku: str, quantity: int, compare: int | None = None) -> QuantityChange:
    return QuantityChange(
        inventory_item_id=sku, location_id="DEFAULT", quantity=quantity, compare_quantity=compare
    )


def test_the_connector_is_a_stock_channel_keyed_by_sku(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    connector = stock(connect)
    assert isinstance(connector, StockChannel)
    listed(amazon, "BAG-1", quantity=4)
    (item,) = connector.inventory_items_by_sku(["BAG-1", "NOT-SOLD"]).values()
    assert item.inventory_item_id == "BAG-1"
    assert connector.primary_location_id() == "DEFAULT"
    assert connector.available_quantities(["BAG-1"], "DEFAULT") == {"BAG-1": 4}


def test_every_changed_sku_goes_out_in_one_feed(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    skus = [f"BAG-{i:02}" for i in range(25)]  # more than one search's 20
    listed(amazon, *skus)
    connector = stock(connect)
    items = connector.inventory_items_by_sku(skus)
    assert sorted(items) == skus

    outcome = settled(connector, *(change(s, 3 + i) for i, s in enumerate(skus)))

    assert (len(outcome.applied), outcome.failed, outcome.errors) == (25, [], [])
    assert operations(amazon).count("createFeed") == 1
    assert operations(amazon).count("createFeedDocument") == 1
    assert operations(amazon).count("searchListingsItems") == 2  # 20 SKUs a search
    assert shown(amazon) == {s: 3 + i for i, s in enumerate(skus)}
    (feed,) = amazon.control("GET", "feeds").json()
    assert feed["sent"]["header"]["sellerId"] == amazon.settings.selling_partner_id
    assert len(feed["sent"]["messages"]) == 25


def test_one_skus_refusal_is_reported_with_its_message_while_the_others_apply(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    listed(amazon, "BAG-1", "BAG-2", "BAG-3")
    amazon.control(
        "POST", "listings/refusals", json={"sku": "BAG-2", "code": "90220", "message": BATTERIES}
    )
    connector = stock(connect, system="amazon_us")
    connector.inventory_items_by_sku(["BAG-1", "BAG-2", "BAG-3"])

    outcome = settled(connector, change("BAG-1", 5), change("BAG-2", 6), change("BAG-3", 7))

    assert [c.inventory_item_id for c in outcome.applied] == ["BAG-1", "BAG-3"]
    assert [c.inventory_item_id for c in outcome.failed] == ["BAG-2"]
    (error,) = outcome.errors
    assert error.startswith("amazon_us: SKU BAG-2: Amazon refused it (listings feed ")
    assert error.endswith(f": 90220: {BATTERIES}")
    assert shown(amazon) == {"BAG-1": 5, "BAG-2": 10, "BAG-3": 7}
    assert operations(amazon).count("createFeed") == 1


def test_a_sku_gone_from_amazon_since_it_was_looked_up_is_failed_by_the_report(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    listed(amazon, "BAG-1", "BAG-2")
    connector = stock(connect)
    connector.inventory_items_by_sku(["BAG-1", "BAG-2"])
    amazon.control("POST", "reset")  # the seller deleted both listings; one comes back
    listed(amazon, "BAG-1")

    outcome = settled(connector, change("BAG-1", 2), change("BAG-2", 2))

    assert [c.inventory_item_id for c in outcome.applied] == ["BAG-1"]
    (error,) = outcome.errors
    assert "SKU BAG-2" in error and "4000001: SKU 'BAG-2' not found" in error


def test_fba_listings_are_not_stock_items_and_their_stock_is_never_sent(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    listed(amazon, "OWN-1", quantity=2)
    listed(amazon, "FBA-1", fba=True)
    connector = stock(connect)

    assert list(connector.inventory_items_by_sku(["OWN-1", "FBA-1"])) == ["OWN-1"]
    assert connector.available_quantities(["OWN-1", "FBA-1"], "DEFAULT") == {"OWN-1": 2}
    outcome = connector.set_available([change("FBA-1", 40)])
    assert outcome.applied == [] and [c.inventory_item_id for c in outcome.failed] == ["FBA-1"]
    assert "not a merchant-fulfilled listing" in outcome.errors[0]
    assert "createFeed" not in operations(amazon)
    assert shown(amazon)["FBA-1"] is None


def test_a_sold_out_sku_is_patched_at_once_without_a_feed(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    listed(amazon, "BAG-1", quantity=1)
    connector = stock(connect)
    connector.inventory_items_by_sku(["BAG-1"])

    outcome = connector.set_available([change("BAG-1", 0)])

    assert [c.inventory_item_id for c in outcome.applied] == ["BAG-1"]
    assert shown(amazon) == {"BAG-1": 0}
    assert "patchListingsItem" in operations(amazon)
    assert "createFeed" not in operations(amazon)


def test_sold_outs_go_first_by_patch_and_the_rest_in_one_feed(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    listed(amazon, "BAG-1", "BAG-2", "BAG-3")
    connector = stock(connect)
    connector.inventory_items_by_sku(["BAG-1", "BAG-2", "BAG-3"])

    outcome = settled(connector, change("BAG-1", 4), change("BAG-2", 0), change("BAG-3", 8))

    assert len(outcome.applied) == 3 and outcome.errors == []
    calls = operations(amazon)
    assert calls.index("patchListingsItem") < calls.index("createFeed")
    assert calls.count("createFeed") == 1
    (feed,) = amazon.control("GET", "feeds").json()
    assert [m["sku"] for m in feed["sent"]["messages"]] == ["BAG-1", "BAG-3"]
    assert shown(amazon) == {"BAG-1": 4, "BAG-2": 0, "BAG-3": 8}


def test_a_refused_sold_out_patch_is_failed_with_amazons_message(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    listed(amazon, "BAG-1", quantity=3)
    amazon.control(
        "POST", "listings/refusals", json={"sku": "BAG-1", "code": "90220", "message": BATTERIES}
    )
    connector = stock(connect)
    connector.inventory_items_by_sku(["BAG-1"])

    outcome = connector.set_available([change("BAG-1", 0)])

    assert outcome.applied == []
    assert outcome.errors == [
        f"amazon: SKU BAG-1: Amazon refused it (patchListingsItem): 90220: {BATTERIES}"
    ]
    assert shown(amazon) == {"BAG-1": 3}


def test_amazon_has_no_compare_and_set_so_nothing_is_ever_stale(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    listed(amazon, "BAG-1", quantity=3)
    connector = stock(connect)
    connector.inventory_items_by_sku(["BAG-1"])
    outcome = settled(connector, change("BAG-1", 9, compare=7))  # 7 is not what it shows
    assert outcome.stale == [] and len(outcome.applied) == 1
    assert shown(amazon) == {"BAG-1": 9}


def test_a_location_other_than_the_sellers_own_stock_is_refused_by_name(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    listed(amazon, "BAG-1")
    connector = stock(connect)
    outcome = connector.set_available(
        [QuantityChange(inventory_item_id="BAG-1", location_id="AMAZON_NA", quantity=1)]
    )
    assert "location DEFAULT only, not 'AMAZON_NA'" in outcome.errors[0]
    assert connector.available_quantities(["BAG-1"], "AMAZON_NA") == {}


def test_a_feed_is_submitted_without_waiting_and_settled_once_amazon_has_processed_it(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    listed(amazon, "BAG-1", "BAG-2", quantity=1)
    amazon.control("POST", "feeds/processing", json={"seconds": 30})  # minutes, on Amazon
    connector = stock(connect, feed_poll_every=5, feed_timeout=600)
    assert isinstance(connector, DeferredStock)
    assert (connector.settle_every, connector.settle_within) == (5, 600)
    connector.inventory_items_by_sku(["BAG-1", "BAG-2"])

    outcome = connector.set_available([change("BAG-1", 5), change("BAG-2", 6)])

    # Taken, not applied yet: the run goes on while Amazon processes the feed.
    assert outcome.applied == [] and outcome.failed == []
    assert [c.inventory_item_id for c in outcome.submitted] == ["BAG-1", "BAG-2"]
    (feed,) = amazon.control("GET", "feeds").json()
    assert outcome.receipt == feed["feedId"]
    assert connector.settled(outcome.receipt, outcome.submitted) is None
    assert shown(amazon) == {"BAG-1": 1, "BAG-2": 1}

    amazon.control("POST", "feeds/finish")  # Amazon has got round to it
    done = connector.settled(outcome.receipt, outcome.submitted)
    assert done is not None and [c.inventory_item_id for c in done.applied] == ["BAG-1", "BAG-2"]
    assert shown(amazon) == {"BAG-1": 5, "BAG-2": 6}


def test_a_feed_not_processed_in_time_fails_its_skus_with_a_message_saying_so(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    listed(amazon, "BAG-1")
    amazon.control("POST", "feeds/processing", json={"seconds": 30})
    connector = stock(connect, feed_timeout=0.2)
    connector.inventory_items_by_sku(["BAG-1"])
    outcome = wait_for(connector, connector.set_available([change("BAG-1", 5)]))
    assert outcome.applied == [] and len(outcome.failed) == 1
    (error,) = outcome.errors
    assert "had not processed submission" in error and "after 0.2s" in error


class FinishedFeed:
    """A feed that ended as given: Amazon's FATAL and feed-level errors, which a feed this
    connector writes does not provoke in the sandbox."""

    poll_every, timeout = 0.01, 1.0

    def __init__(self, result: FeedResult) -> None:
        self.finished = result

    def submit(self, feed: dict[str, Any]) -> str:
        return self.finished.feed_id

    def result(self, feed_id: str) -> FeedResult:
        return self.finished


@pytest.mark.parametrize(
    ("result", "says"),
    [
        (FeedResult("77", "FATAL", None), "listings feed 77 ended FATAL without a processing"),
        (
            FeedResult(
                "78",
                "DONE",
                ProcessingReport(
                    issues=(
                        ReportIssue(
                            code="4002001",
                            severity="ERROR",
                            message="Item 'Feed' cannot be parsed.",
                        ),
                    )
                ),
            ),
            "4002001: Item 'Feed' cannot be parsed.",
        ),
    ],
)
def test_a_feed_that_failed_as_a_whole_fails_every_sku(
    amazon: AmazonSandboxServer, connect: Connect, result: FeedResult, says: str
) -> None:
    listed(amazon, "BAG-1", "BAG-2")
    connector = stock(connect)
    whole = AmazonStock(connector.stock.listings, FinishedFeed(result), system="amazon")  # type: ignore[arg-type]
    whole.inventory_items_by_sku(["BAG-1", "BAG-2"])
    outcome = settled(whole, change("BAG-1", 1), change("BAG-2", 2))
    assert outcome.applied == [] and len(outcome.failed) == 2
    assert all(says in e for e in outcome.errors), outcome.errors
