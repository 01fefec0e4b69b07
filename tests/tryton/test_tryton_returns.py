"""Cancelling sales and booking returns in the real Tryton 8.2, through the connector."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.errors import PermanentError
from causeway.model.returns import RefundLine, Restock
from tests.tryton.test_tryton_connector import make_order, placed

pytestmark = pytest.mark.tryton


def confirmed_sale(tryton: TrytonConnector, reference: str, sku: str = "WID-001") -> Any:
    return placed(
        tryton.place_orders([(reference, make_order(f"#{reference}", [(sku, 2, "10.00")]))])[
            reference
        ]
    )


def read(tryton: TrytonConnector, sale_id: int) -> dict[str, Any]:
    (sale,) = tryton.rpc.read(
        "sale.sale", [sale_id], ["state", "shipments", "invoices", "shipment_returns"]
    )
    return sale


def refunded(sku: str, quantity: int, restock: Restock = Restock.RETURN) -> RefundLine:
    return RefundLine(
        line_item_id="1",
        sku=sku,
        title=sku,
        quantity=quantity,
        unit_price=Decimal("10.00"),
        restock=restock,
    )


def test_a_quotation_is_cancelled_and_a_second_cancel_changes_nothing(
    tryton: TrytonConnector, unique: str
) -> None:
    sale = confirmed_sale(tryton, f"q-{unique}")
    (line,) = tryton.rpc.search_read(
        "sale.line",
        [("sale", "=", sale.sale_id), ("product.code", "=", "WID-001")],
        ["product", "unit", "unit_price", "taxes"],
    )
    (original,) = tryton.rpc.read(
        "sale.sale", [sale.sale_id], ["party", "invoice_address", "shipment_address", "currency"]
    )
    values = {k: original[k] for k in ("party", "invoice_address", "shipment_address", "currency")}
    values.update(
        reference=f"quote-{unique}",
        lines=[
            [
                "create",
                [
                    {
                        "type": "line",
                        "product": line["product"],
                        "unit": line["unit"],
                        "quantity": 1.0,
                        "unit_price": line["unit_price"],
                    }
                ],
            ]
        ],
    )
    (quotation,) = tryton.rpc.create("sale.sale", [values])
    tryton.rpc.button("sale.sale", "quote", [quotation])

    first = tryton.cancel_sale(f"quote-{unique}")
    second = tryton.cancel_sale(f"quote-{unique}")
    assert first is not None and first.changed and first.state == "cancelled"
    assert second is not None and not second.changed
    assert read(tryton, quotation)["state"] == "cancelled"
    assert tryton.cancel_sale(f"no-such-{unique}") is None


def test_a_posted_invoice_blocks_the_cancel_and_nothing_is_changed(
    tryton: TrytonConnector, unique: str
) -> None:
    sale = confirmed_sale(tryton, f"p-{unique}")
    before = read(tryton, sale.sale_id)
    tryton.rpc.button("account.invoice", "post", before["invoices"])
    (invoice,) = tryton.rpc.read("account.invoice", before["invoices"], ["number", "allow_cancel"])
    if invoice["allow_cancel"]:
        pytest.skip("this build's company allows cancelling customer invoices")

    with pytest.raises(PermanentError, match=f"invoice {invoice['number']} \\(posted\\)"):
        tryton.cancel_sale(f"p-{unique}")
    shipments = tryton.rpc.read("stock.shipment.out", before["shipments"], ["state"])
    assert {s["state"] for s in shipments} == {"waiting"}
    assert read(tryton, sale.sale_id)["state"] == before["state"]


def test_a_return_left_as_a_draft_by_a_crash_is_finished_not_duplicated(
    tryton: TrytonConnector, unique: str
) -> None:
    ref = f"r-{unique}"
    confirmed_sale(tryton, ref)
    # The crash: the return sale was created but never quoted or confirmed.
    values = tryton.returns._values(ref, f"{ref}-R1", [refunded("WID-001", 1)], True)
    tryton.rpc.create("sale.sale", [values])

    again = tryton.place_return(
        ref, f"{ref}-R1", [refunded("WID-001", 1)], goods_come_back=True, description="refund 1"
    )
    assert not again.created and again.state == "processing"
    assert again.total_amount == Decimal("-11.00")
    assert len(again.return_shipments) == 1 and len(again.credit_notes) == 1
    found = tryton.rpc.search_read("sale.sale", [("reference", "=", f"{ref}-R1")], ["id"])
    assert len(found) == 1


def test_a_money_only_return_gives_a_credit_note_and_expects_no_goods(
    tryton: TrytonConnector, unique: str
) -> None:
    ref = f"m-{unique}"
    confirmed_sale(tryton, ref)
    credit = tryton.place_return(
        ref,
        f"{ref}-R2",
        [refunded("WID-001", 2, Restock.NO_RESTOCK)],
        goods_come_back=False,
        description="goodwill",
    )
    assert credit.created and credit.return_shipments == ()
    (note,) = tryton.rpc.read("account.invoice", list(credit.credit_notes), ["total_amount"])
    assert Decimal(str(note["total_amount"])) == Decimal("-22.00")
    assert tryton.return_progress([credit.sale_id])[credit.sale_id].received is False


def test_a_refund_for_a_sale_the_erp_does_not_have_is_refused(
    tryton: TrytonConnector, unique: str
) -> None:
    with pytest.raises(PermanentError, match=f"no sale none-{unique}"):
        tryton.place_return(
            f"none-{unique}",
            f"none-{unique}-R1",
            [refunded("WID-001", 1)],
            goods_come_back=True,
            description="x",
        )
