"""A channel's sale terms as the merchant writes them, and how the Tryton connector matches
the names to Tryton's records and words what it cannot match."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from causeway.connectors.tryton import mapping
from causeway.connectors.tryton.terms import KINDS, Named, named_records, pick
from causeway.errors import PermanentError
from causeway.model.sale_terms import SaleTerms
from tests.unit.test_tryton_mapping import order

PRICE_LISTS = named_records(
    KINDS["price_list"],
    [{"id": 3, "name": "Retail"}, {"id": 7, "name": "Wholesale"}, {"id": 9, "name": "  "}],
)
CATEGORIES = named_records(
    KINDS["customer_group"],
    [
        {"id": 1, "name": "Channels", "rec_name": "Channels"},
        {"id": 2, "name": "Wholesale", "rec_name": "Channels / Wholesale"},
        {"id": 4, "name": "Wholesale", "rec_name": "Legacy / Wholesale"},
        {"id": 5, "name": "EU Shop", "rec_name": "Channels / EU Shop"},
    ],
)


def test_terms_as_written_in_causeway_yaml_lose_stray_spaces_and_leave_out_the_defaults() -> None:
    terms = SaleTerms.model_validate({"price_list": "  EU  Retail ", "warehouse": "WH-EU"})
    assert terms.named() == {"price_list": "EU Retail", "warehouse": "WH-EU"}
    assert SaleTerms().named() == {}


@pytest.mark.parametrize(
    ("written", "complaint"),
    [
        ({"payment_term": "   "}, "leave it out for the ERP's default"),
        ({"customer_groups": "VIP"}, "customer_groups"),  # a misspelt key is named
    ],
)
def test_a_blank_name_or_an_unknown_setting_is_refused(
    written: dict[str, str], complaint: str
) -> None:
    with pytest.raises(ValidationError, match=complaint):
        SaleTerms.model_validate(written)


def test_a_name_matches_whatever_its_case_and_spacing() -> None:
    assert pick(KINDS["price_list"], "wholesale", PRICE_LISTS, "erp") == 7
    assert pick(KINDS["price_list"], "RETAIL", PRICE_LISTS, "erp") == 3


def test_a_name_tryton_lacks_is_named_with_the_setting_and_what_tryton_has() -> None:
    with pytest.raises(PermanentError) as error:
        pick(KINDS["price_list"], "EU Retail", PRICE_LISTS, "erp")
    message = str(error.value)
    assert message.startswith(
        "price list 'EU Retail' not found in Tryton (erp); it has: Retail, Wholesale."
    )
    assert "`price_list`" in message and "Product > Price Lists" in message
    assert "causeway replay" in message


def test_a_long_list_of_what_tryton_has_is_cut_short() -> None:
    many = [Named(n, f"WH{n:02d}", frozenset({f"wh{n:02d}"})) for n in range(20)]
    with pytest.raises(PermanentError, match=r"it has: WH00, WH01, .*, WH14 and 5 more\."):
        pick(KINDS["warehouse"], "WH-EU", many, "erp")


def test_a_customer_group_is_found_by_its_name_or_its_full_path() -> None:
    assert pick(KINDS["customer_group"], "EU Shop", CATEGORIES, "erp") == 5
    assert pick(KINDS["customer_group"], "channels / wholesale", CATEGORIES, "erp") == 2


def test_a_name_two_records_answer_to_is_an_error_not_a_guess() -> None:
    with pytest.raises(PermanentError) as error:
        pick(KINDS["customer_group"], "Wholesale", CATEGORIES, "erp")
    assert str(error.value).startswith(
        "customer group 'Wholesale' is ambiguous in Tryton (erp): 2 records answer to it (ids 2, 4)"
    )


def test_the_sale_records_a_price_list_only_when_there_is_one() -> None:
    header: dict[str, Any] = {
        "party": 1,
        "invoice_address": 2,
        "shipment_address": 2,
        "lines": [],
        "warehouse": 4,
        "currency": 2,
        "payment_term": None,
    }
    with_list = mapping.sale_values(order(), "shop-1", price_list=8, **header)
    without = mapping.sale_values(order(), "shop-1", **header)
    assert with_list["price_list"] == 8
    assert "price_list" not in without
