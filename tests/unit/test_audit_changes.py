"""What the audit log shows of a change: the values that differ, by path, so that one
field edited in a large record reads as that field, not the record twice."""

from __future__ import annotations

from typing import Any

from causeway.engine.audit import AuditEntry


def entry(before: Any, after: Any) -> AuditEntry:
    return AuditEntry(1, 0.0, "ann@example.com", "job.edit", "job:7", before, after, None)


def test_one_field_edited_deep_in_a_record_is_shown_by_its_path_alone() -> None:
    order = {"id": 1001, "email": "a@example.com", "line_items": [{"sku": "WlD-001", "qty": 3}]}
    fixed = {**order, "line_items": [{"sku": "WID-001", "qty": 3}]}
    changes = entry({"inbox_id": 2, "body": order}, {"inbox_id": 3, "body": fixed}).changes()
    assert changes == [("inbox_id", 2, 3), ("body.line_items.0.sku", "WlD-001", "WID-001")]


def test_an_edits_own_list_of_what_changed_is_not_shown_again() -> None:
    order = {"id": 1001, "line_items": [{"sku": "WlD-001", "qty": 3}]}
    fixed = {**order, "line_items": [{"sku": "WID-001", "qty": 3}]}
    edited = entry(
        {"inbox_id": 2, "body": order},
        {
            "inbox_id": 3,
            "body": fixed,
            "changed": [{"path": "line_items.0.sku", "before": "WlD-001", "after": "WID-001"}],
        },
    )
    assert edited.changes() == [("inbox_id", 2, 3), ("body.line_items.0.sku", "WlD-001", "WID-001")]
    assert edited.after["changed"]  # the record keeps it, for the API and the CLI


def test_added_and_removed_fields_and_a_list_that_changed_length() -> None:
    changes = entry({"role": "viewer", "tags": ["a"]}, {"tags": ["a", "b"], "note": "x"}).changes()
    assert changes == [("role", "viewer", None), ("tags", ["a"], ["a", "b"]), ("note", None, "x")]


def test_a_value_that_is_not_an_object_is_one_change_and_an_unchanged_one_none() -> None:
    assert entry("paused", "running").changes() == [("", "paused", "running")]
    assert entry({"a": {"b": 1}}, {"a": {"b": 1}}).changes() == []
    assert entry(None, {"paused": True}).changes() == [("", None, {"paused": True})]
