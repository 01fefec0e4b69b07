"""What the demo found, per store and in total, and when it counts as a success: every
order one sale in Tryton with its store's prefix and currency, every shipment a fulfilled
store order, every paid order a paid invoice, and every store showing its share of stock."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from causeway_sandbox.demo.amazon import AmazonSummary
from causeway_sandbox.demo.erp import PLACED, ErpSale
from causeway_sandbox.demo.stores import SKUS, StoreSpec


@dataclass
class StoreSummary:
    title: str
    currency: str
    reference_prefix: str
    share: str
    safety_stock: int
    pays_invoices: bool
    orders_placed: int = 0
    orders_in_erp: int = 0  # as the hub's order view says
    erp_numbers: dict[str, str] = field(default_factory=dict)  # store order -> ERP sale
    erp_sales: list[dict[str, str]] = field(default_factory=list)  # as Tryton has them
    webhook_deliveries: int = 0
    duplicates_ignored: int = 0
    stock_shown: dict[str, int | None] = field(default_factory=dict)
    orders_shipped_in_erp: int = 0
    orders_fulfilled_in_store: int = 0
    invoices_paid_in_erp: int = 0

    @classmethod
    def of(cls, spec: StoreSpec, *, pays_invoices: bool) -> StoreSummary:
        return cls(
            title=spec.title,
            currency=spec.currency,
            reference_prefix=spec.reference_prefix,
            share=str(spec.share),
            safety_stock=spec.safety_stock,
            pays_invoices=pays_invoices,
        )

    def found_in_erp(self, sales: list[ErpSale]) -> None:
        self.erp_sales = [asdict(sale) for sale in sales]

    def problems(self) -> list[str]:
        found = []
        references = [sale["reference"] for sale in self.erp_sales]
        if not self.orders_placed:
            found.append("no order was placed")
        if self.orders_in_erp != self.orders_placed:
            found.append(f"{self.orders_in_erp} of {self.orders_placed} orders reached the ERP")
        if len(references) != self.orders_placed or len(set(references)) != len(references):
            found.append(f"{self.orders_placed} orders but Tryton holds sales {references}")
        if {sale["number"] for sale in self.erp_sales} != set(self.erp_numbers.values()):
            found.append("the hub's ERP sale numbers are not the sales Tryton holds")
        if other := {sale["currency"] for sale in self.erp_sales} - {self.currency}:
            found.append(f"sales in {sorted(other)}, not in the store's {self.currency}")
        if other := {sale["state"] for sale in self.erp_sales} - set(PLACED):
            found.append(f"sales left {sorted(other)}")
        if self.orders_fulfilled_in_store != self.orders_shipped_in_erp:
            found.append(
                f"{self.orders_fulfilled_in_store} of {self.orders_shipped_in_erp} shipped "
                "orders fulfilled in the store"
            )
        if self.pays_invoices and self.invoices_paid_in_erp != self.orders_placed:
            found.append(f"{self.invoices_paid_in_erp} of {self.orders_placed} invoices paid")
        if missing := [sku for sku in SKUS if self.stock_shown.get(sku) is None]:
            found.append(f"shows no stock for {missing}")
        return found


@dataclass
class DemoSummary:
    stores: dict[str, StoreSummary] = field(default_factory=dict)
    amazon: AmazonSummary | None = None  # the Amazon channel, when the demo sells there
    stock_skus_published: int = 0
    erp_forecast: dict[str, int] = field(default_factory=dict)  # SKU -> Tryton's, at the end
    warehouse_order_lines: int = 0  # in the reporting warehouse built at the end
    seconds: float = 0.0
    # Seconds each step took, to see where a slow run spent its time.
    steps: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def total(self, key: str) -> int:
        return sum(int(getattr(store, key)) for store in self.stores.values())

    def all_problems(self) -> list[str]:
        warehouse = (
            []
            if self.warehouse_order_lines or not self.total("orders_in_erp")
            else ["the reporting warehouse holds no order line"]
        )
        return (
            self.problems
            + warehouse
            + [
                f"{name}: {problem}"
                for name, store in self.stores.items()
                for problem in store.problems()
            ]
            + [f"amazon: {problem}" for problem in (self.amazon.problems() if self.amazon else [])]
        )

    @property
    def ok(self) -> bool:
        return bool(self.stores) and not self.all_problems()

    def as_dict(self) -> dict[str, Any]:
        totals = {
            key: self.total(key)
            for key in (
                "orders_placed",
                "orders_in_erp",
                "webhook_deliveries",
                "duplicates_ignored",
                "orders_shipped_in_erp",
                "orders_fulfilled_in_store",
                "invoices_paid_in_erp",
            )
        }
        erp_sales = sum(len(store.erp_sales) for store in self.stores.values())
        return (
            totals
            | {"erp_sales_for_these_orders": erp_sales}
            | {k: v for k, v in asdict(self).items() if k != "problems"}
            | {"problems": self.all_problems(), "ok": self.ok}
        )
