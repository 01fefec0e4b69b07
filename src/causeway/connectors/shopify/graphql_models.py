"""Pydantic models of the GraphQL answers to the documents in queries.py.

Field names are Shopify's own (camelCase) so a model reads like the document it
validates. Like the REST models they ignore unknown keys and require only what
the hub needs; money goes through the same Decimal parsing. The Order node is
what queries.ORDER_FIELDS selects.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from causeway.connectors.shopify.rest_models import Money, Rate, describe_errors
from causeway.errors import InvalidPayloadError

M = TypeVar("M", bound=BaseModel)


def nodes_of(data: Mapping[str, Any], connection: str) -> list[Any]:
    """The `nodes` of a connection in an answer; a missing list is a clear error."""
    value = data.get(connection)
    nodes = value.get("nodes") if isinstance(value, Mapping) else None
    if not isinstance(nodes, list):
        raise InvalidPayloadError(f"unexpected Shopify answer: {connection}.nodes is missing")
    return nodes


def shaped(model: type[M], value: Any, what: str) -> M:
    """Read an answer into its model; an answer of another shape is a clear error."""
    try:
        return model.model_validate(value)
    except ValidationError as error:
        raise InvalidPayloadError(
            f"unexpected Shopify answer for {what}: {describe_errors(error)}"
        ) from None


def _id_text(value: object) -> object:
    # legacyResourceId is an UnsignedInt64, which Shopify serialises as a string;
    # accept a JSON integer too. Booleans are not ids.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


IdText = Annotated[str, BeforeValidator(_id_text)]


class _Gql(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class GqlMoney(_Gql):
    amount: Money
    currencyCode: str | None = None


class GqlMoneyBag(_Gql):
    shopMoney: GqlMoney


class GqlTaxLine(_Gql):
    title: str
    rate: Rate | None = None
    priceSet: GqlMoneyBag


class GqlAddress(_Gql):
    name: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    zip: str | None = None
    province: str | None = None
    provinceCode: str | None = None
    country: str | None = None
    countryCodeV2: str | None = None
    phone: str | None = None


class GqlDiscountAllocation(_Gql):
    allocatedAmountSet: GqlMoneyBag


class GqlLineItem(_Gql):
    id: str
    sku: str | None = None
    name: str | None = None
    title: str
    quantity: int
    currentQuantity: int | None = None  # after an order edit (0: removed)
    isGiftCard: bool = False
    originalUnitPriceSet: GqlMoneyBag
    discountAllocations: list[GqlDiscountAllocation] = []
    taxLines: list[GqlTaxLine] = []


class GqlShippingLine(_Gql):
    title: str
    code: str | None = None
    originalPriceSet: GqlMoneyBag
    discountAllocations: list[GqlDiscountAllocation] = []
    taxLines: list[GqlTaxLine] = []


class GqlPricingValue(_Gql):
    """MoneyV2 (amount) or PricingPercentageValue (percentage)."""

    amount: Money | None = None
    percentage: Rate | None = None


class GqlDiscountApplication(_Gql):
    allocationMethod: str | None = None
    targetType: str | None = None
    value: GqlPricingValue
    code: str | None = None  # DiscountCodeApplication
    title: str | None = None  # Manual, Automatic, Script


class GqlDiscountApplications(_Gql):
    nodes: list[GqlDiscountApplication] = []


class GqlHasNext(_Gql):
    hasNextPage: bool = False


class GqlLineItems(_Gql):
    pageInfo: GqlHasNext = GqlHasNext()
    nodes: list[GqlLineItem]


class GqlShippingLines(_Gql):
    nodes: list[GqlShippingLine] = []


class GqlEmailAddress(_Gql):
    emailAddress: str | None = None


class GqlPhoneNumber(_Gql):
    phoneNumber: str | None = None


class GqlCustomer(_Gql):
    id: str
    firstName: str | None = None
    lastName: str | None = None
    defaultEmailAddress: GqlEmailAddress | None = None
    defaultPhoneNumber: GqlPhoneNumber | None = None
    # Deprecated in 2026-10 (and no longer asked for), but orders read before the upgrade
    # may still wait in the inbox with them.
    email: str | None = None
    phone: str | None = None

    @property
    def email_address(self) -> str | None:
        return self.defaultEmailAddress.emailAddress if self.defaultEmailAddress else self.email

    @property
    def phone_number(self) -> str | None:
        return self.defaultPhoneNumber.phoneNumber if self.defaultPhoneNumber else self.phone


class GqlVisit(_Gql):
    landingPage: str | None = None
    referrerUrl: str | None = None
    source: str | None = None


class GqlJourney(_Gql):
    firstVisit: GqlVisit | None = None


class GqlOrder(_Gql):
    """An Order node as selected by queries.ORDER_FIELDS."""

    id: str
    legacyResourceId: IdText | None = None
    name: str
    email: str | None = None
    phone: str | None = None
    createdAt: datetime
    updatedAt: datetime
    cancelledAt: datetime | None = None
    closedAt: datetime | None = None
    currencyCode: str
    taxesIncluded: bool = False
    test: bool = False
    note: str | None = None
    tags: list[str] = []
    sourceName: str | None = None
    displayFinancialStatus: str | None = None
    displayFulfillmentStatus: str | None = None
    customerJourneySummary: GqlJourney | None = None
    subtotalPriceSet: GqlMoneyBag | None = None
    totalPriceSet: GqlMoneyBag
    totalTaxSet: GqlMoneyBag | None = None
    totalDiscountsSet: GqlMoneyBag | None = None
    currentSubtotalPriceSet: GqlMoneyBag | None = None
    currentTotalTaxSet: GqlMoneyBag | None = None
    currentTotalDiscountsSet: GqlMoneyBag | None = None
    currentTotalPriceSet: GqlMoneyBag | None = None
    totalTipReceivedSet: GqlMoneyBag | None = None
    discountApplications: GqlDiscountApplications = GqlDiscountApplications()
    customer: GqlCustomer | None = None
    shippingAddress: GqlAddress | None = None
    billingAddress: GqlAddress | None = None
    taxLines: list[GqlTaxLine] = []
    lineItems: GqlLineItems
    shippingLines: GqlShippingLines = GqlShippingLines()


# ------------------------------------------------ the connector's other answers


class GqlRef(_Gql):
    id: str


class GqlPageInfo(_Gql):
    hasNextPage: bool
    endCursor: str | None = None


class GqlOrderStamp(_Gql):
    """What queries.ORDERS_CHANGED_SINCE lists per order."""

    id: str
    legacyResourceId: IdText | None = None
    updatedAt: datetime


class GqlOrdersPage(_Gql):
    pageInfo: GqlPageInfo
    nodes: list[GqlOrderStamp]


class GqlVariant(_Gql):
    id: str
    sku: str | None = None
    product: GqlRef | None = None
    inventoryItem: GqlRef | None = None


class GqlQuantity(_Gql):
    name: str
    quantity: int


class GqlInventoryLevel(_Gql):
    quantities: list[GqlQuantity] = []


class GqlInventoryItem(_Gql):
    id: str
    inventoryLevel: GqlInventoryLevel | None = None


class GqlUserError(_Gql):
    code: str | None = None
    field: list[str] | None = None
    message: str


class GqlWebhookSubscription(_Gql):
    id: str
    topic: str
    uri: str | None = None
