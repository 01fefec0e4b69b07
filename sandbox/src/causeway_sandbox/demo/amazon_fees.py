"""Amazon's fees in the demo (docs/flows/channel-fees.md): once an Amazon order has
shipped, the sandbox posts its financial events as Amazon does (a referral fee per item,
and the FBA fulfilment fee on the order Amazon shipped itself; finances.py), the
channel-fees flow runs and Tryton has a posted supplier invoice `<sale>-fees` for Amazon.
Then one order is refunded on Amazon: Amazon gives the referral fee back less its refund
administration fee, and the next run books a credit note `<sale>-fees-refund-1`.
Meanwhile Amazon's settlement period (a financial event group) holds the account's own
fees, the monthly subscription and FBA storage; once Amazon closes it, the next run books
one supplier invoice `amazon-account-fees-<group id>` for them.

Fees come hours after shipping at Amazon and the flow runs hourly; the demo runs it at
once. Refunds are found by Amazon's date-range query, which only reaches up to a few
minutes before now (Amazon's rule): the demo's refund is posted five minutes in the past,
by the sandbox's clock, so that the next run finds it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from causeway.flows.channel_fees import NAME
from causeway.hub import Hub
from causeway_sandbox.demo.amazon import PREFIX, SYSTEM, AmazonSeller, AmazonSummary
from causeway_sandbox.demo.stores import PlacedOrder

WAIT = 60.0
ASK_EVERY = 1.5  # seconds between two runs while the demo waits
REFUNDED_AGO = 300  # seconds: older than the date-range query's few minutes' lag
SETTLEMENT_STARTED_AGO = 600  # seconds: a period Amazon's groups query already shows
# The account's fees in the demo's settlement period, as Amazon posts them (negative).
ACCOUNT_FEES = (("Subscription", "-39.99"), ("FBAStorageFee", "-12.50"))


def fees_flow(erp: str) -> dict[str, Any]:
    """channel-fees in causeway.yaml: Amazon's fees booked in the ERP."""
    return {"channels": [SYSTEM], "target": erp, "every": "60s"}


def book_fees(
    hub: Hub,
    seller: AmazonSeller,
    shipped: list[PlacedOrder],
    refunded: PlacedOrder,
    summary: AmazonSummary,
    say: Callable[..., None],
) -> None:
    """Run channel-fees until each shipped order's fees are booked; refund `refunded` on
    Amazon and run it until the refund's credit note is booked."""
    settlement = _open_settlement(seller)
    say(f"   Amazon's settlement {settlement} is open: the subscription and FBA storage fees")
    wanted = [f"{PREFIX}{order.order_id}-fees" for order in shipped]
    _run_until(hub, lambda: _posted(hub, wanted))
    found = _documents(hub)
    summary.fee_invoices = {ref: found[ref] for ref in wanted if ref in found}
    _show(summary.fee_invoices, say)
    seller.server.control("POST", "clock", json={"advance_seconds": -REFUNDED_AGO})
    try:
        seller.server.control("POST", f"orders/{refunded.order_id}/refund", json={})
    finally:
        seller.server.control("POST", "clock", json={"advance_seconds": REFUNDED_AGO})
    say(f"   {refunded.number}: the buyer is refunded on Amazon (every unit); Amazon gives")
    say("   the referral fee back and keeps a refund administration fee ...")
    credit = f"{PREFIX}{refunded.order_id}-fees-refund-1"
    _run_until(hub, lambda: _posted(hub, [credit]))
    found = _documents(hub)
    summary.fee_credit_notes = {credit: found[credit]} if credit in found else {}
    _show(summary.fee_credit_notes, say)
    seller.server.control("POST", f"financial-event-groups/{settlement}/close", json={})
    say(f"   Amazon closes settlement {settlement} and pays out ...")
    account = f"{SYSTEM}-account-fees-{settlement}"
    _run_until(hub, lambda: _posted(hub, [account]))
    found = _documents(hub)
    summary.account_fee_invoices = {account: found[account]} if account in found else {}
    _show(summary.account_fee_invoices, say)


def _open_settlement(seller: AmazonSeller) -> str:
    """A settlement period started minutes ago (by the sandbox's clock) holding the
    account's fees: its id."""
    seller.server.control("POST", "clock", json={"advance_seconds": -SETTLEMENT_STARTED_AGO})
    try:
        group = seller.server.control("POST", "financial-event-groups", json={}).json()
    finally:
        seller.server.control("POST", "clock", json={"advance_seconds": SETTLEMENT_STARTED_AGO})
    for reason, amount in ACCOUNT_FEES:
        fee = {"FeeType": reason, "FeeAmount": {"CurrencyCode": "USD", "CurrencyAmount": amount}}
        event = {"FeeReason": reason, "FeeDescription": f"{reason} fee", "FeeList": [fee]}
        seller.server.control("POST", "financial-event-groups/service-fees", json=event)
    return str(group["FinancialEventGroupId"])


def _show(documents: dict[str, dict[str, str]], say: Callable[..., None]) -> None:
    for reference, document in documents.items():
        say(
            f"   Tryton: supplier document {document['number']}, {reference}, "
            f"{document['state']}, total {document['total']} {document['currency']}"
        )


def _run_until(hub: Hub, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not done() and time.monotonic() < deadline:
        hub.run_flow(NAME)
        time.sleep(ASK_EVERY)


def _posted(hub: Hub, references: list[str]) -> bool:
    """Booked: Tryton holds them posted (the connector creates, then posts each)."""
    found = _documents(hub)
    return all(found.get(ref, {}).get("state") == "posted" for ref in references)


def _documents(hub: Hub) -> dict[str, dict[str, str]]:
    """Tryton's fee invoices and credit notes for Amazon, by reference."""
    rows = hub.connectors["erp"].rpc.search_read(
        "account.invoice",
        [
            ["type", "=", "in"],
            [
                "OR",
                ["reference", "like", f"{PREFIX}%-fees%"],
                ["reference", "like", f"{SYSTEM}-account-fees-%"],
            ],
        ],
        ["reference", "number", "state", "total_amount", "currency.code"],
    )
    return {
        str(row["reference"]): {
            "number": str(row.get("number") or ""),
            "state": str(row["state"]),
            "total": str(row["total_amount"]),
            "currency": str((row.get("currency.") or {}).get("code", "")),
        }
        for row in rows
    }
