"""End-to-end scenarios of the Tryton connector against the real Tryton 8.2 ERP.

Every test uses its own references, SKUs and emails (the `unique` suffix): the session
shares one database and no test may depend on another.
"""

from __future__ import annotations

import base64
import datetime as dt
import sqlite3
import time
from decimal import Decimal
from pathlib import Path

import pytest

from causeway.connectors.tryton.connector import PlacedSale, TrytonConnector
from causeway.connectors.tryton.rpc import TrytonRPC, TrytonUserError
from causeway.errors import PermanentError, RetryableError, UnknownSkuError
from causeway.model import (
    Address,
    Attribution,
    Customer,
    FinancialStatus,
    Order,
    OrderLine,
    ShippingLine,
    TaxLine,
)
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit

pytestmark = pytest.mark.tryton

D = Decimal
VAT10 = TaxLine(title="VAT", rate=D("0.10"), amount=D("0"))
STATE6 = TaxLine(title="State Tax", rate=D("0.06"), amount=D("0"))
CREATED = dt.datetime(2026, 3, 14, 15, 9, 26, tzinfo=dt.UTC)


def make_order(
    number: str,
    lines: list[tuple[str, int, str]],
    *,
    email: str | None = "buyer@example.com",
    tax: TaxLine | None = VAT10,
    order_level_tax: bool = False,
    shipping: str = "0",
    discount: str = "0",
    line_discounts: tuple[str, ...] = (),
    street: str = "1 Main St",
) -> Order:
    """A Shopify-like order; its totals are computed the way the store computes them."""
    order_lines = []
    subtotal = D(0)
    for i, (sku, quantity, price) in enumerate(lines):
        line_discount = D(line_discounts[i]) if i < len(line_discounts) else D(0)
        net = quantity * D(price) - line_discount
        subtotal += net
        line_taxes = (
            (tax.model_copy(update={"amount": (net * tax.rate).quantize(D("0.01"))}),)
            if tax and not order_level_tax
            else ()
        )
        order_lines.append(
            OrderLine(
                external_id=str(i + 1),
                sku=sku,
                title=f"Item {sku}",
                quantity=quantity,
                unit_price=D(price),
                tax_lines=line_taxes,
                discount=line_discount,
            )
        )
    taxable = subtotal - D(discount)
    total_tax = (taxable * tax.rate).quantize(D("0.01")) if tax else D(0)
    address = Address(
        name="Ann Buyer",
        street=street,
        city="Springfield",
        postal_code="12345",
        country_code="US",
        phone="+1 555 0100",
    )
    return Order(
        external_id=number.strip("#"),
        number=number,
        currency="USD",
        created_at=CREATED,
        updated_at=CREATED,
        customer=Customer(email=email, first_name="Ann", last_name=f"Buyer {number}"),
        billing_address=address,
        shipping_address=address,
        lines=tuple(order_lines),
        shipping_lines=(ShippingLine(title="Standard", price=D(shipping)),),
        tax_lines=(tax.model_copy(update={"amount": total_tax}),) if tax else (),
        subtotal=subtotal,
        total_tax=total_tax,
        total_discounts=D(discount) + sum((D(x) for x in line_discounts), D(0)),
        total=taxable + D(shipping) + total_tax,
        financial_status=FinancialStatus.PAID,
        note="Leave at the door",
        attribution=Attribution(
            source_name="web",
            landing_site="/products/widget?utm=spring",
            referring_site="https://www.example.org/",
            landing_site_ref="spring",
        ),
    )


def placed(result: object) -> PlacedSale:
    assert isinstance(result, PlacedSale), result
    return result


def count_sales(tryton: TrytonConnector, references: list[str]) -> int:
    return len(tryton.rpc.search_read("sale.sale", [("reference", "in", references)], ["id"]))


def test_placing_orders_creates_confirmed_sales_with_lines_taxes_and_amounts(
    tryton: TrytonConnector, unique: str
) -> None:
    plain = make_order(
        f"#A{unique}",
        [("WID-001", 2, "10.00"), ("GAD-001", 1, "25.00")],
        email=f"Ann.{unique}@Example.com",
    )
    shipped = make_order(
        f"#B{unique}", [("WID-001", 1, "10.00")], shipping="4.90", email=f"bo.{unique}@example.com"
    )
    results = tryton.place_orders([(f"shop-a-{unique}", plain), (f"shop-b-{unique}", shipped)])

    sale = placed(results[f"shop-a-{unique}"])
    assert sale.created and sale.state in ("confirmed", "processing") and sale.number
    assert plain.total == plain.subtotal + plain.total_tax == D("49.50")
    assert (sale.untaxed_amount, sale.tax_amount, sale.total_amount) == (
        D("45.00"),
        D("4.50"),
        D("49.50"),
    )
    record = TrytonTestKit(tryton).read_sale(sale.sale_id)
    assert record["reference"] == f"shop-a-{unique}"
    assert record["description"] == f"#A{unique}"
    assert record["sale_date"] == CREATED.date()
    for text in (
        "#A",
        "web",
        "/products/widget?utm=spring",
        "https://www.example.org/",
        "spring",
        "paid",
        "Leave at the door",
    ):
        assert text in record["comment"]
    (vat,) = tryton.rpc.search_read("account.tax", [("name", "=", "VAT 10%")], ["id"])
    assert [
        (ln["product_code"], ln["quantity"], ln["unit_price"], ln["taxes"])
        for ln in record["lines"]
    ] == [
        ("WID-001", D(2), D("10.0000"), [vat["id"]]),
        ("GAD-001", D(1), D("25.0000"), [vat["id"]]),
    ]
    assert record["shipments"] and record["invoices"]  # process ran after confirm
    emails = tryton.rpc.search_read(
        "party.contact_mechanism",
        [("party", "=", sale.party_id), ("type", "=", "email")],
        ["value"],
    )
    assert [e["value"] for e in emails] == [f"ann.{unique}@example.com"]

    with_shipping = placed(results[f"shop-b-{unique}"])
    assert with_shipping.total_amount == shipped.total == D("15.90")
    lines = TrytonTestKit(tryton).read_sale(with_shipping.sale_id)["lines"]
    assert [(ln["product_code"], ln["unit_price"], ln["taxes"]) for ln in lines][-1] == (
        "SHIPPING",
        D("4.9000"),
        [],
    )


def test_order_level_tax_and_discounts_match_the_store_totals(
    tryton: TrytonConnector, unique: str
) -> None:
    # Shaped like the Shopify vendor sample: order-level "State Tax" 6 %, iPod SKUs.
    order = make_order(
        f"#C{unique}",
        [("IPOD2008GREEN", 1, "199.00"), ("IPOD2008RED", 2, "199.00"), ("WID-001", 3, "10.00")],
        tax=STATE6,
        order_level_tax=True,
        discount="10.00",
        line_discounts=("0", "0", "3.00"),
        email=f"c.{unique}@example.com",
    )
    sale = placed(tryton.place_orders([(f"shop-c-{unique}", order)])[f"shop-c-{unique}"])
    # subtotal 597 + 27 = 624, minus 10 unallocated = 614 taxable, 6 % = 36.84
    assert (sale.untaxed_amount, sale.tax_amount, sale.total_amount) == (
        D("614.00"),
        D("36.84"),
        order.total,
    )
    lines = TrytonTestKit(tryton).read_sale(sale.sale_id)["lines"]
    (state_tax,) = tryton.rpc.search_read("account.tax", [("name", "=", "State Tax 6%")], ["id"])
    assert [
        (ln["product_code"], ln["quantity"], ln["unit_price"], ln["taxes"]) for ln in lines
    ] == [
        ("IPOD2008GREEN", D(1), D("199.0000"), [state_tax["id"]]),
        ("IPOD2008RED", D(2), D("199.0000"), [state_tax["id"]]),
        ("WID-001", D(3), D("9.0000"), [state_tax["id"]]),  # line discount lowers the price
        ("DISCOUNT", D(1), D("-10.0000"), [state_tax["id"]]),
    ]


def test_placing_the_same_batch_twice_creates_nothing_new(
    tryton: TrytonConnector, unique: str
) -> None:
    batch = [
        (
            f"shop-{n}-{unique}",
            make_order(
                f"#{n}{unique}", [("GAD-001", n, "25.00")], email=f"twice.{unique}@example.com"
            ),
        )
        for n in (1, 2, 3)
    ]
    first = {ref: placed(r) for ref, r in tryton.place_orders(batch).items()}
    second = {ref: placed(r) for ref, r in tryton.place_orders(batch).items()}
    assert all(s.created for s in first.values())
    assert not any(s.created for s in second.values())
    assert {r: s.sale_id for r, s in first.items()} == {r: s.sale_id for r, s in second.items()}
    assert count_sales(tryton, [ref for ref, _ in batch]) == 3
    assert (
        TrytonTestKit(tryton).find_sales([ref for ref, _ in batch] + [f"nope-{unique}"]).keys()
        == first.keys()
    )


def unconfirmed_sale(tryton: TrytonConnector, reference: str, *, quoted: bool) -> int:
    """What a crash between create and confirm leaves behind: the sale, not confirmed."""
    (product,) = tryton.rpc.search_read(
        "product.product", [("code", "=", "WID-001")], ["default_uom"]
    )
    (party,) = tryton.rpc.create(
        "party.party",
        [{"name": "Crash Victim", "addresses": [["create", [{"street": "1 Main St"}]]]}],
    )
    (address,) = tryton.rpc.search_read("party.address", [("party", "=", party)], ["id"])
    (draft,) = tryton.rpc.create(
        "sale.sale",
        [
            {
                "party": party,
                "invoice_address": address["id"],
                "shipment_address": address["id"],
                "reference": reference,
                "lines": [
                    [
                        "create",
                        [
                            {
                                "type": "line",
                                "product": product["id"],
                                "quantity": 1.0,
                                "unit": product["default_uom"],
                                "unit_price": D("10"),
                            }
                        ],
                    ]
                ],
            }
        ],
    )
    if quoted:
        tryton.rpc.button("sale.sale", "quote", [draft])
    return int(draft)


@pytest.mark.parametrize("left_in", ["draft", "quotation"])
def test_a_sale_left_unconfirmed_by_a_crash_is_confirmed_not_duplicated(
    tryton: TrytonConnector, unique: str, left_in: str
) -> None:
    reference = f"shop-crash-{unique}"
    order = make_order(f"#D{unique}", [("WID-001", 1, "10.00")], email=f"d.{unique}@example.com")
    draft = unconfirmed_sale(tryton, reference, quoted=left_in == "quotation")

    sale = placed(tryton.place_orders([(reference, order)])[reference])
    assert sale.sale_id == draft and not sale.created
    assert sale.state in ("confirmed", "processing")
    assert count_sales(tryton, [reference]) == 1


def test_a_sale_confirmed_but_not_processed_when_tryton_stopped_is_processed_on_retry(
    tryton: TrytonConnector, tryton_server: TrytonServer, unique: str
) -> None:
    # Found by the soak: Tryton stopped between the confirm's commit and its process
    # step, which makes the shipment and the invoice and takes the stock. The sale stays
    # `confirmed` and nothing else would ever process it (a payment waited forever).
    reference = f"shop-stopped-{unique}"
    order = make_order(f"#S{unique}", [("WID-001", 1, "10.00")], email=f"s.{unique}@example.com")
    quoted = unconfirmed_sale(tryton, reference, quoted=True)
    with sqlite3.connect(tryton_server.db_path) as db:  # the confirm's commit, and no more
        db.execute(
            "UPDATE sale_sale SET state = 'confirmed', sale_date = ? WHERE id = ?",
            (dt.date.today().isoformat(), quoted),
        )

    sale = placed(tryton.place_orders([(reference, order)])[reference])
    assert sale.sale_id == quoted and not sale.created
    assert sale.state == "processing"
    (record,) = tryton.rpc.read("sale.sale", [quoted], ["invoices", "shipments"])
    assert record["invoices"] and record["shipments"]
    assert count_sales(tryton, [reference]) == 1


def test_one_customer_in_different_capitalisations_is_one_party(
    tryton: TrytonConnector, unique: str
) -> None:
    # A party typed by hand in Tryton, with capitals, is found by the store's email.
    (known,) = tryton.rpc.create(
        "party.party",
        [
            {
                "name": "Bob Typed-By-Hand",
                "contact_mechanisms": [
                    ["create", [{"type": "email", "value": f"Bob.{unique}@Example.COM"}]]
                ],
            }
        ],
    )
    emails = [f"BOB.{unique}@example.com", f"bob.{unique}@EXAMPLE.com", f"bob.{unique}@example.com"]
    first = tryton.place_orders(
        [
            (
                f"shop-e1-{unique}",
                make_order(f"#E1{unique}", [("WID-001", 1, "10.00")], email=emails[0]),
            )
        ]
    )
    second = tryton.place_orders(
        [
            (
                f"shop-e2-{unique}",
                make_order(f"#E2{unique}", [("WID-001", 1, "10.00")], email=emails[1]),
            ),
            (
                f"shop-e3-{unique}",
                make_order(
                    f"#E3{unique}", [("WID-001", 1, "10.00")], email=emails[2], street="9 Other Rd"
                ),
            ),
        ]
    )
    parties = {placed(r).party_id for r in [*first.values(), *second.values()]}
    assert parties == {known}
    addresses = tryton.rpc.search_read("party.address", [("party", "=", known)], ["street"])
    assert sorted(a["street"] for a in addresses) == ["1 Main St", "9 Other Rd"]


def test_orders_without_email_match_by_name(tryton: TrytonConnector, unique: str) -> None:
    orders = [
        (f"shop-n{i}-{unique}", make_order(f"#N{i}{unique}", [("WID-001", 1, "10.00")], email=None))
        for i in (1, 2)
    ]
    orders = [
        (
            ref,
            o.model_copy(
                update={"customer": Customer(first_name="Walk", last_name=f"In {unique}")}
            ),
        )
        for ref, o in orders
    ]
    results = tryton.place_orders(orders)
    assert len({placed(r).party_id for r in results.values()}) == 1


def test_an_unknown_sku_comes_back_named_while_the_rest_of_the_batch_lands(
    tryton: TrytonConnector, unique: str
) -> None:
    missing = f"NEW-{unique}"
    batch = [
        (f"shop-ok-{unique}", make_order(f"#F1{unique}", [("GAD-001", 1, "25.00")])),
        (
            f"shop-sku-{unique}",
            make_order(f"#F2{unique}", [("WID-001", 1, "10.00"), (missing, 2, "12.00")]),
        ),
        (f"shop-ok2-{unique}", make_order(f"#F3{unique}", [("WID-001", 4, "10.00")])),
    ]
    results = tryton.place_orders(batch)
    error = results[f"shop-sku-{unique}"]
    assert isinstance(error, UnknownSkuError) and error.skus == [missing]
    assert missing in str(error) and "replay" in str(error)
    assert placed(results[f"shop-ok-{unique}"]).created
    assert placed(results[f"shop-ok2-{unique}"]).created
    assert f"shop-sku-{unique}" not in TrytonTestKit(tryton).find_sales([f"shop-sku-{unique}"])

    # Once the product exists in Tryton, the same order (a replay) lands.
    product_id = TrytonTestKit(tryton).ensure_product(
        missing, "New thing", D("12"), D("5"), D("10")
    )
    assert (
        TrytonTestKit(tryton).ensure_product(missing, "New thing", D("12"), D("5"), D("10"))
        == product_id
    )
    replay = placed(tryton.place_orders([batch[1]])[f"shop-sku-{unique}"])
    assert replay.created and replay.total_amount == D("37.40")
    (level,) = tryton.stock_levels([missing])
    assert (level.on_hand, level.forecast, level.location) == (D(10), D(8), "WH")


def test_a_record_tryton_refuses_fails_alone_not_the_batch(
    tryton: TrytonConnector, unique: str
) -> None:
    sku = f"NOSALE-{unique}"
    product = TrytonTestKit(tryton).ensure_product(sku, "Not for sale", D("3"), D("1"))
    (template,) = tryton.rpc.read("product.product", [product], ["template"])
    tryton.rpc.write("product.template", [template["template"]], {"salable": False})
    batch = [
        (f"shop-g{i}-{unique}", make_order(f"#G{i}{unique}", [(s, 1, "3.00")]))
        for i, s in enumerate(["WID-001", sku, "GAD-001"])
    ]
    results = tryton.place_orders(batch)
    refused = results[f"shop-g1-{unique}"]
    assert isinstance(refused, TrytonUserError) and isinstance(refused, PermanentError)
    assert "is not valid according to its domain" in str(refused)
    assert placed(results[f"shop-g0-{unique}"]).state in ("confirmed", "processing")
    assert placed(results[f"shop-g2-{unique}"]).state in ("confirmed", "processing")


def test_a_tax_rate_tryton_lacks_is_a_permanent_error_naming_the_rate(
    tryton: TrytonConnector, unique: str
) -> None:
    order = make_order(
        f"#H{unique}",
        [("WID-001", 1, "10.00")],
        tax=TaxLine(title="Odd Tax", rate=D("0.07"), amount=D("0.70")),
    )
    error = tryton.place_orders([(f"shop-h-{unique}", order)])[f"shop-h-{unique}"]
    assert isinstance(error, PermanentError) and not isinstance(error, UnknownSkuError)
    assert "7%" in str(error) and "create a percentage tax" in str(error)
    assert TrytonTestKit(tryton).find_sales([f"shop-h-{unique}"]) == {}


def test_forecast_drops_on_confirm_and_stock_changes_since_sees_the_sku(
    tryton: TrytonConnector, unique: str
) -> None:
    sold, untouched = f"FC-{unique}", f"FC-QUIET-{unique}"
    TrytonTestKit(tryton).ensure_product(untouched, "Quiet", D("5"), D("2"), D("7"))
    TrytonTestKit(tryton).ensure_product(sold, "Selling", D("5"), D("2"), D("20"))
    _, cursor = tryton.stock_changes_since(None)
    assert cursor is not None and cursor.tzinfo is not None
    time.sleep(0.01)

    placed(
        tryton.place_orders(
            [(f"shop-fc-{unique}", make_order(f"#FC{unique}", [(sold, 3, "5.00")]))]
        )[f"shop-fc-{unique}"]
    )
    levels = {lv.sku: lv for lv in tryton.stock_levels([sold, untouched])}
    assert (levels[sold].on_hand, levels[sold].forecast) == (D(20), D(17))
    assert (levels[untouched].on_hand, levels[untouched].forecast) == (D(7), D(7))

    changed, new_cursor = tryton.stock_changes_since(cursor + dt.timedelta(microseconds=1))
    assert sold in changed and untouched not in changed
    assert new_cursor is not None and new_cursor > cursor


def test_set_stock_changes_stock_levels(tryton: TrytonConnector, unique: str) -> None:
    sku = f"SET-{unique}"
    TrytonTestKit(tryton).ensure_product(sku, "Counted", D("5"), D("2"), D("10"))
    TrytonTestKit(tryton).set_stock(sku, D("42"))
    (level,) = tryton.stock_levels([sku])
    assert (level.on_hand, level.forecast) == (D(42), D(42))
    with pytest.raises(UnknownSkuError):
        TrytonTestKit(tryton).set_stock(f"NOPE-{unique}", D(1))


def test_the_build_has_the_documented_catalogue_taxes_and_stock(tryton: TrytonConnector) -> None:
    levels = {lv.sku: lv for lv in tryton.stock_levels()}
    expected = {
        "WID-001",
        "GAD-001",
        "IPOD2008GREEN",
        "IPOD2008RED",
        "IPOD2008BLACK",
        *(f"SKU-{n:04d}" for n in range(1, 41)),
    }
    assert expected <= levels.keys()
    assert "SHIPPING" not in levels and "DISCOUNT" not in levels  # services hold no stock
    assert levels["SKU-0040"].on_hand == D(1000)  # no test sells or counts SKU-0040
    products = tryton.rpc.search_read(
        "product.product",
        [("code", "in", ["SKU-0040", "IPOD2008RED"])],
        ["code", "list_price_used", "cost_price"],
    )
    assert {p["code"]: (p["list_price_used"], p["cost_price"]) for p in products} == {
        "SKU-0040": (D("45.0000"), D("2.0000")),
        "IPOD2008RED": (D("199.0000"), D("120.0000")),
    }
    taxes = tryton.rpc.search_read("account.tax", [], ["name", "rate"])
    assert {t["name"]: t["rate"] for t in taxes} == {
        "VAT 10%": D("0.10"),
        "State Tax 6%": D("0.06"),
    }


def test_an_expired_session_logs_in_again_transparently(tryton_server: TrytonServer) -> None:
    rpc = TrytonRPC(tryton_server.url, tryton_server.database, "admin", "admin")
    try:
        rpc.login()
        rpc._auth = "Session " + base64.b64encode(b"admin:1:not-a-session").decode()
        assert (
            rpc.search_read("product.product", [("code", "=", "WID-001")], ["code"])[0]["code"]
            == "WID-001"
        )
    finally:
        rpc.close()
    bad = TrytonRPC(tryton_server.url, tryton_server.database, "nobody", "wrong")
    with pytest.raises(PermanentError, match="cannot log in"):
        bad.login()
    bad.close()


def test_erp_down_is_retryable_and_work_resumes_after_restart(
    tryton_build_dir: Path, tmp_path: Path, unique: str
) -> None:
    server = TrytonServer(tryton_build_dir, tmp_path / "erp").start()
    connector = TrytonConnector(server.url, server.database, server.username, server.password)
    try:
        before = make_order(f"#K1{unique}", [("WID-001", 1, "10.00")])
        first = placed(connector.place_orders([(f"shop-k1-{unique}", before)])[f"shop-k1-{unique}"])
        server.kill()

        started = time.monotonic()
        during = make_order(f"#K2{unique}", [("GAD-001", 1, "25.00")])
        down = connector.place_orders([(f"shop-k2-{unique}", during)])[f"shop-k2-{unique}"]
        assert isinstance(down, RetryableError) and "unreachable" in str(down)
        with pytest.raises(RetryableError):
            connector.stock_levels(["WID-001"])
        assert time.monotonic() - started < 5  # fails fast: the engine does the backoff

        server.restart()
        again = connector.place_orders(
            [(f"shop-k1-{unique}", before), (f"shop-k2-{unique}", during)]
        )
        assert placed(again[f"shop-k1-{unique}"]).sale_id == first.sale_id  # kept, not redone
        assert placed(again[f"shop-k2-{unique}"]).created
    finally:
        connector.close()
        server.stop()
