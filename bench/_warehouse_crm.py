"""bench/warehouse.py's CRM: SYNTHETIC BENCH DATA, not the HubSpot connector.

One deal per 10 orders (40,000 with 1,000,000 order lines), each a pure function of its
index like the orders (bench/_warehouse_data.py): three pipelines; open, won and lost;
EUR and, one in four, USD; created on the day of the order it is about. A won deal
became that order: the hub holds the deal's link and the ERP sale's link on the order's
hub id, as quotes-to-erp leaves them, so the build finds which deals are in the ERP.
`BenchCrm` answers the warehouse build's CrmReporting reads from the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from bench._warehouse_data import CHUNK, Shape, order
from causeway.engine.schema import links
from causeway.engine.store import Store
from causeway.model.ports.crm_reporting import ContactSegment, DealFact, DealState

CRM = "crm"  # the CRM system's name in the bench's configuration
PIPELINES = ("sales", "wholesale", "renewals")
STATES: tuple[DealState, ...] = ("open", "won", "lost", "won", "open")
PAGE = 2_000


def deals(shape: Shape) -> int:
    return shape.orders // 10


def deal(i: int, shape: Shape) -> DealFact:
    """Deal i, about order 10 * i."""
    about = order(10 * i, shape)
    created = dt.datetime.combine(about.day, dt.time(6), dt.UTC)
    return DealFact(
        deal_id=f"d{i}",
        name=None,
        pipeline=PIPELINES[i % 3],
        stage=STATES[i % 5],
        state=STATES[i % 5],
        amount=Decimal(100 + (i % 50) * 17),
        currency="USD" if i % 4 == 3 else "EUR",
        created_at=created,
        close_date=created + dt.timedelta(days=14),
        modified_at=created + dt.timedelta(days=7),
        contact_ids=(f"c{i % 5000}",),
    )


class BenchCrm:
    def __init__(self, shape: Shape) -> None:
        self.shape = shape

    def deals_since(self, modified_since: dt.datetime | None) -> Iterator[list[DealFact]]:
        page: list[DealFact] = []
        for i in range(deals(self.shape)):
            found = deal(i, self.shape)
            if modified_since is None or found.modified_at >= modified_since:
                page.append(found)
            if len(page) == PAGE:
                yield page
                page = []
        if page:
            yield page

    def contact_segments(
        self, modified_since: dt.datetime | None
    ) -> Iterator[list[ContactSegment]]:
        return iter(())  # no contact is linked to a golden customer in the bench


def fill_deal_links(store: Store, shape: Shape) -> int:
    """The hub's links of the won deals and of the ERP sales they became; rows written."""
    rows: list[dict[str, Any]] = []
    stamp = dt.datetime.combine(shape.last_day, dt.time(), dt.UTC).timestamp()
    for i in range(deals(shape)):
        if STATES[i % 5] != "won":
            continue
        about = order(10 * i, shape)
        for system, kind, external in ((CRM, "deal", f"d{i}"), ("erp", "sale", str(about.n + 1))):
            rows.append(
                {"hub_id": about.hub_id, "system": system, "entity_type": kind,
                 "external_id": external, "created_at": stamp, "updated_at": stamp}
            )  # fmt: skip
    with store.transaction() as conn:
        for start in range(0, len(rows), CHUNK):
            conn.execute(links.insert(), rows[start : start + CHUNK])
    return len(rows)
