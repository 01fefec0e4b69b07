"""What the warehouse reads from HubSpot (model/ports/crm_reporting.py): deals and the
contacts' lifecycle stage and segment, by modification time. Reads only.

- Deals: POST /crm/v3/objects/deals/search, filtered on hs_lastmodifieddate GTE the
  watermark and sorted by it, paged with `after`; each page's contacts in one
  POST /crm/v4/associations/deals/contacts/batch/read.
- Contacts: the same search over contacts, whose stamp HubSpot calls lastmodifieddate.
- A deal without deal_currency_code is in the account's currency
  (GET /account-info/v3/details, read once).

HubSpot's search returns at most 10,000 results of one query and refuses to page past
them. Sorted by the stamp, a read that nears the cap starts a new query from the newest
stamp it has seen (the ids already given at that stamp are skipped), so any number of
records is read. Only more than 10,000 records changed in the same millisecond cannot
be, and that is a PermanentError saying so. Archived (deleted) records are not found by
search: the warehouse keeps what it read of them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from causeway.connectors.hubspot.client import HubSpotClient
from causeway.connectors.hubspot.deals import _parse_time
from causeway.connectors.hubspot.models import CrmObject, SearchFilter, next_after, search_payload
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.model.ports.crm_reporting import ContactSegment, CrmReporting, DealFact, DealState

log = logging.getLogger(__name__)

SEARCH_PAGE = 200  # the most HubSpot's search gives per request
SEARCH_MAX_RESULTS = 10_000  # the most one search query pages through
ASSOCIATION_BATCH = 100  # inputs per association batch read (BATCH_LIMIT)
DEAL_STAMP = "hs_lastmodifieddate"
CONTACT_STAMP = "lastmodifieddate"  # contacts' own name for it
READ_DEAL = (
    *("dealname", "pipeline", "dealstage", "amount", "deal_currency_code"),
    *("createdate", "closedate", "hs_is_closed_won", "hs_is_closed", DEAL_STAMP),
)
READ_CONTACT = ("lifecyclestage", "causeway_segment", CONTACT_STAMP)
# Stage ids of HubSpot's default pipeline, for a deal whose closed flags are not given.
DEFAULT_WON, DEFAULT_LOST = "closedwon", "closedlost"


class HubSpotReporting:
    """The CrmReporting port over HubSpot's search and associations APIs (the
    connector hands its client; connector.py delegates to it)."""

    def __init__(
        self,
        client: HubSpotClient,
        *,
        page: int = SEARCH_PAGE,
        max_results: int = SEARCH_MAX_RESULTS,
    ) -> None:
        self.client = client
        self.page = page
        self.max_results = max_results
        self._currency: str | None = None

    # -- the port ----------------------------------------------------------------------
    def deals_since(self, modified_since: dt.datetime | None) -> Iterator[list[DealFact]]:
        for page in self._search_since("deals", DEAL_STAMP, READ_DEAL, modified_since):
            contacts = self.deal_contacts([deal.id for deal in page])
            currency = self.account_currency()
            yield [deal_fact(d, contacts.get(d.id, ()), currency) for d in page]

    def contact_segments(
        self, modified_since: dt.datetime | None
    ) -> Iterator[list[ContactSegment]]:
        for page in self._search_since("contacts", CONTACT_STAMP, READ_CONTACT, modified_since):
            yield [contact_segment(c) for c in page]

    # -- HubSpot -----------------------------------------------------------------------
    def account_currency(self) -> str:
        """The account's company currency (what a deal without a currency is in)."""
        if self._currency is None:
            _, body = self.client.request("GET", "/account-info/v3/details")
            code = body.get("companyCurrency") if isinstance(body, dict) else None
            if not code:
                raise InvalidPayloadError(
                    f"HubSpot's account details name no companyCurrency: {body!r:.200}"
                )
            self._currency = str(code).upper()
        return self._currency

    def deal_contacts(self, deal_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """deal id -> its associated contact ids, ascending; a deal with none is left out
        (HubSpot reports it as an error of the batch: NO_ASSOCIATIONS_FOUND)."""
        found: dict[str, set[str]] = {}
        pending: list[dict[str, str]] = [{"id": i} for i in deal_ids]
        while pending:
            batch, pending = pending[:ASSOCIATION_BATCH], pending[ASSOCIATION_BATCH:]
            _, body = self.client.request(
                "POST", "/crm/v4/associations/deals/contacts/batch/read", json={"inputs": batch}
            )
            for result in _list(body, "results"):
                deal_id = str((result.get("from") or {}).get("id", ""))
                ids = found.setdefault(deal_id, set())
                ids.update(str(t["toObjectId"]) for t in _list(result, "to") if "toObjectId" in t)
                after = next_after(result)
                if after:  # a deal with more contacts than one answer holds
                    pending.append({"id": deal_id, "after": after})
            for error in _list(body, "errors"):
                if "NO_ASSOCIATIONS" not in str(error.get("subCategory") or ""):
                    raise PermanentError(
                        f"HubSpot could not read the deals' contacts: "
                        f"{error.get('category')}: {error.get('message')}"
                    )
        return {deal: tuple(sorted(ids, key=_id_order)) for deal, ids in found.items() if ids}

    def _search_since(
        self,
        object_type: str,
        stamp: str,
        properties: Sequence[str],
        since: dt.datetime | None,
    ) -> Iterator[list[CrmObject]]:
        """Records with `stamp` >= since, sorted by it, page by page; a new query from
        the newest stamp seen whenever the next page would pass HubSpot's cap."""
        mark = _millis(since) if since is not None else None
        given_at_mark: set[str] = set()  # ids already given whose stamp is `mark`
        while True:
            after: str | None = None
            offset = 0
            newest, at_newest = mark, set(given_at_mark)
            while True:
                body = self._search_page(object_type, stamp, properties, mark, after)
                found = [CrmObject.model_validate(r) for r in _list(body, "results")]
                page = []
                for record in found:
                    moment = _stamp_of(record, stamp)
                    if moment == mark and record.id in given_at_mark:
                        continue  # given by the query before, at the same stamp
                    page.append(record)
                    if newest is None or moment > newest:
                        newest, at_newest = moment, set()
                    if moment == newest:
                        at_newest.add(record.id)
                if page:
                    yield page
                after = next_after(body)
                offset += len(found)
                if not after:
                    return
                if offset + self.page > self.max_results:
                    break  # HubSpot would refuse the next page: query again from `newest`
            if newest == mark:
                raise PermanentError(
                    f"HubSpot has more than {self.max_results} {object_type} modified at "
                    f"the same millisecond ({stamp} {mark}); its search cannot page through "
                    f"them. Read them in smaller groups (e.g. by pipeline), then build again"
                )
            mark, given_at_mark = newest, at_newest

    def _search_page(
        self,
        object_type: str,
        stamp: str,
        properties: Sequence[str],
        mark: int | None,
        after: str | None,
    ) -> Any:
        since = SearchFilter(propertyName=stamp, operator="GTE", value=str(mark))
        filters = [] if mark is None else [since]
        payload = search_payload(filters, properties, limit=self.page, after=after, sort_by=stamp)
        _, body = self.client.request("POST", f"/crm/v3/objects/{object_type}/search", json=payload)
        return body


# -- HubSpot's records in the port's terms ---------------------------------------------
def deal_fact(deal: CrmObject, contact_ids: Sequence[str], account_currency: str) -> DealFact:
    """One deal as the warehouse reads it. Nothing in a deal is refused: an amount that
    is not a number is no amount, an unknown stage is kept with no state."""
    stage = deal.get("dealstage") or None
    return DealFact(
        deal_id=deal.id,
        name=deal.get("dealname") or None,
        pipeline=deal.get("pipeline") or None,
        stage=stage,
        state=deal_state(deal.get("hs_is_closed_won"), deal.get("hs_is_closed"), stage),
        amount=_amount(deal),
        currency=(deal.get("deal_currency_code") or account_currency).strip().upper(),
        created_at=_time(deal.get("createdate")) or deal.created_at,
        close_date=_time(deal.get("closedate")),
        modified_at=_modified(deal, DEAL_STAMP),
        contact_ids=tuple(contact_ids),
    )


def deal_state(won: str | None, closed: str | None, stage: str | None) -> DealState | None:
    """HubSpot's calculated flags, which follow each pipeline's stage settings; without
    them, the default pipeline's closed stages; else unknown."""
    if closed in ("true", "false"):
        if closed == "false":
            return "open"
        return "won" if won == "true" else "lost"
    if stage == DEFAULT_WON:
        return "won"
    if stage == DEFAULT_LOST:
        return "lost"
    return None


def contact_segment(contact: CrmObject) -> ContactSegment:
    return ContactSegment(
        contact_id=contact.id,
        lifecycle_stage=contact.get("lifecyclestage") or None,
        segment=contact.get("causeway_segment") or None,
        modified_at=_modified(contact, CONTACT_STAMP),
    )


def _amount(deal: CrmObject) -> Decimal | None:
    raw = (deal.get("amount") or "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        log.warning("HubSpot deal %s: amount %r is not a number; read as none", deal.id, raw)
        return None
    return value if value.is_finite() else None


def _time(raw: str | None) -> dt.datetime | None:
    return _parse_time(raw) if raw else None


def _modified(record: CrmObject, stamp: str) -> dt.datetime:
    found = _time(record.get(stamp)) or record.updated_at
    if found is None:
        raise InvalidPayloadError(f"HubSpot record {record.id} has no {stamp}")
    return found if found.tzinfo else found.replace(tzinfo=dt.UTC)


def _stamp_of(record: CrmObject, stamp: str) -> int:
    return _millis(_modified(record, stamp))


def _millis(moment: dt.datetime) -> int:
    """HubSpot compares date-times in search as epoch milliseconds."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return int(aware.timestamp() * 1000)


def _id_order(text: str) -> tuple[int, str]:
    return (int(text), "") if text.isdigit() else (0, text)


def _list(body: Any, name: str) -> list[dict[str, Any]]:
    found = body.get(name, []) if isinstance(body, dict) else None
    if not isinstance(found, list):
        raise InvalidPayloadError(f"HubSpot answered without a {name} list: {body!r:.200}")
    return [item for item in found if isinstance(item, dict)]


if TYPE_CHECKING:  # mypy checks here that the class is the port

    def _reports(reporting: HubSpotReporting) -> CrmReporting:
        return reporting
