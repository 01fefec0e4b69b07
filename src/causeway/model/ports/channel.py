"""The channel port: what a web store or marketplace connector gives the flows.

A channel sells: its orders come in (polled since a cursor, or pushed as webhooks
the connector reads with its own parsers), and stock, catalogue and fulfilments go
out. Each protocol below is one capability, named after what the flows call today;
a connector implements those its channel has (Shopify: all of them, a drop folder:
orders only), and `Channel` is all of them together.

Stock is always set as an absolute quantity, with compare-and-set where the API has
it: `compare_quantity` is the value the flow last read, and a change is reported
back as stale instead of overwriting a sale that happened in between.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict

from causeway.model.catalog import CatalogItem
from causeway.model.order import Order
from causeway.model.payment import OrderPayment
from causeway.model.returns import Cancellation, Refund


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")


# -- orders ----------------------------------------------------------------------------
class OrderChange(_Frozen):
    """An order that changed: enough for a poller to decide whether to fetch it."""

    external_id: str  # the channel's own id of the order, "450789469"
    updated_at: datetime


@runtime_checkable
class OrderChannel(Protocol):
    """Orders in: changed since a cursor, fetched one by one, read from a webhook body.

    The bodies are the channel's own JSON, stored raw in the inbox; only the connector
    reads them. A body that cannot be read raises InvalidPayloadError naming the field.
    """

    def order_changes_since(
        self, since: datetime | None, page_size: int = 100
    ) -> Iterable[OrderChange]:
        """Orders changed at or after `since` (all when None), oldest change first."""
        ...

    def order_node(self, external_id: str) -> dict[str, Any]:
        """One order as the channel sends it to a poller, raw (order_from_polled reads it);
        PermanentError when the channel cannot give it (deleted, or never can)."""
        ...

    def order_from_webhook(self, body: dict[str, Any]) -> Order:
        """The canonical order of an order webhook's body."""
        ...

    def order_from_polled(self, node: dict[str, Any]) -> Order:
        """The canonical order of what order_node returned."""
        ...

    def order_updated_at(self, body: bytes) -> datetime | None:
        """When the order in a stored body (webhook or polled) last changed, timezone-aware;
        None when the body does not say (its own job parks it)."""
        ...


@runtime_checkable
class NotifiedUnits(Protocol):
    """A channel whose order notifications name the order's units (Amazon's ORDER_CHANGE
    summary): what stock-to-channels holds for an order between its notification and the
    hub's fetch of it, when the hub knows of the sale but not yet its order."""

    def units_notified(self, body: bytes) -> Mapping[str, Decimal]:
        """SKU -> units the notified order takes from the merchant's stock (none for a
        cancelled order or one the channel fulfils); InvalidPayloadError if unreadable."""
        ...


@runtime_checkable
class PaymentChannel(Protocol):
    def payment_from_webhook(self, body: dict[str, Any]) -> OrderPayment:
        """What an order's payment webhook says was received."""
        ...


@runtime_checkable
class CancellationChannel(Protocol):
    def cancellation_from_webhook(self, body: dict[str, Any]) -> Cancellation | None:
        """The cancellation an order webhook announces; None when it announces none (a
        channel whose order updates carry cancellations among other changes)."""
        ...

    def order_from_polled(self, node: dict[str, Any]) -> Order:
        """A polled order (its `cancelled_at` tells a cancellation the webhook missed)."""
        ...


class AnnouncedRefunds(_Frozen):
    """The refunds a webhook announces, as its body names them."""

    order_external_id: str
    refund_ids: tuple[str, ...]


@runtime_checkable
class RefundChannel(Protocol):
    """Refunds in, announced by a webhook the hub receives as refunds/create: Shopify's
    body is the refund itself; WooCommerce, which has no refund topic, announces them
    with the update of the order, whose body lists every refund of the order by id and
    holds none of their lines. So a flow asks first which refunds a body names (from the
    body alone), and reads in full only those it has not booked yet."""

    # True where a polled order (order_node) is a body the two methods below read, as
    # WooCommerce's is its webhook's JSON: the reconciling poll then catches a refund
    # whose webhook was lost. False where refunds come by webhook alone (Shopify).
    polled_orders_list_refunds: bool

    def refunds_announced(self, body: dict[str, Any]) -> AnnouncedRefunds:
        """The order and the ids of the refunds the body names, without asking the channel."""
        ...

    def refunds_from_webhook(self, body: dict[str, Any]) -> list[Refund]:
        """Those refunds with their lines and restock, oldest first: from the body where it
        holds them, else read from the channel."""
        ...


# -- stock -----------------------------------------------------------------------------
class QuantityChange(_Frozen):
    """Set the sellable quantity of one item at one location to `quantity`.

    compare_quantity is the quantity the caller last read: the channel applies the
    change only if it still is (compare-and-set), so a sale that happened in between is
    not overwritten. None opts out of the check: nothing was read (the item is not
    stocked at the location yet), or the channel has no compare-and-set.
    """

    inventory_item_id: str
    location_id: str
    quantity: int
    compare_quantity: int | None = None


class SetOutcome(_Frozen):
    """What became of each requested change.

    applied: written. stale: refused because the quantity changed since it was read;
    re-read and retry them. failed: refused for another reason, described in errors
    (one message per refusal). submitted: taken, but the channel decides later (Amazon
    processes a feed in minutes): `receipt` names them to DeferredStock.settled.
    """

    applied: list[QuantityChange] = []
    stale: list[QuantityChange] = []
    errors: list[str] = []
    failed: list[QuantityChange] = []
    submitted: list[QuantityChange] = []
    receipt: str | None = None


class StockItem(Protocol):
    """Where one SKU's stock lives in the channel."""

    @property
    def inventory_item_id(self) -> str: ...


@runtime_checkable
class StockChannel(Protocol):
    def primary_location_id(self) -> str:
        """Where stock goes when the configuration names no location."""
        ...

    def inventory_items_by_sku(self, skus: list[str]) -> Mapping[str, StockItem]:
        """SKU -> its stock item; SKUs the channel does not sell are absent."""
        ...

    def available_quantities(
        self, inventory_item_ids: list[str], location_id: str
    ) -> Mapping[str, int]:
        """Item id -> the quantity the channel sells now at that location."""
        ...

    def set_available(
        self,
        quantities: list[QuantityChange],
        *,
        reason: str = "correction",
        reference_uri: str | None = None,
    ) -> SetOutcome:
        """Set absolute quantities, compare-and-set where the API has it."""
        ...


@runtime_checkable
class DeferredStock(Protocol):
    """A stock channel that takes quantities now and applies them later (Amazon's
    listings feed): set_available answers some changes `submitted` with a receipt, and
    the flow asks `settled` every `settle_every` seconds until the channel has decided,
    for at most `settle_within` seconds (docs/flows/stock-to-channels.md, "Channels
    that decide later")."""

    settle_every: float
    settle_within: float

    def settled(self, receipt: str, submitted: Sequence[QuantityChange]) -> SetOutcome | None:
        """What became of the changes submitted under `receipt` (given in the order
        set_available answered them): applied or failed, with one message per refusal.
        None while the channel is still processing them."""
        ...


# -- catalogue -------------------------------------------------------------------------
class Listing(Protocol):
    """What the channel shows for one SKU; only the connector reads inside it."""

    @property
    def product_id(self) -> str:
        """The channel's id of what carries the SKU, as product_id_of gives it for the
        channel's product webhooks (a store's own edit of it is put back)."""
        ...


L = TypeVar("L", bound=Listing)


@runtime_checkable
class CatalogChannel(Protocol[L]):
    """The catalogue published by SKU: found, created or brought up to date in batches,
    taken off sale, never deleted."""

    def listings_by_sku(self, skus: Sequence[str]) -> Mapping[str, L]: ...

    def unfinished_listings(self, skus: Sequence[str]) -> Mapping[str, L]:
        """Listings a create left half-made (a crash in between), found by what the
        connector derives from the SKU: finished instead of created twice."""
        ...

    def publish_listings(
        self, items: Mapping[str, tuple[L | None, CatalogItem]]
    ) -> Mapping[str, L | BaseException]:
        """SKU -> (its listing, None to create one; the item it must show). Answers each
        SKU's listing once it shows the item, or why the channel refused that SKU (a
        PermanentError, the channel's reason): one refusal never fails the others. Only
        fields that differ are sent; as many SKUs a call as the channel's API takes. An
        inactive item is shown off sale. Raises only when nothing can be said of any
        SKU (the channel is unreachable: RetryableError)."""
        ...

    def archive_listing(self, listing: L, sku: str) -> bool:
        """Take it off sale, never delete it (past orders keep their product)."""
        ...

    def product_id_of(self, webhook_id: str) -> str:
        """The id listings carry (Listing.product_id) for the id a product webhook names."""
        ...


# -- fulfilments -----------------------------------------------------------------------
@dataclass(frozen=True)
class FulfillmentLine:
    """Ship `quantity` of one line of one of the order's fulfilment orders."""

    fulfillment_order_id: str
    line_item_id: str
    quantity: int


@dataclass(frozen=True)
class Tracking:
    company: str | None = None
    number: str | None = None
    url: str | None = None


class FulfillmentOrderLine(_Frozen):
    id: str
    sku: str | None = None
    remaining: int  # units still to fulfil


class FulfillmentOrder(_Frozen):
    """A part of the order the channel fulfils together (one per location, say)."""

    id: str
    status: Literal["open", "closed", "cancelled"]
    lines: tuple[FulfillmentOrderLine, ...] = ()


class PublishedFulfillment(_Frozen):
    """A fulfilment the channel holds for the order."""

    id: str
    stands: bool = True  # False: cancelled or failed, it fulfils nothing
    tracking_numbers: tuple[str, ...] = ()


class FulfillmentState(_Frozen):
    """An order's fulfilment orders and the fulfilments made so far, oldest first."""

    order_name: str
    fully_fulfilled: bool
    fulfillment_orders: tuple[FulfillmentOrder, ...] = ()
    fulfillments: tuple[PublishedFulfillment, ...] = ()

    @property
    def tracking_numbers(self) -> set[str]:
        """Tracking numbers of the fulfilments that stand."""
        return {n for f in self.fulfillments if f.stands for n in f.tracking_numbers}


@runtime_checkable
class FulfillmentChannel(Protocol):
    def fulfillment_state(self, order_id: str) -> FulfillmentState:
        """PermanentError when the order is not (or no longer) in the channel."""
        ...

    def publish_fulfillment(
        self,
        lines: Sequence[FulfillmentLine],
        *,
        tracking: Tracking | None = None,
        notify_customer: bool = False,
    ) -> PublishedFulfillment:
        """Fulfil these lines; a refusal is a PermanentError with the channel's reasons."""
        ...


@runtime_checkable
class Channel(
    OrderChannel,
    PaymentChannel,
    CancellationChannel,
    RefundChannel,
    StockChannel,
    CatalogChannel[L],
    FulfillmentChannel,
    Protocol[L],
):
    """Everything a store or marketplace gives the flows."""
