"""Relay connections with Shopify's rules: opaque keyset cursors, first/last up to 250.

A cursor encodes the sort key and value of the last row seen plus its id, so the
next page starts strictly after that row even when rows were added or changed in
between: an order updated while a client pages by UPDATED_AT moves to the end
and is seen again, which is exactly what happens on Shopify and what a hub's
cursor-with-overlap logic must survive. A cursor from another sort order is
refused, as Shopify refuses it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLError

MAX_PAGE = 250


def encode_cursor(sort: str, value: Any, row_id: int) -> str:
    raw = json.dumps({"last_id": row_id, "last_value": value, "sort": sort}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if data["sort"] != sort:
            raise ValueError("sort mismatch")
        return data["last_value"], int(data["last_id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise GraphQLError("Invalid cursor for current pagination sort.") from exc


def _check_size(first: int | None, last: int | None) -> None:
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    if first is not None and last is not None:
        raise GraphQLError("providing both first and last is not supported")
    size = first if first is not None else last
    assert size is not None
    if size < 0 or size > MAX_PAGE:
        raise GraphQLError(
            f"The first and last arguments must be between 0 and {MAX_PAGE}.",
            extensions={"code": "BAD_REQUEST"},
        )


def paginate(
    rows: Sequence[Any],
    *,
    sort: str,
    key: Callable[[Any], tuple[Any, int]],
    node: Callable[[Any], dict[str, Any]],
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    reverse: bool = False,
) -> dict[str, Any]:
    """One page of `rows` as a connection dict (edges, nodes, pageInfo).

    `key(row)` is (sort value, id); sort values must be JSON-serialisable and
    comparable, so times are passed as ISO strings in UTC.
    """
    _check_size(first, last)
    ordered = sorted(rows, key=key, reverse=reverse)
    keys = [key(r) for r in ordered]

    def position_after(cursor: str) -> int:
        value, row_id = decode_cursor(cursor, sort)
        mark = (value, row_id)
        for i, k in enumerate(keys):
            if (k > mark) if not reverse else (k < mark):
                return i
        return len(keys)

    start, end = 0, len(ordered)
    if after:
        start = position_after(after)
    if before:
        value, row_id = decode_cursor(before, sort)
        mark = (value, row_id)
        # rows strictly before the `before` row: a prefix of the sorted rest
        end = start + sum(1 for k in keys[start:] if ((k < mark) if not reverse else (k > mark)))
    if first is not None:
        end = min(end, start + first)
    elif last is not None:
        start = max(start, end - last)
    window = ordered[start:end]
    edges = []
    for row in window:
        value, row_id = key(row)
        edges.append({"cursor": encode_cursor(sort, value, row_id), "node": node(row)})
    return {
        "edges": edges,
        "nodes": [e["node"] for e in edges],
        "pageInfo": {
            "hasNextPage": end < len(ordered),
            "hasPreviousPage": start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }
