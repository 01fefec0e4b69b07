"""HubSpot's CRM v3 endpoints (and the v4 association read) over the sandbox store.

Shapes follow HubSpot: objects as {id, properties, createdAt, updatedAt,
archived}; batch answers as {status, results, startedAt, completedAt} and, when
some inputs failed, HTTP 207 with numErrors and errors; refusals as
{status: "error", message, correlationId, category}.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from causeway_sandbox.hubspot.store import (
    ASSOCIATION_TARGETS,
    OBJECT_TYPES,
    SINGULAR,
    CrmError,
    CrmRecord,
    CrmStore,
    now_iso,
)

router = APIRouter()


def _store(request: Request) -> CrmStore:
    return request.app.state.hubspot.store  # type: ignore[no-any-return]


def _type(object_type: str) -> str:
    if object_type not in OBJECT_TYPES:
        raise CrmError(400, "VALIDATION_ERROR", f"Unable to infer object type from: {object_type}")
    return object_type


# What HubSpot returns when a read names no properties.
_SHOWN = {
    "contacts": ["email", "firstname", "lastname"],
    "deals": ["dealname", "dealstage", "pipeline", "amount", "closedate"],
    "line_items": ["name", "price", "quantity"],
    "tickets": ["subject", "content", "hs_pipeline", "hs_pipeline_stage"],
}


def _wanted(object_type: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [p for p in value.split(",") if p]
    return [str(p) for p in value] if value else _SHOWN[object_type]


def _batch(results: list[dict[str, Any]], errors: list[dict[str, Any]], started: str) -> Any:
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": started,
        "completedAt": now_iso(),
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
        return JSONResponse(body, status_code=207)
    return body


def _inputs(request: Request, body: Any) -> list[dict[str, Any]]:
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise CrmError(400, "VALIDATION_ERROR", "inputs: a list of objects is required")
    limit = request.app.state.hubspot.settings.batch_limit
    if len(inputs) > limit:
        raise CrmError(400, "VALIDATION_ERROR", f"Batch input size of {len(inputs)} over {limit}")
    return inputs


@router.get("/crm/v3/properties/{object_type}")
def list_properties(object_type: str, request: Request) -> Any:
    return {"results": list(_store(request).definitions[_type(object_type)].values())}


@router.post("/crm/v3/properties/{object_type}", status_code=201)
async def create_property(object_type: str, request: Request) -> Any:
    return _store(request).define(_type(object_type), await request.json())


@router.post("/crm/v3/objects/{object_type}", status_code=201)
async def create_object(object_type: str, request: Request) -> Any:
    store, object_type = _store(request), _type(object_type)
    body = await request.json()
    with store.lock:
        record = store.create(object_type, dict(body.get("properties") or {}))
        for association in body.get("associations") or []:
            to_id = str(association["to"]["id"])
            for kind in association.get("types") or []:
                to_type = _association_target(store, to_id, int(kind["associationTypeId"]))
                store.associate(
                    object_type, record.id, to_type, to_id, int(kind["associationTypeId"])
                )
    return record.view(None)


def _association_target(store: CrmStore, to_id: str, type_id: int) -> str:
    target = ASSOCIATION_TARGETS.get(type_id)
    if target is None:
        raise CrmError(400, "VALIDATION_ERROR", f"associationTypeId {type_id} is not supported")
    store.get(target, to_id)
    return target


@router.get("/crm/v3/objects/{object_type}/{object_id}")
def read_object(object_type: str, object_id: str, request: Request) -> Any:
    record = _store(request).get(_type(object_type), object_id)
    return record.view(_wanted(object_type, request.query_params.get("properties")))


@router.patch("/crm/v3/objects/{object_type}/{object_id}")
async def update_object(object_type: str, object_id: str, request: Request) -> Any:
    body = await request.json()
    record = _store(request).update(
        _type(object_type), object_id, dict(body.get("properties") or {})
    )
    return record.view(None)


@router.post("/crm/v3/objects/{object_type}/batch/read")
async def batch_read(object_type: str, request: Request) -> Any:
    store, object_type, started = _store(request), _type(object_type), now_iso()
    body = await request.json()
    wanted = _wanted(object_type, body.get("properties"))
    id_property = body.get("idProperty")
    results, missing = [], []
    for item in _inputs(request, body):
        key = str(item.get("id"))
        try:
            if id_property:
                record = store.find_by(object_type, id_property, key)
                if record is None:
                    raise CrmError(404, "OBJECT_NOT_FOUND", key)
            else:
                record = store.get(object_type, key)
            results.append(record.view(wanted))
        except CrmError:
            missing.append(key)
    errors = []
    if missing:
        name = SINGULAR[object_type].upper()
        errors.append(
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "message": f"Could not get some {name} objects, they may be deleted or not "
                "exist. Check that ids are valid.",
                "context": {"ids": missing},
            }
        )
    return _batch(results, errors, started)


@router.post("/crm/v3/objects/{object_type}/batch/upsert")
async def batch_upsert(object_type: str, request: Request) -> Any:
    store, object_type, started = _store(request), _type(object_type), now_iso()
    inputs = _inputs(request, await request.json())
    keys = [str(i.get("id", "")).strip().lower() for i in inputs]
    if len(set(keys)) != len(keys):
        raise CrmError(400, "VALIDATION_ERROR", "Duplicate IDs found in batch input")
    results, errors = [], []
    with store.lock:
        for item in inputs:
            id_property, key = item.get("idProperty"), str(item.get("id", ""))
            properties = dict(item.get("properties") or {})
            try:
                if not id_property:
                    raise CrmError(400, "VALIDATION_ERROR", "idProperty is required for upsert")
                existing = store.find_by(object_type, id_property, key)
                if existing is None:
                    record = store.create(object_type, {**properties, id_property: key})
                else:
                    record = store.update(object_type, existing.id, properties)
                results.append({**record.view(None), "new": existing is None})
            except CrmError as error:
                errors.append(
                    {
                        "status": "error",
                        "category": error.category,
                        "message": error.message,
                        "context": {"ids": [key], **error.context},
                    }
                )
    return _batch(results, errors, started)


_OPERATORS = ("EQ", "NEQ", "IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN")
_RANGES = ("GT", "GTE", "LT", "LTE")


def _value(record: CrmRecord, name: str) -> str | None:
    # Read-only stamps and calculated properties are searchable like the others.
    return record.value(name)


def _sort_key(name: str) -> Callable[[CrmRecord], tuple[Any, ...]]:
    """How HubSpot orders by a property: numbers and date-times by value, the rest as
    text; records without the property last. Ties keep id order (a stable sort)."""

    def key(record: CrmRecord) -> tuple[Any, ...]:
        value = record.value(name)
        if value in (None, ""):
            return (2, Decimal(0), "")
        try:
            return (0, _number(str(value)), "")
        except CrmError:
            return (1, Decimal(0), str(value).lower())

    return key


def _sorted(hits: list[CrmRecord], sorts: Any) -> list[CrmRecord]:
    if not sorts:
        return hits
    if not isinstance(sorts, list) or len(sorts) > 1:
        # HubSpot's search takes one sort rule per request.
        raise CrmError(400, "VALIDATION_ERROR", "sorts: only one sort is supported")
    rule = sorts[0]
    if isinstance(rule, str):  # the shorthand: "-createdate" is descending
        name, descending = rule.lstrip("-"), rule.startswith("-")
    elif isinstance(rule, dict) and rule.get("propertyName"):
        name, descending = str(rule["propertyName"]), rule.get("direction") == "DESCENDING"
    else:
        raise CrmError(400, "VALIDATION_ERROR", f"sorts: {rule!r} names no propertyName")
    return sorted(hits, key=_sort_key(name), reverse=descending)


def _number(value: str) -> Decimal:
    """A number, or a date-time as epoch milliseconds: how HubSpot compares ranges."""
    try:
        return Decimal(value)
    except InvalidOperation:
        pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CrmError(400, "VALIDATION_ERROR", f"{value!r} is not a number or date") from None
    return Decimal(int(moment.timestamp() * 1000))


def _in_range(value: str | None, operator: str, wanted: Any) -> bool:
    if value in (None, ""):
        return False
    have, limit = _number(str(value)), _number(str(wanted))
    return {"GT": have > limit, "GTE": have >= limit, "LT": have < limit, "LTE": have <= limit}[
        operator
    ]


def _matches(value: str | None, condition: dict[str, Any]) -> bool:
    operator = condition.get("operator", "EQ")
    if operator in _RANGES:
        return _in_range(value, operator, condition.get("value"))
    if operator not in _OPERATORS:
        raise CrmError(400, "VALIDATION_ERROR", f"operator {operator} is not supported")
    if operator == "HAS_PROPERTY":
        return value not in (None, "")
    if operator == "NOT_HAS_PROPERTY":
        return value in (None, "")
    have = (value or "").lower()  # HubSpot search compares strings case-insensitively
    if operator == "IN":
        return have in {str(v).lower() for v in condition.get("values") or []}
    wanted = str(condition.get("value", "")).lower()
    if operator == "CONTAINS_TOKEN":
        return wanted.strip("*") in have
    return (have == wanted) if operator == "EQ" else (have != wanted)


@router.post("/crm/v3/objects/{object_type}/search")
async def search(object_type: str, request: Request) -> Any:
    store, object_type = _store(request), _type(object_type)
    body = await request.json()
    groups = body.get("filterGroups") or []
    limit = int(body.get("limit") or 10)
    if limit > 200:
        raise CrmError(400, "VALIDATION_ERROR", "limit: must be less than or equal to 200")
    offset = int(body.get("after") or 0)
    most = request.app.state.hubspot.settings.search_max_results
    if offset + limit > most:
        # HubSpot returns at most 10,000 results of one query: paging past them is refused.
        raise CrmError(
            400,
            "VALIDATION_ERROR",
            f"There was a problem with the request: the search returns at most {most} "
            f"results; narrow the query to page further",
        )
    wanted = _wanted(object_type, body.get("properties"))
    with store.lock:
        hits = [
            r
            for r in sorted(store.objects[object_type].values(), key=lambda r: int(r.id))
            if not r.archived
            and (
                not groups
                or any(
                    all(_matches(_value(r, f["propertyName"]), f) for f in g["filters"])
                    for g in groups
                )
            )
        ]
    hits = _sorted(hits, body.get("sorts"))
    page = hits[offset : offset + limit]
    answer: dict[str, Any] = {"total": len(hits), "results": [r.view(wanted) for r in page]}
    if offset + limit < len(hits):
        answer["paging"] = {"next": {"after": str(offset + limit)}}
    return answer


@router.get("/crm/v4/objects/{from_type}/{object_id}/associations/{to_type}")
def associations(from_type: str, object_id: str, to_type: str, request: Request) -> Any:
    found = _store(request).associated(_type(from_type), object_id, _type(to_type))
    return {
        "results": [
            {
                "toObjectId": int(to_id),
                "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": t, "label": None} for t in types
                ],
            }
            for to_id, types in found.items()
        ]
    }
