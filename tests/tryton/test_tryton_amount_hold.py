"""place_orders with a `hold` question, against the real Tryton 8.2: a quotation whose
amounts differ from the order's stays a quotation and its order gets the reason; asked
again it is found, never created twice, and confirmed once it matches or taken as it is
once a person confirmed it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine.error_classes import AMOUNT_MISMATCH, classify
from causeway.errors import PermanentError
from causeway.flows.orders_to_erp.amount_check import PARK, AmountCheck
from causeway.model import Order
from tests.tryton.test_tryton_connector import count_sales, make_order, placed

pytestmark = pytest.mark.tryton

D = Decimal
HOLD = AmountCheck(on_mismatch=PARK).hold("shop", "erp")


def charged_half(order: Order) -> Order:
    """The store charged half of what its lines say (a discount the mapping does not
    carry): 2 x WID-001 at 10.00 + 10 % VAT makes 22.00 in Tryton; the store took 11.00."""
    return order.model_copy(
        update={"subtotal": D("10.00"), "total_tax": D("1.00"), "total": D("11.00")}
    )


def held(tryton: TrytonConnector, name: str) -> tuple[str, Order]:
    """Order `name` placed with the hold: its sale left a quotation (the reference, order)."""
    reference, order = (
        f"hold-{name}",
        charged_half(make_order(f"#H{name}", [("WID-001", 2, "10.00")])),
    )
    result = tryton.place_orders([(reference, order)], hold=HOLD)[reference]
    assert isinstance(result, PermanentError), result
    return reference, order


def sale(tryton: TrytonConnector, reference: str) -> dict:
    (found,) = tryton.rpc.search_read(
        "sale.sale", [("reference", "=", reference)], ["state", "total_amount", "number"]
    )
    return found


def test_a_mismatching_quotation_is_left_unconfirmed_with_both_breakdowns(
    tryton: TrytonConnector, unique: str
) -> None:
    reference = f"hold-a-{unique}"
    order = charged_half(make_order(f"#HA{unique}", [("WID-001", 2, "10.00")]))
    matching_reference = f"hold-b-{unique}"
    matching = make_order(f"#HB{unique}", [("WID-001", 1, "10.00")])

    results = tryton.place_orders([(reference, order), (matching_reference, matching)], hold=HOLD)

    error = results[reference]
    assert isinstance(error, PermanentError), error
    assert classify(error).name == AMOUNT_MISMATCH  # what the Problems page files it under
    text = str(error)
    assert "shop charged untaxed 10.00 + tax 1.00 = 11.00 USD" in text
    assert "the erp sale says untaxed 20.00 + tax 2.00 = 22.00 USD" in text
    assert "was left a quotation in erp" in text and "causeway replay" in text
    held = sale(tryton, reference)
    assert (held["state"], held["total_amount"]) == ("quotation", D("22.00"))
    assert held["number"] in text
    assert placed(results[matching_reference]).state in ("confirmed", "processing")

    again = tryton.place_orders([(reference, order)], hold=HOLD)[reference]
    assert isinstance(again, PermanentError) and "left a quotation" in str(again)
    assert sale(tryton, reference)["state"] == "quotation"
    assert count_sales(tryton, [reference]) == 1


def test_a_quotation_a_person_confirmed_is_taken_as_it_is(
    tryton: TrytonConnector, unique: str
) -> None:
    reference, order = held(tryton, f"c-{unique}")

    tryton.rpc.button("sale.sale", "confirm", [sale(tryton, reference)["id"]])
    asked: list[str] = []

    def hold(order: Order, quotation: object) -> str | None:
        asked.append(order.number)
        return HOLD(order, quotation)  # type: ignore[arg-type]

    result = placed(tryton.place_orders([(reference, order)], hold=hold)[reference])
    assert result.state in ("confirmed", "processing") and result.total_amount == D("22.00")
    assert asked == []  # a confirmed sale is not the hub's to hold
    assert count_sales(tryton, [reference]) == 1


def test_a_quotation_a_person_corrected_is_confirmed_once_it_matches(
    tryton: TrytonConnector, unique: str
) -> None:
    reference, order = held(tryton, f"d-{unique}")

    # In Tryton: back to draft, the agreed price on the line, left for the hub to confirm.
    sale_id = sale(tryton, reference)["id"]
    tryton.rpc.button("sale.sale", "draft", [sale_id])
    lines = tryton.rpc.search_read("sale.line", [("sale", "=", sale_id)], ["id"])
    tryton.rpc.write("sale.line", [line["id"] for line in lines], {"unit_price": D("5.0000")})

    result = placed(tryton.place_orders([(reference, order)], hold=HOLD)[reference])
    assert result.state in ("confirmed", "processing")
    assert (result.untaxed_amount, result.tax_amount, result.total_amount) == (
        D("10.00"),
        D("1.00"),
        D("11.00"),
    )
    assert result.sale_id == sale_id and count_sales(tryton, [reference]) == 1


def test_without_a_hold_a_mismatching_sale_is_confirmed_as_before(
    tryton: TrytonConnector, unique: str
) -> None:
    reference = f"hold-e-{unique}"
    order = charged_half(make_order(f"#HE{unique}", [("WID-001", 2, "10.00")]))
    result = placed(tryton.place_orders([(reference, order)])[reference])
    assert result.state in ("confirmed", "processing") and result.total_amount == D("22.00")
