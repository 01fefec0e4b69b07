"""Associations v4, default label: PUT .../associations/default/{toObjectType}/{toObjectId}.

HubSpot picks the HubSpot-defined type for the pair of object types (ticket ->
contact is 16) and answers with the association made, in its batch shape. Making
an association that exists already changes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from causeway_sandbox.hubspot.api import _store, _type
from causeway_sandbox.hubspot.store import ASSOCIATION_TARGETS, REVERSE, CrmError, now_iso

router = APIRouter()


def default_type(from_type: str, to_type: str) -> int:
    """The HubSpot-defined association type id from one object type to another."""
    for type_id, target in ASSOCIATION_TARGETS.items():
        if target == to_type and ASSOCIATION_TARGETS[REVERSE[type_id]] == from_type:
            return type_id
    raise CrmError(400, "VALIDATION_ERROR", f"no default association from {from_type} to {to_type}")


@router.put("/crm/v4/objects/{from_type}/{object_id}/associations/default/{to_type}/{to_id}")
def associate_default(
    from_type: str, object_id: str, to_type: str, to_id: str, request: Request
) -> Any:
    store, from_type, to_type = _store(request), _type(from_type), _type(to_type)
    started = now_iso()
    type_id = default_type(from_type, to_type)
    store.associate(from_type, object_id, to_type, to_id, type_id)
    return {
        "status": "COMPLETE",
        "results": [
            {
                "from": {"id": object_id},
                "to": {"id": to_id},
                "associationSpec": {
                    "associationCategory": "HUBSPOT_DEFINED",
                    "associationTypeId": type_id,
                },
            }
        ],
        "startedAt": started,
        "completedAt": now_iso(),
    }
