"""The CRM port: what a CRM connector gives the flows.

A CRM holds records (contacts, deals, tickets) as bags of named properties. The
property names are the hub's CRM vocabulary: the standard ones (email, firstname,
lastname, phone, company, address, city, zip, country; subject, content for tickets)
and the hub's own fields below, which `ensure_fields` creates before they are
written. A connector whose CRM names its standard properties differently maps them.
Its webhooks reach the flows as CrmChange, read by the connector.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from causeway.model.order import Order


# -- the hub's own fields --------------------------------------------------------------
@dataclass(frozen=True)
class CrmField:
    """A custom field the hub keeps on a CRM record."""

    name: str
    label: str
    kind: Literal["string", "number", "date"]
    description: str


# Figures of a customer in every channel (customers-to-crm, margins-to-crm).
CONTACT_FIELDS = (
    CrmField(
        "causeway_lifetime_value",
        "Lifetime value",
        "number",
        "Sum of the customer's orders in every channel (Causeway)",
    ),
    CrmField(
        "causeway_order_count", "Order count", "number", "Orders placed in every channel (Causeway)"
    ),
    CrmField(
        "causeway_last_order_date", "Last order date", "date", "Date of the newest order (Causeway)"
    ),
    CrmField(
        "causeway_channels",
        "Channels",
        "string",
        "Channels the customer ordered in, comma-separated (Causeway)",
    ),
    CrmField(
        "causeway_margin",
        "Margin",
        "number",
        "ERP sale amounts minus cost over all orders (Causeway)",
    ),
    CrmField("causeway_segment", "Segment", "string", "RFM segment (Causeway)"),
)

# The ERP sale a won deal became (quotes-to-erp, margins-to-crm).
DEAL_FIELDS = (
    CrmField(
        "causeway_erp_order",
        "ERP order",
        "string",
        "Number of the ERP sales order made from this deal (Causeway)",
    ),
    CrmField(
        "causeway_erp_state",
        "ERP state",
        "string",
        "Shipping and invoice state of that order (Causeway)",
    ),
    CrmField("causeway_margin", "Margin", "number", "ERP sale amount minus cost (Causeway)"),
)

# The order a service case is about (filled in by whoever opens the ticket), and the
# order's state the cases flow keeps on it.
TICKET_FIELDS = (
    CrmField(
        "causeway_order_number",
        "Order number",
        "string",
        "The store order this case is about: #1001, 1001 or the store's order id",
    ),
    CrmField(
        "causeway_order_status",
        "Order status",
        "string",
        "The order's furthest milestone and ERP order number (Causeway)",
    ),
    CrmField(
        "causeway_shipment",
        "Shipment",
        "string",
        "Carrier and tracking number of the order's shipment (Causeway)",
    ),
    CrmField(
        "causeway_invoice_state",
        "Invoice state",
        "string",
        "The ERP invoice state and number of the order (Causeway)",
    ),
    CrmField(
        "causeway_return_state",
        "Return state",
        "string",
        "Refunds and returns of the order (Causeway)",
    ),
    CrmField(
        "causeway_case_key",
        "Causeway case",
        "string",
        "Set on cases the hub opened itself: the order and the reason, so it opens each once",
    ),
)

# What the ERP owns about a customer, shown on the contact (customers-sync).
CUSTOMER_SYNC_FIELDS = (
    CrmField(
        "causeway_payment_terms",
        "Payment terms",
        "string",
        "The customer's payment term in the ERP (Causeway; the ERP owns it)",
    ),
    CrmField(
        "causeway_credit_limit",
        "Credit limit",
        "number",
        "The customer's credit limit in the ERP (Causeway; the ERP owns it)",
    ),
)


# -- what comes back -------------------------------------------------------------------
class CrmRecord(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def properties(self) -> Mapping[str, str | None]: ...
    def get(self, name: str) -> str | None: ...


class CrmBatchError(Protocol):
    @property
    def message(self) -> str: ...
    @property
    def context(self) -> Mapping[str, Any]: ...  # "ids": the records it concerns


class CrmBatch(Protocol):
    """A batch call's records, and the errors of those it could not do."""

    @property
    def results(self) -> Sequence[CrmRecord]: ...
    @property
    def errors(self) -> Sequence[CrmBatchError]: ...


class CrmChange(BaseModel):
    """One change a CRM webhook announced."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    topic: str  # the inbox topic, e.g. "contact.propertyChange.phone"
    object_type: str  # contact, deal, ticket
    object_id: str
    property_name: str | None = None
    value: str | None = None  # None: the property was cleared
    occurred_at: float  # epoch seconds


class DealChange(BaseModel):
    """A won deal found by a poll."""

    model_config = ConfigDict(frozen=True)

    deal_id: str
    modified_at: datetime
    record: dict[str, Any]  # the deal as the CRM gave it, kept in the inbox


# -- the capabilities ------------------------------------------------------------------
@runtime_checkable
class CrmFields(Protocol):
    def ensure_fields(self, object_type: str, fields: Sequence[CrmField]) -> list[str]:
        """Create those of `fields` the CRM lacks on `object_type` (contacts, deals,
        tickets); returns the names created."""
        ...


@runtime_checkable
class CrmChanges(Protocol):
    def property_change(self, body: dict[str, Any]) -> CrmChange:
        """The change a stored webhook event announces; InvalidPayloadError if unreadable."""
        ...


@runtime_checkable
class CrmContacts(CrmFields, CrmChanges, Protocol):
    def upsert_contacts(self, contacts: Sequence[Mapping[str, str | None]]) -> CrmBatch:
        """Create or update contacts by email, in batches."""
        ...

    def update_contact(
        self, contact_id: str, properties: Mapping[str, str | None]
    ) -> CrmRecord: ...

    def read_contacts(
        self, ids: Sequence[str], properties: Sequence[str], *, id_property: str | None = None
    ) -> CrmBatch: ...

    def find_contact_by_email(
        self, email: str, properties: Sequence[str] = ()
    ) -> CrmRecord | None: ...


@runtime_checkable
class CrmDeals(CrmFields, CrmChanges, Protocol):
    def won_deal(
        self,
        deal_id: str,
        *,
        won_stages: Collection[str],
        default_currency: str,
        tax_rate: Decimal | None = None,
    ) -> Order | None:
        """The deal as an order when it is in one of `won_stages`, else None; a won deal
        that cannot become a sale (no lines, no customer email) is a PermanentError."""
        ...

    def won_deals_since(self, since: datetime | None) -> list[DealChange]: ...

    def update_deal(self, deal_id: str, properties: Mapping[str, str | None]) -> CrmRecord: ...


@runtime_checkable
class CrmTickets(CrmFields, Protocol):
    def read_tickets(self, ids: Sequence[str], properties: Sequence[str]) -> CrmBatch: ...

    def update_ticket(self, ticket_id: str, properties: Mapping[str, str | None]) -> CrmRecord: ...

    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None: ...

    def find_contact_by_email(
        self, email: str, properties: Sequence[str] = ()
    ) -> CrmRecord | None: ...

    def search_tickets(
        self, property_name: str, value: str, properties: Sequence[str] = ()
    ) -> Sequence[CrmRecord]: ...

    def create_ticket(
        self,
        properties: Mapping[str, str | None],
        *,
        contact_id: str,
        deal_id: str | None = None,
    ) -> CrmRecord: ...


@runtime_checkable
class Crm(CrmContacts, CrmDeals, CrmTickets, Protocol):
    """Everything a CRM gives the flows."""
