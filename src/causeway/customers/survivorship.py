"""Which value of a field survives when systems disagree.

Three rules, chosen per field in causeway.yaml (`customers.rules`):
- source: one system owns the field. Its value always wins; other systems' values
  only stand in (newest first) until the owner has said something.
- newest: the most recent observation wins; an older one never overwrites a newer one.
- fill_empty: the first value stays; later ones only fill a field that is empty.
An observation that leaves a field out says nothing about it: nothing is ever cleared.
"""

from __future__ import annotations

from typing import Any

from causeway.config.customers import CustomerSettings, FieldRule
from causeway.customers.record import FieldValue, GoldenRecord


def wins(rule: FieldRule, held: FieldValue | None, offered: FieldValue) -> bool:
    """Does `offered` replace `held` under `rule`?"""
    if held is None:
        return True
    if rule.rule == "fill_empty":
        return False
    if rule.rule == "source":
        held_is_owner, offered_is_owner = held.source == rule.source, offered.source == rule.source
        if held_is_owner != offered_is_owner:
            return offered_is_owner
    # Ties keep what is held, so replaying the same observation changes nothing.
    return offered.at > held.at


def apply(
    record: GoldenRecord,
    values: dict[str, Any],
    source: str,
    at: float,
    settings: CustomerSettings,
) -> dict[str, Any]:
    """Offer one system's values to the record; return field -> new value for each
    field whose value changed."""
    offered = {
        field: FieldValue(value=value, source=source, at=at) for field, value in values.items()
    }
    return offer(record, offered, settings)


def offer(
    record: GoldenRecord, offered: dict[str, FieldValue], settings: CustomerSettings
) -> dict[str, Any]:
    """Like apply(), for values that each carry their own source and time (a merge)."""
    changed: dict[str, Any] = {}
    for field, candidate in offered.items():
        held = record.fields.get(field)
        if not wins(settings.rule_for(field), held, candidate):
            continue
        record.fields[field] = candidate
        if held is None or held.value != candidate.value:
            changed[field] = candidate.value
    return changed
