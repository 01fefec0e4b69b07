"""Pydantic models of Shopify's REST resource shapes, as webhooks deliver them.

Webhook bodies (orders/create, products/update, ...) are the REST resource without
its outer key, and Shopify adds fields to them in every API version, so these
models are tolerant: unknown keys are ignored and everything the hub does not
strictly need is optional and nullable. What the hub does need is required, so a
payload without it fails here, at the edge, with a message naming the field
(`parse_rest`) instead of deep inside a flow.

Money arrives as strings ("199.00") and tax rates as JSON floats (0.06); both
become Decimal through their decimal text, never through binary floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

# The value helpers live in connectors/json_values.py (every connector reads JSON values
# the same way); Shopify's modules keep importing them from here.
from causeway.connectors.json_values import CENT as CENT
from causeway.connectors.json_values import ZERO as ZERO
from causeway.connectors.json_values import Money as Money
from causeway.connectors.json_values import Rate as Rate
from causeway.connectors.json_values import at_least_cents as at_least_cents
from causeway.connectors.json_values import describe_errors as describe_errors
from causeway.connectors.json_values import to_decimal as to_decimal
from causeway.connectors.json_values import to_money as to_money
from causeway.errors import InvalidPayloadError
from causeway.model import ProductVariant

RestId = int
"""Shopify REST ids are JSON integers (the GraphQL gid's numeric tail)."""


class RestModel(BaseModel):
    """Base of every REST shape: frozen, extra keys ignored (Shopify adds fields)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class RestAddress(RestModel):
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    zip: str | None = None
    province: str | None = None
    province_code: str | None = None
    country: str | None = None
    country_code: str | None = None
    phone: str | None = None


class RestTaxLine(RestModel):
    title: str
    rate: Rate
    price: Money


class RestDiscountAllocation(RestModel):
    amount: Money
    discount_application_index: int | None = None


class RestDiscountApplication(RestModel):
    """What a discount was meant to do; `discount_allocations` say what it took off."""

    type: str | None = None  # discount_code, manual, automatic, script
    code: str | None = None
    title: str | None = None
    description: str | None = None
    value: Rate
    value_type: str | None = None  # fixed_amount or percentage
    allocation_method: str | None = None  # across, each or one
    target_selection: str | None = None
    target_type: str | None = None  # line_item or shipping_line


class RestDiscountCode(RestModel):
    code: str
    amount: Money = ZERO
    type: str | None = None  # fixed_amount, percentage or shipping


class RestLineItem(RestModel):
    id: RestId
    title: str
    name: str | None = None
    sku: str | None = None
    quantity: int
    # After an order edit: what the order holds now (0: removed); quantity stays as ordered.
    current_quantity: int | None = None
    price: Money
    variant_id: RestId | None = None
    product_id: RestId | None = None
    variant_title: str | None = None
    tax_lines: list[RestTaxLine] = []
    discount_allocations: list[RestDiscountAllocation] = []
    gift_card: bool = False
    taxable: bool | None = None


class RestShippingLine(RestModel):
    title: str
    code: str | None = None
    price: Money
    discounted_price: Money | None = None
    tax_lines: list[RestTaxLine] = []
    discount_allocations: list[RestDiscountAllocation] = []


class RestCustomer(RestModel):
    id: RestId
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    state: str | None = None
    tags: str | None = None
    note: str | None = None
    verified_email: bool | None = None
    orders_count: int | None = None
    total_spent: Money | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    default_address: RestAddress | None = None
    addresses: list[RestAddress] = []


class RestOrder(RestModel):
    """An order (REST resource, orders/* webhook body). Required = what the hub needs."""

    id: RestId
    name: str
    currency: str
    created_at: datetime
    updated_at: datetime
    subtotal_price: Money
    total_tax: Money
    total_price: Money
    line_items: list[RestLineItem]
    total_discounts: Money = ZERO
    # After order edits and refunds; older payloads (like the vendor sample) have none.
    current_subtotal_price: Money | None = None
    current_total_tax: Money | None = None
    current_total_discounts: Money | None = None
    current_total_price: Money | None = None
    total_tip_received: Money = ZERO
    email: str | None = None
    contact_email: str | None = None
    phone: str | None = None
    order_number: int | None = None
    financial_status: str | None = None
    fulfillment_status: str | None = None
    cancelled_at: datetime | None = None
    closed_at: datetime | None = None
    taxes_included: bool = False
    test: bool = False
    note: str | None = None
    tags: str | None = None
    source_name: str | None = None
    landing_site: str | None = None
    referring_site: str | None = None
    landing_site_ref: str | None = None
    buyer_accepts_marketing: bool | None = None
    tax_lines: list[RestTaxLine] = []
    shipping_lines: list[RestShippingLine] = []
    discount_applications: list[RestDiscountApplication] = []
    discount_codes: list[RestDiscountCode] = []
    billing_address: RestAddress | None = None
    shipping_address: RestAddress | None = None
    customer: RestCustomer | None = None


class Variant(RestModel):
    id: RestId
    product_id: RestId | None = None
    title: str | None = None
    sku: str | None = None
    price: Money
    compare_at_price: Money | None = None
    position: int | None = None
    # Absent from older payloads (like the vendor sample); present in current ones.
    inventory_item_id: RestId | None = None
    inventory_quantity: int | None = None
    inventory_management: str | None = None
    inventory_policy: str | None = None
    updated_at: datetime | None = None


class Product(RestModel):
    id: RestId
    title: str
    handle: str | None = None
    vendor: str | None = None
    product_type: str | None = None
    status: str | None = None
    tags: str | None = None
    body_html: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    published_at: datetime | None = None
    variants: list[Variant] = []

    def to_variants(self) -> list[ProductVariant]:
        """Canonical SKUs of this product; variants without a SKU cannot be synced."""
        return [
            ProductVariant(
                sku=v.sku,
                title=self.title
                if not v.title or v.title == "Default Title"
                else f"{self.title} - {v.title}",
                price=v.price,
                active=self.status in (None, "active"),
                external_id=str(v.id),
            )
            for v in self.variants
            if v.sku
        ]


class Customer(RestCustomer):
    """A customer resource (customers/* webhook body)."""


class FulfillmentLineItem(RestModel):
    id: RestId
    sku: str | None = None
    quantity: int
    variant_id: RestId | None = None
    title: str | None = None
    name: str | None = None


class Fulfillment(RestModel):
    id: RestId
    order_id: RestId
    status: str | None = None
    service: str | None = None
    tracking_company: str | None = None
    tracking_number: str | None = None
    tracking_numbers: list[str] = []
    tracking_url: str | None = None
    tracking_urls: list[str] = []
    created_at: datetime | None = None
    updated_at: datetime | None = None
    line_items: list[FulfillmentLineItem] = []


class InventoryLevel(RestModel):
    inventory_item_id: RestId
    location_id: RestId
    available: int | None = None  # null when the item is not tracked at the location
    updated_at: datetime | None = None


class Location(RestModel):
    id: RestId
    name: str
    active: bool | None = None
    deleted_at: datetime | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    zip: str | None = None
    province: str | None = None
    province_code: str | None = None
    country: str | None = None
    country_code: str | None = None
    phone: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


M = TypeVar("M", bound=BaseModel)


def parse_rest(model: type[M], payload: object, *, key: str | None = None) -> M:
    """Validate a REST payload as `model`, unwrapping `{key: {...}}` when it is wrapped.

    API responses wrap the resource (`{"order": {...}}`), webhook bodies do not;
    both are accepted. Any shape problem raises InvalidPayloadError naming the field.
    """
    what = key or model.__name__
    if not isinstance(payload, Mapping):
        raise InvalidPayloadError(
            f"invalid Shopify {what} payload: expected a JSON object, got {type(payload).__name__}"
        )
    if key and key in payload and "id" not in payload and isinstance(payload[key], Mapping):
        payload = payload[key]
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        raise InvalidPayloadError(
            f"invalid Shopify {what} payload: {describe_errors(error)}"
        ) from None
