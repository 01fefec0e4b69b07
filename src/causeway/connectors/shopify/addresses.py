"""Where a person sees a Shopify record: the store admin's page for it.

Shopify's admin serves every store at `https://<store>.myshopify.com/admin/...` (which
redirects to admin.shopify.com/store/<store>/... for a signed-in merchant): orders at
`/admin/orders/<id>`, products at `/admin/products/<id>`, customers at
`/admin/customers/<id>`, draft orders at `/admin/draft_orders/<id>`, with the numeric
id, which is the tail of the API's gid ("gid://shopify/Order/450789469"). A
fulfillment or a refund has no page of its own: it is shown on its order's.
"""

from __future__ import annotations

ADMIN_PAGES = {
    "order": "orders",
    "product": "products",
    "customer": "customers",
    "draft_order": "draft_orders",
}


def admin_url(shop_url: str, entity_type: str, external_id: str) -> str | None:
    """The admin page of the record, or None (no page for that type, or not an id)."""
    page = ADMIN_PAGES.get(entity_type)
    numeric = external_id.rsplit("/", 1)[-1] if external_id.startswith("gid://") else external_id
    if page is None or not numeric.isdigit():
        return None
    base = shop_url if shop_url.startswith(("http://", "https://")) else f"https://{shop_url}"
    return f"{base.rstrip('/')}/admin/{page}/{numeric}"
