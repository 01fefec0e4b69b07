"""The hub's custom fields (model/ports/crm.py) as HubSpot properties.

HubSpot wants each property's field type (how its UI edits it) and its group on the
object; the hub's fields say only their kind, so both follow from the kind and the
object type here.
"""

from __future__ import annotations

from collections.abc import Sequence

from causeway.connectors.hubspot.models import PropertySpec
from causeway.model.ports.crm import (
    CONTACT_FIELDS,
    CUSTOMER_SYNC_FIELDS,
    DEAL_FIELDS,
    TICKET_FIELDS,
    CrmField,
)

GROUP_CONTACTS = "contactinformation"
GROUP_DEALS = "dealinformation"
GROUP_TICKETS = "ticketinformation"
GROUPS = {"contacts": GROUP_CONTACTS, "deals": GROUP_DEALS, "tickets": GROUP_TICKETS}
FIELD_TYPES = {"string": "text", "number": "number", "date": "date"}


def property_specs(object_type: str, fields: Sequence[CrmField]) -> list[PropertySpec]:
    """The HubSpot property of each of the hub's fields on `object_type`."""
    return [
        PropertySpec.model_validate(
            {
                "name": field.name,
                "label": field.label,
                "type": field.kind,
                "fieldType": FIELD_TYPES[field.kind],
                "groupName": GROUPS[object_type],
                "description": field.description,
            }
        )
        for field in fields
    ]


CONTACT_PROPERTIES = tuple(property_specs("contacts", CONTACT_FIELDS))
DEAL_PROPERTIES = tuple(property_specs("deals", DEAL_FIELDS))
TICKET_PROPERTIES = tuple(property_specs("tickets", TICKET_FIELDS))
CUSTOMER_SYNC_PROPERTIES = tuple(property_specs("contacts", CUSTOMER_SYNC_FIELDS))
