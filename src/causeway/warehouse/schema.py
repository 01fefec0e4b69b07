"""The warehouse's star schema: every table and column, with what it means.

This is the contract between the build (warehouse/build.py writes these tables), the
reports (reports/ read them) and docs/warehouse.md (which documents each column; a test
checks the two agree). The DDL is generated from these declarations, so a column exists
exactly when it is declared and explained here.

Money: every amount column is DECIMAL(18, 4) and sits beside the currency it is in.
`*_company` columns are the same amount in the ERP company's currency, converted with
the ERP's rate on the document date (`rate` = company units per one unit of the document
currency); a report adds only amounts in one currency, never euros to dollars.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

MONEY = "DECIMAL(18, 4)"
QUANTITY = "DECIMAL(18, 4)"
VARCHAR = "VARCHAR"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    doc: str
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    grain: str  # one row per ...
    source: str  # where its rows come from
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # what identifies a row (rebuilt rows replace by it)
    # Parquet export partitions by these (a date and the channel, where the table has them).
    partition_by: tuple[str, ...] = ()

    def ddl(self) -> str:
        cols = [f"{c.name} {c.type}{'' if c.nullable else ' NOT NULL'}" for c in self.columns]
        if self.key:
            cols.append(f"PRIMARY KEY ({', '.join(self.key)})")
        return f"CREATE TABLE {self.name} (\n  " + ",\n  ".join(cols) + "\n)"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def C(name: str, type_: str, doc: str, *, nullable: bool = True) -> Column:
    return Column(name, type_, doc, nullable)


def _money(name: str, doc: str) -> tuple[Column, Column]:
    """An amount in the document's currency and the same in the company's currency."""
    return (
        C(name, MONEY, f"{doc}, in `currency`"),
        C(f"{name}_company", MONEY, f"{doc}, in `company_currency` (x `rate`)"),
    )


CURRENCIES = (
    C("currency", VARCHAR, "ISO 4217 code of the document (the order's currency)"),
    C("company_currency", VARCHAR, "ISO 4217 code of the ERP company's currency"),
    C(
        "rate",
        "DECIMAL(18, 9)",
        "company units per unit of `currency`, the ERP's rate on the document date "
        "(1 when the two are the same; NULL when the ERP has no rate, and then every "
        "`*_company` amount is NULL too)",
    ),
)

# -- dimensions -------------------------------------------------------------------------------
DIM_DATE = Table(
    "dim_date",
    "calendar day",
    "generated: every day from the first fact to the last",
    (
        C("date", "DATE", "the day", nullable=False),
        C("year", "INTEGER", "calendar year"),
        C("quarter", "INTEGER", "1-4"),
        C("month", "INTEGER", "1-12"),
        C("iso_week", "INTEGER", "ISO 8601 week number"),
        C("weekday", "INTEGER", "ISO weekday, 1 = Monday"),
    ),
    key=("date",),
)

DIM_CHANNEL = Table(
    "dim_channel",
    "channel (a store, a marketplace, the portal, a drop folder)",
    "the configuration's systems, plus any channel found in the facts",
    (
        C("channel", VARCHAR, "the system's name in the configuration", nullable=False),
        C("kind", VARCHAR, "shopify, woocommerce, portal, files, ..."),
        C("fee_percent", "DECIMAL(9, 4)", "the configured fee on each order's total, %"),
        C("fee_fixed", MONEY, "the configured fixed fee per order, in `fee_currency`"),
        C("fee_currency", VARCHAR, "the currency of `fee_fixed`"),
    ),
    key=("channel",),
)

DIM_CUSTOMER = Table(
    "dim_customer",
    "golden customer (customers/: one person across every system)",
    "the hub's golden records; the CRM's contacts (lifecycle stage)",
    (
        C("customer_id", VARCHAR, "the golden record's id (or 'guest' for none)", nullable=False),
        C("customer_group", VARCHAR, "the group the merchant sorts customers into (tags)"),
        C(
            "crm_segment",
            VARCHAR,
            "the CRM contact's lifecycle stage (HubSpot: lifecyclestage), else its "
            "segment (causeway_segment), else what the golden record says; NULL: unknown",
        ),
        C("country", VARCHAR, "ISO country code of the default address"),
        C("first_order_date", "DATE", "the day of the customer's first order"),
        C("last_order_date", "DATE", "the day of the customer's latest order"),
        C("orders", "INTEGER", "orders not cancelled (frequency)"),
        C("revenue_company", MONEY, "net revenue of those orders, company currency (monetary)"),
        C("rfm_segment", VARCHAR, "RFM segment: champions, loyal, new, at risk, lost, ..."),
    ),
    key=("customer_id",),
)

DIM_PRODUCT = Table(
    "dim_product",
    "product (a SKU)",
    "the ERP's products; SKUs seen only in facts get a row with what the facts say",
    (
        C("sku", VARCHAR, "the SKU (the ERP's product code)", nullable=False),
        C("title", VARCHAR, "the product's name"),
        C("category", VARCHAR, "the ERP's category"),
        C("cost_price", MONEY, "the ERP's current cost price, in `company_currency`"),
        C("company_currency", VARCHAR, "the ERP company's currency"),
    ),
    key=("sku",),
)

DIM_CAMPAIGN = Table(
    "dim_campaign",
    "distinct attribution (where an order or a visit came from)",
    "the attribution the channel sent with each order (model/order.py: Attribution)",
    (
        C("campaign_key", VARCHAR, "hash of the five fields below", nullable=False),
        C("source", VARCHAR, "the channel's source name (web, pos, a marketplace) or utm_source"),
        C("campaign", VARCHAR, "utm_campaign of the landing site, when it carries one"),
        C("medium", VARCHAR, "utm_medium of the landing site"),
        C("landing_site", VARCHAR, "the first page of the visit, path only"),
        C("referrer", VARCHAR, "the referring site's host ('direct' for none)"),
    ),
    key=("campaign_key",),
)

# -- facts ------------------------------------------------------------------------------------
ORDER_KEYS = (
    C("order_key", VARCHAR, "the hub's id of the order (one across its systems)", nullable=False),
    C("channel", VARCHAR, "the channel the order came from", nullable=False),
    C("order_id", VARCHAR, "the channel's id of the order"),
    C("order_number", VARCHAR, "the number the customer sees"),
    C("erp_sale_id", "BIGINT", "the ERP sale's id"),
    C("customer_id", VARCHAR, "dim_customer"),
    C("order_date", "DATE", "the day the order was placed (UTC)"),
)

FACT_ORDERS = Table(
    "fact_orders",
    "order",
    "the hub's order facts (captured when the ERP got the sale); ERP rates",
    (
        *ORDER_KEYS,
        C("ordered_at", "TIMESTAMP", "when the order was placed (UTC)"),
        C("customer_group", VARCHAR, "the customer's group as the order carried it (tags)"),
        C("campaign_key", VARCHAR, "dim_campaign"),
        C("state", VARCHAR, "placed or cancelled"),
        C("cancelled_at", "TIMESTAMP", "when it was cancelled"),
        *CURRENCIES,
        *_money("goods_net", "the lines after their discounts, tax excluded"),
        *_money("discounts", "every discount on lines and shipping"),
        *_money("shipping_charged", "shipping the customer paid, after shipping discounts"),
        *_money("tax", "taxes charged"),
        *_money("total", "what the customer was charged"),
        C("line_count", "INTEGER", "goods lines"),
        # Rolled up from the other facts at the end of each build, so that the profit
        # reports read one row an order, not its lines, returns and fees.
        C(
            "cogs_company",
            MONEY,
            "its lines' `cost_company` less its returns' `restocked_cost_company`: its "
            "cost of goods in `company_currency` (0 until the ERP answered)",
        ),
        C("refunds_company", MONEY, "its returns' `refunded_company`, summed"),
        C("fees_company", MONEY, "its channel fee's `fee_company` (0 without one)"),
        C(
            "shipping_cost_company",
            MONEY,
            "its fulfilments' `shipping_cost_company`, summed: what its shipments cost in "
            "`company_currency` (0 until shipped; a cost without a rate is left out)",
        ),
    ),
    key=("order_key",),
    partition_by=("order_date", "channel"),
)

FACT_ORDER_LINES = Table(
    "fact_order_lines",
    "goods line of an order",
    "the hub's order facts; cost from the ERP's sale lines and their done moves",
    (
        *ORDER_KEYS,
        C("line_no", "INTEGER", "the line's position in the order, from 1", nullable=False),
        C("sku", VARCHAR, "dim_product"),
        C("title", VARCHAR, "what the channel called it"),
        C("campaign_key", VARCHAR, "dim_campaign"),
        C("state", VARCHAR, "placed or cancelled (the order's)"),
        C("quantity", QUANTITY, "units ordered (now, after edits)"),
        *CURRENCIES,
        *_money("gross", "unit price x quantity, before discounts"),
        *_money("discount", "discounts allocated to the line"),
        *_money("net", "gross - discount, tax excluded"),
        C(
            "cost_company",
            MONEY,
            "cost of goods in `company_currency`: what the ERP booked on the shipped units, "
            "the product's cost price for the rest (docs/flows/margins-to-crm.md); NULL "
            "until the ERP answered",
        ),
    ),
    key=("order_key", "line_no"),
    partition_by=("order_date", "channel"),
)

FACT_RETURNS = Table(
    "fact_returns",
    "returned SKU of a refund",
    "the hub's order changes (kind refund: the lines it refunded)",
    (
        *ORDER_KEYS,
        C("return_key", VARCHAR, "the refund's dedupe key + SKU", nullable=False),
        C("returned_at", "TIMESTAMP", "when the refund was made"),
        C("return_date", "DATE", "its day"),
        C("sku", VARCHAR, "dim_product"),
        C("quantity", QUANTITY, "units returned"),
        C(
            "reason",
            VARCHAR,
            "the reason the channel gave: Shopify's refund note, WooCommerce's refund "
            "reason ('unknown' without one)",
        ),
        C(
            "restocked",
            QUANTITY,
            "of those units, the ones that come back to stock (restock type return)",
        ),
        *CURRENCIES,
        *_money("refunded", "what was refunded for those units"),
        C(
            "restocked_cost_company",
            MONEY,
            "the cost of goods of the restocked units, at their order line's unit cost, "
            "in `company_currency`: goods back on the shelf are no cost of the order",
        ),
    ),
    key=("return_key",),
    partition_by=("return_date", "channel"),
)

FACT_FULFILMENTS = Table(
    "fact_fulfilments",
    "customer shipment of an order",
    "the ERP's done customer shipments",
    (
        *ORDER_KEYS,
        C("shipment_id", "BIGINT", "the ERP shipment's id", nullable=False),
        C("shipment_number", VARCHAR, "its number"),
        C("warehouse", VARCHAR, "the warehouse it left from"),
        C("carrier", VARCHAR, "the carrier"),
        C("ordered_at", "TIMESTAMP", "when the order was placed"),
        C("shipped_at", "TIMESTAMP", "when the shipment was done"),
        C("ship_date", "DATE", "its day"),
        C("lead_time_hours", "DOUBLE", "shipped_at - ordered_at, in hours"),
        C("units", QUANTITY, "units shipped"),
        C(
            "shipping_cost",
            MONEY,
            "what the carrier charges for the shipment (the ERP's shipment cost: Tryton's "
            "carrier purchase price), the order's share by units when it ships several "
            "orders, in `shipping_cost_currency`; NULL when the ERP has none",
        ),
        C("shipping_cost_currency", VARCHAR, "ISO 4217 code of `shipping_cost`"),
        C("company_currency", VARCHAR, "ISO 4217 code of the ERP company's currency"),
        C(
            "rate",
            "DECIMAL(18, 9)",
            "company units per unit of `shipping_cost_currency`, the ERP's rate on "
            "`ship_date` (1 when the two are the same; NULL when the ERP has no rate)",
        ),
        C(
            "shipping_cost_company",
            MONEY,
            "`shipping_cost` in `company_currency` (x `rate`); NULL without a cost or a rate",
        ),
    ),
    key=("shipment_id", "order_key"),
    partition_by=("ship_date", "channel"),
)

FACT_PAYMENTS = Table(
    "fact_payments",
    "customer invoice of an order",
    "the ERP's invoices of the sale",
    (
        *ORDER_KEYS,
        C("invoice_id", "BIGINT", "the ERP invoice's id", nullable=False),
        C("invoice_number", VARCHAR, "its number"),
        C("state", VARCHAR, "draft, validated, posted, paid, cancelled"),
        *CURRENCIES,
        *_money("amount", "the invoice's total"),
    ),
    key=("invoice_id",),
    partition_by=("order_date", "channel"),
)

FACT_CHANNEL_FEES = Table(
    "fact_channel_fees",
    "order's channel fee",
    "the fees the ERP booked for the order (flow channel-fees: the marketplace's own), net "
    "of the refunds of fees it booked since (credit notes), else the channel's configured "
    "fee (warehouse.channel_fees) applied to the order's total",
    (
        *ORDER_KEYS,
        *CURRENCIES,
        *_money(
            "fee",
            "the booked fees net of booked refunds, else fee_percent % of the total + fee_fixed",
        ),
    ),
    key=("order_key",),
    partition_by=("order_date", "channel"),
)

FACT_ACCOUNT_FEES = Table(
    "fact_account_fees",
    "settlement period whose account fees the ERP booked",
    "the hub's `account-fees` links and records (flow channel-fees: what a marketplace "
    "charged the seller's account, not an order: Amazon's subscription, FBA storage)",
    (
        C("channel", VARCHAR, "the marketplace", nullable=False),
        C(
            "period_id",
            VARCHAR,
            "the channel's id of the period (Amazon: its event group)",
            nullable=False,
        ),
        C("period_start", "DATE", "the period's first day (UTC)"),
        C("period_end", "DATE", "the period's last day (UTC); NULL when the channel gave none"),
        C("booked_at", "TIMESTAMP", "when the flow booked it in the ERP"),
        C(
            "currency",
            VARCHAR,
            "ISO 4217 code of the booked fees (one currency per period: the ERP's invoice)",
        ),
        C("company_currency", VARCHAR, "ISO 4217 code of the ERP company's currency"),
        C(
            "rate",
            "DECIMAL(18, 9)",
            "company units per unit of `currency`, the ERP's rate on `period_end` "
            "(`period_start` without one); NULL when the ERP has no rate, and then "
            "`amount_company` is NULL",
        ),
        *_money("amount", "the account fees the ERP booked for the period"),
    ),
    key=("channel", "period_id"),
    partition_by=("period_end", "channel"),
)

FACT_STOCK_SNAPSHOTS = Table(
    "fact_stock_snapshots",
    "day, system, location, SKU and kind",
    "the hub's stock_snapshots table (flows/stock_snapshots)",
    (
        C("date", "DATE", "the day of the snapshot", nullable=False),
        C("system", VARCHAR, "the ERP or a channel", nullable=False),
        C("kind", VARCHAR, "erp (the ERP's warehouse) or channel (what a store showed)"),
        C("location", VARCHAR, "warehouse or store location", nullable=False),
        C("sku", VARCHAR, "dim_product", nullable=False),
        C("quantity", QUANTITY, "on hand (erp) or shown (channel)"),
        C("forecast", QUANTITY, "the ERP's forecast quantity"),
        C("out_of_stock", "BOOLEAN", "quantity <= 0"),
    ),
    key=("date", "system", "location", "sku", "kind"),
    partition_by=("date",),
)

FACT_CARTS = Table(
    "fact_carts",
    "store checkout (a cart that reached checkout)",
    "the hub's carts table (flows/carts)",
    (
        C("channel", VARCHAR, "the store", nullable=False),
        C("checkout_id", VARCHAR, "the store's checkout id", nullable=False),
        C("customer_id", VARCHAR, "dim_customer, once known"),
        C("created_at", "TIMESTAMP", "when the checkout started"),
        C("created_date", "DATE", "its day"),
        C("state", VARCHAR, "open, abandoned, recovered, completed"),
        C("abandoned_at", "TIMESTAMP", "when it counted as abandoned"),
        C("recovered_at", "TIMESTAMP", "when an order followed an abandoned cart"),
        C("completed_at", "TIMESTAMP", "when the order was placed"),
        C("order_id", VARCHAR, "the order it became"),
        C("line_count", "INTEGER", "lines in the cart"),
        C("currency", VARCHAR, "the cart's currency"),
        C("total", MONEY, "the cart's total, in `currency`"),
    ),
    key=("channel", "checkout_id"),
    partition_by=("created_date", "channel"),
)

FACT_WEB_EVENTS = Table(
    "fact_web_events",
    "storefront event (clickstream)",
    "the hub's web_events table (POST /collect/{system})",
    (
        C("channel", VARCHAR, "the store", nullable=False),
        C("event_id", VARCHAR, "the event's id", nullable=False),
        C("name", VARCHAR, "page_viewed, product_viewed, product_added_to_cart, ..."),
        C("client_id", VARCHAR, "the browser's id"),
        C(
            "customer_id",
            VARCHAR,
            "dim_customer: the customer whose checkout this client completed (stitched)",
        ),
        C("occurred_at", "TIMESTAMP", "when it happened in the browser"),
        C("event_date", "DATE", "its day"),
        C("page_url", VARCHAR, "the page"),
        C("referrer", VARCHAR, "the referrer"),
        C("sku", VARCHAR, "the product, when the event names one"),
        C("quantity", "INTEGER", "units, for cart events"),
        C("currency", VARCHAR, "the value's currency"),
        C("value", MONEY, "the event's value, in `currency`"),
    ),
    key=("channel", "event_id"),
    partition_by=("event_date", "channel"),
)

FACT_ORDER_CHANGES = Table(
    "fact_order_changes",
    "edit, cancellation or refund of an order",
    "the hub's order_changes table",
    (
        C("change_key", VARCHAR, "the change's dedupe key", nullable=False),
        C("order_key", VARCHAR, "the hub's id of the order"),
        C("channel", VARCHAR, "the channel"),
        C("order_id", VARCHAR, "the channel's id of the order"),
        C("kind", VARCHAR, "edit, cancellation, refund"),
        C("occurred_at", "TIMESTAMP", "when it happened"),
        C("change_date", "DATE", "its day"),
        C("currency", VARCHAR, "the amount's currency"),
        C("amount_delta", MONEY, "what it changed the order's amount by, in `currency`"),
        C("before", "JSON", "what the hub knew before"),
        C("after", "JSON", "what the hub knew after"),
    ),
    key=("change_key",),
    partition_by=("change_date", "channel"),
)

FACT_INTEGRATION = Table(
    "fact_integration",
    "finished job of a flow (a record the hub moved, or tried to)",
    "the hub's jobs: done, parked or resolved; a flow's own scheduled runs left out",
    (
        C("job_id", "BIGINT", "the hub's id of the job", nullable=False),
        C(
            "created_at",
            "TIMESTAMP",
            "when the job was created (with job_id, it tells the job from a later one given "
            "the same id after retention removed it: SQLite may reuse the highest id)",
            nullable=False,
        ),
        C("date", "DATE", "the day it finished (UTC)", nullable=False),
        C("finished_at", "TIMESTAMP", "when it finished (last, for a job replayed)"),
        C("flow", VARCHAR, "the flow", nullable=False),
        C("kind", VARCHAR, "the record kind (order, fulfillment, payment, ...)"),
        C("state", VARCHAR, "the job's state: done, dead (parked) or resolved"),
        C(
            "outcome",
            VARCHAR,
            "handled: done and never parked; failed: parked, not fixed; fixed: parked, "
            "then replayed to done or resolved (NULL: none of these; counts nowhere)",
        ),
        C("parkings", "INTEGER", "times it was parked (the job keeps its last 20)"),
        C("first_parked_at", "TIMESTAMP", "when it was first parked (of the parkings kept)"),
        C("hours_to_fix", "DOUBLE", "fixed: hours from its first parking to its end"),
        C(
            "minutes_each",
            "DECIMAL(9, 2)",
            "minutes a person spends per record of its kind, as configured at the last build",
        ),
    ),
    key=("job_id", "created_at"),
    partition_by=("date",),
)

FACT_DEALS = Table(
    "fact_deals",
    "CRM deal",
    "the CRM's deals (model/ports/crm_reporting.py); the hub's links for its customer and "
    "ERP sale; ERP rates",
    (
        C("deal_id", VARCHAR, "the CRM's id of the deal", nullable=False),
        C("crm", VARCHAR, "the CRM system's name in the configuration"),
        C("pipeline", VARCHAR, "the CRM's pipeline id"),
        C("stage", VARCHAR, "the CRM's stage id, as the CRM has it (an unknown one is kept)"),
        C(
            "state",
            VARCHAR,
            "open, won or lost, by the CRM's closed flags (HubSpot: hs_is_closed, "
            "hs_is_closed_won); NULL when the CRM does not say",
        ),
        C(
            "contact_id",
            VARCHAR,
            "the deal's customer contact: the lowest id of its contacts, the one "
            "quotes-to-erp makes the sale's customer (NULL: no contact)",
        ),
        C("contact_count", "INTEGER", "contacts associated with the deal"),
        C(
            "customer_id",
            VARCHAR,
            "dim_customer: the golden customer the hub links that contact to (NULL: no "
            "contact, or one the hub has not linked)",
        ),
        C("created_at", "TIMESTAMP", "when the deal was created (UTC)"),
        C("created_date", "DATE", "its day"),
        C("close_date", "DATE", "the day it closed, or is expected to (UTC)"),
        C("modified_at", "TIMESTAMP", "when the CRM last changed it (UTC)"),
        C(
            "currency",
            VARCHAR,
            "ISO 4217 code of the deal's amount (the CRM account's own when the deal names none)",
        ),
        C("company_currency", VARCHAR, "ISO 4217 code of the ERP company's currency"),
        C(
            "rate",
            "DECIMAL(18, 9)",
            "company units per unit of `currency`, the ERP's rate on the close date (the "
            "creation date without one); NULL when the ERP has no rate, and then "
            "`amount_company` is NULL and the deal is in no company-currency sum",
        ),
        *_money("amount", "the deal's amount"),
        C("order_key", VARCHAR, "fact_orders: the hub's id of the order the deal became"),
        C("erp_sale_id", "BIGINT", "the ERP sale quotes-to-erp placed for it"),
        C("in_erp", "BOOLEAN", "whether the deal became an ERP sale", nullable=False),
    ),
    key=("deal_id",),
    partition_by=("created_date",),
)

DIMENSIONS = (DIM_DATE, DIM_CHANNEL, DIM_CUSTOMER, DIM_PRODUCT, DIM_CAMPAIGN)
FACTS = (
    FACT_ORDERS,
    FACT_ORDER_LINES,
    FACT_RETURNS,
    FACT_FULFILMENTS,
    FACT_PAYMENTS,
    FACT_CHANNEL_FEES,
    FACT_ACCOUNT_FEES,
    FACT_STOCK_SNAPSHOTS,
    FACT_CARTS,
    FACT_WEB_EVENTS,
    FACT_ORDER_CHANGES,
    FACT_INTEGRATION,
    FACT_DEALS,
)
TABLES = DIMENSIONS + FACTS
BY_NAME = {t.name: t for t in TABLES}


def all_ddl() -> Iterator[str]:
    for table in TABLES:
        yield table.ddl()
