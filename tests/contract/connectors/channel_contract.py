"""The contract every channel connector keeps: stock set absolutely, order versions that
order themselves, and a change list a cursor can follow without losing anything.

Stock. The hub publishes what each SKU can still be sold as an absolute number, so a
repeated or retried publish can never add up (7 twice is 7, not 14) and a publish after
a sale sets exactly the number given. Where the channel's API has compare-and-set
(Shopify), a publish carries the quantity the hub read, and one the store changed since
(a sale in between) is refused as stale, never overwritten.

Orders. Webhooks arrive late, twice and out of order, and the reconciling poll reads the
same orders again. The flow keeps the newest version by the order's `updated_at`, so
through this connector an older version must be recognisably older, and the webhook,
the poll and the change list must tell one version by one time.

Change list. The reconciling poll reads "orders changed since the cursor" to the end,
then moves the cursor to the newest change it saw (a poll that fails half-way moves
nothing). That loses nothing only if a read includes a change stamped exactly at the
cursor, covers every page, and skips no order when orders change while it turns the
pages: an order it does not list must have changed after everything it listed, so that
the next read from the new cursor lists it. (Which way round the list runs is the
connector's choice: Shopify's keyset cursors read oldest change first; WooCommerce's
numbered pages read newest first, so that a change moves an order onto a page already
read instead of shifting an unread one out of reach.)

Catalogue. catalog-to-channels publishes the ERP's items by SKU through the port's
`publish_listings`, after finding what the store already shows (listings_by_sku, then
unfinished_listings). A publish whose answer was lost and is made again must leave one
listing showing the item, never two; a SKU the store refuses is refused alone, with the
store's reason, while the others are written; an item no longer for sale is taken off
sale, not deleted.

Capabilities. Not every channel has every capability: Amazon has no catalogue publishing
(catalog-to-channels does not take it) and neither it nor WooCommerce has compare-and-set.
A subject names what its channel lacks in `lacks` (capability -> why); the scenarios of a
lacked capability are skipped with that reason, and a capability a channel lacks must be in
the table of docs/connectors/writing-a-connector.md ("What a channel may lack"), or the
suite fails: nothing is left out silently. Without compare-and-set, the stock scenarios still
check absolute sets.

`ChannelContract` holds the scenarios as tests; a connector's own module provides the
fixture `subject` (a `ChannelSubject`) and inherits them
(docs/connectors/writing-a-connector.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal, Protocol

import pytest

from causeway.engine.cursors import Cursor
from causeway.engine.store import Store
from causeway.errors import PermanentError, RetryableError
from causeway.model import Order
from causeway.model.catalog import CatalogItem
from tests.contract.connectors.wire import Wire, WireCall

__all__ = [
    "CAPABILITIES",
    "ChannelContract",
    "ChannelSubject",
    "OrderChange",
    "SetResult",
    "Shown",
    "lacked_in_the_docs",
]

# What a channel may lack; every other scenario applies to every channel.
CAPABILITIES = {
    "catalogue": "publishes the ERP's items as listings (catalog-to-channels)",
    "compare-and-set": "refuses a stock set whose expected quantity is stale",
}
GUIDE = Path(__file__).parents[3] / "docs" / "connectors" / "writing-a-connector.md"

SetResult = Literal["applied", "stale"]
Shown = tuple[Decimal, bool]  # what the store shows for a SKU: the price paid, on sale


class OrderChange(Protocol):
    """One entry of the channel's change list."""

    @property
    def external_id(self) -> str: ...
    @property
    def updated_at(self) -> datetime: ...


class ChannelSubject(Protocol):
    """One channel connector and the store's other actors (a shopper, a merchant, time).

    The port operations go through the connector, which talks to the store through `wire`;
    the actors use the store's own means (a sandbox's control API), never the connector.
    (When the neutral ports land, the stock and order methods become the port's calls.)
    """

    @property
    def name(self) -> str:
        """The channel as the guide's tables name it (shopify, woocommerce, amazon)."""
        ...

    @property
    def lacks(self) -> Mapping[str, str]:
        """The CAPABILITIES this channel does not have, each with the reason."""
        ...

    @property
    def wire(self) -> Wire: ...
    @property
    def stock_write(self) -> WireCall:
        """The request that sets a quantity."""
        ...

    @property
    def compare_and_set(self) -> bool:
        """Does the channel's API refuse a set whose expected quantity is stale?"""
        ...

    @property
    def change_list_read(self) -> WireCall:
        """The request that reads one page of the change list."""
        ...

    # -- the connector: stock ------------------------------------------------------------
    def stock(self, sku: str) -> int:
        """The sellable quantity the channel shows for `sku`, read through the connector."""
        ...

    def set_stock(self, sku: str, quantity: int, *, expected: int | None) -> SetResult:
        """Publish `quantity` absolutely; `expected`: the quantity the caller read (None:
        set whatever it is now). Raises when the channel refused it for another reason."""
        ...

    # -- the connector: orders -----------------------------------------------------------
    def changes_since(self, since: datetime | None) -> Sequence[OrderChange]:
        """The change list from `since`, read in small pages so that paging is exercised."""
        ...

    def polled(self, order_id: str) -> Order:
        """The order as the connector fetches and parses it now."""
        ...

    def delivered(self, order_id: str) -> list[Order]:
        """Every webhook delivered so far for the order, through the connector's receiver
        and parsed by its webhook parser, once the channel has sent what was pending."""
        ...

    def shows_edit(self, order: Order) -> bool:
        """Does this parsed version of an order carry the change `edit` made?"""
        ...

    # -- the connector: catalogue ------------------------------------------------------
    def new_sku(self) -> str:
        """A SKU the store has never seen."""
        ...

    @property
    def catalog_write(self) -> WireCall:
        """The request that creates a listing."""
        ...

    def publish(self, items: Sequence[CatalogItem]) -> Mapping[str, object]:
        """Publish as catalog-to-channels does: find the SKUs' listings (by SKU, then
        unfinished), then publish_listings; SKU -> its listing, or the refusal."""
        ...

    # -- the store's other actors ------------------------------------------------------
    def shown(self, sku: str) -> list[Shown]:
        """Every product (or variation) the store holds under `sku`, read by the store's
        own means: its price paid, and whether it is on sale."""
        ...

    def refuse(self, sku: str) -> None:
        """Make the store refuse a new listing of `sku` (a plugin's rule, a taken handle)."""
        ...

    def stocked_product(self, quantity: int) -> str:
        """A new product with `quantity` in stock; returns its SKU."""
        ...

    def sell(self, sku: str, quantity: int) -> str:
        """A shopper buys; returns the order's id in the channel."""
        ...

    def edit(self, order_id: str) -> None:
        """The merchant changes the order (Shopify: its note; WooCommerce: its status),
        which makes a new version of it."""
        ...

    def let_time_pass(self, seconds: int) -> None:
        """Move the store's clock (stamps are to the second in some channels)."""
        ...


def needs(subject: ChannelSubject, capability: str) -> None:
    """Skip the scenario, saying why, when the channel lacks `capability`."""
    assert capability in CAPABILITIES, f"unknown capability {capability}"
    if capability in subject.lacks:
        pytest.skip(f"{subject.name} lacks {capability}: {subject.lacks[capability]}")


def lacked_in_the_docs() -> set[tuple[str, str]]:
    """(channel, capability) of every row of the guide's "What a channel may lack" table."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("### What a channel may lack", 1)[-1].split("\n#", 1)[0]
    rows = [line.strip("| ").split("|") for line in section.splitlines() if line.startswith("|")]
    return {(r[0].strip(" `"), r[1].strip(" `")) for r in rows if len(r) >= 2}


def publish(subject: ChannelSubject, sku: str, quantity: int) -> SetResult:
    """Publish as stock-to-channels does: read, then set with what was read as expected."""
    expected = subject.stock(sku) if subject.compare_and_set else None
    return subject.set_stock(sku, quantity, expected=expected)


def sold_then_edited(subject: ChannelSubject) -> str:
    order_id = subject.sell(subject.stocked_product(10), 1)
    subject.let_time_pass(2)
    subject.edit(order_id)
    return order_id


def five_orders_a_second_apart(subject: ChannelSubject) -> tuple[list[str], datetime]:
    """Their ids, and a cursor a second before the first."""
    sku = subject.stocked_product(20)
    sold = [subject.sell(sku, 1)]
    cursor = subject.polled(sold[0]).updated_at - timedelta(seconds=1)
    for _ in range(4):
        subject.let_time_pass(1)
        sold.append(subject.sell(sku, 1))
    return sold, cursor


def catalog_item(sku: str, price: str = "19.90", *, active: bool = True) -> CatalogItem:
    return CatalogItem(
        sku=sku, title=f"Contract {sku}", price=Decimal(price), active=active, source_id="1"
    )


def publish_all(subject: ChannelSubject, items: Sequence[CatalogItem]) -> Mapping[str, object]:
    try:
        return subject.publish(items)
    except PermanentError as refused:
        raise AssertionError(f"a refusal failed the whole publish: {refused}") from None


def ids(changes: Sequence[OrderChange]) -> list[str]:
    return [change.external_id for change in changes]


class ChannelContract:
    """Inherit it and provide the `subject` fixture."""

    # -- capabilities --------------------------------------------------------------------

    def test_what_the_channel_lacks_is_declared_and_documented(
        self, subject: ChannelSubject
    ) -> None:
        unknown = set(subject.lacks) - set(CAPABILITIES)
        assert not unknown, f"{subject.name} lacks capabilities the suite does not know: {unknown}"
        assert subject.compare_and_set == ("compare-and-set" not in subject.lacks), (
            f"{subject.name}: compare_and_set and lacks disagree"
        )
        documented = lacked_in_the_docs()
        undocumented = [c for c in subject.lacks if (subject.name, c) not in documented]
        assert not undocumented, (
            f"{subject.name} lacks {undocumented} but {GUIDE.name}'s table \"What a channel "
            f'may lack" does not say so'
        )
        claimed = {c for name, c in documented if name == subject.name} - set(subject.lacks)
        assert not claimed, f"the guide says {subject.name} lacks {claimed}, the subject does not"

    # -- stock ---------------------------------------------------------------------------

    def test_setting_a_quantity_twice_leaves_that_quantity(self, subject: ChannelSubject) -> None:
        sku = subject.stocked_product(5)
        assert publish(subject, sku, 7) == "applied"
        assert publish(subject, sku, 7) == "applied"
        assert subject.stock(sku) == 7, "a quantity set twice must be that quantity, not a sum"

    def test_a_set_after_a_sale_sets_exactly_the_number_given(
        self, subject: ChannelSubject
    ) -> None:
        sku = subject.stocked_product(10)
        publish(subject, sku, 7)
        before = subject.stock(sku)
        subject.sell(sku, 2)
        assert subject.stock(sku) == before - 2, "the store must count its own sale"
        assert publish(subject, sku, 7) == "applied"
        assert subject.stock(sku) == 7, "a set after a sale must set exactly the number given"

    def test_a_set_whose_answer_was_lost_leaves_exactly_the_number(
        self, subject: ChannelSubject
    ) -> None:
        sku = subject.stocked_product(5)
        subject.wire.lose_answer(subject.stock_write)
        try:
            publish(subject, sku, 9)
        except RetryableError:
            pass  # unknown outcome, said so: the flow runs again
        assert subject.wire.lost == [subject.stock_write.name], (
            f"setting stock never made the request {subject.stock_write}: fix `stock_write`"
        )
        assert subject.stock(sku) == 9, "a set whose answer was lost must land exactly once"
        publish(subject, sku, 9)  # the flow's next run
        assert subject.stock(sku) == 9, "a set retried after a lost answer must not add up"

    def test_a_channel_without_compare_and_set_says_so(self, subject: ChannelSubject) -> None:
        """A set with a stale expected quantity is refused where the API compares, and is a
        plain absolute where it cannot: the flow must know which (stock-to-channels reads
        before it sets on the latter)."""
        if subject.compare_and_set:
            self.check_a_set_with_a_stale_expected_quantity_is_refused(subject)
            return
        sku = subject.stocked_product(10)
        read = subject.stock(sku)
        subject.sell(sku, 2)
        assert subject.set_stock(sku, 20, expected=read) == "applied"
        assert subject.stock(sku) == 20, "without compare-and-set a set is a plain absolute"

    def check_a_set_with_a_stale_expected_quantity_is_refused(
        self, subject: ChannelSubject
    ) -> None:
        sku = subject.stocked_product(10)
        read = subject.stock(sku)
        subject.sell(sku, 2)  # between the hub's read and its write

        outcome = subject.set_stock(sku, 20, expected=read)

        assert outcome == "stale", f"a set expecting {read} after a sale was {outcome}"
        assert subject.stock(sku) == 8, "the sale in between must survive a stale set"
        assert subject.set_stock(sku, 20, expected=subject.stock(sku)) == "applied"
        assert subject.stock(sku) == 20

    # -- catalogue -----------------------------------------------------------------------

    def test_a_publish_whose_answer_was_lost_leaves_one_listing_not_two(
        self, subject: ChannelSubject
    ) -> None:
        needs(subject, "catalogue")
        sku = subject.new_sku()
        subject.wire.lose_answer(subject.catalog_write)
        try:
            subject.publish([catalog_item(sku)])
        except RetryableError:
            pass  # unknown outcome, said so: the job runs again
        assert subject.wire.lost == [subject.catalog_write.name], (
            f"publishing never made the request {subject.catalog_write}: fix `catalog_write`"
        )
        again = publish_all(subject, [catalog_item(sku)])  # the job's next attempt
        assert not isinstance(again[sku], BaseException), f"the retry was refused: {again[sku]}"
        assert subject.shown(sku) == [(Decimal("19.90"), True)], (
            f"a publish retried after a lost answer must leave one listing: {subject.shown(sku)}"
        )

    def test_a_refused_sku_is_refused_alone_with_the_stores_reason(
        self, subject: ChannelSubject
    ) -> None:
        needs(subject, "catalogue")
        good, refused = subject.new_sku(), subject.new_sku()
        subject.refuse(refused)
        result = publish_all(subject, [catalog_item(good), catalog_item(refused)])
        assert isinstance(result[refused], PermanentError), (
            f"a refused SKU must come back as a PermanentError, got {result[refused]!r}"
        )
        assert refused in str(result[refused]), f"the refusal must name the SKU: {result[refused]}"
        assert not isinstance(result[good], BaseException), f"{good} failed: {result[good]}"
        assert subject.shown(good) == [(Decimal("19.90"), True)]

    def test_an_item_no_longer_for_sale_is_taken_off_sale_not_deleted(
        self, subject: ChannelSubject
    ) -> None:
        needs(subject, "catalogue")
        sku = subject.new_sku()
        publish_all(subject, [catalog_item(sku)])
        publish_all(subject, [catalog_item(sku, "17.00", active=False)])
        assert subject.shown(sku) == [(Decimal("17.00"), False)], (
            f"an item no longer for sale must stay in the store, off sale: {subject.shown(sku)}"
        )

    # -- order versions ------------------------------------------------------------------

    def test_an_older_version_of_an_order_is_recognisably_older(
        self, subject: ChannelSubject
    ) -> None:
        # A redelivered orders/create arriving after the edit must lose against it.
        versions = subject.delivered(sold_then_edited(subject))
        before = [v.updated_at for v in versions if not subject.shows_edit(v)]
        after = [v.updated_at for v in versions if subject.shows_edit(v)]
        assert before and after, "the order's creation and its edit must both be delivered"
        naive = [str(stamp) for stamp in before + after if stamp.tzinfo is None]
        assert not naive, f"versions stamped without a time zone cannot be compared: {naive}"
        assert max(before) < min(after), (
            f"an older version must carry an older updated_at: {before} vs {after}"
        )

    def test_the_webhook_the_poll_and_the_change_list_agree_on_an_orders_version(
        self, subject: ChannelSubject
    ) -> None:
        order_id = sold_then_edited(subject)
        newest = max(subject.delivered(order_id), key=lambda o: o.updated_at)
        polled = subject.polled(order_id)
        (listed,) = [c for c in subject.changes_since(None) if c.external_id == order_id]

        assert polled.external_id == newest.external_id == order_id
        assert subject.shows_edit(polled), "the poll must read the order as it is now"
        assert listed.updated_at.tzinfo is not None, "the change list's stamps need a zone"
        assert polled.updated_at == newest.updated_at == listed.updated_at, (
            f"one version, three times: webhook {newest.updated_at}, poll {polled.updated_at},"
            f" change list {listed.updated_at}"
        )

    # -- the change list -----------------------------------------------------------------

    def test_every_order_changed_since_the_cursor_is_listed_over_several_pages(
        self, subject: ChannelSubject
    ) -> None:
        sold, cursor = five_orders_a_second_apart(subject)
        listed = ids(subject.changes_since(cursor))
        missing = [order_id for order_id in sold if order_id not in listed]
        assert not missing, f"changed since the cursor but not listed: {missing} (got {listed})"

    def test_an_order_changed_exactly_at_the_cursor_is_listed(
        self, subject: ChannelSubject
    ) -> None:
        sku = subject.stocked_product(10)
        subject.sell(sku, 1)
        subject.let_time_pass(1)
        at_cursor = subject.sell(sku, 1)
        subject.let_time_pass(1)
        subject.sell(sku, 1)
        cursor = subject.polled(at_cursor).updated_at
        assert at_cursor in ids(subject.changes_since(cursor)), (
            f"order {at_cursor}, changed at the cursor {cursor}, is not listed"
        )

    def test_an_old_order_changed_at_the_cursor_is_listed_by_its_change(
        self, subject: ChannelSubject
    ) -> None:
        # A status change (paid, shipped, cancelled) is a change: a list by creation
        # date misses every one of an order created before the window the hub reads.
        old = subject.sell(subject.stocked_product(10), 1)
        subject.let_time_pass(2 * 3600)  # longer than any overlap a connector keeps
        subject.edit(old)
        cursor = subject.polled(old).updated_at
        assert old in ids(subject.changes_since(cursor)), (
            f"order {old}, created two hours before it changed at the cursor {cursor}, is not "
            f"listed: the change list must go by the change, not by the creation"
        )

    def test_an_order_changed_while_the_list_is_read_is_listed_or_left_for_the_next_read(
        self, subject: ChannelSubject
    ) -> None:
        sold, cursor = five_orders_a_second_apart(subject)
        subject.let_time_pass(1)
        # The merchant edits the oldest order while the first page is on its way.
        subject.wire.meanwhile(subject.change_list_read, lambda: subject.edit(sold[0]))

        listed = subject.changes_since(cursor)

        assert subject.wire.interleaved == [subject.change_list_read.name], (
            f"reading the change list never made the request {subject.change_list_read}"
        )
        reached = max(change.updated_at for change in listed)
        now = {order_id: subject.polled(order_id).updated_at for order_id in sold}
        skipped = [o for o in sold if o not in ids(listed) and now[o] <= reached]
        assert not skipped, (
            f"orders changed before {reached}, the newest change this read listed, are not "
            f"listed: the cursor moves past them ({skipped}; listed {ids(listed)})"
        )

    def test_the_hubs_cursor_following_the_change_list_misses_no_change(
        self, subject: ChannelSubject, sqlite_store: Store
    ) -> None:
        cursor = Cursor(sqlite_store, "channel", "orders", timedelta(minutes=10))

        def poll() -> set[str]:
            changes = subject.changes_since(cursor.window_start())
            cursor.advance(max((c.updated_at for c in changes), default=None))
            return set(ids(changes))

        sku = subject.stocked_product(10)
        first, second = subject.sell(sku, 1), subject.sell(sku, 1)
        assert {first, second} <= poll()
        subject.let_time_pass(1)
        subject.edit(first)
        subject.let_time_pass(1)
        third = subject.sell(sku, 1)
        assert {first, third} <= poll(), "the next poll must list the edit and the new order"
        assert cursor.value() == subject.polled(third).updated_at, (
            "the cursor must stand at the newest change seen, no further"
        )
        subject.let_time_pass(1)
        subject.edit(second)
        assert second in poll(), "a change after the cursor moved must still be listed"
