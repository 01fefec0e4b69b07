"""Account fees: what a marketplace charged the seller's account, not an order (Amazon's
monthly subscription, FBA storage fees), booked in the ERP once per closed settlement period.

Each run of channel-fees asks each channel, from its cursor (engine/cursors.py, stream
"channel-fees:account-fees", over the periods' start dates, read with `overlap`), for the
settlement periods started since (ChannelFees.account_fees_since: for Amazon its financial
event groups), and for each closed one whose fees are not linked yet books them
(ErpChannelFees.book_account_fees: for Tryton one posted supplier invoice
`<channel>-account-fees-<group id>`, found by its reference before it is created) and
writes the link (erp, "account-fees", group id) with "<total> <currency>" and, on the same
hub id, an "account-fees" entity whose summary holds what the warehouse needs
(fact_account_fees: the channel, the period's id, start and end, the total and currency,
when it was booked). A period with no
account fees (or fees netting zero) books nothing. An open period is not booked: it is
marked (a link (channel, "account-fees-open", period id) with its start), and every run
asks from the earliest marked start until the period is closed and booked, when the mark
goes. The cursor moves to the span's end on every run where every closed period found is
booked, so that its stalled-cursor alert means a person is needed, never a period that is
merely still open (Amazon's stay open two weeks); one the ERP refuses (fees in two
currencies) is named in the run's failures, holds the cursor and is asked about again next
run. The first run looks back `window`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from causeway.engine import entities, links
from causeway.engine.cursors import Cursor
from causeway.engine.links import Link
from causeway.engine.store import Store
from causeway.errors import PermanentError
from causeway.flows.channel_fees.results import RunResult
from causeway.model.ports.fees import AccountFees, BookedFees, ChannelFees, ErpChannelFees

log = logging.getLogger("causeway.flows.channel_fees")

# Link type: the ERP's booking of one settlement period's account fees (external id: the
# channel's period id), fingerprint "<total> <currency>"; also the type of the entity on
# the same hub id that records the period (engine/warehouse_rows.py reads both).
ACCOUNT_FEES = "account-fees"
BOOKED = "booked"
STREAM = "channel-fees:account-fees"
# Link type: a settlement period the marketplace showed open (system: the channel, external
# id: the period's id, fingerprint: its start), asked about from its start until closed.
OPEN_PERIOD = "account-fees-open"


class AccountFeeBooking:
    """The account fees of each channel's closed settlement periods, booked once."""

    def __init__(
        self,
        store: Store,
        *,
        channels: Mapping[str, ChannelFees],
        target: str,
        erp: ErpChannelFees,
        party: str,
        fees_account: str | None,
        window: float,
        overlap: float,
    ) -> None:
        self.store = store
        self.channels = dict(channels)
        self.target = target
        self.erp = erp
        self.party = party
        self.fees_account = fees_account
        self.window = window
        self.cursors = {
            channel: Cursor(store, channel, STREAM, timedelta(seconds=overlap), flow="channel-fees")
            for channel in self.channels
        }

    def run(self, result: RunResult) -> None:
        for channel in self.channels:
            self._book_channel(channel, result)

    def _book_channel(self, channel: str, result: RunResult) -> None:
        cursor = self.cursors[channel]
        since = cursor.window_start()
        if since is None:  # the first run: as far back as account fees are looked for
            since = datetime.now(UTC) - timedelta(seconds=self.window)
        with self.store.read() as conn:
            waiting = links.all_of_type(conn, channel, OPEN_PERIOD)
        # A period seen open is asked about again, from its start, until it is closed.
        since = min([since, *(started(link) for link in waiting.values())])
        try:
            found = self.channels[channel].account_fees_since(since)
        except PermanentError as exc:
            result.failed[f"{channel} account fees since {since.isoformat()}"] = str(exc)
            return
        with self.store.read() as conn:
            linked = links.find_many(
                conn, self.target, ACCOUNT_FEES, [p.group_id for p in found.closed]
            )
        handled: list[str] = []  # closed periods booked now or before, or with nothing owed
        for period in found.closed:
            owes = any(total != 0 for total in period.totals().values())
            if period.group_id in linked or not owes:
                handled.append(period.group_id)  # booked before (read again), or no fees
            elif self._book(channel, period, result):
                handled.append(period.group_id)
        result.account_fees_open += [f"{channel} {group_id}" for group_id, _ in found.open]
        with self.store.transaction() as conn:
            wait_for(conn, channel, found.open)
            for group_id in handled:
                links.remove(conn, channel, OPEN_PERIOD, group_id)
        if len(handled) < len(found.closed):
            # The span is kept: the next run asks again, and what was booked is linked.
            log.warning("fees: %s account fees since %s kept for the next run", channel, since)
            return
        # The watermark moves on every run, so an alert on it means a person is needed: a
        # period held open for weeks is carried by its mark, not by the cursor.
        cursor.advance(found.until)

    def _book(self, channel: str, period: AccountFees, result: RunResult) -> bool:
        try:
            booked = self.erp.book_account_fees(
                channel, period, party=self.party, account=self.fees_account
            )
        except PermanentError as exc:
            result.failed[f"{channel} account fees {period.group_id}"] = str(exc)
            return False
        with self.store.transaction() as conn:
            record(conn, self.target, channel, period, booked, booked_at=time.time())
        result.account_fees.append(f"{channel} {period.group_id}")
        return True


def record(
    conn: Connection,
    target: str,
    channel: str,
    period: AccountFees,
    booked: BookedFees,
    *,
    booked_at: float,
) -> None:
    """The ERP's booking of the period, in the caller's transaction: the link (what was
    booked) and, on its hub id, the entity with the period's channel and dates, which the
    warehouse needs too (a report counts a period by its end)."""
    hub_id = links.new_hub_id()
    links.save(
        conn,
        hub_id=hub_id,
        system=target,
        entity_type=ACCOUNT_FEES,
        external_id=period.group_id,
        fingerprint=f"{booked.total} {booked.currency}",
        remote_updated_at=booked_at,
    )
    entities.merge(
        conn,
        hub_id,
        {
            "channel": channel,
            "period_id": period.group_id,
            "period_start": period.started_at.isoformat(),
            "period_end": period.ended_at.isoformat() if period.ended_at else None,
            "total": str(booked.total),
            "currency": booked.currency,
            "booked_at": booked_at,
        },
        entity_type=ACCOUNT_FEES,
        state=BOOKED,
    )


def wait_for(conn: Connection, channel: str, periods: Sequence[tuple[str, datetime]]) -> None:
    """Mark each open period (its id, its start) to be asked about until it is closed."""
    for group_id, start in periods:
        links.save(
            conn,
            hub_id=links.new_hub_id(),
            system=channel,
            entity_type=OPEN_PERIOD,
            external_id=group_id,
            fingerprint=start.isoformat(),
        )


def started(mark: Link) -> datetime:
    """The start of a period marked open (wait_for)."""
    return datetime.fromisoformat(str(mark.fingerprint))
