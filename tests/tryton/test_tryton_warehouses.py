"""Stock per warehouse against the real Tryton 8.2: the main warehouse and a European one
each hold their own stock, a channel names the one it sells from by code or by name, and
a sale shipping from one warehouse takes nothing from the other.

This module runs its own Tryton: a second warehouse would change what the session's other
tests see (with one warehouse, Tryton picks it as every sale's default).
"""

from __future__ import annotations

import uuid
from decimal import Decimal as D

import pytest

from causeway.checks.tryton import check_stock_warehouses
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.errors import PermanentError
from causeway.model.sale_terms import SaleTerms
from causeway_sandbox.tryton.testkit import TrytonTestKit
from tests.tryton.test_tryton_connector import make_order, placed
from tests.tryton_fixtures import own_tryton

pytestmark = pytest.mark.tryton


# This module's own Tryton (see the module docstring); `tryton` connects to it.
tryton_server = own_tryton("tryton-wh")


@pytest.fixture
def europe(tryton: TrytonConnector) -> tuple[str, str]:
    """(code, name) of a European warehouse of this test's own."""
    suffix = uuid.uuid4().hex[:6]
    code, name = f"EU-{suffix}", f"Europe {suffix}"
    TrytonTestKit(tryton).ensure_warehouse(code, name)
    return code, name


def stocked(tryton: TrytonConnector, europe: str, *, main: int, eu: int) -> str:
    """A new SKU with `main` units in the main warehouse and `eu` in the European one."""
    sku = f"WH-{uuid.uuid4().hex[:8]}"
    kit = TrytonTestKit(tryton)
    kit.ensure_product(sku, "Two-warehouse lamp", D("20"), D("8"), D(main))
    kit.set_stock(sku, D(eu), warehouse=europe)
    return sku


def forecast(tryton: TrytonConnector, sku: str, warehouse: str | None = None) -> D:
    (level,) = tryton.stock_levels([sku], warehouse=warehouse)
    return level.forecast


def test_each_warehouse_has_its_own_stock_named_by_code_or_by_name(
    tryton: TrytonConnector, europe: tuple[str, str]
) -> None:
    code, name = europe
    sku = stocked(tryton, code, main=30, eu=12)

    (main,) = tryton.stock_levels([sku])
    (by_code,) = tryton.stock_levels([sku], warehouse=code)
    (by_name,) = tryton.stock_levels([sku], warehouse=f"  {name.upper()} ")
    assert (main.on_hand, main.forecast, main.location) == (D(30), D(30), "WH")
    assert (by_code.on_hand, by_code.forecast, by_code.location) == (D(12), D(12), code)
    assert by_name.forecast == D(12)
    # One warehouse, one key, whatever it is called by; the connector's own is WH.
    assert tryton.warehouse_key(code) == tryton.warehouse_key(name)
    assert tryton.warehouse_key(code) != tryton.warehouse_key(None)
    assert tryton.warehouse_key("WH") == tryton.warehouse_key("Warehouse")
    assert tryton.warehouse_key("WH") == tryton.warehouse_key(None)


def test_a_sale_shipping_from_europe_takes_its_stock_from_europe_only(
    tryton: TrytonConnector, europe: tuple[str, str], unique: str
) -> None:
    code, name = europe
    sku = stocked(tryton, code, main=30, eu=12)
    order = make_order(f"#WH{unique}", [(sku, 5, "20.00")])
    # The channel's sale terms name the warehouse by name, the stock by code: the same.
    results = tryton.place_orders([(f"eu-{unique}", order)], terms=SaleTerms(warehouse=name))
    placed(results[f"eu-{unique}"])

    assert forecast(tryton, sku, code) == D(7)
    assert forecast(tryton, sku) == D(30)


def test_a_warehouse_tryton_lacks_lists_the_warehouses_it_has(
    tryton: TrytonConnector, europe: tuple[str, str]
) -> None:
    code, name = europe
    with pytest.raises(PermanentError) as info:
        tryton.stock_levels(["WID-001"], warehouse="Atlantis")
    message = str(info.value)
    assert "warehouse 'Atlantis' not found in Tryton" in message
    assert "[WH] Warehouse" in message and f"[{code}] {name}" in message
    assert "Inventory & Stock > Warehouses" in message and "replay" not in message

    checks = check_stock_warehouses(
        "erp", tryton, {"shop_eu": [name], "shop_us": ["WH", "Atlantis"]}
    )
    assert [(c.ok, c.what) for c in checks] == [
        (True, f"warehouse {name!r} feeding channel 'shop_eu' (stock-to-channels)"),
        (True, "warehouse 'WH' feeding channel 'shop_us' (stock-to-channels)"),
        (False, "warehouse 'Atlantis' feeding channel 'shop_us' (stock-to-channels)"),
    ]
    assert "[WH] Warehouse" in (checks[2].fix or "")
