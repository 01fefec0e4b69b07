"""What Tryton computes for an order's sale lines, without a server.

The connector's ``sale.line`` create values (connectors/tryton/sale_lines.py) fed to
rounding.tryton_amounts, Tryton 8.2's own arithmetic replayed; tests/tryton/ checks the
same orders against the real ERP.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.rounding import TaxRounding, tryton_amounts
from causeway.connectors.tryton.taxes import TrytonTax
from causeway.model.amounts import Amounts


def computed_by_tryton(
    values: Sequence[dict[str, Any]],
    taxes: Sequence[TrytonTax],
    rounding: TaxRounding = "line",
    currency: str = "USD",
) -> Amounts:
    """The untaxed, tax and total Tryton computes for these sale lines (`taxes`: the ERP's)."""
    by_id = {t.id: t for t in taxes}
    lines = [
        (int(v["quantity"]), v["unit_price"], tuple(by_id[i] for add in v["taxes"] for i in add[1]))
        for v in values
    ]
    untaxed, per_tax = tryton_amounts(lines, rounding)
    tax = sum(per_tax.values(), Decimal(0))
    return Amounts(untaxed=untaxed, tax=tax, total=untaxed + tax, currency=currency)
