"""Unit tests of the Tryton mapping and wire protocol, no server needed."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import httpx
import pytest

from causeway.connectors.tryton import customers, mapping
from causeway.connectors.tryton.mapping import TrytonProduct, TrytonTax
from causeway.connectors.tryton.rpc import (
    TrytonRPC,
    TrytonUnavailableError,
    TrytonUserError,
    classify_error,
    dumps,
    loads,
)
from causeway.errors import PermanentError, RetryableError
from causeway.model import (
    Address,
    Attribution,
    Customer,
    FinancialStatus,
    Order,
    OrderLine,
    TaxLine,
)

D = Decimal
TAXES = [
    TrytonTax(1, "VAT 10%", D("0.10")),
    TrytonTax(2, "State Tax 6%", D("0.06")),
    TrytonTax(3, "Other state tax", D("0.0600")),
]
PRODUCTS = {
    "WID-001": TrytonProduct(11, "WID-001", 1, "goods"),
    "GAD-001": TrytonProduct(12, "GAD-001", 1, "goods"),
}
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def order(**changes: object) -> Order:
    values: dict[str, object] = {
        "external_id": "450789469",
        "number": "#1001",
        "currency": "USD",
        "created_at": NOW,
        "updated_at": NOW,
        "customer": Customer(email="Bob@Example.com", first_name="Bob", last_name="Norman"),
        "billing_address": Address(
            name="Bob Norman",
            street="Chestnut Street 92",
            city="Louisville",
            postal_code="40202",
            country_code="US",
            phone="+1 555 555 5555",
        ),
        "lines": (
            OrderLine(
                external_id="1",
                sku="WID-001",
                title="Widget",
                quantity=3,
                unit_price=D("10.00"),
                tax_lines=(TaxLine(title="VAT", rate=D("0.10"), amount=D("3.00")),),
            ),
        ),
        "subtotal": D("30.00"),
        "total_tax": D("3.00"),
        "total": D("33.00"),
    }
    values.update(changes)
    return Order.model_validate(values)


# --- tagged types ----------------------------------------------------------------------------


def test_tagged_values_round_trip_through_the_wire_format() -> None:
    payload = {
        "price": D("10.0500"),
        "day": dt.date(2026, 2, 28),
        "at": dt.datetime(2026, 2, 28, 13, 14, 15, 16),
        "blob": b"\x00\xffabc",
        "wait": dt.timedelta(seconds=90),
        "plain": [1, "x", None, 2.5],
    }
    assert loads(dumps(payload)) == payload


def test_decimals_travel_as_tagged_strings_never_as_floats() -> None:
    wire = json.loads(dumps([D("0.10")]))
    assert wire == [{"__class__": "Decimal", "decimal": "0.10"}]


def test_aware_datetimes_are_sent_as_naive_utc_as_tryton_stores_them() -> None:
    paris = dt.timezone(dt.timedelta(hours=2))
    wire = json.loads(dumps(dt.datetime(2026, 6, 1, 12, 0, tzinfo=paris)))
    assert (wire["__class__"], wire["hour"], wire["day"]) == ("datetime", 10, 1)


def test_a_datetime_from_tryton_without_microsecond_decodes() -> None:
    text = '{"__class__":"datetime","year":2026,"month":1,"day":2,"hour":3,"minute":4,"second":5}'
    assert loads(text) == dt.datetime(2026, 1, 2, 3, 4, 5)


def test_unknown_types_are_refused_before_sending() -> None:
    with pytest.raises(TypeError, match="cannot send object"):
        dumps(object())


# --- error classification ------------------------------------------------------------------


def test_a_user_error_is_permanent_with_trytons_message() -> None:
    error = classify_error(
        ["UserError", ['The value for field "Party" is not valid.', "Check the domain.", None]],
        "model.sale.sale.create",
    )
    assert isinstance(error, TrytonUserError) and isinstance(error, PermanentError)
    assert 'field "Party" is not valid' in str(error) and "Check the domain." in str(error)


def test_a_user_warning_is_permanent_with_its_message() -> None:
    error = classify_error(["UserWarning", ["key", "Stock will go negative", ""]], "m")
    assert isinstance(error, PermanentError) and "Stock will go negative" in str(error)


@pytest.mark.parametrize(
    "error",
    [
        ["ConcurrencyException", "Records were modified in the meanwhile"],
        [
            "OperationalError: database is locked",
            "Traceback ...\nsqlite3.OperationalError: database is locked",
        ],
    ],
)
def test_concurrency_and_locks_are_retryable(error: list[str]) -> None:
    assert isinstance(classify_error(error, "model.sale.sale.confirm"), RetryableError)


def test_an_unexpected_server_exception_is_permanent_with_the_trace_tail() -> None:
    error = classify_error(
        [
            "'NoneType' object is not subscriptable",
            "Traceback (most recent call last):\n ...\nTypeError: boom",
        ],
        "m.x",
    )
    assert isinstance(error, PermanentError) and not isinstance(error, RetryableError)
    assert "TypeError: boom" in str(error) and "m.x" in str(error)


def _rpc_answering(handler: httpx.MockTransport) -> TrytonRPC:
    rpc = TrytonRPC("http://127.0.0.1:9", "erp", "admin", "admin")
    rpc._http.close()
    rpc._http = httpx.Client(transport=handler)
    rpc._auth, rpc.context = "Session x", {"company": 1}
    return rpc


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (503, TrytonUnavailableError),
        (502, TrytonUnavailableError),
        (504, RetryableError),
        (429, RetryableError),
        (422, PermanentError),
        (400, PermanentError),
    ],
)
def test_http_statuses_are_classified(status: int, kind: type[Exception]) -> None:
    rpc = _rpc_answering(httpx.MockTransport(lambda request: httpx.Response(status, text="no")))
    with pytest.raises(kind) as caught:
        rpc.search_read("sale.sale", [], ["id"])
    if kind is PermanentError:
        assert not isinstance(caught.value, RetryableError)


def test_a_401_logs_in_again_once_and_repeats_the_call() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body["method"])
        if body["method"] == "common.db.login":
            return httpx.Response(200, json={"id": body["id"], "result": [1, "tok", None]})
        if body["method"] == "model.res.user.get_preferences":
            return httpx.Response(200, json={"id": body["id"], "result": {"company": 1}})
        if request.headers["Authorization"] == "Session x":
            return httpx.Response(401)
        assert body["params"][-1] == {"company": 1}  # the context travels last
        return httpx.Response(200, json={"id": body["id"], "result": [{"id": 7}]})

    rpc = _rpc_answering(httpx.MockTransport(answer))
    assert rpc.search_read("sale.sale", [], ["id"]) == [{"id": 7}]
    assert seen == [
        "model.sale.sale.search_read",
        "common.db.login",
        "model.res.user.get_preferences",
        "model.sale.sale.search_read",
    ]


def test_connection_refused_is_retryable_and_fast() -> None:
    rpc = TrytonRPC("http://127.0.0.1:9", "erp", "admin", "admin", transport_tries=2)
    with pytest.raises(TrytonUnavailableError, match="unreachable"):
        rpc.login()


def test_a_write_that_timed_out_is_not_sent_twice_nor_a_timed_out_read() -> None:
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content)["method"])
        raise httpx.ReadTimeout("slow", request=request)

    rpc = _rpc_answering(httpx.MockTransport(answer))
    with pytest.raises(RetryableError, match="may still complete"):
        rpc.create("sale.sale", [{}])
    with pytest.raises(RetryableError):
        rpc.search_read("sale.sale", [], ["id"])
    assert sent == ["model.sale.sale.create", "model.sale.sale.search_read"]


def test_a_read_on_a_dropped_connection_is_repeated_once_but_a_write_is_not() -> None:
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content)["method"])
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    rpc = _rpc_answering(httpx.MockTransport(answer))
    with pytest.raises(TrytonUnavailableError):
        rpc.search_read("sale.sale", [], ["id"])
    with pytest.raises(TrytonUnavailableError):
        rpc.button("sale.sale", "confirm", [1])
    assert sent == ["model.sale.sale.search_read"] * 2 + ["model.sale.sale.confirm"]


# --- taxes ---------------------------------------------------------------------------------


def test_taxes_match_by_rate_whatever_the_title() -> None:
    assert mapping.match_tax(TaxLine(title="IVA", rate=D("0.1"), amount=D(0)), TAXES).id == 1


def test_several_taxes_with_one_rate_prefer_the_title_then_the_oldest() -> None:
    assert (
        mapping.match_tax(TaxLine(title="Other State", rate=D("0.06"), amount=D(0)), TAXES).id == 3
    )
    assert mapping.match_tax(TaxLine(title="Sales tax", rate=D("0.06"), amount=D(0)), TAXES).id == 2


def test_a_rate_without_tax_names_the_rate_and_the_fix() -> None:
    with pytest.raises(PermanentError) as caught:
        mapping.match_tax(TaxLine(title="GST", rate=D("0.075"), amount=D(0)), TAXES, system="erp")
    assert "7.5%" in str(caught.value) and "0.075" in str(caught.value)
    assert "create a percentage tax" in str(caught.value)


def test_zero_rate_tax_lines_need_no_tryton_tax() -> None:
    assert mapping.tax_ids([TaxLine(title="Exempt", rate=D(0), amount=D(0))], TAXES) == []


# --- lines (the amounts: tests/unit/test_tryton_sale_lines.py) ---------------------------


def test_unknown_skus_and_lines_without_sku() -> None:
    o = order(
        lines=(
            OrderLine(external_id="1", sku="NOPE", title="N", quantity=1, unit_price=D(1)),
            OrderLine(external_id="2", sku="WID-001", title="W", quantity=1, unit_price=D(1)),
        )
    )
    assert mapping.unknown_skus(o, PRODUCTS) == ["NOPE"]
    custom = order(
        lines=(
            OrderLine(external_id="1", sku=None, title="Gift wrap", quantity=1, unit_price=D(1)),
        )
    )
    with pytest.raises(PermanentError, match="Gift wrap"):
        mapping.check_order(custom)
    # A gift card needs no SKU: it is sold as the gift card service product.
    card = OrderLine(
        external_id="2", sku=None, title="Gift card", quantity=1, unit_price=D(50), gift_card=True
    )
    mapping.check_order(order(lines=(card,)))
    assert mapping.unknown_skus(order(lines=(card.model_copy(update={"sku": "GC-50"}),)), []) == []


# --- header and customers ------------------------------------------------------------------


def test_the_comment_block_carries_attribution_and_payment_status() -> None:
    o = order(
        note="Gift, no invoice in the box",
        financial_status=FinancialStatus.PAID,
        attribution=Attribution(
            source_name="web",
            landing_site="/?utm_source=news",
            referring_site="https://www.google.com/",
            landing_site_ref="abc",
        ),
    )
    assert mapping.order_comment(o).splitlines() == [
        "Imported by Causeway",
        "Channel order: #1001 (id 450789469)",
        "Payment status: paid",
        "Source: web",
        "Landing site: /?utm_source=news",
        "Referring site: https://www.google.com/",
        "Landing site ref: abc",
        "Note: Gift, no invoice in the box",
    ]


def test_sale_header_values() -> None:
    values = mapping.sale_values(
        order(),
        "shop-1001",
        party=5,
        invoice_address=6,
        shipment_address=7,
        lines=[],
        warehouse=4,
        currency=2,
        payment_term=10,
    )
    assert {
        k: values[k]
        for k in (
            "party",
            "invoice_address",
            "shipment_address",
            "reference",
            "description",
            "sale_date",
            "warehouse",
            "currency",
            "payment_term",
        )
    } == {
        "party": 5,
        "invoice_address": 6,
        "shipment_address": 7,
        "reference": "shop-1001",
        "description": "#1001",
        "sale_date": dt.date(2026, 1, 2),
        "warehouse": 4,
        "currency": 2,
        "payment_term": 10,
    }


def test_a_new_party_gets_lowercased_email_phone_and_its_addresses() -> None:
    shipping = Address(name="Alice Gift", street="1 Other St", city="Town", postal_code="1")
    values = customers.party_values(order(shipping_address=shipping), {"US": 233})
    assert values["name"] == "Bob Norman"
    assert values["contact_mechanisms"] == [
        [
            "create",
            [
                {"type": "email", "value": "bob@example.com"},
                {"type": "phone", "value": "+1 555 555 5555"},
            ],
        ]
    ]
    ((_, addresses),) = values["addresses"]
    assert addresses == [
        {
            "street": "Chestnut Street 92",
            "postal_code": "40202",
            "city": "Louisville",
            "country": 233,
        },
        {"street": "1 Other St", "postal_code": "1", "city": "Town", "party_name": "Alice Gift"},
    ]


def test_address_matching_forgives_case_and_spacing() -> None:
    assert customers.address_key("1  Main St\n", "12345", "SPRINGFIELD") == customers.address_key(
        "1 main st", "12345 ", "Springfield"
    )
    assert customers.address_key("1 Main St", "12345", "Springfield") != customers.address_key(
        "2 Main St", "12345", "Springfield"
    )


def test_customers_without_email_are_keyed_by_name() -> None:
    assert customers.customer_key(order()) == ("email", "bob@example.com")
    anonymous = order(customer=Customer(first_name="Walk", last_name="In"))
    assert customers.customer_key(anonymous) == ("name", "Walk In")
