"""`causeway demo`: the whole data path on one machine, in well under a minute.

It starts the real Tryton ERP (from the local build), three stores that speak their
vendors' wire contracts (two Shopify stores, US in dollars and EU in euros, each with its
own shop domain, token and webhook secret, and a WooCommerce store), Amazon (amazon.py)
and the hub between them, configured with channel lists (config.py writes its
causeway.yaml). It publishes the ERP's stock split between the stores and Amazon by share
(Amazon's by a listings feed the hub settles later: amazon_stock.py); customers buy at all
three, whose webhooks arrive signed (Shopify's some twice and out of order, as real ones
do); each order lands in Tryton exactly once, with its store's reference prefix, currency
and sale terms. Then the warehouse ships an order of each store in Tryton: each store
order is fulfilled with its tracking number, and each store's payments pay its orders'
invoices (the EU store's in euros); Amazon's fees are booked in Tryton (amazon_fees.py).
The tour ends with each store's orders and their Tryton sales, and the stock each channel
shows. `--once` makes it a check: exit 0 only if all of that
happened (summary.py says exactly what is checked).

Modules: stores.py (the three stores), shopify_store.py and woo_store.py (each kind of
store as the demo drives it), erp.py (Tryton's side), config.py, run.py (the scenario),
summary.py (what counts as success), tour.py (what the terminal shows), amazon.py,
amazon_stock.py and amazon_fees.py (Amazon's orders, stock and fees), keep_running.py
(what the demo offers once the scenario ran).
"""

from causeway_sandbox.demo.config import local_config
from causeway_sandbox.demo.run import run_demo
from causeway_sandbox.demo.shopify_store import place_orders
from causeway_sandbox.demo.stores import CATALOGUE

__all__ = ["CATALOGUE", "local_config", "place_orders", "run_demo"]
