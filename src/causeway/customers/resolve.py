"""resolve(): the one call a flow makes with what a system says about a customer.

It finds the golden record (by the system's link, else by matching, else a new
one), offers the values to the survivorship rules, merges records that this
observation shows to be one person, and says which systems now hold stale values.
It only writes the hub's database, inside the caller's transaction, so the link,
the record and the merge log commit together; replaying the same observation
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Connection

from causeway.config.customers import CustomerSettings
from causeway.customers import normalise
from causeway.customers.matching import (
    Decision,
    Profile,
    best_match,
    blocking_keys,
    profile,
    record_keys,
    record_profile,
)
from causeway.customers.merges import CUSTOMER, merge
from causeway.customers.record import GoldenRecord, ObservedCustomer
from causeway.customers.survivorship import apply
from causeway.engine import golden_records, links


@dataclass(frozen=True)
class Resolution:
    customer_id: str
    decision: Literal["linked", "matched", "created"]
    reason: str
    changed: dict[str, Any]  # golden fields whose value changed, with the new value
    # system -> field -> the value that system must now hold (its owner changed it,
    # or the system itself sent a value that lost).
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    merge_ids: tuple[int, ...] = ()


def _matches(
    conn: Connection, mine: Profile, settings: CustomerSettings, exclude: str | None
) -> list[tuple[str, Decision]]:
    ids = golden_records.candidates(conn, blocking_keys(mine)) - {exclude}
    stored = golden_records.load_many(conn, {i for i in ids if i})
    others = {cid: record_profile(c.record, settings) for cid, c in stored.items()}
    return best_match(mine, others, settings.match_threshold)


def _canonical(values: dict[str, Any], mine: Profile) -> dict[str, Any]:
    """A valid email or phone is kept in its normalised form, so that the same number
    written two ways is one value, not a change to send everywhere; an invalid one is
    kept as sent."""
    canonical = dict(values)
    # Not mine.emails: dropping dots and +tags is for matching only, never stored.
    if email := normalise.email(values.get("email")):
        canonical["email"] = email
    if "phone" in values and mine.phones:
        canonical["phone"] = next(iter(mine.phones))
    return canonical


def _linked(
    conn: Connection, system: str, external_id: str
) -> golden_records.StoredCustomer | None:
    link = links.find(conn, system, CUSTOMER, external_id)
    if link is None:
        return None
    customer = golden_records.load(conn, link.hub_id)
    while customer.merged_into:  # links move on merge; this only guards old rows
        customer = golden_records.load(conn, customer.merged_into)
    return customer


def resolve(
    conn: Connection,
    source_system: str,
    external_id: str,
    observed_fields: dict[str, Any],
    observed_at: float,
    settings: CustomerSettings,
) -> Resolution:
    """Which golden customer `source_system`'s customer `external_id` is, updated with
    what that system observed at `observed_at` (epoch seconds).

    Raises InvalidPayloadError naming the field when observed_fields are malformed.
    """
    observed = ObservedCustomer.parse(observed_fields, f"{source_system} customer {external_id}")
    mine = profile(observed.values(), settings)
    values = _canonical(observed.values(), mine)

    customer = _linked(conn, source_system, external_id)
    matches: list[tuple[str, Decision]] = []
    if customer is not None:
        decision: Literal["linked", "matched", "created"] = "linked"
        reason = f"{source_system} customer {external_id} is linked to it"
    else:
        matches = _matches(conn, mine, settings, exclude=None)
        if matches:
            decision, reason = "matched", matches[0][1].reason
            customer = golden_records.load(conn, matches[0][0])
            matches = matches[1:]
        else:
            decision, reason = "created", "no existing customer matches"
            customer = golden_records.create(conn, GoldenRecord())
        links.save(
            conn,
            hub_id=customer.id,
            system=source_system,
            entity_type=CUSTOMER,
            external_id=external_id,
        )

    changed = apply(customer.record, values, source_system, observed_at, settings)
    customer.record.remember(values)
    golden_records.save(conn, customer)

    # This observation can show two records to be one person: its email is on one,
    # its phone on another.
    if decision == "linked":
        matches = _matches(conn, mine, settings, exclude=customer.id)
    merged_ids: list[int] = []
    moved_systems: set[str] = set()
    for other_id, why in matches:
        done = merge(
            conn, customer.id, other_id, f"{source_system} {external_id}: {why.reason}", settings
        )
        merged_ids.append(done.merge_id)
        changed.update(done.changed)
        moved_systems |= done.moved_systems
    customer = golden_records.load(conn, customer.id)
    golden_records.file_keys(conn, customer.id, record_keys(customer.record, settings))
    updates = _stale_systems(
        conn, customer.id, customer.record, source_system, values, changed, moved_systems
    )
    return Resolution(customer.id, decision, reason, changed, updates, tuple(merged_ids))


def _stale_systems(
    conn: Connection,
    customer_id: str,
    record: GoldenRecord,
    source_system: str,
    values: dict[str, Any],
    changed: dict[str, Any],
    moved_systems: set[str],
) -> dict[str, dict[str, Any]]:
    golden = record.plain()
    updates: dict[str, dict[str, Any]] = {}
    systems = {
        link.system for link in links.for_hub(conn, customer_id) if link.entity_type == CUSTOMER
    }
    for system in sorted(systems):
        if system in moved_systems:
            # It knew the merged-away record: everything golden may be new to it.
            stale = dict(golden)
        elif system == source_system:
            stale = {f: golden[f] for f, v in values.items() if golden.get(f) != v}
            stale.update({f: v for f, v in changed.items() if f not in values})
        else:
            stale = dict(changed)
        if stale:
            updates[system] = stale
    return updates
