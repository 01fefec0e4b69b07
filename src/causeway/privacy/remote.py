"""What the hub cannot erase: each connected system keeps its own copy of a person.

Erasing in the hub is one step of honouring a request; these notes, printed by
`causeway erase` and written into every export, say where the other steps are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # config.models is built from the flows, which import this module
    from causeway.config import CausewayConfig


REMOTE = {
    "shopify": "Shopify keeps the customer and their orders: erase them in Shopify "
    "(Customers > the customer > More actions > Erase personal data); Shopify then "
    "sends customers/redact, which the hub handles",
    "tryton": "Tryton keeps the party, its sales and invoices: run Tryton's Erase action "
    "on the party (party.erase; it waits until no sale or invoice of theirs is pending)",
    "hubspot": "HubSpot keeps the contact: delete it permanently (with data privacy "
    "settings on: the contact's Actions > Delete > Permanently delete, or the API's "
    "POST /crm/v3/objects/contacts/gdpr-delete)",
    "files": "files already fetched from out/, and files still waiting in in/, are outside "
    "the hub: ask the partner who exchanges them",
}


def remote_notes(config: CausewayConfig) -> list[str]:
    return [
        f"{name} ({system.type}): {REMOTE[system.type]}" for name, system in config.systems.items()
    ]
