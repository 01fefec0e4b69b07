"""The two kinds of failure every connector and flow signals deliberately.

The engine decides what to do with a job from the class of the exception alone:
a RetryableError backs off and tries again, a PermanentError parks the job as dead
with its message as the reason an operator reads. Anything else is treated as
retryable (an unexpected bug may be a passing condition), but after the retry
budget the job is parked all the same, so nothing loops forever.
"""

from __future__ import annotations


class CausewayError(Exception):
    """Base class for errors Causeway raises on purpose."""


class RetryableError(CausewayError):
    """A passing condition: the remote system is down, slow, throttled or busy.

    retry_after, when known (a Retry-After header, a throttle estimate), is the
    number of seconds to wait before the next attempt.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimitedError(RetryableError):
    """The remote system kept refusing for its rate limit (429, throttled) longer than
    one request waits: the job backs off like any retryable one, and should it run out
    of attempts, the operator sees a rate limit, not a connection failure."""


class PermanentError(CausewayError):
    """The same attempt will fail again until a person fixes something.

    The message is the reason shown by `causeway status`, so it must say what is
    wrong and, where possible, what to do about it.
    """


class UnknownSkuError(PermanentError):
    """An order line names a SKU the ERP does not know."""

    def __init__(self, skus: list[str], system: str) -> None:
        self.skus = sorted(set(skus))
        names = ", ".join(self.skus)
        super().__init__(
            f"unknown SKU {names} in {system}: create the product in {system} "
            f"(or fix the SKU in the store), then run `causeway replay`"
        )


class MissingMasterDataError(PermanentError):
    """The target system lacks a record the hub needs and does not create on its own: a
    tax, a price list, a warehouse, a payment method, a carrier, a party, a location.
    A person creates it (or corrects the setting that names it), then replays."""


class AmountMismatchError(PermanentError):
    """The amounts of the two systems differ (a sale's total against the order's, a
    payment against the invoice): a person decides which is right."""


class InvalidPayloadError(PermanentError):
    """A received payload does not have the shape the vendor's contract promises."""


class ConfigError(CausewayError):
    """causeway.yaml is missing, unreadable or invalid; the message names the key and the fix."""
