"""Writing through WooCommerce's batch endpoints: 100 items a call, one outcome per item.

`POST /products/batch` (and `/products/{id}/variations/batch`) takes `create`,
`update` and `delete` lists, at most 100 items in all, and answers the same lists in
the same order: the object written, or `{"id": .., "error": {code, message, data}}`
for an item it refused. Larger sets are split here; every item gets its own outcome,
so one refused SKU is parked alone while the others are written. A call WooCommerce
refuses as a whole (HTTP 400) or answers with something unreadable is reported on
each of its items the same way; only a store that stays unreachable (RetryableError)
fails the lot, to be tried again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from causeway.connectors.woocommerce.client import WooCommerceClient
from causeway.connectors.woocommerce.models import WooBatchResult, parse
from causeway.connectors.woocommerce.refusals import WooCommerceError, describe, error_parts
from causeway.errors import PermanentError

MAX_ITEMS = 100  # per call, create + update + delete together
Kind = Literal["create", "update", "delete"]
KINDS: tuple[Kind, ...] = ("create", "update", "delete")


@dataclass(frozen=True)
class BatchItem:
    """One item to write: `body` is the object (with its `id` to update), or the id to
    delete; `ref` is the caller's name for it in messages (a SKU)."""

    kind: Kind
    body: dict[str, Any] | int
    ref: str


@dataclass(frozen=True)
class ItemOutcome:
    item: BatchItem
    written: dict[str, Any] | None = None  # the object WooCommerce answered
    error: PermanentError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def chunks(items: Sequence[BatchItem], size: int = MAX_ITEMS) -> Iterator[Sequence[BatchItem]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_batch(
    client: WooCommerceClient, path: str, items: Sequence[BatchItem], *, what: str
) -> list[ItemOutcome]:
    """Send `items` to the batch endpoint `path`; one outcome per item, in their order.

    what: what the items are, for messages ("stock of", "product").
    """
    outcomes: list[ItemOutcome] = []
    for chunk in chunks(items):
        outcomes.extend(_one_call(client, path, chunk, what))
    return outcomes


def _one_call(
    client: WooCommerceClient, path: str, chunk: Sequence[BatchItem], what: str
) -> list[ItemOutcome]:
    sent = {kind: [item for item in chunk if item.kind == kind] for kind in KINDS}
    payload = {kind: [item.body for item in items] for kind, items in sent.items() if items}
    try:
        answer = parse(WooBatchResult, client.post(path, payload), "batch answer")
    except PermanentError as refused:
        # Refused or unreadable as a whole: nothing says any item was written.
        return [ItemOutcome(item, error=_item_error(item, what, refused)) for item in chunk]
    by_item: dict[int, ItemOutcome] = {}
    for kind, items in sent.items():
        answered = getattr(answer, kind)
        for position, item in enumerate(items):
            entry = answered[position] if position < len(answered) else None
            by_item[id(item)] = _outcome(item, entry, what)
    return [by_item[id(item)] for item in chunk]


def _outcome(item: BatchItem, entry: dict[str, Any] | None, what: str) -> ItemOutcome:
    if entry is None:
        missing = PermanentError("WooCommerce answered nothing for it")
        return ItemOutcome(item, error=_item_error(item, what, missing))
    error = entry.get("error")
    if error:
        code, _message, params = error_parts(error)
        data = error.get("data") if isinstance(error, dict) else None
        status = data.get("status") if isinstance(data, dict) else None
        return ItemOutcome(
            item,
            error=WooCommerceError(
                f"WooCommerce refused {what} {item.ref}: {describe(error)}",
                status=status if isinstance(status, int) else None,
                code=code,
                params=params,
            ),
        )
    return ItemOutcome(item, written=entry)


def _item_error(item: BatchItem, what: str, reason: PermanentError) -> WooCommerceError:
    """The whole call's failure, told about one of its items (keeping WooCommerce's code)."""
    return WooCommerceError(
        f"{what} {item.ref} not written: {reason}",
        status=getattr(reason, "status", None),
        code=getattr(reason, "code", None),
        params=getattr(reason, "params", None),
    )
