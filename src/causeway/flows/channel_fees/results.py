"""What a channel-fees run works on and what it did."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pending:
    """An order of a marketplace in the ERP whose fees are not booked yet."""

    channel: str
    external_id: str
    hub_id: str
    reference: str
    updated_at: float


@dataclass
class RunResult:
    booked: list[str] = field(default_factory=list)  # references booked now
    waiting: list[str] = field(default_factory=list)  # nothing posted by the channel yet
    failed: dict[str, str] = field(default_factory=dict)  # reference -> why
    refunds: list[str] = field(default_factory=list)  # "<reference> refund <n>" booked now
    rechecked: list[str] = field(default_factory=list)  # booked orders asked about again
    refunded: list[str] = field(default_factory=list)  # orders the channels named refunded
    # Orders with a refund still owed (a marker, owed.py) asked about again.
    owed: list[str] = field(default_factory=list)
    # Channels a refunded order could not be asked about for this run: their refund
    # cursor stays put. (A refund the ERP refused is carried by its order's marker.)
    refunds_failed: set[str] = field(default_factory=set)
    # "<channel> <period id>": account fees booked now (account_fees.py).
    account_fees: list[str] = field(default_factory=list)
    # "<channel> <period id>": settlement periods still open, asked about again next run.
    account_fees_open: list[str] = field(default_factory=list)
