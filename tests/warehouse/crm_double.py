"""A CRM for the warehouse tests: deals and contacts by modification time, two a page
(so every read spans pages), and an error on demand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from causeway.errors import PermanentError
from causeway.model.ports.crm_reporting import ContactSegment, DealFact, DealState

PAGE = 2


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


class CrmDouble:
    def __init__(self) -> None:
        self.deals: dict[str, DealFact] = {}
        self.contacts: dict[str, ContactSegment] = {}
        self.failing: str | None = None  # the error the next read raises
        self.asked: list[dt.datetime | None] = []

    # -- setting the scene ---------------------------------------------------------------
    def deal(
        self,
        deal_id: str,
        *,
        amount: str | None = "100.00",
        currency: str = "EUR",
        state: DealState | None = "open",
        stage: str | None = "appointmentscheduled",
        contacts: Sequence[str] = (),
        created: str = "2026-03-01",
        closed: str | None = None,
        modified: dt.datetime | None = None,
    ) -> None:
        self.deals[deal_id] = DealFact(
            deal_id=deal_id,
            name=f"Deal {deal_id}",
            pipeline="default",
            stage=stage,
            state=state,
            amount=None if amount is None else Decimal(amount),
            currency=currency,
            created_at=at(created),
            close_date=at(closed) if closed else None,
            modified_at=modified or dt.datetime.now(dt.UTC),
            contact_ids=tuple(contacts),
        )

    def contact(
        self,
        contact_id: str,
        stage: str | None,
        segment: str | None = None,
        modified: dt.datetime | None = None,
    ) -> None:
        self.contacts[contact_id] = ContactSegment(
            contact_id=contact_id,
            lifecycle_stage=stage,
            segment=segment,
            modified_at=modified or dt.datetime.now(dt.UTC),
        )

    # -- the port --------------------------------------------------------------------------
    def deals_since(self, modified_since: dt.datetime | None) -> Iterator[list[DealFact]]:
        self.asked.append(modified_since)
        yield from _pages(self.deals.values(), modified_since, self.failing)

    def contact_segments(
        self, modified_since: dt.datetime | None
    ) -> Iterator[list[ContactSegment]]:
        yield from _pages(self.contacts.values(), modified_since, self.failing)


def _pages(records: Iterable[Any], since: dt.datetime | None, failing: str | None) -> Iterator[Any]:
    found = sorted(
        (r for r in records if since is None or r.modified_at >= since),
        key=lambda r: r.modified_at,
    )
    for start in range(0, len(found), PAGE):
        if failing and start >= PAGE:  # an error after a page was given: nothing kept
            raise PermanentError(failing)
        yield found[start : start + PAGE]
    if failing and len(found) <= PAGE:
        raise PermanentError(failing)
