"""Stock to Amazon in the demo: the seller lists some of Tryton's SKUs on Amazon as
merchant-fulfilled (and one as fulfilled by Amazon, whose stock the hub leaves alone), and
Amazon is a stock-to-channels channel with its share beside the stores.

Amazon decides later (docs/flows/stock-to-channels.md, "Channels that decide later"): a
run submits one listings feed and ends; a settle job of the flow reads the feed's report
once Amazon has processed it (the demo's sandbox takes a second: amazon.FEED_SECONDS). Late
in the demo the seller lists one more product without an attribute Amazon requires: the
final publish sends it, Amazon refuses it, and the hub parks it with Amazon's message in
the console's failures, for the tour's replay.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from rich.markup import escape

from causeway.flows import stock_to_channels
from causeway.hub import Hub
from causeway_sandbox.demo.amazon import SYSTEM, AmazonSeller, AmazonSummary

# Amazon's part of the ERP's stock; the stores share the rest (stores.py).
SHARE = Fraction(1, 10)
PRODUCT_TYPE = "HOME"
# Merchant-fulfilled listings: the hub publishes Amazon's share of these.
LISTED = ("WID-001", "GAD-001", "SKU-0001", "SKU-0002", "SKU-0003", "SKU-0004")
FBA_LISTING = "SKU-0005"  # fulfilled by Amazon: Amazon counts it, the hub never sends it
# Listed late, without what Amazon requires: refused, parked. A product Tryton has that
# the stores do not sell, so that only the final full publish sends it (once).
REFUSED = ("SKU-0009", "90220", "'[batteries_required]' is required but not supplied.")
WAIT = 60.0


def stock_channel() -> dict[str, Any]:
    """Amazon's entry among stock-to-channels' channels (share as a merchant writes it)."""
    return {"system": SYSTEM, "share": float(SHARE), "safety_stock": 0}


def list_on_amazon(seller: AmazonSeller, summary: AmazonSummary) -> None:
    """The seller's listings before the hub publishes: quantity 0 until it does."""
    fba = {"sku": FBA_LISTING, "productType": PRODUCT_TYPE, "fulfillmentChannelCode": "AMAZON_NA"}
    listings = [{"sku": sku, "productType": PRODUCT_TYPE, "quantity": 0} for sku in LISTED]
    seller.server.control("POST", "listings", json=[*listings, fba])
    summary.stock_share = str(SHARE)
    summary.listed = list(LISTED)
    summary.fba_listing = FBA_LISTING


def list_refused_product(seller: AmazonSeller, summary: AmazonSummary) -> None:
    """A new listing Amazon will refuse every change of until it is fixed."""
    sku, code, message = REFUSED
    seller.server.control("POST", "listings", json={"sku": sku, "productType": PRODUCT_TYPE})
    seller.server.control(
        "POST", "listings/refusals", json={"sku": sku, "code": code, "message": message}
    )
    summary.refused_sku = sku


def settle(hub: Hub, seller: AmazonSeller, summary: AmazonSummary) -> None:
    """Wait until Amazon processed every feed and the hub settled them (its settle and
    recheck jobs done), then read what Amazon shows and what the hub parked."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        feeds = _feeds(seller)
        if all(f["processingStatus"] == "DONE" for f in feeds) and not _stock_jobs_left(hub):
            break
        time.sleep(0.25)
    feeds = _feeds(seller)
    summary.feeds_submitted = len(feeds)
    summary.feeds_settled = (
        0 if _stock_jobs_left(hub) else sum(f["processingStatus"] == "DONE" for f in feeds)
    )
    summary.listing_quantities = seller.server.control("GET", "listings").json()
    summary.parked = {
        str(job["id"]): str(job["last_error"])
        for job in hub.jobs.dead()
        if job["flow"] == stock_to_channels.NAME and str(job["last_error"]).startswith(SYSTEM)
    }


def show_feeds(summary: AmazonSummary, say: Callable[..., None]) -> None:
    shown = ", ".join(f"{sku} {summary.listing_quantities.get(sku)}" for sku in LISTED[:3])
    say(
        f"   Amazon: {summary.feeds_submitted} listings feed(s) submitted, not waited for; "
        f"{summary.feeds_settled} settled by the hub's settle job; Amazon shows {shown}, "
        f"and {FBA_LISTING} (FBA) {summary.listing_quantities.get(FBA_LISTING)}"
    )
    for job_id, message in summary.parked.items():
        # Amazon's message has brackets ('[batteries_required]'): not rich markup.
        say(f"   parked in the console's failures (job {job_id}): {escape(message)}")


def tour_lines(seller: AmazonSeller, summary: AmazonSummary) -> list[str]:
    """How to fix the parked Amazon SKU and replay it, for the running demo's reader."""
    if not summary.parked:
        return []
    sku, job = summary.refused_sku, next(iter(summary.parked))
    return [
        f"Amazon refused {sku} (the console's failures show it parked with Amazon's message).",
        f"  Fix the listing: curl -X DELETE {seller.url}/_sandbox/listings/refusals/{sku}",
        f"  then Replay the parked job in the console (or `causeway replay {job}`): Amazon "
        f"shows {sku}'s share once the feed is processed "
        f"(GET {seller.url}/_sandbox/listings).",
    ]


def _feeds(seller: AmazonSeller) -> list[dict[str, Any]]:
    return seller.server.control("GET", "feeds").json()  # type: ignore[no-any-return]


def _stock_jobs_left(hub: Hub) -> int:
    """stock-to-channels jobs due or running (a schedule's held next run not counted)."""
    return hub.jobs.unfinished([stock_to_channels.NAME], held=False)
