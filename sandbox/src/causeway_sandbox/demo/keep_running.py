"""After `causeway demo` (without --once): the hub keeps running for the reader's tour."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from rich.console import Console

from causeway.engine import api_keys
from causeway.hub import Hub
from causeway_sandbox.demo import amazon_stock
from causeway_sandbox.demo.amazon import AmazonSeller, AmazonSummary
from causeway_sandbox.demo.logins import PORTAL_COMPANY, console_login, portal_login
from causeway_sandbox.demo.stores import DemoStore, PlacedOrder
from causeway_sandbox.localserver import BackgroundServer


def keep_running(
    hub: Hub,
    server: BackgroundServer,
    stores: list[DemoStore],
    first: PlacedOrder,
    amazon: tuple[AmazonSeller | None, AmazonSummary | None],
    as_json: bool,
    console: Console,
) -> None:
    """The console, the portal and the API to look at what the demo did, and how to go
    on (buy more, replay Amazon's parked SKU), until Ctrl-C."""
    say: Callable[..., None] = (lambda *_, **__: None) if as_json else console.print
    seller, amazon_summary = amazon
    email, password = console_login(hub)
    say(f"\nThe operator console: {server.url}/console (reports: /console/reports)")
    say(f"  sign in as {email} with the password {password}", highlight=False)
    buyer, buyer_password = portal_login(hub)
    say(f"\nThe B2B portal, as a buyer of {PORTAL_COMPANY} (its own prices and credit):")
    say(f"  {server.url}/portal", highlight=False)
    say(f"  sign in as {buyer} with the password {buyer_password}", highlight=False)
    # The API needs a key (docs/security.md): one that can only read, for the tour.
    _, key = api_keys.create(hub.store, f"demo-{secrets.token_hex(3)}", "read")
    say(
        "\nThe hub keeps running. Look an order up with a read-only API key made for the "
        "demo (`causeway keys create` makes your own):"
    )
    if not as_json:  # one line, unwrapped, to copy
        console.print(
            f"  curl -H 'Authorization: Bearer {key}' "
            f"{server.url}/api/orders/{first.store}/{first.order_id}",
            soft_wrap=True,
            highlight=False,
        )
    for store in stores:
        checkout = "_sandbox/orders" if store.spec.kind == "shopify" else "_sandbox/purchases"
        say(f"Buy at {store.spec.system} with POST {store.url}/{checkout}.")
    if seller is not None:
        say(
            f"Buy on Amazon with POST {seller.url}/_sandbox/checkouts: the hub polls its "
            "orders every 20 s."
        )
        if amazon_summary is not None:
            for line in amazon_stock.tour_lines(seller, amazon_summary):
                say(line, highlight=False, soft_wrap=True)
    say("Ctrl-C stops.")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
