"""causeway.yaml `systems:`: one model per type of system, each of one kind (store, ERP,
CRM, drop folder). Flows name the kinds of system they connect (flows/declaration.py)."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from typing import Annotated, ClassVar, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from causeway.config.base import (
    Duration,
    FileMode,
    Strict,
    Threshold,
    required_secret,
    service_url,
)

# What a system is to the flows. A flow's role accepts systems of given kinds.
STORE, ERP, CRM, DROP_FOLDER = "store", "ERP", "CRM", "drop folder"
# A marketplace sells like a store, but its orders may come unpaid (Amazon's Pending):
# orders-to-erp holds those until paid (Order.awaiting_payment), and it and cancellations
# take marketplaces beside stores.
MARKETPLACE = "marketplace"


class SystemSettings(Strict):
    """What every system's model has: the kind of system it is."""

    kind: ClassVar[str]


FORGEABLE = "with an empty secret anyone could sign webhooks that the hub would accept"
# Shopify's quarterly stable releases. The default is the version the connector's documents
# are checked against (connectors/shopify/api_versions.py, which also knows how long
# Shopify serves each one: the hub warns at start and `causeway check` says when to move).
SHOPIFY_API_VERSION = "2026-10"
_SHOPIFY_API_VERSION_FORM = re.compile(r"\d{4}-(01|04|07|10)")


class ShopifySystem(SystemSettings):
    kind: ClassVar[str] = STORE
    type: Literal["shopify"]
    shop_url: str = Field(description="https://<store>.myshopify.com, or the sandbox URL")
    shop_domain: str | None = Field(
        default=None,
        description="the store's <store>.myshopify.com domain, which privacy webhooks name; "
        "default: shop_url's host",
    )
    access_token: SecretStr
    webhook_secret: SecretStr
    api_version: str = Field(
        default=SHOPIFY_API_VERSION,
        description="Admin API version, YYYY-01/04/07/10; Shopify serves each for about 12 "
        "months, then answers it as the oldest version it still serves",
    )
    location: str | None = Field(
        default=None, description="location id or name; default: first active"
    )
    cost_bucket: float = 1000.0
    cost_restore_per_second: float = 50.0
    webhooks_quiet_after: Threshold = Field(
        default=86400.0,
        description="alert when no webhook has arrived from this system for this long; off",
    )

    @field_validator("shop_url")
    @classmethod
    def _shop_url(cls, value: str) -> str:
        return service_url(
            value, password_fix="the token goes in `access_token: ${SHOPIFY_ACCESS_TOKEN}`"
        )

    @field_validator("api_version")
    @classmethod
    def _api_version(cls, value: str) -> str:
        if not _SHOPIFY_API_VERSION_FORM.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a Shopify Admin API version: write YYYY-MM with MM one of "
                f"01, 04, 07 or 10 (Shopify's quarterly stable releases), in quotes, e.g. "
                f'"{SHOPIFY_API_VERSION}"'
            )
        return value

    @field_validator("access_token", "webhook_secret")
    @classmethod
    def _secrets_set(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        if info.field_name == "webhook_secret":
            return required_secret(
                value, "the app's API secret key, e.g. ${SHOPIFY_WEBHOOK_SECRET}", FORGEABLE
            )
        return required_secret(value, "the Admin API access token, e.g. ${SHOPIFY_ACCESS_TOKEN}")


class TrytonSystem(SystemSettings):
    kind: ClassVar[str] = ERP
    type: Literal["tryton"]
    url: str
    database: str
    username: str
    password: SecretStr
    warehouse: str = "WH"
    shipping_sku: str = Field(default="SHIPPING", description="service product for shipping")
    discount_sku: str = Field(
        default="DISCOUNT", description="service product for discounts no line carries"
    )
    gift_card_sku: str = Field(
        default="GIFTCARD", description="service product for gift cards sold (untaxed)"
    )
    tip_sku: str = Field(default="TIP", description="service product for tips")
    payment_term: str | None = Field(
        default="Direct", description="name of the payment term set on sales"
    )
    timeout: Duration = 60.0

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return service_url(
            value,
            password_fix="the user goes in `username:` and the password in its own setting, "
            "`password: ${TRYTON_PASSWORD}`",
        )

    @field_validator("password")
    @classmethod
    def _password_set(cls, value: SecretStr) -> SecretStr:
        return required_secret(value, "the Tryton user's password, e.g. ${TRYTON_PASSWORD}")


class HubSpotSystem(SystemSettings):
    """A HubSpot portal reached through a private app (CRM v3 API, webhooks signed v3)."""

    kind: ClassVar[str] = CRM
    type: Literal["hubspot"]
    base_url: str = Field(
        default="https://api.hubapi.com", description="HubSpot's API, or the sandbox URL"
    )
    access_token: SecretStr = Field(description="the private app's access token (Bearer)")
    client_secret: SecretStr = Field(
        description="the app's client secret: verifies X-HubSpot-Signature-v3 on webhooks"
    )
    portal_id: int = Field(
        description="the HubSpot account (hub) id; webhooks from other accounts are refused"
    )
    app_id: int | None = Field(default=None, description="the app id webhooks name, if known")
    requests_per_interval: int = Field(
        default=100,
        ge=1,
        description="HubSpot's burst limit per interval (private apps: 100 per 10 s, or more "
        "with an API add-on); the X-HubSpot-RateLimit-* headers correct it at runtime",
    )
    interval_seconds: float = Field(default=10.0, gt=0, description="length of that interval")
    timeout: Duration = 30.0
    webhooks_quiet_after: Threshold = Field(
        default=86400.0,
        description="alert when no webhook has arrived from this system for this long; off",
    )

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return service_url(
            value, password_fix="the token goes in `access_token: ${HUBSPOT_ACCESS_TOKEN}`"
        )

    @field_validator("access_token", "client_secret")
    @classmethod
    def _secrets_set(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        if info.field_name == "client_secret":
            return required_secret(
                value, "the app's client secret, e.g. ${HUBSPOT_CLIENT_SECRET}", FORGEABLE
            )
        return required_secret(
            value, "the private app's access token, e.g. ${HUBSPOT_ACCESS_TOKEN}"
        )


class WooCommerceSystem(SystemSettings):
    """A WooCommerce store reached through its REST API v3 (a key with Read/Write access)
    and its signed webhooks (docs/connectors/woocommerce.md)."""

    kind: ClassVar[str] = STORE
    type: Literal["woocommerce"]
    url: str = Field(
        description="the WordPress site's address, https://shop.example.com (the REST API is "
        "at <url>/wp-json/wc/v3), or the sandbox URL"
    )
    consumer_key: SecretStr = Field(description="the REST API key's consumer key, ck_...")
    consumer_secret: SecretStr = Field(description="the REST API key's consumer secret, cs_...")
    webhook_secret: SecretStr = Field(
        description="the secret the hub gives the webhooks it creates; verifies "
        "X-WC-Webhook-Signature on every delivery"
    )
    auth: Literal["header", "query"] = Field(
        default="header",
        description="header: HTTP Basic; query: the key in the query string, for hosts whose "
        "web server strips the Authorization header (HTTPS only, as always)",
    )
    per_page: int = Field(
        default=100, ge=1, le=100, description="items per page of a list (WooCommerce: 100 at most)"
    )
    timeout: Duration = 30.0
    requests_per_second: float = Field(
        default=5.0,
        gt=0,
        description="the most requests per second sent to the store (WordPress answers each in "
        "PHP; a 429 from the host pauses the hub as long as its Retry-After says)",
    )
    weight_unit: Literal["kg", "g", "lbs", "oz"] | None = Field(
        default=None,
        description="the store's weight unit (WooCommerce > Settings > Products); "
        "default: read from the store",
    )
    shipment_tracking: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="also write tracking to the Shipment Tracking extension's order meta: auto "
        "where the order's meta already has it, on for every order, off never",
    )
    webhooks_quiet_after: Threshold = Field(
        default=86400.0,
        description="alert when no webhook has arrived from this system for this long; off",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        # WooCommerce takes HTTP Basic only over HTTPS (over http it wants OAuth 1.0a
        # signatures), and the key would cross the network readable: https, or this machine.
        return service_url(
            value,
            password_fix="the key goes in `consumer_key: ${WOOCOMMERCE_CONSUMER_KEY}` and "
            "`consumer_secret: ${WOOCOMMERCE_CONSUMER_SECRET}`",
        )

    @field_validator("consumer_key", "consumer_secret", "webhook_secret")
    @classmethod
    def _secrets_set(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        if info.field_name == "webhook_secret":
            return required_secret(
                value, "a long random secret, e.g. ${WOOCOMMERCE_WEBHOOK_SECRET}", FORGEABLE
            )
        what = "key" if info.field_name == "consumer_key" else "secret"
        return required_secret(
            value,
            f"the REST API key's consumer {what} (WooCommerce > Settings > Advanced > REST API), "
            f"e.g. ${{WOOCOMMERCE_CONSUMER_{what.upper()}}}",
        )


# Amazon's marketplace ids: A, then 9 to 15 upper-case letters and digits (ATVPDKIKX0DER).
_AMAZON_MARKETPLACE_ID = re.compile(r"A[A-Z0-9]{9,15}")


class AmazonNotifications(Strict):
    """The SQS queue Amazon delivers the account's ORDER_CHANGE notifications to
    (docs/connectors/amazon.md, "Notifications"): the hub reads it while it runs."""

    queue_url: str = Field(
        description="the queue's URL, https://sqs.<region>.amazonaws.com/<account>/<name>"
    )
    region: str = Field(min_length=1, description="the queue's AWS region, e.g. us-east-1")
    endpoint_url: str | None = Field(
        default=None, description="an SQS endpoint other than AWS's own for the region"
    )
    access_key_id: SecretStr | None = Field(
        default=None,
        description="an IAM key allowed to receive and delete the queue's messages; "
        "without it (and the secret) the AWS default chain applies (an instance role)",
    )
    secret_access_key: SecretStr | None = None
    wait_seconds: int = Field(default=20, ge=0, le=20, description="SQS long poll, seconds")
    visibility_timeout: int | None = Field(
        default=None, ge=0, le=43200, description="default: the queue's own"
    )

    @field_validator("queue_url", "endpoint_url")
    @classmethod
    def _urls(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return service_url(
            value, password_fix="the key goes in `access_key_id` and `secret_access_key`"
        )

    @model_validator(mode="after")
    def _key_paired(self) -> AmazonNotifications:
        if (self.access_key_id is None) != (self.secret_access_key is None):
            raise ValueError(
                "give both access_key_id and secret_access_key (e.g. ${AWS_ACCESS_KEY_ID} and "
                "${AWS_SECRET_ACCESS_KEY}), or neither for the AWS default chain"
            )
        if self.secret_access_key is not None:
            required_secret(self.secret_access_key, "the IAM key's secret access key")
        return self


class AmazonSystem(SystemSettings):
    """A seller account on Amazon, reached through the Selling Partner API with a Login
    with Amazon refresh token (docs/connectors/amazon.md)."""

    kind: ClassVar[str] = MARKETPLACE
    type: Literal["amazon"]
    endpoint: str = Field(
        default="https://sellingpartnerapi-na.amazon.com",
        description="the Selling Partner API endpoint of the account's region (-na, -eu, -fe), "
        "or the sandbox URL",
    )
    token_url: str = Field(
        default="https://api.amazon.com/auth/o2/token",
        description="Login with Amazon's token endpoint, or the sandbox's",
    )
    client_id: SecretStr = Field(
        description="the app's LWA client identifier, amzn1.application-oa2-client..."
    )
    client_secret: SecretStr = Field(description="the app's LWA client secret")
    refresh_token: SecretStr = Field(
        description="the refresh token the seller's authorisation of the app gave, Atzr|..."
    )
    marketplace_ids: list[str] = Field(
        min_length=1, description="the marketplaces whose orders come in, e.g. [ATVPDKIKX0DER]"
    )
    selling_partner_id: str = Field(
        min_length=1,
        description="the seller's merchant token (Seller Central > Settings > Account Info); "
        "keeps each selling account's rate limits apart",
    )
    timeout: Duration = 30.0
    # Stock: how often a listings feed's outcome is asked (by a job of the stock flow), and
    # how long before its quantities count as not sent and are checked again.
    feed_poll_every: Duration = Field(default=15.0, gt=0)
    feed_timeout: Duration = Field(default=900.0, gt=0)
    notifications: AmazonNotifications | None = Field(
        default=None,
        description="the SQS queue of the account's ORDER_CHANGE notifications; without it "
        "orders come by the reconciling poll alone",
    )

    @field_validator("endpoint", "token_url")
    @classmethod
    def _urls(cls, value: str) -> str:
        return service_url(
            value,
            password_fix="the app's credentials go in `client_id`, `client_secret` and "
            "`refresh_token`",
        )

    @field_validator("client_id", "client_secret", "refresh_token")
    @classmethod
    def _secrets_set(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        what = {
            "client_id": "the app's LWA client identifier, e.g. ${AMAZON_LWA_CLIENT_ID}",
            "client_secret": "the app's LWA client secret, e.g. ${AMAZON_LWA_CLIENT_SECRET}",
            "refresh_token": "the refresh token of the seller's authorisation, "
            "e.g. ${AMAZON_REFRESH_TOKEN}",
        }[str(info.field_name)]
        return required_secret(value, what)

    @field_validator("marketplace_ids")
    @classmethod
    def _marketplaces(cls, value: list[str]) -> list[str]:
        ids = [v.strip() for v in value]
        wrong = [v for v in ids if not _AMAZON_MARKETPLACE_ID.fullmatch(v)]
        if wrong:
            raise ValueError(
                f"{', '.join(repr(w) for w in wrong)} is not an Amazon marketplace id: write "
                f"ids such as ATVPDKIKX0DER (amazon.com) or A1PA6795UKMFR9 (amazon.de), not "
                f"a country or a domain"
            )
        if len(set(ids)) != len(ids):
            raise ValueError("names a marketplace twice")
        return ids


# Canonical order fields a CSV column can fill (connectors/files/orders.py reads them).
ORDER_FIELDS = (
    *("order_number", "ordered_at", "email", "customer_name", "first_name", "last_name"),
    *("phone", "company", "street", "street2", "city", "postal_code", "region"),
    *("country_code", "currency", "sku", "title", "quantity", "unit_price", "shipping"),
    *("tax_rate", "note"),
)


class FilesSystem(SystemSettings):
    """A drop folder: orders come in as CSV, stock and order status go out as CSV."""

    kind: ClassVar[str] = DROP_FOLDER
    type: Literal["files"]
    folder: str = Field(description="holds in/, processed/, errors/ and out/ (created on start)")
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: str = Field(default="utf-8", description="e.g. utf-8, utf-8-sig, cp1252")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="canonical order field -> CSV column name; unnamed fields use their own name",
    )
    date_format: str | None = Field(
        default=None, description="strptime format of ordered_at; default: ISO 8601"
    )
    timezone: str = Field(default="UTC", description="zone of ordered_at values without one")
    currency: str = Field(default="USD", description="used when a row has no currency")
    prices_include_tax: bool = False
    max_file_bytes: int = Field(
        default=50_000_000,
        ge=1000,
        description="a larger file in in/ is not read: it moves to errors/ with the reason",
    )
    out_file_mode: FileMode = Field(
        default=0o640, description='mode of the files the hub writes in out/, e.g. "0644"'
    )
    private_file_mode: FileMode = Field(
        default=0o600,
        description="mode of the files in processed/ and errors/ (they hold order data)",
    )

    @field_validator("out_file_mode")
    @classmethod
    def _not_world_writable(cls, value: int) -> int:
        if value & 0o002:
            raise ValueError(
                f"{value:04o} lets any user change what the other side reads; "
                f'leave out the last digit\'s write bit, e.g. "0644"'
            )
        return value

    @field_validator("private_file_mode")
    @classmethod
    def _private(cls, value: int) -> int:
        if value & 0o007:
            raise ValueError(
                f"{value:04o} lets any user on the machine read order data; "
                f'end it in 0, e.g. "0600" or "0640" for a group'
            )
        return value

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(ORDER_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown order field(s) {', '.join(unknown)}; known: {', '.join(ORDER_FIELDS)}"
            )
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"{value!r} is not an encoding Python knows (try utf-8)") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone: use a name such as UTC") from None
        return value

    def column(self, field: str) -> str:
        """The CSV column that holds a canonical field."""
        return self.columns.get(field, field)


System = Annotated[
    ShopifySystem | TrytonSystem | FilesSystem | HubSpotSystem | WooCommerceSystem | AmazonSystem,
    Field(discriminator="type"),
]

# Every system model, in the order `type:` lists them in messages.
SYSTEM_MODELS: tuple[type[SystemSettings], ...] = get_args(get_args(System)[0])


def type_name(model: type[SystemSettings]) -> str:
    """The `type:` a system model is written with in causeway.yaml ("shopify")."""
    return str(get_args(model.model_fields["type"].annotation)[0])


# A kind of system (STORE), or one type of system where only that type will do.
Kind = str | type[SystemSettings]


def is_of(system: SystemSettings, kinds: Iterable[Kind]) -> bool:
    return any(
        system.kind == kind if isinstance(kind, str) else isinstance(system, kind) for kind in kinds
    )


def types_of_kinds(kinds: Iterable[Kind]) -> list[str]:
    """The `type:` names of every system of these kinds, kind by kind."""
    names = []
    for kind in kinds:
        models = [m for m in SYSTEM_MODELS if m.kind == kind] if isinstance(kind, str) else [kind]
        names += [type_name(model) for model in models]
    return names
