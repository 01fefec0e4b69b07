"""The B2B portal's checkout, for bench/portal.py: POST /portal/checkout of a cart of
CART_LINES lines, beside the same checkout priced one product at a time.

What is timed is what the buyer waits for: the POST, from the request to the redirect to
the checkout's page. It checks the delivery address against the company's, prices the
cart with the ERP (portal/checkout.py submit(): one quote of the whole cart, a fixed
number of RPC calls whatever its lines: the party with its addresses, price list breaks
and credit position in one, the products in one, their prices in one per break), nothing
cached (the prices and the credit must be the ERP's figures of now), decides, and writes
the checkout row, its order record and its inbox record in one transaction. The sale
itself is placed afterwards by the portal-orders flow's job: "checkout to ERP number"
times that apart, from the POST to the moment the checkout shows the ERP's sale number
(the worker's wake-up, the sale created, quoted, confirmed and processed).

- "batched": the portal as shipped: one quote of the whole cart with the credit, nothing
  kept (prices a buyer is about to be charged are read now);
- "one at a time": the baseline, the same checkout whose cart is priced with one quote
  per line (each a product, its price list and its price read for that line alone),
  nothing kept, the credit read once with the first line's (it is the party's).

Acme's credit limit is raised in the bench's own Tryton so that every checkout is
approved at once (the check itself still runs and reads the same figures): with the
limit of 5,000 the placed sales would soon send every checkout to the approver.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import httpx

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import portal_carts, portal_checkouts
from causeway.engine.portal_accounts import Company, Membership
from causeway.engine.portal_checkouts import PLACED
from causeway.hub import Hub
from causeway.model.ports.portal import PartyAddress, PortalQuote, PortalSale

CART_LINES = 10
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def cart(products: int) -> list[tuple[str, Decimal]]:
    """CART_LINES bench products with quantities from 1 to 12: a few reach Acme's break
    of 10 units, so the cart is priced at two breaks, as a real one often is."""
    step = max(1, products // CART_LINES)
    skus = [f"BENCH-{(n * step + 7 * n) % products:05d}" for n in range(CART_LINES)]
    return [(sku, Decimal(1 + (n * 5) % 12)) for n, sku in enumerate(skus)]


class LineAtATime:
    """The checkout's ERP priced one line at a time: what a checkout without batching does."""

    def __init__(self, erp: TrytonConnector) -> None:
        self.erp = erp

    def quote_portal_sale(self, sale: PortalSale, *, with_credit: bool = False) -> PortalQuote:
        quotes = [
            self.erp.quote_portal_sale(
                sale.model_copy(update={"lines": (line,)}), with_credit=with_credit and n == 0
            )
            for n, line in enumerate(sale.lines)
        ]
        return PortalQuote(
            currency=quotes[0].currency,
            lines=tuple(q.lines[0] for q in quotes),
            credit=quotes[0].credit,
        )

    def delivery_addresses(self, party_id: int) -> tuple[PartyAddress, ...]:
        return self.erp.delivery_addresses(party_id)

    def __getattr__(self, name: str) -> Any:  # the rest of the port, unchanged
        return getattr(self.erp, name)


def open_credit(tryton: TrytonConnector, party_id: int) -> None:
    """Acme may owe a billion: every bench checkout is approved at once (see above)."""
    tryton.rpc.write("party.party", [party_id], {"credit_limit_amount": Decimal(10**9)})


class Checkouts:
    """Checkouts by one buyer: fill the cart (not timed), POST the form (timed)."""

    def __init__(
        self,
        hub: Hub,
        client: httpx.Client,
        company: Company,
        member: Membership,
        lines: Sequence[tuple[str, Decimal]],
    ) -> None:
        self.hub = hub
        self.client = client
        self.company = company
        self.member = member
        self.lines = lines
        # The form's address list is the company's; it offers the first one chosen.
        self.address = hub.connectors["erp"].delivery_addresses(company.party_id)[0].address_id
        match = _CSRF.search(client.get("/portal/cart").text)
        if match is None:
            raise SystemExit("no CSRF token on /portal/cart")
        self.csrf = match.group(1)
        self.made: list[int] = []

    def fill(self) -> None:
        for sku, quantity in self.lines:
            portal_carts.put(self.hub.store, self.company.id, self.member.user_id, sku, quantity)

    def post(self) -> int:
        """One checkout; its id."""
        answer = self.client.post(
            "/portal/checkout",
            data={
                "csrf_token": self.csrf,
                "idempotency_key": secrets.token_hex(16),
                "shipment_address_id": str(self.address),
                "po_number": "PO-BENCH",
            },
        )
        if answer.status_code != 303:
            raise SystemExit(f"checkout answered {answer.status_code}: {answer.text[:800]}")
        checkout_id = int(answer.headers["location"].rsplit("/", 1)[1])
        self.made.append(checkout_id)
        return checkout_id

    def timed_post(self) -> float:
        """Milliseconds of one checkout's POST (its cart filled first, untimed)."""
        self.fill()
        started = time.perf_counter()
        checkout_id = self.post()
        took = (time.perf_counter() - started) * 1000
        found = portal_checkouts.get_for_staff(self.hub.store, checkout_id)
        if found is None or found.state != "approved" or len(found.lines) != len(self.lines):
            raise SystemExit(f"checkout {checkout_id} is not an approved order: {found}")
        return took

    def to_erp_number(self, timeout: float = 120.0) -> float:
        """Milliseconds from the POST to the ERP's sale number on the checkout (the
        hub's workers must be running)."""
        self.fill()
        started = time.perf_counter()
        checkout_id = self.post()
        while time.perf_counter() - started < timeout:
            found = portal_checkouts.get_for_staff(self.hub.store, checkout_id)
            if found is not None and found.state == PLACED and found.erp_number:
                return (time.perf_counter() - started) * 1000
            if found is not None and found.state not in ("approved", "placing"):
                raise SystemExit(f"checkout {checkout_id} ended {found.state}: {found.error}")
            time.sleep(0.01)
        raise SystemExit(f"checkout {checkout_id} had no ERP number after {timeout:.0f} s")


def percentiles(took: list[float]) -> tuple[float, float]:
    took = sorted(took)
    return took[len(took) // 2], took[min(len(took) - 1, int(len(took) * 0.95))]


def measure(
    hub: Hub,
    checkouts: Checkouts,
    repeat: int,
    placed: int,
    timed: Callable[[Callable[[], object], int], tuple[float, float]],
) -> dict[Any, Any]:
    """The checkout's rows of the bench's results; a worker runs for "to ERP number"
    (first, while the queue is empty) and is stopped before the rest."""
    results: dict[Any, Any] = {}
    erp = hub.connectors["erp"]
    assert isinstance(erp, TrytonConnector)
    # One worker, as `causeway serve` runs them (not hub.start(): its stop closes the
    # connectors the rest of the bench still uses).
    stop = threading.Event()
    worker = threading.Thread(target=hub.new_worker("bench-worker").run, args=(stop,))
    worker.start()
    try:
        took = [checkouts.to_erp_number() for _ in range(placed)]
    finally:
        stop.set()
        worker.join()
    results[("checkout", "to ERP number")] = percentiles(took)
    print(f"  checkout to ERP number: {placed} sales placed", flush=True)
    # The buyer's wait, no worker running: what is timed is the request alone.
    kinds = {"batched": erp, "one at a time": LineAtATime(erp)}
    for kind, port in kinds.items():
        hub.connectors["erp"] = port
        try:
            calls = erp.rpc.calls
            runs = repeat if kind != "one at a time" else max(5, repeat // 20)
            results[(kind, "checkout")] = timed(checkouts.timed_post, runs)
            results[(kind, "checkout calls")] = (erp.rpc.calls - calls) / (runs + 1)
        finally:
            hub.connectors["erp"] = erp
        print(f"  checkout {kind}: done", flush=True)
    return results
