"""Entities: the hub's own record of a business entity (an order), by hub id.

One row per hub id: its type, a state and a JSON summary the flows add their keys
to (the ERP number, the invoice state, refunds...). Every function takes the caller's
connection, so an entity's change, its links and its timeline are written together.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from causeway.engine import search
from causeway.engine.schema import entities
from causeway.engine.store import now


@dataclass(frozen=True)
class Entity:
    hub_id: str
    entity_type: str
    state: str
    summary: dict[str, Any]
    created_at: float
    updated_at: float


def _entity(row: Any) -> Entity:
    return Entity(
        row.hub_id,
        row.entity_type,
        row.state,
        json.loads(row.summary or "{}"),
        row.created_at,
        row.updated_at,
    )


def get(conn: Connection, hub_id: str) -> Entity | None:
    row = conn.execute(select(entities).where(entities.c.hub_id == hub_id)).first()
    return _entity(row) if row else None


def get_many(conn: Connection, hub_ids: Iterable[str]) -> dict[str, Entity]:
    rows = conn.execute(select(entities).where(entities.c.hub_id.in_(list(hub_ids))))
    return {row.hub_id: _entity(row) for row in rows}


def exists(conn: Connection, hub_id: str) -> bool:
    return (
        conn.execute(select(entities.c.hub_id).where(entities.c.hub_id == hub_id)).first()
        is not None
    )


def summary(conn: Connection, hub_id: str) -> dict[str, Any]:
    """The entity's summary ({} when the hub has no record of it)."""
    row = conn.execute(select(entities.c.summary).where(entities.c.hub_id == hub_id)).first()
    return json.loads(row.summary) if row and row.summary else {}


def merge(
    conn: Connection,
    hub_id: str,
    changes: Mapping[str, Any],
    *,
    entity_type: str,
    state: str | None = None,
    first_state: str = "received",
) -> dict[str, Any]:
    """Merge `changes` into the entity's summary and set its state (None: keep it);
    returns the summary. An entity the hub has no record of yet is created, of
    `entity_type`, in `state` or else `first_state`."""
    row = conn.execute(
        select(entities.c.state, entities.c.summary).where(entities.c.hub_id == hub_id)
    ).first()
    if row is None:
        merged = dict(changes)
        conn.execute(
            entities.insert().values(
                hub_id=hub_id,
                entity_type=entity_type,
                state=state or first_state,
                summary=json.dumps(merged, default=str),
                created_at=now(),
                updated_at=now(),
            )
        )
        if entity_type == search.ORDER:
            search.note_order(conn, hub_id, merged)
        return merged
    merged = {**json.loads(row.summary or "{}"), **changes}
    conn.execute(
        entities.update()
        .where(entities.c.hub_id == hub_id)
        .values(state=state or row.state, summary=json.dumps(merged, default=str), updated_at=now())
    )
    if entity_type == search.ORDER:
        search.note_order(conn, hub_id, merged)  # the search box finds it by what it now says
    return merged


def containing(conn: Connection, entity_type: str, text: str) -> list[tuple[str, dict[str, Any]]]:
    """(hub id, summary) of the entities whose summary's JSON contains `text`: a cheap
    narrowing by text, which the caller checks exactly."""
    rows = conn.execute(
        select(entities.c.hub_id, entities.c.summary).where(
            entities.c.entity_type == entity_type, entities.c.summary.contains(text)
        )
    )
    return [(str(row.hub_id), json.loads(row.summary or "{}")) for row in rows]


def newest(conn: Connection, entity_type: str, limit: int) -> list[tuple[str, dict[str, Any]]]:
    """(hub id, summary) of the `limit` entities of this type created last, newest first."""
    rows = conn.execute(
        select(entities.c.hub_id, entities.c.summary)
        .where(entities.c.entity_type == entity_type)
        .order_by(entities.c.created_at.desc())
        .limit(limit)
    ).all()
    return [(row.hub_id, json.loads(row.summary)) for row in rows]
