"""Shopify checkouts: the checkouts/* webhook body (REST) and the `abandonedCheckouts`
query (GraphQL), both read into the one neutral Cart (model/carts.py).

A checkout reaches the hub twice, like an order: as a checkouts/create or
checkouts/update webhook and again from the reconciling poll. The two shapes differ:

- the webhook is the REST checkout: `id`, `token`, `cart_token`, `email`, `currency`,
  `total_price`, `line_items` (sku, quantity, price), `abandoned_checkout_url`,
  `created_at`, `updated_at`, `completed_at`;
- GraphQL's AbandonedCheckout has no token (Shopify deprecated `token` and `cart_token`
  in the REST resource in 2024-10): its `id` is the same checkout id, its money is a
  MoneyBag, its e-mail is the customer's.

So a cart is keyed by the checkout id, which both shapes and the order
(`checkout_id`) carry; the tokens are kept when the webhook sends them and serve to
find the cart of an order that names only a token. Times become UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from causeway.connectors.shopify.graphql_models import GqlMoneyBag, GqlPageInfo, shaped
from causeway.connectors.shopify.order_normalise import gid_tail, text_or_none, utc
from causeway.connectors.shopify.rest_models import Money, RestId, RestModel, describe_errors
from causeway.errors import InvalidPayloadError
from causeway.model.carts import Cart, CartLine, CartOrder

# -- the webhook (REST) -------------------------------------------------------------------


class RestCheckoutLine(RestModel):
    sku: str | None = None
    title: str | None = None
    variant_title: str | None = None
    quantity: int
    price: Money


class RestCheckout(RestModel):
    id: RestId
    token: str | None = None
    cart_token: str | None = None
    email: str | None = None
    currency: str
    total_price: Money
    line_items: tuple[RestCheckoutLine, ...] = ()
    abandoned_checkout_url: str | None = None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None


class RestOrderCheckout(RestModel):
    """What an orders/create body says of its checkout."""

    id: RestId
    checkout_id: RestId | None = None
    checkout_token: str | None = None
    cart_token: str | None = None
    created_at: datetime


def _read(model: type[RestModel], body: object, what: str) -> Any:
    if not isinstance(body, dict):
        raise InvalidPayloadError(f"invalid Shopify {what}: expected a JSON object")
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise InvalidPayloadError(f"invalid Shopify {what}: {describe_errors(error)}") from None


def cart_from_rest(body: object) -> Cart:
    """A checkouts/create or checkouts/update body as a Cart."""
    checkout: RestCheckout = _read(RestCheckout, body, "checkout")
    return Cart(
        checkout_id=str(checkout.id),
        token=text_or_none(checkout.token),
        cart_token=text_or_none(checkout.cart_token),
        email=text_or_none(checkout.email),
        currency=checkout.currency.upper(),
        total=checkout.total_price,
        lines=tuple(
            CartLine(
                sku=text_or_none(line.sku),
                title=text_or_none(line.title),
                quantity=line.quantity,
                unit_price=line.price,
            )
            for line in checkout.line_items
        ),
        created_at=utc(checkout.created_at),
        updated_at=utc(checkout.updated_at),
        completed_at=utc(checkout.completed_at),
        recovery_url=text_or_none(checkout.abandoned_checkout_url),
    )


def cart_order_from_rest(body: object) -> CartOrder | None:
    """The checkout an orders/create body came from; None when it names none."""
    order: RestOrderCheckout = _read(RestOrderCheckout, body, "order")
    token, cart_token = text_or_none(order.checkout_token), text_or_none(order.cart_token)
    if order.checkout_id is None and token is None and cart_token is None:
        return None
    return CartOrder(
        order_id=str(order.id),
        checkout_id=str(order.checkout_id) if order.checkout_id is not None else None,
        checkout_token=token,
        cart_token=cart_token,
        created_at=utc(order.created_at),
    )


# -- the poll (GraphQL) ---------------------------------------------------------------------

ABANDONED_CHECKOUTS = """
query AbandonedCheckouts($first: Int!, $after: String, $query: String) {
  abandonedCheckouts(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      abandonedCheckoutUrl
      createdAt
      updatedAt
      completedAt
      customer { defaultEmailAddress { emailAddress } }
      totalPriceSet { shopMoney { amount currencyCode } }
      lineItems(first: 25) {
        nodes {
          sku
          title
          quantity
          originalUnitPriceSet { shopMoney { amount currencyCode } }
        }
      }
    }
  }
}
"""


class _Gql(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class GqlEmail(_Gql):
    emailAddress: str | None = None


class GqlCheckoutCustomer(_Gql):
    defaultEmailAddress: GqlEmail | None = None


class GqlCheckoutLine(_Gql):
    sku: str | None = None
    title: str | None = None
    quantity: int
    originalUnitPriceSet: GqlMoneyBag


class GqlCheckoutLines(_Gql):
    nodes: list[GqlCheckoutLine]


class GqlAbandonedCheckout(_Gql):
    id: str
    abandonedCheckoutUrl: str | None = None
    createdAt: datetime
    updatedAt: datetime
    completedAt: datetime | None = None
    customer: GqlCheckoutCustomer | None = None
    totalPriceSet: GqlMoneyBag
    lineItems: GqlCheckoutLines


class GqlAbandonedCheckoutsPage(_Gql):
    pageInfo: GqlPageInfo
    nodes: list[GqlAbandonedCheckout]


def cart_from_graphql(node: GqlAbandonedCheckout) -> Cart:
    email = node.customer.defaultEmailAddress if node.customer else None
    total = node.totalPriceSet.shopMoney
    if not total.currencyCode:
        raise InvalidPayloadError(f"abandoned checkout {node.id} has no currency")
    return Cart(
        checkout_id=gid_tail(node.id),
        email=text_or_none(email.emailAddress) if email else None,
        currency=total.currencyCode.upper(),
        total=total.amount,
        lines=tuple(
            CartLine(
                sku=text_or_none(line.sku),
                title=text_or_none(line.title),
                quantity=line.quantity,
                unit_price=line.originalUnitPriceSet.shopMoney.amount,
            )
            for line in node.lineItems.nodes
        ),
        created_at=utc(node.createdAt),
        updated_at=utc(node.updatedAt),
        completed_at=utc(node.completedAt),
        recovery_url=text_or_none(node.abandonedCheckoutUrl),
    )


def search_since(since: datetime | None) -> str | None:
    """The `query:` of checkouts updated at or after `since` (Shopify's search syntax)."""
    if since is None:
        return None
    when = since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)
    return f"updated_at:>='{when.strftime('%Y-%m-%dT%H:%M:%SZ')}'"


def pages(execute: Any, since: datetime | None, page_size: int) -> Iterator[Cart]:
    """Every abandoned checkout updated since `since`, page by page, oldest update first
    (Shopify sorts these by creation, never by update: each page is sorted here and the
    caller's watermark takes the latest it saw)."""
    after: str | None = None
    query = search_since(since)
    while True:
        data = execute(ABANDONED_CHECKOUTS, {"first": page_size, "after": after, "query": query})
        page = shaped(
            GqlAbandonedCheckoutsPage, data.get("abandonedCheckouts"), "abandonedCheckouts"
        )
        yield from sorted((cart_from_graphql(n) for n in page.nodes), key=lambda c: c.updated_at)
        if not page.pageInfo.hasNextPage or not page.pageInfo.endCursor:
            return
        after = page.pageInfo.endCursor
