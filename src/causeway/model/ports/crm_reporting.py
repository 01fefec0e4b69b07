"""What the warehouse reads from the CRM (docs/warehouse.md): deals and contacts' segments.

Reads only, page by page, by modification time: the build (warehouse/build.py) asks for
what changed since its watermark, so a later build sees a deal that moved stage or a
contact whose lifecycle stage changed. Ids are the CRM's own, as the hub's links hold
them (a deal placed by quotes-to-erp, a contact written by customers-to-crm), which is
how the warehouse finds the golden customer and the ERP sale of a deal.

Money is the deal's amount in the deal's own currency; the warehouse converts it with
the ERP's rates, never with the CRM's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

# open: still in the pipeline; won / lost: closed that way. None: the CRM does not say
# (a stage it has no closed flag for, or no stage at all).
DealState = Literal["open", "won", "lost"]


class DealFact(BaseModel):
    model_config = ConfigDict(frozen=True)

    deal_id: str
    name: str | None
    pipeline: str | None
    stage: str | None  # the CRM's stage id, as it is (an unknown stage is kept, not refused)
    state: DealState | None
    amount: Decimal | None  # None: the deal has no amount (or not a number)
    currency: str  # ISO 4217: the deal's, else the CRM account's own currency
    created_at: dt.datetime | None  # UTC
    close_date: dt.datetime | None  # UTC: when it closed, or is expected to
    modified_at: dt.datetime  # UTC: what the watermark follows
    contact_ids: tuple[str, ...] = ()  # its associated contacts, in ascending id order


class ContactSegment(BaseModel):
    model_config = ConfigDict(frozen=True)

    contact_id: str
    lifecycle_stage: str | None  # subscriber, lead, ..., customer, evangelist, other
    segment: str | None  # the hub's RFM segment on the contact (causeway_segment)
    modified_at: dt.datetime  # UTC


@runtime_checkable
class CrmReporting(Protocol):
    def deals_since(self, modified_since: dt.datetime | None) -> Iterator[list[DealFact]]:
        """Deals modified at or after `modified_since` (every deal when None), in pages,
        oldest change first; a deal may come twice (a page boundary, a retried read):
        the later one wins."""
        ...

    def contact_segments(
        self, modified_since: dt.datetime | None
    ) -> Iterator[list[ContactSegment]]:
        """Contacts modified at or after `modified_since`, with their lifecycle stage and
        segment, in pages, oldest change first."""
        ...
