"""Links: which record in which system is the same business entity.

A link row says "order 450789469 in system `shop` is hub entity H"; another row
says "sale 17 in system `erp` is hub entity H". One table serves any number of
systems. The unique key (system, entity_type, external_id) is what stops a
second hub entity ever being made for the same remote record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    delete,
    func,
    select,
    true,
    tuple_,
    update,
)

from causeway.engine import search
from causeway.engine.schema import entities, links
from causeway.engine.store import now


@dataclass(frozen=True)
class Link:
    hub_id: str
    system: str
    entity_type: str
    external_id: str
    fingerprint: str | None
    remote_updated_at: float | None
    # When the hub last wrote it (a flow's "last told" time, e.g. published stock).
    updated_at: float | None = None


def new_hub_id() -> str:
    return uuid.uuid4().hex


def _row_to_link(row: object) -> Link:
    m = row._mapping  # type: ignore[attr-defined]
    return Link(
        m["hub_id"],
        m["system"],
        m["entity_type"],
        m["external_id"],
        m["fingerprint"],
        m["remote_updated_at"],
        m["updated_at"],
    )


def _keyed(system: str, entity_type: str, external_id: str) -> ColumnElement[bool]:
    """The one link of this record (the unique key uq_links_external)."""
    return and_(
        links.c.system == system,
        links.c.entity_type == entity_type,
        links.c.external_id == external_id,
    )


def find(conn: Connection, system: str, entity_type: str, external_id: str) -> Link | None:
    row = conn.execute(select(links).where(_keyed(system, entity_type, external_id))).first()
    return _row_to_link(row) if row else None


def find_many(
    conn: Connection, system: str, entity_type: str, external_ids: list[str]
) -> dict[str, Link]:
    if not external_ids:
        return {}
    rows = conn.execute(
        select(links).where(
            links.c.system == system,
            links.c.entity_type == entity_type,
            links.c.external_id.in_(external_ids),
        )
    )
    return {link.external_id: link for link in map(_row_to_link, rows)}


def for_hub(conn: Connection, hub_id: str) -> list[Link]:
    rows = conn.execute(select(links).where(links.c.hub_id == hub_id).order_by(links.c.id))
    return [_row_to_link(r) for r in rows]


def all_of_type(
    conn: Connection, system: str, entity_type: str, *, fingerprint: str | None = None
) -> dict[str, Link]:
    """Every link of a type, or only those with the given fingerprint (a state such as
    "awaiting"): filtered in the store, so a hub with a million links reads only those."""
    query = select(links).where(links.c.system == system, links.c.entity_type == entity_type)
    if fingerprint is not None:
        query = query.where(links.c.fingerprint == fingerprint)
    return {link.external_id: link for link in map(_row_to_link, conn.execute(query))}


def still_owed(
    conn: Connection,
    system: str,
    entity_type: str,
    *,
    target: str,
    having: str,
    lacking: str,
    since: float,
    limit: int,
    not_in_state: str | None = None,
) -> list[Link]:
    """Links of `entity_type` in `system` changed since `since`, newest first, at most
    `limit`, whose hub entity has a `having` link in `target` and no `lacking` link there
    (nor the state `not_in_state`): work a flow still owes (channel-fees: orders the ERP
    has whose fees it has not). One query, however many entities have long been done."""
    mine, done, wanted = links.alias("mine"), links.alias("done"), links.alias("wanted")

    def beside(other: object, entity: str) -> ColumnElement[bool]:
        return and_(
            other.c.hub_id == mine.c.hub_id,  # type: ignore[attr-defined]
            other.c.system == target,  # type: ignore[attr-defined]
            other.c.entity_type == entity,  # type: ignore[attr-defined]
        )

    query = (
        select(mine)
        .where(
            mine.c.system == system,
            mine.c.entity_type == entity_type,
            mine.c.remote_updated_at >= since,
            select(wanted.c.id).where(beside(wanted, having)).exists(),
            ~select(done.c.id).where(beside(done, lacking)).exists(),
        )
        .where(
            ~select(entities.c.hub_id)
            .where(entities.c.hub_id == mine.c.hub_id, entities.c.state == not_in_state)
            .exists()
            if not_in_state is not None
            else true()
        )
        .order_by(mine.c.remote_updated_at.desc(), mine.c.external_id)
        .limit(limit)
    )
    return [_row_to_link(row) for row in conn.execute(query)]


def of_hubs(conn: Connection, system: str, entity_type: str, hub_ids: list[str]) -> dict[str, Link]:
    """The links of a type in `system` for the given hub entities, by hub id."""
    if not hub_ids:
        return {}
    rows = conn.execute(
        select(links).where(
            links.c.system == system,
            links.c.entity_type == entity_type,
            links.c.hub_id.in_(hub_ids),
        )
    )
    return {link.hub_id: link for link in map(_row_to_link, rows)}


def of_hubs_oldest_first(
    conn: Connection, hub_ids: list[str], system: str, entity_type: str
) -> list[Link]:
    """Every link of a type in `system` on any of these hub entities, oldest first."""
    rows = conn.execute(
        select(links)
        .where(
            links.c.hub_id.in_(hub_ids),
            links.c.system == system,
            links.c.entity_type == entity_type,
        )
        .order_by(links.c.created_at, links.c.id)
    )
    return [_row_to_link(r) for r in rows]


def changed_since(
    conn: Connection, system: str, entity_type: str, fingerprint: str, since: float | None
) -> list[tuple[str, float]]:
    """(external id, when the link last changed) of the links of a type in `system` with
    this fingerprint, changed at or after `since` (all when None), oldest link first."""
    query = select(links.c.external_id, links.c.updated_at).where(
        links.c.system == system,
        links.c.entity_type == entity_type,
        links.c.fingerprint == fingerprint,
    )
    if since is not None:
        query = query.where(links.c.updated_at >= since)
    return [(r.external_id, r.updated_at) for r in conn.execute(query.order_by(links.c.id))]


def first_created_at(conn: Connection, system: str, entity_type: str) -> float | None:
    """When the first link of a type in `system` was made (None: there is none)."""
    return conn.execute(
        select(func.min(links.c.created_at)).where(
            links.c.system == system, links.c.entity_type == entity_type
        )
    ).scalar()


def relink(conn: Connection, system: str, entity_type: str, external_id: str, hub_id: str) -> None:
    """Move an existing link to another hub entity (a record found to be about another)."""
    conn.execute(
        update(links)
        .where(_keyed(system, entity_type, external_id), links.c.hub_id != hub_id)
        .values(hub_id=hub_id, updated_at=now())
    )


def remove(conn: Connection, system: str, entity_type: str, external_id: str) -> None:
    """Drop the link (a marker of work owed, once the work is done); none: nothing."""
    conn.execute(delete(links).where(_keyed(system, entity_type, external_id)))


def save(
    conn: Connection,
    *,
    hub_id: str,
    system: str,
    entity_type: str,
    external_id: str,
    fingerprint: str | None = None,
    remote_updated_at: float | None = None,
) -> Link:
    """Insert the link, or update fingerprint/updated_at of the existing one.

    Callers run this inside the transaction that records the effect, so a crash
    leaves either both or neither.
    """
    existing = find(conn, system, entity_type, external_id)
    stamp = now()
    if existing is None:
        conn.execute(
            links.insert().values(
                hub_id=hub_id,
                system=system,
                entity_type=entity_type,
                external_id=external_id,
                fingerprint=fingerprint,
                remote_updated_at=remote_updated_at,
                created_at=stamp,
                updated_at=stamp,
            )
        )
        search.note_link(conn, hub_id, system, entity_type, external_id)
        return Link(hub_id, system, entity_type, external_id, fingerprint, remote_updated_at, stamp)
    conn.execute(
        update(links)
        .where(_keyed(system, entity_type, external_id))
        .values(fingerprint=fingerprint, remote_updated_at=remote_updated_at, updated_at=stamp)
    )
    return Link(
        existing.hub_id, system, entity_type, external_id, fingerprint, remote_updated_at, stamp
    )


def save_fingerprints(
    conn: Connection, system: str, entity_type: str, values: dict[str, tuple[str, str]]
) -> None:
    """Record many (external_id -> (hub_id, fingerprint)) at once, e.g. published stock."""
    if not values:
        return
    known = find_many(conn, system, entity_type, list(values))
    stamp = now()
    new_rows = []
    for external_id, (hub_id, fingerprint) in values.items():
        if external_id in known:
            conn.execute(
                update(links)
                .where(
                    tuple_(links.c.system, links.c.entity_type, links.c.external_id)
                    == (system, entity_type, external_id)
                )
                .values(fingerprint=fingerprint, updated_at=stamp)
            )
        else:
            new_rows.append(
                dict(
                    hub_id=hub_id,
                    system=system,
                    entity_type=entity_type,
                    external_id=external_id,
                    fingerprint=fingerprint,
                    remote_updated_at=None,
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
    if new_rows:
        conn.execute(links.insert(), new_rows)
        for external_id in values.keys() - known.keys():
            search.note_link(conn, values[external_id][0], system, entity_type, external_id)


def forget_fingerprints(
    conn: Connection, system: str, entity_type: str, external_ids: list[str]
) -> None:
    """What was recorded of these is no longer known (a write the system refused after
    all): the next comparison finds them changed."""
    if external_ids:
        conn.execute(
            update(links)
            .where(
                links.c.system == system,
                links.c.entity_type == entity_type,
                links.c.external_id.in_(external_ids),
            )
            .values(fingerprint=None, updated_at=now())
        )
