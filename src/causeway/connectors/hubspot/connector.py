"""What the flows ask of HubSpot, in the hub's words: contacts, properties, deals, tickets.

Every call goes through HubSpotClient (one rate budget per token). Batch calls
are cut at HubSpot's 100 inputs; a 207 answer (some inputs failed) is returned
as a BatchResult with its `errors`, so one bad contact never sinks the others.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from causeway.connectors.hubspot import addresses
from causeway.connectors.hubspot.client import HubSpotClient, HubSpotError, HubSpotNotFound
from causeway.connectors.hubspot.deals import (
    CONTACT_PROPERTIES,
    SEARCH_PROPERTIES,
    first_contact_id,
    modified_at,
    order_from_deal,
    won_since_filters,
)
from causeway.connectors.hubspot.models import (
    BatchError,
    BatchResult,
    CrmObject,
    Deal,
    LineItem,
    PropertySpec,
    SearchFilter,
    next_after,
    search_payload,
)
from causeway.connectors.hubspot.properties import property_specs
from causeway.connectors.hubspot.reporting import HubSpotReporting
from causeway.connectors.hubspot.webhooks import crm_change
from causeway.engine.rate import RateBudget
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.model import Order
from causeway.model.ports.crm import Crm, CrmChange, CrmField, DealChange
from causeway.model.ports.crm_reporting import ContactSegment, CrmReporting, DealFact
from causeway.model.ports.records import RecordAddresses

log = logging.getLogger(__name__)

BATCH_LIMIT = 100
SEARCH_PAGE = 100
LINE_ITEM_PROPERTIES = ("hs_sku", "name", "price", "quantity", "amount", "hs_product_id")
DEAL_PROPERTIES = ("dealname", "dealstage", "pipeline", "amount", "closedate", "deal_currency_code")
# HubSpot-defined association type ids (CRM associations v4 reference).
TICKET_TO_CONTACT = 16
TICKET_TO_DEAL = 28


class HubSpotConnector:
    def __init__(
        self,
        base_url: str,
        access_token: str,
        *,
        budget: RateBudget | None = None,
        system: str = "hubspot",
        timeout: float = 30.0,
        client: HubSpotClient | None = None,
        portal_id: int | None = None,
    ) -> None:
        """portal_id: the account's id, which the app's record pages are under (None:
        record_url has no address to give)."""
        self.system = system
        self.client = client or HubSpotClient(
            base_url, access_token, budget=budget, timeout=timeout
        )
        self.portal_id = portal_id
        self.app_url = addresses.app_url_for(base_url)
        self.reporting = HubSpotReporting(self.client)

    def record_url(self, entity_type: str, external_id: str) -> str | None:
        """The record's page in the HubSpot app (addresses.py)."""
        return addresses.record_url(self.app_url, self.portal_id, entity_type, external_id)

    def close(self) -> None:
        self.client.close()

    def subscribe_webhooks(self, url: str, topics: Sequence[str]) -> None:
        """HubSpot webhook subscriptions belong to the app, not to its access token.

        They are set in the app's settings (Webhooks: target URL and the events),
        so there is nothing to call here; the log says what to set.
        """
        log.info(
            "HubSpot %s: set the app's webhook target URL to %s and subscribe to %s",
            self.system,
            url,
            ", ".join(topics) or "the events your flows need",
        )

    # -------------------------------------------------------------- properties

    def ensure_properties(self, object_type: str, specs: Sequence[PropertySpec]) -> list[str]:
        """Create the custom properties `object_type` lacks; returns the names created."""
        _, body = self.client.request("GET", f"/crm/v3/properties/{object_type}")
        existing = {str(p.get("name")) for p in _results(body)}
        created = []
        for spec in specs:
            if spec.name in existing:
                continue
            try:
                self.client.request(
                    "POST",
                    f"/crm/v3/properties/{object_type}",
                    json=spec.model_dump(by_alias=True),
                )
            except HubSpotError as error:
                if error.status != 409:
                    raise
                continue  # another process created it since the read: that is the goal
            created.append(spec.name)
        return created

    def ensure_fields(self, object_type: str, fields: Sequence[CrmField]) -> list[str]:
        """The hub's fields (model/ports/crm.py) as HubSpot properties, ensured."""
        return self.ensure_properties(object_type, property_specs(object_type, fields))

    def property_change(self, body: dict[str, Any]) -> CrmChange:
        """A stored webhook event (one element of a delivery) in the CRM port's terms."""
        return crm_change(body)

    # ---------------------------------------------------------------- contacts

    def upsert_contacts(self, contacts: Sequence[Mapping[str, str | None]]) -> BatchResult:
        """Create or update contacts by email (HubSpot matches emails case-insensitively)."""
        merged = BatchResult()
        for index, properties in enumerate(contacts):
            if not properties.get("email"):
                raise InvalidPayloadError(
                    f"contact #{index} has no email: HubSpot upserts contacts by email"
                )
        # HubSpot refuses a batch naming one email twice; case differences are the same
        # contact to it, so later properties win over earlier ones for that address.
        by_email: dict[str, dict[str, str | None]] = {}
        for properties in contacts:
            key = str(properties["email"]).strip().lower()
            by_email[key] = {**by_email.get(key, {}), **properties}
        for chunk in _chunks(list(by_email.values()), BATCH_LIMIT):
            inputs = [
                {"id": p["email"], "idProperty": "email", "properties": dict(p)} for p in chunk
            ]
            _, body = self.client.request(
                "POST", "/crm/v3/objects/contacts/batch/upsert", json={"inputs": inputs}
            )
            _merge(merged, body)
        return merged

    def read_contacts(
        self, ids: Sequence[str], properties: Sequence[str], *, id_property: str | None = None
    ) -> BatchResult:
        return self.batch_read("contacts", ids, properties, id_property=id_property)

    def search_contacts(
        self, filters: Sequence[SearchFilter], properties: Sequence[str] = ()
    ) -> list[CrmObject]:
        return self.search("contacts", filters, properties)

    def find_contact_by_email(self, email: str, properties: Sequence[str] = ()) -> CrmObject | None:
        found = self.search_contacts(
            [SearchFilter(propertyName="email", value=email.strip())], properties
        )
        return found[0] if found else None

    def update_contact(self, contact_id: str, properties: Mapping[str, str | None]) -> CrmObject:
        return self.update("contacts", contact_id, properties)

    # ------------------------------------------------------------------- deals

    def get_deal(self, deal_id: str, properties: Sequence[str] = DEAL_PROPERTIES) -> Deal:
        """A deal with its line items and associated contacts."""
        try:
            _, body = self.client.request(
                "GET",
                f"/crm/v3/objects/deals/{deal_id}",
                params={"properties": ",".join(properties)},
            )
        except HubSpotNotFound:
            raise PermanentError(
                f"HubSpot deal {deal_id} does not exist (deleted or in another account)"
            ) from None
        deal = CrmObject.model_validate(body)
        item_ids = self.associated_ids("deals", deal_id, "line_items")
        items = self.batch_read("line_items", item_ids, LINE_ITEM_PROPERTIES) if item_ids else None
        if items is not None and items.errors:
            raise PermanentError(
                f"HubSpot deal {deal_id}: line items unreadable: {_describe(items.errors)}"
            )
        return Deal(
            id=deal.id,
            properties=deal.properties,
            line_items=[LineItem.from_object(i) for i in (items.results if items else [])],
            contact_ids=self.associated_ids("deals", deal_id, "contacts"),
        )

    def update_deal(self, deal_id: str, properties: Mapping[str, str | None]) -> CrmObject:
        return self.update("deals", deal_id, properties)

    def deal_with_contact(self, deal_id: str) -> tuple[Deal, CrmObject | None]:
        """A deal, its line items and its customer contact (None when it has none)."""
        deal = self.get_deal(deal_id, (*DEAL_PROPERTIES, "createdate"))
        contact_id = first_contact_id(deal.contact_ids)
        if contact_id is None:
            return deal, None
        found = self.read_contacts([contact_id], CONTACT_PROPERTIES)
        return deal, (found.results[0] if found.results else None)

    def deals_won_since(self, since: datetime | None) -> list[CrmObject]:
        """Deals in the won stage modified at or after `since` (all of them when None)."""
        return self.search("deals", won_since_filters(since), SEARCH_PROPERTIES)

    def won_deal(
        self,
        deal_id: str,
        *,
        won_stages: Collection[str],
        default_currency: str,
        tax_rate: Decimal | None = None,
    ) -> Order | None:
        """The deal as the canonical Order (deals.py), or None when it is not in a won
        stage (any more)."""
        deal, contact = self.deal_with_contact(deal_id)
        if deal.stage not in won_stages:
            log.info("deal %s is %s now, not won: nothing to place", deal_id, deal.stage)
            return None
        return order_from_deal(deal, contact, default_currency=default_currency, tax_rate=tax_rate)

    def won_deals_since(self, since: datetime | None) -> list[DealChange]:
        """deals_won_since in the CRM port's terms."""
        return [
            DealChange(
                deal_id=deal.id,
                modified_at=modified_at(deal),
                record=deal.model_dump(mode="json", by_alias=True),
            )
            for deal in self.deals_won_since(since)
        ]

    # -- what the warehouse reads (CrmReporting: reporting.py) -----------------------
    def deals_since(self, modified_since: datetime | None) -> Iterator[list[DealFact]]:
        return self.reporting.deals_since(modified_since)

    def contact_segments(self, modified_since: datetime | None) -> Iterator[list[ContactSegment]]:
        return self.reporting.contact_segments(modified_since)

    # ----------------------------------------------------------------- tickets

    def create_ticket(
        self,
        properties: Mapping[str, str | None],
        *,
        contact_id: str,
        deal_id: str | None = None,
    ) -> CrmObject:
        """A ticket (subject, content, hs_pipeline, hs_pipeline_stage...) on a contact."""
        for required in ("subject", "hs_pipeline_stage"):
            if not properties.get(required):
                raise InvalidPayloadError(f"a HubSpot ticket needs {required}")
        associations = [_association(contact_id, TICKET_TO_CONTACT)]
        if deal_id:
            associations.append(_association(deal_id, TICKET_TO_DEAL))
        _, body = self.client.request(
            "POST",
            "/crm/v3/objects/tickets",
            json={"properties": dict(properties), "associations": associations},
        )
        return CrmObject.model_validate(body)

    def search_tickets(
        self, property_name: str, value: str, properties: Sequence[str] = ()
    ) -> list[CrmObject]:
        return self.search(
            "tickets", [SearchFilter(propertyName=property_name, value=value)], properties
        )

    def update_ticket(self, ticket_id: str, properties: Mapping[str, str | None]) -> CrmObject:
        return self.update("tickets", ticket_id, properties)

    def read_tickets(self, ids: Sequence[str], properties: Sequence[str]) -> BatchResult:
        return self.batch_read("tickets", ids, properties)

    # ------------------------------------------------------------------ shared

    def batch_read(
        self,
        object_type: str,
        ids: Sequence[str],
        properties: Sequence[str],
        *,
        id_property: str | None = None,
    ) -> BatchResult:
        merged = BatchResult()
        for chunk in _chunks(list(ids), BATCH_LIMIT):
            payload: dict[str, Any] = {
                "properties": list(properties),
                "inputs": [{"id": i} for i in chunk],
            }
            if id_property:
                payload["idProperty"] = id_property
            _, body = self.client.request(
                "POST", f"/crm/v3/objects/{object_type}/batch/read", json=payload
            )
            _merge(merged, body)
        return merged

    def search(
        self, object_type: str, filters: Sequence[SearchFilter], properties: Sequence[str] = ()
    ) -> list[CrmObject]:
        """Every object matching all `filters` (one filter group), following paging."""
        found: list[CrmObject] = []
        after: str | None = None
        while True:
            payload = search_payload(filters, properties, limit=SEARCH_PAGE, after=after)
            _, body = self.client.request(
                "POST", f"/crm/v3/objects/{object_type}/search", json=payload
            )
            found.extend(CrmObject.model_validate(r) for r in _results(body))
            after = next_after(body)
            if not after:
                return found

    def update(
        self, object_type: str, object_id: str, properties: Mapping[str, str | None]
    ) -> CrmObject:
        try:
            _, body = self.client.request(
                "PATCH",
                f"/crm/v3/objects/{object_type}/{object_id}",
                json={"properties": dict(properties)},
            )
        except HubSpotNotFound:
            raise PermanentError(f"HubSpot {object_type} {object_id} does not exist") from None
        return CrmObject.model_validate(body)

    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        """Associate two objects with their default label (associations v4); idempotent."""
        try:
            self.client.request(
                "PUT",
                f"/crm/v4/objects/{from_type}/{from_id}/associations/default/{to_type}/{to_id}",
            )
        except HubSpotNotFound:
            raise PermanentError(
                f"HubSpot cannot associate {from_type} {from_id} with {to_type} {to_id}: "
                "one of them does not exist"
            ) from None

    def associated_ids(self, from_type: str, object_id: str, to_type: str) -> list[str]:
        """Ids of the `to_type` objects associated with one object (associations v4)."""
        ids: list[str] = []
        after: str | None = None
        while True:
            params = {"limit": 500, **({"after": after} if after else {})}
            _, body = self.client.request(
                "GET",
                f"/crm/v4/objects/{from_type}/{object_id}/associations/{to_type}",
                params=params,
            )
            ids.extend(str(r["toObjectId"]) for r in _results(body) if "toObjectId" in r)
            after = next_after(body)
            if not after:
                return ids


def _association(to_id: str, type_id: int) -> dict[str, Any]:
    return {
        "to": {"id": to_id},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}],
    }


def _results(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("results", []), list):
        raise InvalidPayloadError(f"HubSpot answered without a results list: {body!r:.200}")
    return [r for r in body.get("results", []) if isinstance(r, dict)]


def _merge(into: BatchResult, body: Any) -> None:
    part = BatchResult.model_validate(body)
    into.results.extend(part.results)
    into.errors.extend(part.errors)
    if part.errors:
        into.status = part.status


def _describe(errors: Iterable[BatchError]) -> str:
    return "; ".join(f"{e.category or 'error'}: {e.message}" for e in errors)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


if TYPE_CHECKING:  # mypy checks here that the connector is every port it claims to be

    def _is_a_crm(connector: HubSpotConnector) -> Crm:
        return connector

    def _gives_addresses(connector: HubSpotConnector) -> RecordAddresses:
        return connector

    def _reports(connector: HubSpotConnector) -> CrmReporting:
        return connector
