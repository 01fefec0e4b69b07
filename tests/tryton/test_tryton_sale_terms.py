"""Per-channel sale terms against the real Tryton 8.2: a retail store and a wholesale store
place orders into one Tryton, and each channel's sales carry its own price list, warehouse,
payment term and customer group.

This module runs its own Tryton: it adds a second warehouse and changes the sale
configuration's default price list, which would change what the session's other tests
see (with one warehouse, Tryton picks it as every sale's default).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from causeway.checks.tryton import check_sale_terms
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.errors import PermanentError
from causeway.model.sale_terms import SaleTerms
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit
from tests.tryton.test_tryton_connector import make_order, placed
from tests.tryton_fixtures import own_tryton

pytestmark = pytest.mark.tryton

SALE_FIELDS = ["price_list", "warehouse", "payment_term", "party", "state"]


@dataclass(frozen=True)
class Channel:
    """What a channel's terms name, and the ids Tryton gave those records."""

    terms: SaleTerms
    price_list: int
    warehouse: int
    payment_term: int
    category: int


# This module's own Tryton (see the module docstring); `tryton` connects to it.
tryton_server = own_tryton("tryton-terms")


def create_one(tryton: TrytonConnector, model: str, values: dict[str, Any]) -> int:
    (record,) = tryton.rpc.create(model, [values])
    return int(record)


def new_payment_term(tryton: TrytonConnector, name: str, days: int) -> int:
    return TrytonTestKit(tryton).new_payment_term(name, days)


def new_price_list(tryton: TrytonConnector, name: str, factor: str) -> int:
    return TrytonTestKit(tryton).new_price_list(name, factor)


def new_channel(tryton: TrytonConnector, kind: str, *, days: int, factor: str) -> Channel:
    """A channel's records in Tryton, named as a merchant would (made unique per test)."""
    suffix = uuid.uuid4().hex[:6]
    terms = SaleTerms(
        price_list=f"{kind} {suffix}",
        warehouse=f"{kind[:2].upper()}-{suffix}",
        payment_term=f"Net {days} {suffix}",
        customer_group=f"{kind} buyers {suffix}",
    )
    assert terms.price_list and terms.warehouse and terms.payment_term and terms.customer_group
    return Channel(
        terms=terms,
        price_list=new_price_list(tryton, terms.price_list, factor),
        warehouse=TrytonTestKit(tryton).ensure_warehouse(terms.warehouse),
        payment_term=new_payment_term(tryton, terms.payment_term, days),
        category=create_one(tryton, "party.category", {"name": terms.customer_group}),
    )


def sale_of(tryton: TrytonConnector, sale_id: int) -> dict[str, Any]:
    (sale,) = tryton.rpc.read("sale.sale", [sale_id], SALE_FIELDS)
    return sale


def categories_of(tryton: TrytonConnector, party: int) -> set[int]:
    (record,) = tryton.rpc.read("party.party", [party], ["categories"])
    return set(record["categories"])


def unit_prices(tryton: TrytonConnector, sale_id: int) -> list[tuple[str, Decimal]]:
    lines = tryton.rpc.search_read(
        "sale.line", [("sale", "=", sale_id)], ["product.code", "unit_price"], order=[("id", "ASC")]
    )
    return [(line["product."]["code"], Decimal(line["unit_price"])) for line in lines]


def default_ids(tryton: TrytonConnector) -> tuple[int, int]:
    """The connector's defaults: warehouse WH and payment term Direct."""
    (warehouse,) = tryton.rpc.search_read(
        "stock.location", [("type", "=", "warehouse"), ("code", "=", "WH")], ["id"]
    )
    (direct,) = tryton.rpc.search_read(
        "account.invoice.payment_term", [("name", "=", "Direct")], []
    )
    return warehouse["id"], direct["id"]


def test_two_channels_sales_carry_their_own_price_list_warehouse_payment_term_and_group(
    tryton: TrytonConnector, unique: str
) -> None:
    retail = new_channel(tryton, "Retail", days=0, factor="1")
    wholesale = new_channel(tryton, "Wholesale", days=30, factor="0.7")

    retail_order = make_order(f"#R{unique}", [("WID-001", 2, "10.00")], email=f"r.{unique}@x.org")
    wholesale_order = make_order(
        f"#W{unique}",
        [("WID-001", 50, "9.50"), ("GAD-001", 10, "25.00")],
        email=f"w.{unique}@x.org",
    )
    retail_ref, wholesale_ref = f"retail-{unique}", f"wholesale-{unique}"
    on_retail = placed(
        tryton.place_orders([(retail_ref, retail_order)], terms=retail.terms)[retail_ref]
    )
    on_wholesale = placed(
        tryton.place_orders([(wholesale_ref, wholesale_order)], terms=wholesale.terms)[
            wholesale_ref
        ]
    )

    for sale, channel in ((on_retail, retail), (on_wholesale, wholesale)):
        record = sale_of(tryton, sale.sale_id)
        assert sale.state in ("confirmed", "processing")
        assert (record["price_list"], record["warehouse"], record["payment_term"]) == (
            channel.price_list,
            channel.warehouse,
            channel.payment_term,
        )
        assert categories_of(tryton, sale.party_id) == {channel.category}
    # The store's prices stand: the wholesale list (70 % of list price) is recorded on the
    # sale, but the lines carry what the customer was charged.
    assert unit_prices(tryton, on_wholesale.sale_id) == [
        ("WID-001", Decimal("9.5000")),
        ("GAD-001", Decimal("25.0000")),
    ]
    assert on_wholesale.total_amount == wholesale_order.total
    # The goods leave from the channel's warehouse.
    (shipped,) = tryton.rpc.read("sale.sale", [on_wholesale.sale_id], ["shipments"])
    shipments = tryton.rpc.read("stock.shipment.out", shipped["shipments"], ["warehouse"])
    assert [s["warehouse"] for s in shipments] == [wholesale.warehouse]


def test_without_terms_a_sale_gets_the_connectors_defaults_and_the_party_no_group(
    tryton: TrytonConnector, unique: str
) -> None:
    order = make_order(f"#D{unique}", [("WID-001", 1, "10.00")], email=f"d.{unique}@x.org")
    sale = placed(tryton.place_orders([(f"plain-{unique}", order)])[f"plain-{unique}"])
    record = sale_of(tryton, sale.sale_id)
    assert (record["warehouse"], record["payment_term"]) == default_ids(tryton)
    assert record["price_list"] is None  # no party price list, no configured default
    assert categories_of(tryton, sale.party_id) == set()

    empty = placed(
        tryton.place_orders([(f"empty-{unique}", order)], terms=SaleTerms())[f"empty-{unique}"]
    )
    assert (sale_of(tryton, empty.sale_id)["warehouse"], empty.party_id) == (
        record["warehouse"],
        sale.party_id,
    )


def test_a_channel_without_price_list_records_the_one_tryton_would_choose(
    tryton: TrytonConnector, tryton_server: TrytonServer, unique: str
) -> None:
    email = f"k.{unique}@x.org"

    def order(n: int) -> tuple[str, Any]:
        return f"k{n}-{unique}", make_order(
            f"#K{n}{unique}", [("WID-001", 1, "10.00")], email=email
        )

    known = placed(tryton.place_orders([order(1)])[f"k1-{unique}"])  # a customer from before
    configured = new_price_list(tryton, f"Default {unique}", "1")
    negotiated = new_price_list(tryton, f"Key account {unique}", "0.9")
    outlet = new_channel(tryton, "Outlet", days=0, factor="1")
    tryton.rpc.write("sale.configuration", [1], {"sale_price_list": configured})
    # The configured default is read once per connector: a restarted hub sees it.
    restarted = TrytonConnector(
        tryton_server.url, tryton_server.database, tryton_server.username, tryton_server.password
    )
    try:
        by_default = placed(restarted.place_orders([order(2)])[f"k2-{unique}"])
        tryton.rpc.write("party.party", [known.party_id], {"sale_price_list": negotiated})
        by_party = placed(restarted.place_orders([order(3)])[f"k3-{unique}"])
        by_channel = placed(restarted.place_orders([order(4)], terms=outlet.terms)[f"k4-{unique}"])
    finally:
        tryton.rpc.write("sale.configuration", [1], {"sale_price_list": None})
        restarted.close()
    assert sale_of(tryton, known.sale_id)["price_list"] is None
    assert sale_of(tryton, by_default.sale_id)["price_list"] == configured
    assert sale_of(tryton, by_party.sale_id)["price_list"] == negotiated  # the party's own
    assert sale_of(tryton, by_channel.sale_id)["price_list"] == outlet.price_list


def test_names_tryton_lacks_stop_the_orders_with_what_it_has_and_nothing_is_created(
    tryton: TrytonConnector, unique: str
) -> None:
    real = new_channel(tryton, "Marketplace", days=14, factor="1")
    wrong = real.terms.model_copy(
        update={"price_list": f"EU Retail {unique}", "warehouse": f"NOPE-{unique}"}
    )
    email = f"missing.{unique}@x.org"
    order = make_order(f"#U{unique}", [("WID-001", 1, "10.00")], email=email)
    reference = f"wrong-{unique}"

    error = tryton.place_orders([(reference, order)], terms=wrong)[reference]

    assert isinstance(error, PermanentError)
    message = str(error)
    assert f"price list 'EU Retail {unique}' not found in Tryton (erp); it has: " in message
    assert real.terms.price_list in message  # what exists is listed
    assert f"warehouse 'NOPE-{unique}' not found" in message and "WH" in message
    assert "`price_list`" in message and "`warehouse`" in message
    assert not tryton.rpc.search_read("sale.sale", [("reference", "=", reference)], ["id"])
    assert not tryton.rpc.search_read(
        "party.contact_mechanism", [("value", "=", email)], ["id"]
    )  # no customer created either

    # Someone creates the price list in Tryton and fixes the warehouse: the replay lands.
    new_price_list(tryton, f"EU Retail {unique}", "1")
    fixed = wrong.model_copy(update={"warehouse": real.terms.warehouse})
    sale = placed(tryton.place_orders([(reference, order)], terms=fixed)[reference])
    assert sale_of(tryton, sale.sale_id)["warehouse"] == real.warehouse


def test_a_customer_of_two_channels_is_in_both_groups_and_keeps_the_categories_a_person_gave(
    tryton: TrytonConnector, unique: str
) -> None:
    retail = new_channel(tryton, "Shop", days=0, factor="1")
    wholesale = new_channel(tryton, "Trade", days=30, factor="0.8")
    email = f"both.{unique}@x.org"
    first = make_order(f"#S{unique}", [("WID-001", 1, "10.00")], email=email)
    on_retail = placed(
        tryton.place_orders([(f"s-{unique}", first)], terms=retail.terms)[f"s-{unique}"]
    )
    vip = create_one(tryton, "party.category", {"name": f"VIP {unique}"})
    tryton.rpc.write("party.party", [on_retail.party_id], {"categories": [["add", [vip]]]})

    second = make_order(f"#T{unique}", [("GAD-001", 4, "25.00")], email=email)
    on_trade = placed(
        tryton.place_orders([(f"t-{unique}", second)], terms=wholesale.terms)[f"t-{unique}"]
    )

    assert on_trade.party_id == on_retail.party_id
    assert categories_of(tryton, on_trade.party_id) == {retail.category, wholesale.category, vip}
    # A party already in the group is not written again (customers-sync reads writes).
    (before,) = tryton.rpc.read("party.party", [on_trade.party_id], ["write_date"])
    third = make_order(f"#V{unique}", [("GAD-001", 1, "25.00")], email=email)
    placed(tryton.place_orders([(f"v-{unique}", third)], terms=wholesale.terms)[f"v-{unique}"])
    (after,) = tryton.rpc.read("party.party", [on_trade.party_id], ["write_date"])
    assert after["write_date"] == before["write_date"]


def test_terms_are_looked_up_once_per_connector_not_per_order(
    tryton: TrytonConnector, unique: str
) -> None:
    channel = new_channel(tryton, "Popup", days=0, factor="1")
    sent: list[str] = []
    tryton.rpc.watch(lambda response: sent.append(response.request.content.decode()))
    for n in range(3):
        order = make_order(
            f"#P{n}{unique}", [("WID-001", 1, "10.00")], email=f"p{n}.{unique}@x.org"
        )
        placed(
            tryton.place_orders([(f"p{n}-{unique}", order)], terms=channel.terms)[f"p{n}-{unique}"]
        )
    lookups = {
        model: sum(f'"model.{model}.search_read"' in body for body in sent)
        for model in (
            "product.price_list",
            "stock.location",
            "account.invoice.payment_term",
            "party.category",
        )
    }
    assert lookups == dict.fromkeys(lookups, 1)


def test_causeway_check_names_each_term_tryton_has_or_lacks(
    tryton: TrytonConnector, unique: str
) -> None:
    channel = new_channel(tryton, "Catalogue", days=0, factor="1")
    typo = channel.terms.model_copy(update={"customer_group": f"Catalog buyers {unique}"})
    results = check_sale_terms("erp", tryton, {"web": channel.terms, "print": typo})
    outcome = {(r.what, r.ok) for r in results}
    assert (f"customer group {channel.terms.customer_group!r} of channel 'web'", True) in outcome
    assert (f"price list {channel.terms.price_list!r} of channel 'print'", True) in outcome
    (failure,) = [r for r in results if not r.ok]
    assert failure.what == f"customer group 'Catalog buyers {unique}' of channel 'print'"
    assert failure.fix and "not found in Tryton (erp); it has: " in failure.fix
    assert str(channel.terms.customer_group) in failure.fix
