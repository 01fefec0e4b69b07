"""Business setup of a freshly initialised Tryton 8.2 database, for Causeway's tests and demo.

Run with the Tryton venv's python (no server needed: proteus talks to trytond in-process):

    DB=erp CONF=path/to/trytond.conf .cache/tryton/venv/bin/python scripts/tryton/setup_business.py

It reuses the helpers that ship in the Tryton modules' own ``tests/tools.py`` (the ones
Tryton's scenario tests use), so the chart, fiscal years and sequences are set up the way
Tryton itself expects. The numbers here are a contract with the tests: every goods product
starts with exactly 1000 units in the warehouse storage location, the SKUs match the vendor
sample orders, and the two customer taxes are 10 % and 6 %, rounded per line as stores round
them.
"""

from __future__ import annotations

import datetime
import os
import time
from decimal import Decimal
from typing import Any

from proteus import Model
from proteus import config as pconfig

STOCK_PER_PRODUCT = Decimal(1000)

# (sku, name, list price, cost price)
GOODS: list[tuple[str, str, Decimal, Decimal]] = [
    ("WID-001", "Widget", Decimal(10), Decimal(4)),
    ("GAD-001", "Gadget", Decimal(25), Decimal(11)),
    # The SKUs of the Shopify vendor sample order (vendor-samples/shopify/order.json).
    ("IPOD2008GREEN", "IPod Nano - 8gb", Decimal(199), Decimal(120)),
    ("IPOD2008RED", "IPod Nano - 8gb", Decimal(199), Decimal(120)),
    ("IPOD2008BLACK", "IPod Nano - 8gb", Decimal(199), Decimal(120)),
] + [(f"SKU-{n:04d}", f"Bench item {n}", Decimal(5 + n), Decimal(2)) for n in range(1, 41)]
# Non-stock lines the connector adds to a sale: shipping charged, order-level discount, gift
# cards sold (an untaxed liability, never stock) and tips.
SERVICES: list[tuple[str, str]] = [
    ("SHIPPING", "Shipping"),
    ("DISCOUNT", "Discount"),
    ("GIFTCARD", "Gift card"),
    ("TIP", "Tip"),
]
# The carrier warehouse users pick on a shipment (its tracking number goes to the store),
# and the payment method store payments are booked with.
CARRIER = ("UPS", "UPS-GROUND", "UPS Ground")
# What the carrier charges us per shipment: its product's cost price, which is the
# carrier's purchase price under the default 'product' cost method (module carrier), so
# module sale_shipment_cost gives every shipment done with it this cost (the profit reports
# subtract it). Its list price stays 0: Causeway's sales carry no carrier, and the shipping
# charged comes from the store as its own line.
CARRIER_COST = Decimal("6.50")
PAYMENT_METHOD = "Shop payments"
# The B2B portal's business customers (docs/portal.md): two companies, each with its own
# price list (the formulas' quantity breaks are what the portal shows), its credit limit
# and an e-mail; (party name, e-mail, price list name, [(min quantity, formula)], limit).
B2B_COMPANIES: list[tuple[str, str, str, list[tuple[float, str]], Decimal]] = [
    (
        "Acme Retail Ltd",
        "orders@acme-retail.example",
        "Acme wholesale",
        [(10.0, "list_price * 0.8"), (0.0, "list_price * 0.9")],
        Decimal(5000),
    ),
    (
        "Birch Supplies",
        "purchasing@birch-supplies.example",
        "Birch wholesale",
        [(0.0, "list_price * 0.95")],
        Decimal(300),
    ),
]
# A product sold only by the pair (module sale_product_quantity: at least 2, multiples
# of 2), apart from GOODS so that the stores' orders of the other SKUs stay as they were.
PAIRED = ("GAD-002", "Gadget pair pack", Decimal(25), Decimal(11))
# Portal catalogue categories (product.template.categories, apart from the accounting
# one) and the sale quantity rules: sku -> (minimal, multiple).
PORTAL_CATEGORIES = {"Widgets": ["WID-001"], "Gadgets": ["GAD-001", "GAD-002"], "Media players": [
    "IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"]}
SALE_QUANTITIES = {"GAD-002": (2.0, 2.0)}
IMAGES = {"WID-001": (41, 105, 225), "GAD-001": (230, 126, 34)}  # a plain PNG each


def main() -> None:
    t0 = time.time()
    pconfig.set_trytond(
        database=os.environ.get("DB", "erp"), config_file=os.environ.get("CONF", "trytond.conf")
    )
    # Imported after set_trytond: these modules need the pool of the configured database.
    from trytond.modules.account.tests.tools import (
        create_chart,
        create_fiscalyear,
        create_tax,
        get_accounts,
    )
    from trytond.modules.account_invoice.tests.tools import (
        create_payment_term,
        set_fiscalyear_invoice_sequences,
    )
    from trytond.modules.company.tests.tools import create_company, get_company

    # 1. Company in USD (also sets the admin user's company in its preferences).
    Party = Model.get("party.party")
    company_party = Party(name="Causeway Demo Company")
    company_party.save()
    create_company(party=company_party, currency="USD")
    company = get_company()

    # 2. Minimal chart of accounts, from the template shipped with the account module.
    create_chart(company)
    accounts = get_accounts(company)

    # 3. Calendar fiscal years for this year and the next, so orders dated around New Year
    #    (and demos run in December) still find an open period and invoice sequences.
    this_year = datetime.date.today().year
    for year in (this_year, this_year + 1):
        fiscalyear = create_fiscalyear(
            company, (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        )
        fiscalyear = set_fiscalyear_invoice_sequences(fiscalyear)
        fiscalyear.click("create_period")

    # 4. Customer taxes. The connector matches an order's tax rate to a tax by its rate.
    taxes = {}
    for name, rate in (("VAT 10%", Decimal("0.10")), ("State Tax 6%", Decimal("0.06"))):
        tax = create_tax(rate, company)
        tax.name = tax.description = name
        tax.save()
        taxes[name] = tax

    # 5. Product categories carrying the revenue/expense accounts invoices need.
    Category = Model.get("product.category")
    goods_category = Category(
        name="Goods",
        accounting=True,
        account_revenue=accounts["revenue"],
        account_expense=accounts["expense"],
    )
    goods_category.customer_taxes.append(taxes["VAT 10%"])
    goods_category.save()
    services_category = Category(
        name="Services",
        accounting=True,
        account_revenue=accounts["revenue"],
        account_expense=accounts["expense"],
    )
    services_category.save()

    # 6. Payment term "Direct", also the default for new customers. Tax rounded per line:
    #    the stores round each line's tax (Shopify does), and a sale must add up as the
    #    order the customer paid did (docs/connectors/tryton.md, "Tax rounding").
    payment_term = create_payment_term()
    payment_term.save()
    AccountConfig = Model.get("account.configuration")
    account_config = AccountConfig(1)
    account_config.default_customer_payment_term = payment_term
    account_config.tax_rounding = "line"
    account_config.save()

    # 7. Products, in one create call: template + its one variant carrying the SKU
    #    (product.code = template.code + suffix_code) and the cost price. The raw create
    #    skips the client-side on_change round trips proteus would make per field (~10x).
    config = pconfig.get_config()
    Uom = Model.get("product.uom")
    (unit,) = Uom.find([("name", "=", "Unit")])
    Template = Model.get("product.template")
    Product = Model.get("product.product")

    def template(name: str, kind: str, price: Decimal, category: int, sku: str, cost: Decimal):
        return {
            "name": name,
            "type": kind,
            "salable": True,
            "default_uom": unit.id,
            "sale_uom": unit.id,
            "list_price": price,
            "account_category": category,
            "products": [("create", [{"suffix_code": sku, "cost_price": cost}])],
        }

    values = [
        template(name, "goods", price, goods_category.id, sku, cost)
        for sku, name, price, cost in GOODS
    ] + [
        template(name, "service", Decimal(0), services_category.id, sku, Decimal(0))
        for sku, name in SERVICES
    ] + [template(CARRIER[2], "service", Decimal(0), services_category.id, CARRIER[1], CARRIER_COST)]
    Template._proxy.create(values, config.context)
    goods = Product.find([("code", "in", [g[0] for g in GOODS])])
    assert len(goods) == len(GOODS), [p.code for p in goods]

    # 8. Stock on hand: one inventory in the warehouse's storage location, created raw too.
    Location = Model.get("stock.location")
    (warehouse,) = Location.find([("type", "=", "warehouse"), ("code", "=", "WH")])
    storage = warehouse.storage_location
    Inventory = Model.get("stock.inventory")
    lines = [{"product": p.id, "quantity": float(STOCK_PER_PRODUCT)} for p in goods]
    (inventory_id,) = Inventory._proxy.create(
        [{"location": storage.id, "lines": [("create", lines)]}], config.context
    )
    inventory = Inventory(inventory_id)
    inventory.click("confirm")
    assert inventory.state == "done", inventory.state

    # 9. A carrier, so shipments can carry one and its tracking number (shipping_reference).
    carrier_party = Party(name=CARRIER[0])
    carrier_party.save()
    (carrier_product,) = Product.find([("code", "=", CARRIER[1])])
    Carrier = Model.get("carrier")
    Carrier(party=carrier_party, carrier_product=carrier_product).save()
    # Module sale_shipment_cost would otherwise make every sale 'order' cost method: a
    # goods sale without a carrier could not be quoted (all carriers are available when
    # no carrier selection is set), and one with a carrier would get a shipping line of
    # the carrier's price. The stores' own shipping line is what the customer paid, so
    # sales add none; the shipment still gets its carrier's cost (module
    # stock_shipment_cost) when it is done.
    SaleConfig = Model.get("sale.configuration")
    sale_config = SaleConfig(1)
    sale_config.sale_shipment_cost_method = None
    sale_config.save()

    # 10. The payment method store payments are booked with (the invoice's pay wizard).
    Journal = Model.get("account.journal")
    (cash_journal,) = Journal.find([("type", "=", "cash")])
    PaymentMethod = Model.get("account.invoice.payment.method")
    PaymentMethod(
        name=PAYMENT_METHOD,
        journal=cash_journal,
        credit_account=accounts["cash"],
        debit_account=accounts["cash"],
    ).save()

    # 11. The B2B portal's paired product (with its stock), companies, price lists,
    #     categories, quantity rules, images.
    sku, name, price, cost = PAIRED
    Template._proxy.create(
        [template(name, "goods", price, goods_category.id, sku, cost)], config.context
    )
    (paired,) = Product.find([("code", "=", sku)])
    (paired_inventory,) = Inventory._proxy.create(
        [{"location": storage.id,
          "lines": [("create", [{"product": paired.id, "quantity": float(STOCK_PER_PRODUCT)}])]}],
        config.context,
    )
    Inventory(paired_inventory).click("confirm")
    portal_setup(company, [*goods, paired])

    print(
        f"tryton setup: company={company.party.name} (USD), fiscal years {this_year}-"
        f"{this_year + 1}, taxes={', '.join(taxes)}, payment_term={payment_term.name}, "
        f"{len(GOODS)} goods x {STOCK_PER_PRODUCT} in {warehouse.code}/{storage.code}, "
        f"services={', '.join(s for s, _ in SERVICES)}, carrier={CARRIER[0]} (cost {CARRIER_COST}), "
        f"payment method={PAYMENT_METHOD!r} ({time.time() - t0:.1f}s)"
    )


def portal_setup(company: Any, goods: list[Any]) -> None:
    """What the B2B portal reads (docs/portal.md): per company a party with its price list,
    credit limit and e-mail; categories to browse; quantity rules; product images."""
    import io

    from PIL import Image

    config = pconfig.get_config()
    Party = Model.get("party.party")
    PriceList = Model.get("product.price_list")
    for name, email, list_name, lines, limit in B2B_COMPANIES:
        price_list = PriceList(name=list_name, price="list_price")
        for quantity, formula in lines:
            price_list.lines.new(quantity=quantity, formula=formula)
        price_list.save()
        party = Party(name=name)
        party.contact_mechanisms.new(type="email", value=email)
        party.sale_price_list = price_list
        party.credit_limit_amount = limit
        party.save()
    by_sku = {p.code: p for p in goods}
    Category = Model.get("product.category")
    Template = Model.get("product.template")
    for category_name, skus in PORTAL_CATEGORIES.items():
        category = Category(name=category_name)
        category.save()
        Template._proxy.write(
            [by_sku[s].template.id for s in skus],
            {"categories": [("add", [category.id])]},
            config.context,
        )
    for sku, (minimal, rounding) in SALE_QUANTITIES.items():
        Template._proxy.write(
            [by_sku[sku].template.id],
            {"sale_quantity_minimal": minimal, "sale_quantity_rounding": rounding},
            config.context,
        )
    ProductImage = Model.get("product.image")
    for sku, colour in IMAGES.items():
        buffer = io.BytesIO()
        Image.new("RGB", (256, 256), colour).save(buffer, format="PNG")
        ProductImage._proxy.create(
            [{"template": by_sku[sku].template.id, "image": buffer.getvalue()}], config.context
        )


if __name__ == "__main__":
    main()
