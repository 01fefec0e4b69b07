"""Pydantic models of WooCommerce's REST v3 shapes: orders, refunds, products, webhooks.

A webhook body is exactly what the REST API answers for the same resource, so one
model reads both. The models are tolerant where WooCommerce varies (unknown keys are
ignored, plugins add fields) and strict where the hub depends on a value: a payload
without it fails here, at the edge, with the field named (`parse`).

WooCommerce's own conventions, read once here:
- money is a decimal string ("29.35"); a tax a line does not carry is "" in its
  `taxes`; a product without a sale price has `sale_price: ""`;
- each date comes twice, in the site's time zone and as `*_gmt`; only the GMT one is
  read, and it has no offset ("2017-03-22T19:28:08"): it is UTC;
- `meta_data` is a list of {id, key, value}; extensions keep their data there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError

from causeway.connectors.json_values import Money, describe_errors, to_money
from causeway.errors import InvalidPayloadError


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _blank_is_none(value: object) -> object:
    return None if value == "" else value


def _blank_is_zero(value: object) -> object:
    return to_money("0" if value in ("", None) else value)


def _text(value: object) -> object:
    """Order numbers and SKUs may come as JSON numbers from plugins: keep them as text."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


GmtDatetime = Annotated[datetime, AfterValidator(_as_utc)]
"""A `*_gmt` date: no offset in the payload, UTC by WooCommerce's definition."""
OptionalGmt = Annotated[GmtDatetime | None, BeforeValidator(_blank_is_none)]
TaxAmount = Annotated[Decimal, BeforeValidator(_blank_is_zero)]
"""A line's tax for one rate: "" when that rate does not apply to the line."""
OptionalMoney = Annotated[Money | None, BeforeValidator(_blank_is_none)]
Text = Annotated[str, BeforeValidator(_text)]


class WooModel(BaseModel):
    """Base of every WooCommerce shape: frozen, unknown keys ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class WooMeta(WooModel):
    id: int | None = None
    key: str
    value: Any = None


def meta_value(meta: Sequence[WooMeta], key: str) -> Any:
    """The value of the first meta entry with `key` (None when there is none)."""
    return next((m.value for m in meta if m.key == key), None)


# ------------------------------------------------------------------------ orders


class WooAddress(WooModel):
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    address_1: str = ""
    address_2: str = ""
    city: str = ""
    state: str = ""
    postcode: str = ""
    country: str = ""
    email: str | None = None
    phone: str | None = None


class WooLineTax(WooModel):
    """A line's share of one tax rate (`id` is the rate's, as in the order's tax_lines)."""

    id: int
    total: TaxAmount = Decimal(0)
    subtotal: TaxAmount = Decimal(0)


class WooLineItem(WooModel):
    id: int
    name: str
    product_id: int = 0
    variation_id: int = 0
    quantity: int
    subtotal: Money  # before discounts, tax excluded
    subtotal_tax: Money = Decimal(0)
    total: Money  # after discounts, tax excluded
    total_tax: Money = Decimal(0)
    taxes: list[WooLineTax] = []
    meta_data: list[WooMeta] = []
    sku: Annotated[Text | None, BeforeValidator(_blank_is_none)] = None


class WooTaxLine(WooModel):
    """One tax rate charged on the order, summed over its lines and shipping."""

    id: int
    rate_code: str = ""
    rate_id: int
    label: str = ""
    compound: bool = False
    tax_total: TaxAmount = Decimal(0)
    shipping_tax_total: TaxAmount = Decimal(0)
    rate_percent: Decimal | None = None  # WooCommerce 5.7 on


class WooShippingLine(WooModel):
    id: int
    method_title: str = ""
    method_id: str = ""
    total: Money
    total_tax: Money = Decimal(0)
    taxes: list[WooLineTax] = []


class WooFeeLine(WooModel):
    id: int
    name: str = ""
    total: Money
    total_tax: Money = Decimal(0)


class WooCouponLine(WooModel):
    id: int
    code: str
    discount: Money  # what it took off the lines, tax excluded
    discount_tax: Money = Decimal(0)
    discount_type: str | None = None  # WooCommerce 8.x on: percent, fixed_cart, ...
    nominal_amount: Decimal | None = None  # the coupon's own value (10 for 10 %)


class WooRefundSummary(WooModel):
    """A refund as the order lists it; its lines are read from /orders/{id}/refunds."""

    id: int
    reason: str | None = None
    total: Money  # negative: "-10.00"


class WooOrder(WooModel):
    id: int
    parent_id: int = 0
    number: Text
    status: str
    currency: str
    created_via: str | None = None
    date_created_gmt: GmtDatetime
    date_modified_gmt: GmtDatetime
    date_paid_gmt: OptionalGmt = None
    date_completed_gmt: OptionalGmt = None
    discount_total: Money = Decimal(0)
    shipping_total: Money = Decimal(0)
    total: Money
    total_tax: Money = Decimal(0)
    prices_include_tax: bool = False
    customer_id: int = 0
    customer_note: str = ""
    billing: WooAddress = WooAddress()
    shipping: WooAddress = WooAddress()
    payment_method: str = ""
    payment_method_title: str = ""
    transaction_id: str = ""
    meta_data: list[WooMeta] = []
    line_items: list[WooLineItem] = []
    tax_lines: list[WooTaxLine] = []
    shipping_lines: list[WooShippingLine] = []
    fee_lines: list[WooFeeLine] = []
    coupon_lines: list[WooCouponLine] = []
    refunds: list[WooRefundSummary] = []


class WooOrderStamp(WooModel):
    """Just enough of an order to follow its changes (a poll's list, a webhook's key)."""

    id: int
    number: Text | None = None
    date_modified_gmt: OptionalGmt = None


# ----------------------------------------------------------------------- refunds


class WooRefundLine(WooModel):
    """A refunded line: negative quantity and amounts; `_refunded_item_id` names the
    order's line it refunds."""

    id: int
    name: str = ""
    product_id: int = 0
    variation_id: int = 0
    quantity: int
    subtotal: Money = Decimal(0)
    total: Money = Decimal(0)
    meta_data: list[WooMeta] = []
    sku: Annotated[Text | None, BeforeValidator(_blank_is_none)] = None


class WooRefund(WooModel):
    id: int
    date_created_gmt: GmtDatetime
    amount: Money  # positive: what went back to the customer
    reason: str | None = None
    refunded_payment: bool = False  # the payment gateway sent it (else by hand)
    line_items: list[WooRefundLine] = []


# ---------------------------------------------------------------------- products


class WooDimensions(WooModel):
    length: str = ""
    width: str = ""
    height: str = ""


class WooProduct(WooModel):
    """A product; a variation has the same fields, less a few (name, type, variations)."""

    id: int
    name: str = ""
    slug: str = ""
    type: str = "simple"
    status: str = "publish"
    description: str = ""
    sku: Annotated[Text | None, BeforeValidator(_blank_is_none)] = None
    price: OptionalMoney = None
    regular_price: OptionalMoney = None
    sale_price: OptionalMoney = None
    manage_stock: bool | Literal["parent"] = False  # "parent": a variation using its product's
    stock_quantity: int | None = None
    stock_status: str | None = None
    weight: Annotated[Decimal | None, BeforeValidator(_blank_is_none)] = None
    parent_id: int = 0
    variations: list[int] = []
    date_modified_gmt: OptionalGmt = None
    meta_data: list[WooMeta] = []


class WooBatchResult(WooModel):
    """The answer of a /batch endpoint: per kind, one entry per item sent, in order;
    an item WooCommerce refused is `{"id": .., "error": {code, message, data}}`."""

    create: list[dict[str, Any]] = []
    update: list[dict[str, Any]] = []
    delete: list[dict[str, Any]] = []


# ---------------------------------------------------------------------- webhooks


class WooWebhook(WooModel):
    id: int
    name: str = ""
    status: Literal["active", "paused", "disabled"]
    topic: str
    delivery_url: str


class WooOrderNote(WooModel):
    id: int
    note: str
    customer_note: bool = False


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], payload: object, what: str | None = None) -> M:
    """Validate a WooCommerce payload as `model`; InvalidPayloadError naming each bad field."""
    what = what or model.__name__.removeprefix("Woo").lower()
    if not isinstance(payload, Mapping):
        raise InvalidPayloadError(
            f"invalid WooCommerce {what}: expected a JSON object, got {type(payload).__name__}"
        )
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        where = f" {payload.get('id')}" if isinstance(payload.get("id"), int) else ""
        raise InvalidPayloadError(
            f"invalid WooCommerce {what}{where}: {describe_errors(error)}"
        ) from None


def parse_list(model: type[M], payload: object, what: str) -> list[M]:
    if not isinstance(payload, list):
        raise InvalidPayloadError(
            f"invalid WooCommerce {what} list: expected a JSON array, got {type(payload).__name__}"
        )
    return [parse(model, item, what) for item in payload]
