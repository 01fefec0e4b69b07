"""An order's stock movements as WooCommerce core makes them, recorded on its line items.

`wc_reduce_stock_levels` takes each line's quantity from the stock of its product (when
the product manages stock) and writes the units taken as the line's `_reduced_stock`
meta; a line that already has it is skipped. `wc_increase_stock_levels` puts back what
`_reduced_stock` says and deletes it. `wc_restock_refunded_items` (a refund with "restock
refunded items") puts the refunded quantity back, lowers `_reduced_stock` by it and adds
it to `_restock_refunded_items`. These are ordinary line item meta, so a REST client sees
them in the order's `line_items[].meta_data`, as strings, the way WordPress reads meta
back from its database. A client reads `_restock_refunded_items` to tell goods that came
back from money refunded alone.

Each function returns the order notes WooCommerce writes for it; the caller adds them.
"""

from __future__ import annotations

from causeway_sandbox.woocommerce.meta import delete_meta, meta_value, update_meta
from causeway_sandbox.woocommerce.product_views import stock_holder
from causeway_sandbox.woocommerce.products import touch
from causeway_sandbox.woocommerce.store import LineItem, Order, Product, Store

REDUCED = "_reduced_stock"
RESTOCKED = "_restock_refunded_items"


def line_product(store: Store, item: LineItem) -> Product | None:
    return store.products.get(item.variation_id or item.product_id)


def formatted_name(product: Product) -> str:
    """WC_Product::get_formatted_name: the name and the SKU, or the id without one."""
    return f"{product.name} ({product.sku or f'#{product.id}'})"


def units(item: LineItem, key: str) -> int:
    """A line's count meta as PHP reads it: absent or not a number is 0."""
    try:
        return int(str(meta_value(item.meta_data, key)))
    except ValueError:
        return 0


def _managed(store: Store, item: LineItem) -> tuple[Product, Product] | None:
    """(the line's product, whose quantity moves) when the product manages stock."""
    product = line_product(store, item)
    holder = stock_holder(product, store) if product is not None else None
    if product is None or holder is None or holder.stock_quantity is None:
        return None
    return product, holder


def _move(store: Store, holder: Product, delta: int) -> tuple[int, int]:
    before = holder.stock_quantity or 0
    holder.stock_quantity = before + delta
    touch(store, holder)
    return before, holder.stock_quantity


def reduce_stock_levels(store: Store, order: Order) -> list[str]:
    """wc_reduce_stock_levels (lock held): the note, if any stock moved."""
    changes = []
    for item in order.line_items:
        managed = _managed(store, item)
        if units(item, REDUCED) or managed is None:
            continue
        product, holder = managed
        before, after = _move(store, holder, -item.quantity)
        delete_meta(item.meta_data, REDUCED)  # add_meta_data($key, $qty, unique: true)
        store.add_meta(item.meta_data, REDUCED, str(item.quantity))
        changes.append(f"{formatted_name(product)} {before}&rarr;{after}")
    return ["Stock levels reduced: " + ", ".join(changes)] if changes else []


def increase_stock_levels(store: Store, order: Order) -> list[str]:
    """wc_increase_stock_levels (lock held): the note, if any stock moved."""
    changes = []
    for item in order.line_items:
        taken = units(item, REDUCED)
        managed = _managed(store, item)
        if not taken or managed is None:
            continue
        product, holder = managed
        before, after = _move(store, holder, taken)
        delete_meta(item.meta_data, REDUCED)
        changes.append(f"{formatted_name(product)} {before}&rarr;{after}")
    return ["Stock levels increased: " + ", ".join(changes)] if changes else []


def restock_refunded_items(store: Store, refunded: list[tuple[LineItem, int]]) -> list[str]:
    """wc_restock_refunded_items (lock held): every refunded quantity goes back in full
    to a line that took stock (`_reduced_stock`), one note per line."""
    notes = []
    for item, quantity in refunded:
        taken = units(item, REDUCED)
        managed = _managed(store, item)
        if not taken or not quantity or managed is None:
            continue
        product, holder = managed
        before, after = _move(store, holder, quantity)
        update_meta(store, item.meta_data, REDUCED, str(taken - quantity))
        restocked = units(item, RESTOCKED) + quantity
        update_meta(store, item.meta_data, RESTOCKED, str(restocked))
        notes.append(f"Item #{product.id} stock increased from {before} to {after}.")
    return notes
