"""Associations v4, default label: PUT .../associations/default/{toObjectType}/{toObjectId};
the batch read of associations; and the account's details (account-info v3).

HubSpot picks the HubSpot-defined type for the pair of object types (ticket ->
contact is 16) and answers with the association made, in its batch shape. Making
an association that exists already changes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from causeway_sandbox.hubspot.api import _batch, _inputs, _store, _type
from causeway_sandbox.hubspot.store import (
    ASSOCIATION_TARGETS,
    REVERSE,
    SINGULAR,
    CrmError,
    now_iso,
)

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


@router.post("/crm/v4/associations/{from_type}/{to_type}/batch/read")
async def batch_read(from_type: str, to_type: str, request: Request) -> Any:
    """Each input's associated `to_type` ids. An input with none (or that does not
    exist) is an error of the 207 answer, as HubSpot reports it, not an empty list."""
    store, from_type, to_type = _store(request), _type(from_type), _type(to_type)
    started = now_iso()
    body = await request.json()
    results, missing = [], []
    for item in _inputs(request, body):
        key = str(item.get("id"))
        try:
            found = store.associated(from_type, key, to_type)
        except CrmError:
            found = {}
        if not found:
            missing.append(key)
            continue
        results.append(
            {
                "from": {"id": key},
                "to": [
                    {
                        "toObjectId": int(to_id),
                        "associationTypes": [
                            {"category": "HUBSPOT_DEFINED", "typeId": t, "label": None}
                            for t in types
                        ],
                    }
                    for to_id, types in sorted(found.items(), key=lambda kv: int(kv[0]))
                ],
            }
        )
    errors = [
        {
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
            "message": f"No {to_type} is associated with {SINGULAR[from_type]} ID {key}.",
            "context": {"fromObjectId": [key]},
        }
        for key in missing
    ]
    return _batch(results, errors, started)


@router.get("/account-info/v3/details")
def account_details(request: Request) -> Any:
    """The account's details (a subset): its id, time zone and currency."""
    settings = request.app.state.hubspot.settings
    return {
        "portalId": settings.portal_id,
        "accountType": "STANDARD",
        "timeZone": "UTC",
        "companyCurrency": settings.company_currency,
        "additionalCurrencies": [],
        "utcOffset": "+00:00",
        "utcOffsetMilliseconds": 0,
        "uiDomain": "app.hubspot.com",
        "dataHostingLocation": "na1",
    }
