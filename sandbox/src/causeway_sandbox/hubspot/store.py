"""The sandbox's CRM: objects, property definitions, associations, and change events.

HubSpot's rules that a client can trip over are kept: ids are numeric strings,
every property value is a string, emails are unique and compared
case-insensitively, a property must be defined before it is written, number
properties must hold numbers, and every write stamps `updatedAt`.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

OBJECT_TYPES = ("contacts", "deals", "line_items", "tickets")
SINGULAR = {"contacts": "contact", "deals": "deal", "line_items": "line_item", "tickets": "ticket"}
# HubSpot-defined association type ids: id -> (the type it points to, the reverse id).
ASSOCIATION_TARGETS = {16: "contacts", 15: "tickets", 28: "deals", 27: "tickets", 3: "contacts",
                       4: "deals", 19: "line_items", 20: "deals"}  # fmt: skip
_REVERSE = {16: 15, 15: 16, 28: 27, 27: 28, 3: 4, 4: 3, 19: 20, 20: 19}
REVERSE = _REVERSE  # for the associations module (default labels)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# The default properties every portal has (a subset: the ones the hub uses).
_DEFAULTS: dict[str, dict[str, str]] = {
    "contacts": {
        "email": "string", "firstname": "string", "lastname": "string", "phone": "string",
        "company": "string", "address": "string", "city": "string", "zip": "string",
        "country": "string", "lifecyclestage": "enumeration",
    },
    "deals": {
        "dealname": "string", "dealstage": "enumeration", "pipeline": "enumeration",
        "amount": "number", "closedate": "datetime", "deal_currency_code": "enumeration",
    },
    "line_items": {
        "name": "string", "hs_sku": "string", "price": "number", "quantity": "number",
        "amount": "number", "hs_product_id": "string",
    },
    "tickets": {
        "subject": "string", "content": "string", "hs_pipeline": "enumeration",
        "hs_pipeline_stage": "enumeration", "hs_ticket_priority": "enumeration",
    },
}  # fmt: skip


# HubSpot's calculated deal properties follow the stage's metadata (a stage is closed
# won, closed lost or open). The sandbox's only pipeline is HubSpot's default one, whose
# closed stages are these two.
CLOSED_STAGES = {"closedwon": True, "closedlost": False}
CALCULATED = {"deals": ("hs_is_closed_won", "hs_is_closed")}


def calculated(object_type: str, properties: dict[str, str | None]) -> dict[str, str]:
    """The read-only properties HubSpot computes for a record (booleans as "true"/"false")."""
    if object_type != "deals":
        return {}
    stage = properties.get("dealstage")
    return {
        "hs_is_closed_won": "true" if CLOSED_STAGES.get(stage or "") else "false",
        "hs_is_closed": "true" if stage in CLOSED_STAGES else "false",
    }


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CrmError(Exception):
    """A refusal in HubSpot's words: category, message, and per-input context."""

    def __init__(
        self, status: int, category: str, message: str, context: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.context = context or {}


@dataclass
class CrmRecord:
    id: str
    properties: dict[str, str | None]
    created_at: str
    updated_at: str
    archived: bool = False
    object_type: str = ""

    def value(self, name: str) -> str | None:
        """A property as a read or a search sees it, calculated ones and stamps included
        (contacts call their modification stamp lastmodifieddate, other objects
        hs_lastmodifieddate)."""
        if name == "createdate":
            return self.created_at
        if name in ("hs_lastmodifieddate", "lastmodifieddate"):
            return self.updated_at
        if name in CALCULATED.get(self.object_type, ()):
            return calculated(self.object_type, self.properties).get(name)
        return self.properties.get(name)

    def view(self, wanted: list[str] | None) -> dict[str, Any]:
        base = {"hs_object_id": self.id, "createdate": self.created_at}
        props = {**base, **self.properties}
        if wanted is not None:
            # Asked for by name, HubSpot also returns when the object last changed and
            # the properties it calculates.
            props = {k: self.id if k == "hs_object_id" else self.value(k) for k in [*base, *wanted]}
        return {
            "id": self.id,
            "properties": props,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "archived": self.archived,
        }


@dataclass
class ChangeEvent:
    subscription_type: str
    object_id: int
    property_name: str | None = None
    property_value: str | None = None
    change_source: str = "CRM"


@dataclass
class CrmStore:
    lock: threading.RLock = field(default_factory=threading.RLock)
    listeners: list[Callable[[ChangeEvent], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.objects: dict[str, dict[str, CrmRecord]] = {t: {} for t in OBJECT_TYPES}
            self.definitions: dict[str, dict[str, dict[str, Any]]] = {
                t: {n: {"name": n, "type": k, "hubspotDefined": True} for n, k in d.items()}
                for t, d in _DEFAULTS.items()
            }
            # (from type, from id, to type, to id, association type id)
            self.associations: set[tuple[str, str, str, str, int]] = set()
            self._ids = itertools.count(1001)

    # -------------------------------------------------------------- properties

    def define(self, object_type: str, spec: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            name = str(spec.get("name") or "")
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise CrmError(400, "VALIDATION_ERROR", f"Property name {name!r} is not valid")
            for key in ("label", "type", "fieldType", "groupName"):
                if not spec.get(key):
                    raise CrmError(400, "VALIDATION_ERROR", f"Property {name}: {key} is required")
            if name in self.definitions[object_type]:
                raise CrmError(409, "OBJECT_ALREADY_EXISTS", f"Property {name} already exists")
            stamp = now_iso()
            definition = {**spec, "createdAt": stamp, "updatedAt": stamp, "hubspotDefined": False}
            self.definitions[object_type][name] = definition
            return definition

    # ----------------------------------------------------------------- objects

    def _check(self, object_type: str, properties: dict[str, Any]) -> dict[str, str | None]:
        defined = self.definitions[object_type]
        problems = []
        clean: dict[str, str | None] = {}
        for name, value in properties.items():
            text = None if value is None else str(value)
            if name not in defined:
                problems.append(
                    {"name": name, "error": "PROPERTY_DOESNT_EXIST",
                     "message": f'Property "{name}" does not exist'}
                )  # fmt: skip
            elif defined[name]["type"] == "number" and text not in (None, ""):
                try:
                    Decimal(text or "")
                except InvalidOperation:
                    problems.append(
                        {"name": name, "error": "INVALID_DECIMAL",
                         "message": f"{text!r} was not a valid number."}
                    )  # fmt: skip
            elif name == "email" and text and not _EMAIL.match(text):
                problems.append(
                    {"name": name, "error": "INVALID_EMAIL",
                     "message": f"Email address {text} is invalid"}
                )  # fmt: skip
            clean[name] = text
        if problems:
            raise CrmError(
                400,
                "VALIDATION_ERROR",
                "Property values were not valid: " + "; ".join(p["message"] for p in problems),
                {"propertyName": [p["name"] for p in problems]},
            )
        return clean

    def find_by(self, object_type: str, prop: str, value: str) -> CrmRecord | None:
        with self.lock:
            wanted = value.strip().lower() if prop == "email" else value
            for record in self.objects[object_type].values():
                have = record.properties.get(prop)
                if have is not None and (have.lower() if prop == "email" else have) == wanted:
                    return record
            return None

    def create(self, object_type: str, properties: dict[str, Any]) -> CrmRecord:
        with self.lock:
            clean = self._check(object_type, properties)
            email = clean.get("email")
            if object_type == "contacts" and email:
                existing = self.find_by("contacts", "email", email)
                if existing is not None:
                    raise CrmError(
                        409, "CONFLICT", f"Contact already exists. Existing ID: {existing.id}"
                    )
                clean["email"] = email.strip().lower()  # HubSpot stores emails lowercased
            stamp = now_iso()
            record = CrmRecord(str(next(self._ids)), clean, stamp, stamp, object_type=object_type)
            self.objects[object_type][record.id] = record
            self._emit(ChangeEvent(f"{SINGULAR[object_type]}.creation", int(record.id)))
            return record

    def update(self, object_type: str, object_id: str, properties: dict[str, Any]) -> CrmRecord:
        with self.lock:
            record = self.get(object_type, object_id)
            clean = self._check(object_type, properties)
            email = clean.get("email")
            if email:
                clean["email"] = email.strip().lower()
            changed = {k: v for k, v in clean.items() if record.properties.get(k) != v}
            record.properties.update(clean)
            record.updated_at = now_iso()
            for name, value in changed.items():
                self._emit(
                    ChangeEvent(
                        f"{SINGULAR[object_type]}.propertyChange", int(record.id), name, value
                    )
                )
            return record

    def get(self, object_type: str, object_id: str) -> CrmRecord:
        with self.lock:
            record = self.objects[object_type].get(object_id)
            if record is None or record.archived:
                raise CrmError(404, "OBJECT_NOT_FOUND", f"resource not found: {object_id}")
            return record

    def associate(
        self, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int
    ) -> None:
        with self.lock:
            self.get(from_type, from_id)
            self.get(to_type, to_id)
            self.associations.add((from_type, from_id, to_type, to_id, type_id))
            # HubSpot associations are two-way: the reverse label is implied.
            self.associations.add((to_type, to_id, from_type, from_id, _REVERSE[type_id]))

    def associated(self, from_type: str, from_id: str, to_type: str) -> dict[str, list[int]]:
        with self.lock:
            self.get(from_type, from_id)
            found: dict[str, list[int]] = {}
            for f_type, f_id, t_type, t_id, type_id in sorted(self.associations):
                if (f_type, f_id, t_type) == (from_type, from_id, to_type):
                    found.setdefault(t_id, []).append(type_id)
            return found

    def _emit(self, event: ChangeEvent) -> None:
        for listener in self.listeners:
            listener(event)
