"""Tryton as the ERP contract's subject: the real Tryton 8.2 (tests/tryton_fixtures.py),
its connector talking to it through a Wire, and Tryton's own view of its sales."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Self

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.model import Address, Customer, FinancialStatus, Order, OrderLine
from causeway_sandbox.tryton.server import TrytonServer
from tests.contract.connectors.wire import Wire, jsonrpc_method

# A product and price the Tryton build stocks (scripts/tryton/setup_business.py), untaxed
# so the order adds up without knowing the ERP's taxes.
SKU, PRICE = "WID-001", Decimal("10.00")
PLACED_AT = dt.datetime(2026, 3, 14, 15, 9, 26, tzinfo=dt.UTC)


class TrytonErp:
    """The ErpSubject of Tryton (tests/contract/connectors/erp_contract.py)."""

    # Placing one new order: create the sale, quote it, confirm it (sales.py).
    sale_writes = (
        jsonrpc_method("model.sale.sale.create"),
        jsonrpc_method("model.sale.sale.quote"),
        jsonrpc_method("model.sale.sale.confirm"),
    )
    finished_states = frozenset({"confirmed", "processing"})
    # Measured: two connectors placing one new order at once made two sales, or one
    # failed on the new customer's party code. The engine's ordering key prevents it.
    concurrent_places_are_safe = False

    def __init__(
        self,
        server: TrytonServer,
        wire: Wire,
        unique: str,
        *,
        build: type[TrytonConnector] = TrytonConnector,
    ) -> None:
        self.server = server
        self.wire = wire
        self.unique = unique
        self.build = build  # a negative check passes a broken variant
        self.connector = self._connector()
        self._erp = TrytonRPC(server.url, server.database, server.username, server.password)

    def _connector(self) -> TrytonConnector:
        server = self.server
        return self.build(self.wire.url, server.database, server.username, server.password)

    @contextmanager
    def connect(self) -> Iterator[TrytonConnector]:
        with self._connector() as connector:
            yield connector

    def order(self, key: str, *, customer: str | None = None) -> tuple[str, Order]:
        """customer: the key of another order by the same customer (default: a new one)."""
        number = f"#{key}-{self.unique}"
        email = f"{customer or key}.{self.unique}@example.com"
        address = Address(
            name="Ann Buyer",
            street="1 Main St",
            city="Springfield",
            postal_code="12345",
            country_code="US",
        )
        order = Order(
            external_id=f"{key}-{self.unique}",
            number=number,
            currency="USD",
            created_at=PLACED_AT,
            updated_at=PLACED_AT,
            customer=Customer(email=email, first_name="Ann", last_name=f"Buyer {customer or key}"),
            billing_address=address,
            shipping_address=address,
            lines=(
                OrderLine(external_id="1", sku=SKU, title="Widget", quantity=1, unit_price=PRICE),
            ),
            subtotal=PRICE,
            total_tax=Decimal(0),
            total=PRICE,
            financial_status=FinancialStatus.PAID,
        )
        return f"contract-{key}-{self.unique}", order

    def sales_in_erp(self, reference: str) -> list[str]:
        # Straight to Tryton, not through the wire: archived records too.
        context: dict[str, Any] = {**self._erp_context(), "active_test": False}
        records = self._erp.search_read(
            "sale.sale", [("reference", "=", reference)], ["id"], context=context
        )
        return [str(record["id"]) for record in records]

    def _erp_context(self) -> dict[str, Any]:
        if self._erp.user_id is None:
            self._erp.login()
        return self._erp.context

    def close(self) -> None:
        self.connector.close()
        self._erp.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
