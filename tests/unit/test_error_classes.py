"""A parked job's class comes from the exception the connectors and flows really raise."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from causeway.connectors.http_retry import RetryPolicy, Transient, with_transient_retries
from causeway.connectors.shopify.connector import ShopifyConnector
from causeway.connectors.tryton.taxes import TrytonTax, _mapped
from causeway.connectors.tryton.terms import KINDS, not_found
from causeway.engine.error_classes import (
    AMOUNT_MISMATCH,
    CONNECTION,
    INVALID_PAYLOAD,
    MISSING_MASTER_DATA,
    RATE_LIMIT,
    REJECTED,
    UNEXPECTED,
    UNKNOWN_PRODUCT,
    classify,
    label,
)
from causeway.errors import (
    AmountMismatchError,
    PermanentError,
    RateLimitedError,
    RetryableError,
    UnknownSkuError,
)
from causeway.model import TaxLine
from tests.unit.shopify_payloads import rest_order


def raised(action) -> BaseException:  # type: ignore[no-untyped-def]
    with pytest.raises(BaseException) as info:
        action()
    return info.value


def shopify() -> ShopifyConnector:
    return ShopifyConnector("https://example.myshopify.com", "shpat_test")


def test_an_unknown_sku_is_an_unknown_product_naming_the_skus() -> None:
    found = classify(UnknownSkuError(["B-2", "A-1", "A-1"], "tryton"))
    assert found.name == UNKNOWN_PRODUCT
    assert found.detail == {"skus": ["A-1", "B-2"]}
    assert found.label == "unknown product"


def test_a_warehouse_the_erp_does_not_have_is_missing_master_data() -> None:
    error = not_found(KINDS["warehouse"], "WH9", [], "tryton")
    assert classify(error).name == MISSING_MASTER_DATA


def test_a_tax_the_erp_does_not_have_is_missing_master_data() -> None:
    line = TaxLine(title="VAT", rate=Decimal("0.2"), amount=Decimal("2.00"))
    error = raised(lambda: _mapped(line, "VAT 20%", [TrytonTax(1, "VAT 7%", Decimal("0.07"))], "t"))
    assert classify(error).name == MISSING_MASTER_DATA


def test_an_order_the_store_sent_broken_is_an_invalid_payload() -> None:
    body = copy.deepcopy(rest_order())
    body["line_items"][0]["quantity"] = "abc"
    error = raised(lambda: shopify().order_from_webhook(body))
    assert classify(error).name == INVALID_PAYLOAD


def test_a_pydantic_validation_error_is_an_invalid_payload() -> None:
    class Shipment(BaseModel):
        id: int

    with pytest.raises(ValidationError) as info:
        Shipment.model_validate({"id": "x"})
    assert classify(info.value).name == INVALID_PAYLOAD


def test_amounts_that_differ_are_an_amount_mismatch() -> None:
    assert classify(AmountMismatchError("total 10 != 12")).name == AMOUNT_MISMATCH


def test_any_other_permanent_error_is_the_target_refusing() -> None:
    assert classify(PermanentError("Shopify answered 422")).name == REJECTED


def test_transport_failures_that_ran_out_are_a_connection_problem() -> None:
    def down() -> None:
        raise Transient("HTTP 503")

    error = raised(
        lambda: with_transient_retries(
            RetryPolicy(max_attempts=2, backoff_initial=0, backoff_max=0),
            what="tryton",
            sleep=lambda _: None,
            on_retry=lambda _: None,
            call=down,
            args=(),
        )
    )
    assert isinstance(error, RetryableError)
    assert classify(error).name == CONNECTION
    assert classify(TimeoutError("read timed out")).name == CONNECTION


def test_a_rate_limit_that_kept_refusing_is_a_rate_limit_not_a_connection() -> None:
    assert classify(RateLimitedError("kept answering 429", retry_after=2)).name == RATE_LIMIT


def test_a_bug_is_unexpected_and_names_its_type() -> None:
    found = classify(KeyError("line_items"))
    assert (found.name, found.detail) == (UNEXPECTED, {"type": "KeyError"})


def test_jobs_parked_before_classes_existed_read_as_unclassified() -> None:
    assert label(None) == "unclassified"
