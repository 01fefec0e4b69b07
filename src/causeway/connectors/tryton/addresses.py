"""Where a person sees a Tryton record: its form in Tryton's web client, sao.

sao is served by trytond at the server's root and opens a record from the address's
fragment, `<server>/#<database>/model/<model>/<id>`: the same path as the desktop
client's `tryton://<host>/<database>/model/<model>/<id>` URLs (Tryton's client manual).
The hub's link types map onto Tryton's models: a sale (and a return, which is a sale
of negative quantities) is `sale.sale`, an invoice `account.invoice`, a customer
shipment `stock.shipment.out`, a customer `party.party`, a product `product.product`.
"""

from __future__ import annotations

from urllib.parse import quote

MODELS = {
    "sale": "sale.sale",
    "return_sale": "sale.sale",
    "invoice": "account.invoice",
    "shipment": "stock.shipment.out",
    "party": "party.party",
    "customer": "party.party",
    "product": "product.product",
}


def client_url(server_url: str, database: str, entity_type: str, external_id: str) -> str | None:
    """The record's address in sao, or None (a type Tryton has no model for, or an id
    that is not a record id)."""
    model = MODELS.get(entity_type)
    if model is None or not external_id.isdigit() or int(external_id) <= 0:
        return None
    return f"{server_url.rstrip('/')}/#{quote(database, safe='')}/model/{model}/{external_id}"
