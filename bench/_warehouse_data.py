"""bench/warehouse.py's data: what a hub that placed `lines` order lines holds, and a
synthetic ERP that answers the warehouse build from the same numbers.

Every order is a pure function of its index (`order(n, lines)`), so the filler writes it
into the hub's tables and `BenchErp` answers for its ERP sale (id n + 1) without keeping
anything: SYNTHETIC BENCH DATA, not the Tryton connector. The ERP side it makes up:
- cost of goods: each SKU's cost price (`cost_price`) times the units of the line;
- shipments: every placed order but one in ten, one shipment from WH-1 or WH-2,
  4 to 75 hours after the order, all its units;
- invoices: three placed orders in four, one posted invoice of the order's total in
  its currency, dated the day after the order;
- sale state: cancelled, done (shipped) or processing;
- products: every SKU with its title, category and cost price;
- rates: USD to the company's EUR, a new rate each month.
It answers in batches of sale ids, like the real one (warehouse/erp.py asks 200 at a time).

The hub's side (inserted in bulk straight into the engine's tables, bench-only):
order_facts + order_fact_lines (3 channels, EUR and USD, golden customers in three
groups and guests, utm campaigns and referrers, one order in 20 cancelled), the golden
customers, two started checkouts per order of the two channels that report carts (about
half end in an order), one storefront event per 2 orders (with checkouts naming orders),
a daily stock snapshot per SKU of the ERP's 2 warehouses and the shop, a refund for one
order in 25 and a cancellation change for each cancelled order, and three finished jobs
per order (placed, fulfilment sent back, payment or invoice; some parked, then fixed).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table

from causeway.engine.schema import (
    carts,
    customers,
    jobs,
    order_changes,
    order_fact_lines,
    order_facts,
    stock_snapshots,
    web_events,
)
from causeway.engine.store import Store
from causeway.flows.channel_fees import account_fees
from causeway.model.ports.erp_reporting import (
    CurrencyRate,
    InvoiceFact,
    ProductFact,
    SaleCosts,
    SaleLineCost,
    ShipmentFact,
)
from causeway.model.ports.fees import AccountFees, BookedFees, ChannelFee

CHANNELS = ("shop", "woo", "market")
ERP = "erp"  # the ERP system of bench/warehouse.py's settings
GROUPS = ("retail", "wholesale", "vip")
REASONS = ("damaged", "wrong size", "not as described", "changed mind")
WAREHOUSES = ("WH-1", "WH-2")
LANDINGS = (
    "/?utm_source=google&utm_campaign=spring&utm_medium=cpc",
    "/products/widget?utm_source=newsletter&utm_campaign=march&utm_medium=email",
    "/collections/sale?utm_source=facebook&utm_campaign=retarget&utm_medium=social",
    "/products/gadget",
    "/",
    None,
)
REFERRERS = ("https://www.google.com/search?q=widget", "https://www.facebook.com/", None)
FIRST_DAY = dt.date(2025, 12, 1)
CHUNK = 20_000
CENT = Decimal("0.01")


def ts(day: dt.date, seconds: int = 0) -> float:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() + seconds


# -- the shape of the data -------------------------------------------------------------------
@dataclass(frozen=True)
class Shape:
    """How much of everything there is for `lines` order lines."""

    lines: int

    @property
    def orders(self) -> int:
        """Orders hold 1, 2, 3, 4 lines in turn: 10 lines per 4 orders."""
        full, rest = divmod(self.lines, 10)
        return 4 * full + next(i for i, start in enumerate((0, 1, 3, 6, 10)) if start >= rest)

    @property
    def days(self) -> int:
        return min(365, max(3, self.orders // 1000))

    @property
    def skus(self) -> list[str]:
        return [f"SKU-{i:04d}" for i in range(min(200, max(10, self.orders // 2000)))]

    @property
    def customers(self) -> int:
        return max(1, self.orders // 4)

    def day_of(self, n: int) -> dt.date:
        return FIRST_DAY + dt.timedelta(days=n * self.days // max(1, self.orders))

    @property
    def last_day(self) -> dt.date:
        return FIRST_DAY + dt.timedelta(days=self.days - 1)


def first_line(n: int) -> int:
    return 10 * (n // 4) + (0, 1, 3, 6)[n % 4]


def price(sku_index: int) -> Decimal:
    return Decimal(5) + Decimal(sku_index % 50) * Decimal("1.50")


def cost_price(sku_index: int) -> Decimal:
    return (price(sku_index) * Decimal("0.55")).quantize(CENT)


@dataclass(frozen=True)
class Line:
    sku_index: int
    sku: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Order:
    n: int
    channel: str
    currency: str
    customer: int | None  # golden customer index; None for a guest
    day: dt.date
    ordered_at: float
    cancelled: bool
    lines: tuple[Line, ...]

    @property
    def hub_id(self) -> str:
        return f"o{self.n:09d}"

    @property
    def order_id(self) -> str:
        return str(5_000_000_000 + self.n)

    @property
    def goods_net(self) -> Decimal:
        return sum((ln.unit_price * ln.quantity - ln.discount for ln in self.lines), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return sum((ln.tax for ln in self.lines), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.goods_net + SHIPPING + self.tax

    @property
    def shipped(self) -> bool:
        return not self.cancelled and self.n % 10 != 0

    @property
    def invoiced(self) -> bool:
        return not self.cancelled and self.n % 4 != 3

    @property
    def refunded(self) -> bool:
        return not self.cancelled and self.n % 25 == 11


SHIPPING = Decimal("4.90")


def shipping_cost(n: int) -> Decimal:
    """What the carrier charged for order n's shipment, in its currency."""
    return Decimal("3.80") + Decimal(n % 5) / 2


def order(n: int, shape: Shape) -> Order:
    skus = shape.skus
    count = min(1 + n % 4, shape.lines - first_line(n))
    lines = []
    for j in range(count):
        index = (n * 3 + j * 7) % len(skus)
        quantity = 1 + (n + j) % 3
        unit = price(index)
        discount = Decimal("1.00") if (n + j) % 6 == 0 else Decimal(0)
        tax = ((unit * quantity - discount) * Decimal("0.2")).quantize(CENT)
        lines.append(Line(index, skus[index], quantity, unit, discount, tax))
    day = shape.day_of(n)
    return Order(
        n=n,
        channel=CHANNELS[n % 3],
        currency="USD" if n % 5 in (1, 3) else "EUR",
        customer=None if n % 10 == 9 else (n * 7) % shape.customers,
        day=day,
        ordered_at=ts(day, 8 * 3600 + (n * 7919) % 43_200),
        cancelled=n % 20 == 7,
        lines=tuple(lines),
    )


def customer_id(c: int) -> str:
    return f"g{c:09d}"


# -- the hub's tables ------------------------------------------------------------------------
def order_rows(o: Order) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    landing = LANDINGS[o.n % len(LANDINGS)]
    fact = {
        "hub_id": o.hub_id,
        "system": o.channel,
        "order_id": o.order_id,
        "number": f"#{1000 + o.n}",
        "customer_id": None if o.customer is None else customer_id(o.customer),
        "customer_group": None if o.customer is None else GROUPS[o.customer % 3],
        "currency": o.currency,
        "ordered_at": o.ordered_at,
        "state": "cancelled" if o.cancelled else "placed",
        "cancelled_at": o.ordered_at + 3600 if o.cancelled else None,
        "taxes_included": False,
        "goods_net": str(o.goods_net),
        "discounts": str(sum((ln.discount for ln in o.lines), Decimal(0))),
        "shipping_charged": str(SHIPPING),
        "tax": str(o.tax),
        "total": str(o.total),
        "source_name": "web" if o.channel != "market" else "marketplace",
        "landing_site": landing,
        "referring_site": REFERRERS[o.n % len(REFERRERS)],
        "landing_site_ref": None,
        "erp_system": "erp",
        "erp_sale_id": str(o.n + 1),
        "changed_at": o.ordered_at,
    }
    lines = [
        {
            "hub_id": o.hub_id,
            "line_no": j + 1,
            "sku": ln.sku,
            "title": f"Product {ln.sku}",
            "quantity": ln.quantity,
            "unit_price": str(ln.unit_price),
            "discount": str(ln.discount),
            "tax": str(ln.tax),
        }
        for j, ln in enumerate(o.lines)
    ]
    return fact, lines


def change_rows(o: Order) -> list[dict[str, Any]]:
    rows = []
    if o.refunded:
        ln = o.lines[0]
        at = o.ordered_at + 5 * 86400
        rows.append(
            {
                "hub_id": o.hub_id,
                "system": o.channel,
                "order_id": o.order_id,
                "kind": "refund",
                "occurred_at": at,
                "recorded_at": at,
                "dedupe_key": f"{o.channel}:refund:{o.n}",
                "before": json.dumps({"state": "placed"}),
                "after": json.dumps(
                    {
                        "state": "placed",
                        "refund": str(o.n),
                        "reason": REASONS[o.n % len(REASONS)],
                        "refund_lines": [
                            {
                                "sku": ln.sku,
                                "title": ln.sku,
                                "quantity": 1,
                                "unit_price": str(ln.unit_price),
                                "restock": "return",
                            }
                        ],
                    }
                ),
                "amount_delta": str(-ln.unit_price),
                "currency": o.currency,
            }
        )
    if o.cancelled:
        at = o.ordered_at + 3600
        rows.append(
            {
                "hub_id": o.hub_id,
                "system": o.channel,
                "order_id": o.order_id,
                "kind": "cancellation",
                "occurred_at": at,
                "recorded_at": at,
                "dedupe_key": f"{o.channel}:cancel:{o.n}",
                "before": json.dumps({"state": "placed", "total": str(o.total)}),
                "after": json.dumps({"state": "cancelled"}),
                "amount_delta": str(-o.total),
                "currency": o.currency,
            }
        )
    return rows


def customer_row(c: int, stamp: float) -> dict[str, Any]:
    fields = {
        "customer_group": {"value": GROUPS[c % 3]},
        "address": {"value": {"country_code": ("DE", "FR", "US")[c % 3]}},
    }
    return {
        "id": customer_id(c),
        "record": json.dumps({"fields": fields}),
        "version": 1,
        "merged_into": None,
        "created_at": stamp,
        "updated_at": stamp,
    }


CART_STATES = ("open", "abandoned", "recovered", "completed", "abandoned")


def carts_of(shape: Shape) -> int:
    """Checkouts started: two per order of the two channels that report carts (about half
    of started checkouts end in an order, Shopify's usual checkout completion)."""
    return shape.orders * 2 * 2 // 3


def cart_row(i: int, shape: Shape) -> dict[str, Any]:
    n = i * shape.orders // carts_of(shape)
    o_day = shape.day_of(n)
    created = ts(o_day, 9 * 3600 + i % 3600)
    state = CART_STATES[i % len(CART_STATES)]
    return {
        "system": CHANNELS[i % 2],  # the market reports no carts
        "checkout_id": f"chk-{i}",
        "checkout_token": f"tok-{i}",
        "cart_token": None,
        "email": f"c{i}@example.com",
        "customer_id": customer_id(i % shape.customers) if i % 3 else None,
        "currency": "USD" if i % 4 == 1 else "EUR",
        "total": str(price(i % 50) * (1 + i % 3)),
        "line_count": 1 + i % 3,
        "lines": "[]",
        "recovery_url": None,
        "created_at": created,
        "updated_at": created,
        "completed_at": created + 600 if state in ("completed", "recovered") else None,
        "order_id": str(5_000_000_000 + n) if state in ("completed", "recovered") else None,
        "state": state,
        "abandoned_at": created + 86400 if state in ("abandoned", "recovered") else None,
        "recovered_at": created + 2 * 86400 if state == "recovered" else None,
        "received_at": created,
    }


EVENT_NAMES = (
    "page_viewed",
    "product_viewed",
    "product_added_to_cart",
    "checkout_started",
    "checkout_completed",
)


def event_row(i: int, shape: Shape) -> dict[str, Any]:
    n = i * 2 % shape.orders
    o = order(n, shape)
    name = EVENT_NAMES[i % len(EVENT_NAMES)]
    at = o.ordered_at - 600 + 100 * (i % 5)
    data = None
    if name == "checkout_completed":
        data = json.dumps({"checkout": {"order": {"id": f"gid://shopify/Order/{o.order_id}"}}})
    return {
        "system": "shop",
        "event_id": f"ev-{i}",
        "name": name,
        "client_id": f"client-{i // 5}",
        "occurred_at": at,
        "received_at": at + 1,
        "page_url": f"https://shop.example.com{LANDINGS[i % 5] or '/'}",
        "referrer": REFERRERS[i % 3],
        "product_sku": o.lines[0].sku if name != "page_viewed" else None,
        "variant_id": None,
        "quantity": 1 if name == "product_added_to_cart" else None,
        "value": str(o.lines[0].unit_price) if name != "page_viewed" else None,
        "currency": o.currency,
        "data": data,
        "customer_id": None,
    }


def snapshot_rows(day: dt.date, shape: Shape) -> list[dict[str, Any]]:
    rows = []
    for i, sku in enumerate(shape.skus):
        for kind, system, location in (
            ("erp", "erp", "WH-1"),
            ("erp", "erp", "WH-2"),
            ("channel", "shop", "online"),
        ):
            quantity = (i * 31 + day.toordinal() * 7 + len(location) * 3) % 40 - 6
            rows.append(
                {
                    "day": day.isoformat(),
                    "taken_at": ts(day, 23 * 3600 + 50 * 60),
                    "system": system,
                    "kind": kind,
                    "location": location,
                    "sku": sku,
                    "quantity": str(quantity),
                    "forecast": None,
                }
            )
    return rows


JOB_FLOWS = ("orders-to-erp", "fulfillments-to-channels", "payments-and-invoices", "cases")


def jobs_of(shape: Shape) -> int:
    """Finished jobs: three per order (placed in the ERP, its fulfilment sent back, its
    payment or invoice), the rest of the flows left out."""
    return shape.orders * 3


def job_row(i: int, shape: Shape) -> dict[str, Any]:
    o_day = shape.day_of(i * shape.orders // jobs_of(shape))
    finished = ts(o_day, 10 * 3600 + i % 3600)
    parked = i % 40 == 0
    state = ("done", "resolved", "dead")[i % 3] if parked else "done"
    history = None
    if parked:
        history = json.dumps([{"at": finished - 3600 * (1 + i % 5), "error": "x", "class": "x"}])
    return {
        "flow": JOB_FLOWS[i % len(JOB_FLOWS)],
        "ordering_key": f"bench:{i}",
        "dedupe_key": None,
        "payload": "{}",
        "state": state,
        "attempts": 1,
        "max_attempts": 5,
        "run_at": finished,
        "lease_owner": None,
        "lease_until": None,
        "last_error": None,
        "created_at": finished - 60,
        "updated_at": finished,
        "finished_at": finished,
        "error_history": history,
    }


def account_fee_periods(shape: Shape) -> list[tuple[str, AccountFees, BookedFees]]:
    """The marketplace's and the shop's settlement periods with their account fees as the
    ERP booked them (subscription, storage), about four each, every fourth in USD: so
    the Channel P&L's account fees have periods in and out of a date range, and some
    without a rate when the ERP has none."""
    length = max(1, shape.days // 4)
    periods = []
    for channel in ("market", "shop"):
        for i in range(shape.days // length):
            start = FIRST_DAY + dt.timedelta(days=i * length)
            end = start + dt.timedelta(days=length - 1)
            currency = "USD" if i % 4 == 3 else "EUR"
            total = Decimal("39.99") + Decimal(i % 5) * Decimal("1.25")
            period = AccountFees(
                group_id=f"{channel}-{i}",
                started_at=dt.datetime.combine(start, dt.time(), dt.UTC),
                ended_at=dt.datetime.combine(end, dt.time(23, 59), dt.UTC),
                fees=(ChannelFee(fee_type="Subscription", currency=currency, amount=total),),
            )
            booked = BookedFees(
                document_id=i + 1,
                number=None,
                state="posted",
                currency=currency,
                total=total,
                created=True,
            )
            periods.append((channel, period, booked))
    return periods


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(table.insert(), rows)


def fill(store: Store, shape: Shape, say: Any = print) -> dict[str, int]:
    """The hub's tables for `shape`, in bulk; rows written per table."""
    started = time.perf_counter()
    counts: dict[str, int] = {}

    def put(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        _insert(conn, table, rows)
        counts[table.name] = counts.get(table.name, 0) + len(rows)

    with store.transaction() as conn:
        conn.exec_driver_sql("PRAGMA cache_size=-500000")
        for start in range(0, shape.orders, CHUNK):
            facts, lines, changes = [], [], []
            for n in range(start, min(shape.orders, start + CHUNK)):
                o = order(n, shape)
                fact, fact_lines = order_rows(o)
                facts.append(fact)
                lines.extend(fact_lines)
                changes.extend(change_rows(o))
            put(conn, order_facts, facts)
            put(conn, order_fact_lines, lines)
            put(conn, order_changes, changes)
            say(f"  {counts['order_fact_lines']:,} lines ({time.perf_counter() - started:.0f} s)")
        stamp = ts(shape.last_day)
        for name, table, count, make in (
            ("customers", customers, shape.customers, lambda i: customer_row(i, stamp)),
            ("carts", carts, carts_of(shape), lambda i: cart_row(i, shape)),
            ("web events", web_events, shape.orders // 2, lambda i: event_row(i, shape)),
            ("jobs", jobs, jobs_of(shape), lambda i: job_row(i, shape)),
        ):
            for start in range(0, count, CHUNK):
                put(conn, table, [make(i) for i in range(start, min(count, start + CHUNK))])
            say(f"  {count:,} {name} ({time.perf_counter() - started:.0f} s)")
        for d in range(shape.days):
            put(conn, stock_snapshots, snapshot_rows(FIRST_DAY + dt.timedelta(days=d), shape))
        periods = account_fee_periods(shape)
        for channel, period, booked in periods:
            account_fees.record(conn, ERP, channel, period, booked, booked_at=stamp)
        counts["account fee periods"] = len(periods)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    return counts


# -- the ERP ----------------------------------------------------------------------------------
class BenchErp:
    """The ErpReporting port answered from the generated orders (SYNTHETIC BENCH DATA,
    see the module's doc): sale id n + 1 is order n."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.calls = 0

    def _orders(self, sale_ids: Sequence[int]) -> list[Order]:
        self.calls += 1
        return [order(s - 1, self.shape) for s in sale_ids if 0 < s <= self.shape.orders]

    def company_currency(self) -> str:
        return "EUR"

    def sale_costs(self, sale_ids: Sequence[int]) -> Mapping[int, SaleCosts]:
        found = {}
        for o in self._orders(sale_ids):
            state = "cancelled" if o.cancelled else "done" if o.shipped else "processing"
            found[o.n + 1] = SaleCosts(
                sale_id=o.n + 1,
                state=state,
                lines=tuple(
                    SaleLineCost(
                        sku=ln.sku,
                        quantity=Decimal(ln.quantity),
                        cost=cost_price(ln.sku_index) * ln.quantity,
                    )
                    for ln in o.lines
                ),
            )
        return found

    def sale_shipments(self, sale_ids: Sequence[int]) -> Mapping[int, list[ShipmentFact]]:
        found: dict[int, list[ShipmentFact]] = {}
        for o in self._orders(sale_ids):
            if not o.shipped:
                continue
            at = dt.datetime.fromtimestamp(o.ordered_at + 3600 * (4 + o.n % 72), dt.UTC)
            found[o.n + 1] = [
                ShipmentFact(
                    shipment_id=o.n + 1,
                    number=f"SHIP{o.n:08d}",
                    sale_id=o.n + 1,
                    warehouse=WAREHOUSES[o.n % 2],
                    carrier=("UPS", "DHL")[o.n % 2],
                    shipped_at=at,
                    units=Decimal(sum(ln.quantity for ln in o.lines)),
                    # DHL bills in dollars: its cost converts at the ship date's rate.
                    cost=shipping_cost(o.n),
                    cost_currency=("EUR", "USD")[o.n % 2],
                )
            ]
        return found

    def sale_invoice_facts(self, sale_ids: Sequence[int]) -> Mapping[int, list[InvoiceFact]]:
        found: dict[int, list[InvoiceFact]] = {}
        for o in self._orders(sale_ids):
            if o.invoiced:
                found[o.n + 1] = [
                    InvoiceFact(
                        invoice_id=o.n + 1,
                        number=f"INV{o.n:08d}",
                        sale_id=o.n + 1,
                        state="posted",
                        currency=o.currency,
                        total_amount=o.total,
                        invoice_date=o.day + dt.timedelta(days=1),
                    )
                ]
        return found

    def product_facts(self) -> list[ProductFact]:
        return [
            ProductFact(
                sku=sku,
                title=f"Product {sku}",
                category=("Tools", "Garden", "Kitchen")[i % 3],
                cost_price=cost_price(i),
            )
            for i, sku in enumerate(self.shape.skus)
        ]

    def currency_rates(self, currencies: Sequence[str]) -> list[CurrencyRate]:
        if "USD" not in currencies:
            return []
        rates, month = [], dt.date(FIRST_DAY.year, FIRST_DAY.month, 1)
        for k in range(14):
            rates.append(
                CurrencyRate(currency="USD", date=month, rate=Decimal("0.90") + Decimal(k) / 200)
            )
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return rates
