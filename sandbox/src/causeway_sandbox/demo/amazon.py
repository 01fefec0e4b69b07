"""Amazon in the demo: the Amazon sandbox beside the stores, its system in causeway.yaml as
an orders-to-erp channel, and buyers who check out on it. One order is paid at once; one is
Pending (Amazon has not charged the buyer yet): the hub records it awaiting payment and
places it only once Amazon says it is paid (docs/connectors/amazon.md, "Amazon's order
lifecycle in the ERP"); one Amazon fulfilled itself (FBA): it becomes a sale already
shipped from the "Amazon FBA" warehouse, leaving the merchant's stock alone. The paid
order is then shipped in Tryton and the shipment confirmed on Amazon with its tracking.

Amazon sends no webhooks: its orders come by the orders flow's reconciling poll
(searchOrders by lastUpdatedAfter), which the demo runs at once instead of waiting for its
schedule (the demo has no SQS queue for ORDER_CHANGE notifications).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from causeway.connectors.tryton.connector import TrytonConnector
from causeway_sandbox.amazon import AmazonSandboxServer, AmazonSandboxSettings
from causeway_sandbox.demo.stores import CATALOGUE, PlacedOrder
from causeway_sandbox.tryton.testkit import TrytonTestKit

SYSTEM = "amazon"
TITLE = "Amazon.com"
PREFIX = "AMZ-"
MARKETPLACE = "ATVPDKIKX0DER"  # amazon.com: dollars, like the company
TAX_RATE = "0.10"  # Tryton's VAT 10%, matched by rate like the stores' taxes
PRICES = {sku: price for sku, _, price in CATALOGUE}
# What the buyers take: the first pays at once, the second pays later, the third's order
# Amazon ships from its own warehouse (FBA).
BASKETS = ([("WID-001", 2), ("SKU-0003", 1)], [("GAD-001", 1)], [("SKU-0005", 3)])
# The ERP's stand-in for Amazon's warehouses (code, name): channel_fulfilled_warehouse.
FBA_WAREHOUSE = ("FBA", "Amazon FBA")
WAIT = 60.0  # seconds an order may take to reach the state the demo waits for
# Amazon processes a listings feed in minutes; the demo's sandbox in a second, and the
# hub's settle job asks about it twice a second (Amazon's default: every 15 s).
FEED_SECONDS = 1.0
FEED_POLL = "500ms"


@dataclass
class AmazonSummary:
    title: str = TITLE
    reference_prefix: str = PREFIX
    orders_placed: int = 0
    # Seen by the hub while Pending: recorded awaiting payment, not placed.
    orders_held_until_paid: int = 0
    fba_orders: int = 0  # fulfilled by Amazon: placed as shipped from FBA_WAREHOUSE
    orders_in_erp: int = 0
    erp_numbers: dict[str, str] = field(default_factory=dict)  # Amazon order -> ERP sale
    erp_references: list[str] = field(default_factory=list)  # AMZ- sales Tryton holds
    orders_shipped_in_erp: int = 0
    shipments_confirmed_on_amazon: int = 0
    tracking_numbers: list[str] = field(default_factory=list)  # as Amazon got them
    # Stock (amazon_stock.py): Amazon's share, its listings, the feeds and what it refused.
    stock_share: str = ""
    listed: list[str] = field(default_factory=list)  # merchant-fulfilled SKUs
    fba_listing: str = ""  # fulfilled by Amazon: never given the ERP's stock
    refused_sku: str = ""  # listed late without a required attribute: refused
    feeds_submitted: int = 0
    feeds_settled: int = 0  # processed by Amazon and read back by the hub's settle job
    listing_quantities: dict[str, int | None] = field(default_factory=dict)  # SKU -> shown
    parked: dict[str, str] = field(default_factory=dict)  # job id -> Amazon's refusal
    # Fees (amazon_fees.py): Tryton's documents by reference -> number, state, total.
    fee_invoices: dict[str, dict[str, str]] = field(default_factory=dict)
    fee_credit_notes: dict[str, dict[str, str]] = field(default_factory=dict)
    account_fee_invoices: dict[str, dict[str, str]] = field(default_factory=dict)

    def problems(self) -> list[str]:
        found = []
        if self.orders_in_erp != self.orders_placed:
            found.append(f"{self.orders_in_erp} of {self.orders_placed} orders reached the ERP")
        if self.orders_held_until_paid != 1:
            found.append("the Pending order was not held until it was paid")
        if sorted(self.erp_references) != sorted(PREFIX + o for o in self.erp_numbers):
            found.append(f"Tryton holds sales {self.erp_references}")
        if self.shipments_confirmed_on_amazon != self.orders_shipped_in_erp:
            found.append(
                f"{self.shipments_confirmed_on_amazon} of {self.orders_shipped_in_erp} "
                "shipments confirmed on Amazon"
            )
        return found + self.stock_problems() + self.fee_problems()

    def stock_problems(self) -> list[str]:
        found = []
        if not self.feeds_submitted or self.feeds_settled != self.feeds_submitted:
            found.append(f"{self.feeds_settled} of {self.feeds_submitted} listings feeds settled")
        if self.listing_quantities.get(self.fba_listing, 0) is not None:
            found.append(f"the FBA listing {self.fba_listing} was given the ERP's stock")
        if [sku for sku in self.listed if not self.listing_quantities.get(sku)]:
            found.append(f"Amazon shows no stock for some of {self.listed}")
        refusals = [m for m in self.parked.values() if f"SKU {self.refused_sku}:" in m]
        if len(refusals) != 1 or len(self.parked) != 1:
            found.append(f"parked for Amazon's stock: {sorted(self.parked.values())}")
        return found

    def fee_documents(self) -> dict[str, dict[str, str]]:
        """Every fee document booked in Tryton, by reference."""
        return self.fee_invoices | self.fee_credit_notes | self.account_fee_invoices

    def fee_problems(self) -> list[str]:
        documents = self.fee_documents()
        found = [] if self.fee_invoices else ["no fees invoice in Tryton"]
        if not self.fee_credit_notes:
            found.append("no credit note in Tryton for the refund's fees")
        if not self.account_fee_invoices:
            found.append("no invoice in Tryton for the settlement's account fees")
        if not_posted := sorted(r for r, d in documents.items() if d["state"] != "posted"):
            found.append(f"fee documents not posted: {not_posted}")
        return found


class AmazonSeller:
    """The seller's Amazon account (the sandbox) and its buyers."""

    def __init__(self) -> None:
        self.server = AmazonSandboxServer(
            AmazonSandboxSettings(feed_processing_s=FEED_SECONDS)
        ).start()
        self.url = self.server.url
        self.placed: list[PlacedOrder] = []

    def system_config(self) -> dict[str, Any]:
        """The account's entry under causeway.yaml's systems."""
        return self.server.system_config(feed_poll_every=FEED_POLL)

    def checkout(
        self, lines: list[tuple[str, int]], *, paid: bool, by_amazon: bool = False
    ) -> PlacedOrder:
        """An order; `by_amazon`: fulfilled by Amazon (FBA), shipped as soon as it is paid."""
        body = {
            "lines": [{"sku": s, "quantity": q, "unit_price": PRICES[s]} for s, q in lines],
            "status": ("SHIPPED" if by_amazon else "UNSHIPPED") if paid else "PENDING",
            "fulfilled_by": "AMAZON" if by_amazon else "MERCHANT",
            "marketplace_id": MARKETPLACE,
            "tax_rate": TAX_RATE,
            "buyer_name": "Jane Buyer",
        }
        order_id = str(self.server.control("POST", "checkouts", json=body).json()["orderId"])
        order = PlacedOrder(SYSTEM, order_id, order_id)
        self.placed.append(order)
        return order

    def pay(self, order: PlacedOrder) -> None:
        """Amazon charges the buyer: the order goes Pending -> Unshipped, a little later."""
        self.server.control("POST", "clock", json={"advance_seconds": 2})
        self.server.control(
            "PATCH", f"orders/{order.order_id}", json={"fulfillmentStatus": "UNSHIPPED"}
        )

    def confirmed_tracking(self, order: PlacedOrder) -> list[str]:
        """The tracking numbers Amazon was sent for the order's shipments."""
        bodies = self.server.control(
            "GET", "shipment-confirmations", params={"orderId": order.order_id}
        ).json()
        return [str(b["packageDetail"]["trackingNumber"]) for b in bodies]

    def stop(self) -> None:
        self.server.stop()


def buy_on_amazon(seller: AmazonSeller, summary: AmazonSummary, poll: Callable[[], object]) -> None:
    """A buyer pays at checkout, another's order stays Pending (not charged yet), a third's
    Amazon fulfils (FBA); then the orders flow's reconciling poll runs now (`poll`), beside
    the stores' orders."""
    seller.checkout(BASKETS[0], paid=True)
    seller.checkout(BASKETS[1], paid=False)
    seller.checkout(BASKETS[2], paid=True, by_amazon=True)
    summary.orders_placed = 3
    summary.fba_orders = 1
    poll()


def pay_on_amazon(
    seller: AmazonSeller,
    summary: AmazonSummary,
    view: Callable[[PlacedOrder], dict[str, Any]],
    poll: Callable[[], object],
    say: Callable[..., None],
) -> None:
    """Once the hub holds the Pending order awaiting payment, Amazon charges the buyer and
    the next poll brings it paid: it is placed. `view` is the hub's order view."""
    paid, pending, fba = seller.placed
    say(f"   {paid.number}: paid at checkout; {pending.number}: Pending (not charged yet)")
    say(f"   {fba.number}: fulfilled by Amazon (FBA), shipped from Amazon's warehouse")
    _wait(lambda: _state(view, pending) == "awaiting_payment")
    if _state(view, pending) == "awaiting_payment":
        summary.orders_held_until_paid += 1
    say(f"   {pending.number}: {_state(view, pending)} (its units held, no sale yet)")
    seller.pay(pending)
    say(f"   {pending.number}: Amazon charged the buyer (Pending -> Unshipped)")
    poll()
    _wait(lambda: all(_state(view, order) == "in_erp" for order in seller.placed))
    for order in seller.placed:
        erp_number = view(order).get("summary", {}).get("erp_number") or ""
        if _state(view, order) == "in_erp":
            summary.orders_in_erp += 1
            summary.erp_numbers[order.order_id] = str(erp_number)
        say(f"   {order.number}: {_state(view, order)} {erp_number}")


def confirm_shipment(seller: AmazonSeller, order: PlacedOrder, summary: AmazonSummary) -> None:
    """After Tryton shipped `order`, fulfillments-to-channels (run after the shipping, and
    every 5 s) confirms it on Amazon with its tracking: waited for here."""
    summary.orders_shipped_in_erp += 1
    _wait(lambda: bool(seller.confirmed_tracking(order)))
    tracking = seller.confirmed_tracking(order)
    summary.tracking_numbers += tracking
    summary.shipments_confirmed_on_amazon += 1 if tracking else 0


def prepare_fba(erp: TrytonConnector) -> None:
    """The "Amazon FBA" warehouse FBA orders are placed from (no stock of its own)."""
    TrytonTestKit(erp).ensure_warehouse(*FBA_WAREHOUSE)


def _state(view: Callable[[PlacedOrder], dict[str, Any]], order: PlacedOrder) -> str:
    return str(view(order).get("state", "waiting"))


def _wait(done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not done() and time.monotonic() < deadline:
        time.sleep(0.25)
