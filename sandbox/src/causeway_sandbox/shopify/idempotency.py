"""Shopify's `@idempotent(key:)` directive: a call sent again with its key is answered
again, not applied again.

Shopify added the directive to the inventory and refund mutations in 2026-01 and made
it mandatory in 2026-04 (the schema cannot say so; Shopify refuses such a call at
run time). The same key with the same input gets the first answer back; the same key
with another input gets IDEMPOTENCY_KEY_PARAMETER_MISMATCH. The sandbox keeps the last
KEPT keys (Shopify keeps them for a while, too); the wording of the missing-key error is
the sandbox's own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo
from graphql.execution.values import get_directive_values

from causeway_sandbox.shopify.store import Store

REQUIRED_FROM = "2026-04"  # versions compare as text: "YYYY-MM" sorts by date
KEPT = 10_000  # a long demo or soak run writes stock all day
MISMATCH = {
    "code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
    "field": None,
    "message": "The same idempotency key cannot be used with different operation parameters.",
}


def key_of(info: GraphQLResolveInfo) -> str | None:
    directive = info.schema.get_directive("idempotent")
    if directive is None:  # a version before the directive existed
        return None
    values = get_directive_values(directive, info.field_nodes[0], info.variable_values)
    return values["key"] if values else None


def once(
    store: Store,
    info: GraphQLResolveInfo,
    inputs: dict[str, Any],
    run: Callable[[], dict[str, Any]],
    refused: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """`run()`'s answer, computed once per idempotency key; `refused(user_error)` is the
    field's payload for a key reused with other inputs."""
    key = key_of(info)
    version = info.context["api_version"]
    if key is None:
        if version >= REQUIRED_FROM:
            raise GraphQLError(
                f"{info.field_name} requires an idempotency key as of API version "
                f"{REQUIRED_FROM}: add @idempotent(key: ...) to the field, with a new key per "
                f"operation (a UUID) and the same key when sending it again",
                extensions={"code": "BAD_REQUEST"},
            )
        return run()
    if not key.strip():
        raise GraphQLError(
            "The idempotency key cannot be an empty string or whitespace only.",
            extensions={"code": "BAD_REQUEST"},
        )
    fingerprint = json.dumps(inputs, sort_keys=True, default=str)
    with store.lock:
        seen = store.idempotent.get((info.field_name, key))
        if seen is None:
            seen = store.idempotent[(info.field_name, key)] = (fingerprint, run())
            if len(store.idempotent) > KEPT:
                del store.idempotent[next(iter(store.idempotent))]
    return seen[1] if seen[0] == fingerprint else refused(MISMATCH)
