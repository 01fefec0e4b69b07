"""The custom properties the hub keeps on HubSpot contacts and deals."""

from __future__ import annotations

from causeway.connectors.hubspot.models import PropertySpec

GROUP_CONTACTS = "contactinformation"
GROUP_DEALS = "dealinformation"
GROUP_TICKETS = "ticketinformation"


def _spec(name: str, label: str, kind: str, field: str, group: str, text: str) -> PropertySpec:
    return PropertySpec.model_validate(
        {
            "name": name,
            "label": label,
            "type": kind,
            "fieldType": field,
            "groupName": group,
            "description": text,
        }
    )


CONTACT_PROPERTIES = (
    _spec(
        "causeway_lifetime_value",
        "Lifetime value",
        "number",
        "number",
        GROUP_CONTACTS,
        "Sum of the customer's orders in every channel (Causeway)",
    ),
    _spec(
        "causeway_order_count",
        "Order count",
        "number",
        "number",
        GROUP_CONTACTS,
        "Orders placed in every channel (Causeway)",
    ),
    _spec(
        "causeway_last_order_date",
        "Last order date",
        "date",
        "date",
        GROUP_CONTACTS,
        "Date of the newest order (Causeway)",
    ),
    _spec(
        "causeway_channels",
        "Channels",
        "string",
        "text",
        GROUP_CONTACTS,
        "Channels the customer ordered in, comma-separated (Causeway)",
    ),
    _spec(
        "causeway_margin",
        "Margin",
        "number",
        "number",
        GROUP_CONTACTS,
        "ERP sale amounts minus cost over all orders (Causeway)",
    ),
    _spec(
        "causeway_segment",
        "Segment",
        "string",
        "text",
        GROUP_CONTACTS,
        "RFM segment (Causeway)",
    ),
)

DEAL_PROPERTIES = (
    _spec(
        "causeway_erp_order",
        "ERP order",
        "string",
        "text",
        GROUP_DEALS,
        "Number of the ERP sales order made from this deal (Causeway)",
    ),
    _spec(
        "causeway_erp_state",
        "ERP state",
        "string",
        "text",
        GROUP_DEALS,
        "Shipping and invoice state of that order (Causeway)",
    ),
    _spec(
        "causeway_margin",
        "Margin",
        "number",
        "number",
        GROUP_DEALS,
        "ERP sale amount minus cost (Causeway)",
    ),
)

# The order a service case is about (filled in by whoever opens the ticket), and the
# order's state the cases flow keeps on it.
TICKET_PROPERTIES = (
    _spec(
        "causeway_order_number",
        "Order number",
        "string",
        "text",
        GROUP_TICKETS,
        "The store order this case is about: #1001, 1001 or the store's order id",
    ),
    _spec(
        "causeway_order_status",
        "Order status",
        "string",
        "text",
        GROUP_TICKETS,
        "The order's furthest milestone and ERP order number (Causeway)",
    ),
    _spec(
        "causeway_shipment",
        "Shipment",
        "string",
        "text",
        GROUP_TICKETS,
        "Carrier and tracking number of the order's shipment (Causeway)",
    ),
    _spec(
        "causeway_invoice_state",
        "Invoice state",
        "string",
        "text",
        GROUP_TICKETS,
        "The ERP invoice state and number of the order (Causeway)",
    ),
    _spec(
        "causeway_return_state",
        "Return state",
        "string",
        "text",
        GROUP_TICKETS,
        "Refunds and returns of the order (Causeway)",
    ),
    _spec(
        "causeway_case_key",
        "Causeway case",
        "string",
        "text",
        GROUP_TICKETS,
        "Set on cases the hub opened itself: the order and the reason, so it opens each once",
    ),
)


# What the ERP owns about a customer, shown on the contact (customers-sync).
CUSTOMER_SYNC_PROPERTIES = (
    _spec(
        "causeway_payment_terms",
        "Payment terms",
        "string",
        "text",
        GROUP_CONTACTS,
        "The customer's payment term in the ERP (Causeway; the ERP owns it)",
    ),
    _spec(
        "causeway_credit_limit",
        "Credit limit",
        "number",
        "number",
        GROUP_CONTACTS,
        "The customer's credit limit in the ERP (Causeway; the ERP owns it)",
    ),
)
