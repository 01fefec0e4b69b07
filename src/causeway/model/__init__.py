"""The canonical model: what an order, a customer, a product or a stock level is,
whatever system it came from. Connectors map native payloads to and from these."""

from causeway.model.customer import Address, Customer
from causeway.model.money import Money
from causeway.model.order import (
    Attribution,
    Discount,
    FinancialStatus,
    Order,
    OrderLine,
    ShippingLine,
    TaxLine,
)
from causeway.model.product import ProductVariant, StockLevel

__all__ = [
    "Address",
    "Attribution",
    "Customer",
    "Discount",
    "FinancialStatus",
    "Money",
    "Order",
    "OrderLine",
    "ProductVariant",
    "ShippingLine",
    "StockLevel",
    "TaxLine",
]
