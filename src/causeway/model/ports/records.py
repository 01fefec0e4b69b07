"""Where a person sees a record in its own system: the web address of an order, a sale,
an invoice or a contact in the store's admin, the ERP's client or the CRM.

Every connector whose system has a web interface implements `RecordAddresses`, so the
console links each id the hub holds to the page where that system shows it. The
entity types are the hub's link types (engine/links.py): "order", "sale", "invoice",
"shipment", "fulfillment", "return_sale", "contact", "deal", "ticket", "product"...;
a connector answers None for a type its system has no page for, and never calls its
system to answer (the address is made from the configured URL and the id alone).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class RecordAddresses(Protocol):
    def record_url(self, entity_type: str, external_id: str) -> str | None:
        """The address of the page showing this record in the system's own interface;
        None when the system shows no such record (or the id cannot be one)."""
        ...
