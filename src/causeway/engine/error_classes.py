"""The class of a parked job's error: what kind of fix it needs, for the Problems page.

The engine classifies when it parks a job (engine/worker.py), from the exception the
flow raised, never by reading the message: connectors and flows say what went wrong
by the class they raise (causeway/errors.py). An operator works a queue of problems by
kind: create the missing products in the ERP and replay every "unknown product", wait
out a connection failure, edit an invalid payload. The order of the checks matters:
the specific subclasses before their bases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from causeway.errors import (
    AmountMismatchError,
    InvalidPayloadError,
    MissingMasterDataError,
    PermanentError,
    RateLimitedError,
    RetryableError,
    UnknownSkuError,
)

UNKNOWN_PRODUCT = "unknown_product"
MISSING_MASTER_DATA = "missing_master_data"
INVALID_PAYLOAD = "invalid_payload"
AMOUNT_MISMATCH = "amount_mismatch"
REJECTED = "rejected"
CONNECTION = "connection"
RATE_LIMIT = "rate_limit"
# Not one of Causeway's own errors (a bug, a surprise) that used up its attempts.
UNEXPECTED = "unexpected"

# Every class, in the order the console lists them, with the label people read.
LABELS: dict[str, str] = {
    UNKNOWN_PRODUCT: "unknown product",
    MISSING_MASTER_DATA: "missing master data",
    INVALID_PAYLOAD: "invalid payload",
    AMOUNT_MISMATCH: "amount mismatch",
    REJECTED: "rejected by the target system",
    CONNECTION: "connection",
    RATE_LIMIT: "rate limit",
    UNEXPECTED: "unexpected error",
}
CLASSES = tuple(LABELS)


@dataclass(frozen=True)
class ErrorClass:
    name: str
    # What the page shows beside the message, e.g. {"skus": ["X-1"]} for an unknown product.
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return LABELS[self.name]


def classify(error: BaseException) -> ErrorClass:
    """The class of the error a job was parked with."""
    if isinstance(error, UnknownSkuError):
        return ErrorClass(UNKNOWN_PRODUCT, {"skus": list(error.skus)})
    if isinstance(error, MissingMasterDataError):
        return ErrorClass(MISSING_MASTER_DATA)
    if isinstance(error, InvalidPayloadError | ValidationError):
        return ErrorClass(INVALID_PAYLOAD)
    if isinstance(error, AmountMismatchError):
        return ErrorClass(AMOUNT_MISMATCH)
    if isinstance(error, PermanentError):
        # The target refused: a 4xx, a business rule, a state it will not leave.
        return ErrorClass(REJECTED)
    if isinstance(error, RateLimitedError):
        return ErrorClass(RATE_LIMIT)
    if isinstance(error, RetryableError | ConnectionError | TimeoutError):
        return ErrorClass(CONNECTION)
    return ErrorClass(UNEXPECTED, {"type": type(error).__name__})


def label(name: str | None) -> str:
    """A stored class's label; jobs parked before classes existed have none."""
    return LABELS.get(name or "", "unclassified")
