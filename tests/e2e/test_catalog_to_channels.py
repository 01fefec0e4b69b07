"""catalog-to-channels end to end: products kept in the real Tryton appear in the stores
(the Shopify and WooCommerce sandboxes) without anyone typing them twice, each store with
its own assortment and price list, and only what changed is sent."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from causeway.config import parse_config
from causeway.connectors.shopify import product_queries as pq
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine.schema import jobs
from causeway.flows.catalog_to_channels import NAME
from causeway.hub import Hub
from causeway.model.catalog import CatalogItem
from causeway.web.app import create_app
from causeway_sandbox.localserver import BackgroundServer
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit
from causeway_sandbox.woocommerce.server import WooSandboxServer
from tests.e2e.harness import TOKEN, hub_config, new_port, subscribe, woo_system

pytestmark = pytest.mark.tryton

HubFactory = Callable[..., Hub]


@pytest.fixture
def make_hub(
    tmp_path: Path, tryton_server: TrytonServer, sandbox: SandboxServer
) -> Iterator[HubFactory]:
    made: list[Hub] = []

    def make(**catalog: Any) -> Hub:
        config = hub_config(tmp_path / str(len(made)), tryton_server, sandbox.url, new_port())
        config["flows"]["catalog-to-channels"] = {"source": "erp", "targets": ["shop"], **catalog}
        made.append(Hub(parse_config(config, env={})))
        return made[-1]

    yield make
    for hub in made:
        hub.stop()


def run_catalog(hub: Hub) -> None:
    """What the schedule does every 15 minutes: run, then let the workers drain the jobs."""
    hub.run_flow(NAME)
    hub.new_worker().run_until_idle(timeout=120)


def listing(sandbox: SandboxServer, sku: str) -> dict[str, Any] | None:
    """The store's variant of the SKU with its product, read through the Admin GraphQL."""
    response = httpx.post(
        sandbox.graphql_url,
        json={
            "query": pq.CATALOG_VARIANTS_BY_SKU,
            "variables": {"first": 5, "query": f'sku:"{sku}"'},
        },
        headers={"X-Shopify-Access-Token": TOKEN},
    )
    nodes = [n for n in response.json()["data"]["productVariants"]["nodes"] if n["sku"] == sku]
    assert len(nodes) <= 1, f"{sku} is on {len(nodes)} variants"
    return nodes[0] if nodes else None


def store_calls(shop: httpx.Client) -> list[str]:
    return [c["operationName"] for c in shop.get("/_sandbox/calls").json()]


def new_product(
    tryton: TrytonConnector,
    sku: str,
    name: str,
    price: str,
    *,
    description: str = "",
    weight: tuple[float, str] | None = None,
) -> tuple[int, int]:
    """A salable goods product made in Tryton: (product id, template id)."""
    product = TrytonTestKit(tryton).ensure_product(sku, name, Decimal(price), Decimal("1.00"))
    (record,) = tryton.rpc.read("product.product", [product], ["template"])
    template = int(record["template"])
    if description:
        tryton.rpc.write("product.product", [product], {"description": description})
    if weight:
        (uom,) = tryton.rpc.search_read("product.uom", [("symbol", "=", weight[1])], ["id"])
        tryton.rpc.write(
            "product.template", [template], {"weight": weight[0], "weight_uom": uom["id"]}
        )
    return product, template


def dead_jobs(hub: Hub) -> dict[int, str]:
    """Parked catalogue jobs: product id -> reason."""
    with hub.store.read() as conn:
        rows = conn.execute(
            select(jobs.c.payload, jobs.c.last_error).where(
                jobs.c.flow == NAME, jobs.c.state == "dead"
            )
        ).all()
    return {json.loads(r.payload)["product_id"]: r.last_error for r in rows}


def test_a_new_tryton_product_and_its_new_price_reach_the_store_and_nothing_else_is_sent(
    make_hub: HubFactory,
    sandbox: SandboxServer,
    shop: httpx.Client,
    tryton: TrytonConnector,
    unique: str,
) -> None:
    sku = f"CAT-{unique}"
    product_id, template = new_product(
        tryton,
        sku,
        "Garden Chair",
        "49.90",
        description="Folding chair.\nWeatherproof & light.",
        weight=(3.2, "kg"),
    )
    hub = make_hub()
    run_catalog(hub)

    variant = listing(sandbox, sku)
    assert variant is not None
    assert (variant["price"], variant["compareAtPrice"]) == ("49.90", None)
    assert variant["inventoryItem"]["measurement"]["weight"] == {"unit": "KILOGRAMS", "value": 3.2}
    product = variant["product"]
    assert (product["title"], product["status"], product["handle"]) == (
        "Garden Chair",
        "ACTIVE",
        sku.lower(),
    )
    assert product["descriptionHtml"] == "<p>Folding chair.<br>Weatherproof &amp; light.</p>"
    assert product_id not in dead_jobs(hub)  # (products other tests left broken may be)

    # The price changes in Tryton: one lookup and one variant update reach the store.
    tryton.rpc.write("product.template", [template], {"list_price": Decimal("44.50")})
    shop.delete("/_sandbox/calls")
    run_catalog(hub)
    assert store_calls(shop) == ["CatalogVariantsBySku", "ProductVariantsBulkUpdate"]
    assert listing(sandbox, sku)["price"] == "44.50"  # type: ignore[index]

    # Nothing changed since: the run reads Tryton and makes no store call at all.
    shop.delete("/_sandbox/calls")
    run_catalog(hub)
    assert store_calls(shop) == []


def test_a_bad_product_is_parked_alone_with_its_reason_while_the_others_are_published(
    make_hub: HubFactory,
    sandbox: SandboxServer,
    shop: httpx.Client,
    tryton: TrytonConnector,
    unique: str,
) -> None:
    good, _ = new_product(tryton, f"OK-{unique}", "Good Lamp", "20.00")
    negative, _ = new_product(tryton, f"NEG-{unique}", "Broken Price", "-5.00")
    hub = make_hub()
    run_catalog(hub)

    parked = dead_jobs(hub)
    assert f"NEG-{unique} (Broken Price) has a negative price (-5" in parked[negative]
    assert "correct the list price" in parked[negative]
    assert good not in parked
    assert listing(sandbox, f"OK-{unique}") is not None
    assert listing(sandbox, f"NEG-{unique}") is None

    # The same reason is not parked again on every run.
    run_catalog(hub)
    assert len(dead_jobs(hub)) == len(parked)


def test_a_product_the_store_refuses_is_parked_with_shopifys_reason_and_not_resent(
    make_hub: HubFactory,
    sandbox: SandboxServer,
    shop: httpx.Client,
    tryton: TrytonConnector,
    unique: str,
) -> None:
    sku = f"TAKEN-{unique}"
    # A merchant made a product by hand whose handle is the one the SKU would get.
    shop.post(
        "/_sandbox/products",
        json={"title": sku, "sku": f"HANDMADE-{unique}", "price": "1.00", "quantity": 0},
    ).raise_for_status()
    product, _ = new_product(tryton, sku, "Mirror", "60.00")
    hub = make_hub()
    run_catalog(hub)
    reason = dead_jobs(hub)[product]
    assert f"shop refused productCreate for SKU {sku}: handle: Handle '{sku.lower()}'" in reason
    assert "already in use" in reason

    shop.delete("/_sandbox/calls")
    run_catalog(hub)
    assert store_calls(shop) == []  # the same version is not sent again until it changes


def test_a_deactivated_product_is_archived_not_deleted(
    make_hub: HubFactory,
    sandbox: SandboxServer,
    shop: httpx.Client,
    tryton: TrytonConnector,
    unique: str,
) -> None:
    sku = f"OLD-{unique}"
    product, _ = new_product(tryton, sku, "Last Season Coat", "80.00")
    hub = make_hub()
    run_catalog(hub)
    assert listing(sandbox, sku)["product"]["status"] == "ACTIVE"  # type: ignore[index]

    tryton.rpc.write("product.product", [product], {"active": False})
    shop.delete("/_sandbox/calls")
    run_catalog(hub)
    assert store_calls(shop) == ["CatalogVariantsBySku", "ProductUpdate"]
    assert listing(sandbox, sku)["product"]["status"] == "ARCHIVED"  # type: ignore[index]


def test_a_create_cut_short_by_a_crash_is_finished_not_duplicated(
    make_hub: HubFactory,
    sandbox: SandboxServer,
    shop: httpx.Client,
    tryton: TrytonConnector,
    unique: str,
) -> None:
    sku = f"HALF-{unique}"
    product, _ = new_product(tryton, sku, "Half Made Table", "150.00")
    hub = make_hub()
    # The hub created the store product, then died before setting its variant or link.
    item = CatalogItem(sku=sku, title="Half Made Table", price=Decimal(150), source_id=str(product))
    hub.connectors["shop"].create_listing(item)
    assert listing(sandbox, sku) is None  # the variant has no SKU yet

    run_catalog(hub)
    variant = listing(sandbox, sku)
    assert variant is not None and variant["price"] == "150.00"
    found = httpx.post(
        sandbox.graphql_url,
        json={
            "query": pq.CATALOG_PRODUCTS_BY_HANDLE,
            "variables": {"first": 5, "query": f"handle:{sku.lower()}"},
        },
        headers={"X-Shopify-Access-Token": TOKEN},
    ).json()
    assert len(found["data"]["products"]["nodes"]) == 1


def test_a_price_list_sets_the_selling_price_and_the_list_price_is_shown_as_compare_at(
    make_hub: HubFactory,
    sandbox: SandboxServer,
    tryton: TrytonConnector,
    unique: str,
) -> None:
    sku = f"SALE-{unique}"
    product, _ = new_product(tryton, sku, "Discounted Kettle", "40.00")
    name = f"Web {unique}"
    tryton.rpc.create(
        "product.price_list",
        [
            {
                "name": name,
                "price": "list_price",
                "lines": [["create", [{"product": product, "formula": "unit_price * 0.75"}]]],
            }
        ],
    )
    hub = make_hub(price_list=name)
    run_catalog(hub)
    variant = listing(sandbox, sku)
    assert variant is not None
    assert (variant["price"], variant["compareAtPrice"]) == ("30.00", "40.00")


def test_a_price_list_that_does_not_exist_is_a_clear_error(
    make_hub: HubFactory, tryton: TrytonConnector
) -> None:
    hub = make_hub(price_list="No Such List")
    hub.run_flow(NAME)
    hub.new_worker().run_until_idle(timeout=60)
    with hub.store.read() as conn:
        (error,) = conn.execute(select(jobs.c.last_error).where(jobs.c.flow == NAME)).scalars()
    assert "no sale price list named 'No Such List'" in error


def test_a_product_deleted_in_tryton_is_archived_in_the_store(
    make_hub: HubFactory,
    sandbox: SandboxServer,
    shop: httpx.Client,
    tryton: TrytonConnector,
    unique: str,
) -> None:
    sku = f"GONE-{unique}"
    _, template = new_product(tryton, sku, "Discontinued Vase", "35.00")
    hub = make_hub()
    run_catalog(hub)
    assert listing(sandbox, sku)["product"]["status"] == "ACTIVE"  # type: ignore[index]

    tryton.rpc.model("product.template", "delete", [template])
    run_catalog(hub)
    assert listing(sandbox, sku)["product"]["status"] == "ARCHIVED"  # type: ignore[index]
    shop.delete("/_sandbox/calls")
    run_catalog(hub)
    assert store_calls(shop) == []  # archived once, not on every run


def test_a_price_edited_by_hand_in_the_store_is_put_back_to_the_erps(
    make_hub: HubFactory,
    sandbox: SandboxServer,
    shop: httpx.Client,
    tryton: TrytonConnector,
    unique: str,
) -> None:
    sku = f"OWN-{unique}"
    new_product(tryton, sku, "Desk Lamp", "30.00")
    hub = make_hub()
    run_catalog(hub)
    variant = listing(sandbox, sku)
    assert variant is not None and variant["price"] == "30.00"

    # The hub receives the store's webhooks; someone edits the price in the store admin.
    hub.start(workers=0, scheduler=False)
    server = BackgroundServer(create_app(hub), port=hub.config.server.port).start()
    try:
        subscribe(shop, server.url, "shop", hub.flows.webhook_topics("shop"))
        edit = httpx.post(
            sandbox.graphql_url,
            json={
                "query": pq.PRODUCT_VARIANTS_BULK_UPDATE,
                "variables": {
                    "productId": variant["product"]["id"],
                    "variants": [{"id": variant["id"], "price": "9.99"}],
                },
            },
            headers={"X-Shopify-Access-Token": TOKEN},
        )
        assert edit.json()["data"]["productVariantsBulkUpdate"]["userErrors"] == []
        assert listing(sandbox, sku)["price"] == "9.99"  # type: ignore[index]
        shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
    finally:
        server.stop()
    # The webhook waits, held, for the flow's next run (every 15 minutes by default).
    assert listing(sandbox, sku)["price"] == "9.99"  # type: ignore[index]
    run_catalog(hub)

    assert listing(sandbox, sku)["price"] == "30.00"  # type: ignore[index]
    # The webhook the hub's own correction caused changed nothing more.
    shop.delete("/_sandbox/calls")
    run_catalog(hub)
    assert "ProductVariantsBulkUpdate" not in store_calls(shop)


# -- a Shopify store and a WooCommerce store, each with its assortment and price list ----


@pytest.fixture
def woo() -> Iterator[WooSandboxServer]:
    with WooSandboxServer() as server:
        yield server


@pytest.fixture
def two_stores(
    tmp_path: Path, tryton_server: TrytonServer, sandbox: SandboxServer, woo: WooSandboxServer
) -> Iterator[Callable[[list[dict[str, Any]]], Hub]]:
    """A hub publishing to the Shopify store `shop` and the WooCommerce store `woo`, with
    the given channels; made again, it is the same hub (its store) with new settings."""
    made: list[Hub] = []

    def make(channels: list[dict[str, Any]]) -> Hub:
        for hub in made:
            hub.stop()
        config = hub_config(tmp_path, tryton_server, sandbox.url, new_port())
        config["systems"]["woo"] = woo_system(woo)
        # Only this flow: the others would read the stores too.
        config["flows"] = {"catalog-to-channels": {"source": "erp", "channels": channels}}
        made.append(Hub(parse_config(config, env={})))
        return made[-1]

    yield make
    for hub in made:
        hub.stop()


def woo_listing(woo: WooSandboxServer, sku: str) -> dict[str, Any] | None:
    """The WooCommerce product holding the SKU, whatever its status, through the REST API."""
    found = httpx.get(
        woo.api_url + "products", params={"sku": sku, "status": "any"}, auth=woo.auth
    ).json()
    assert len(found) <= 1, f"{sku} is on {len(found)} products"
    return found[0] if found else None


def woo_writes(woo: WooSandboxServer) -> list[str]:
    return [c["path"] for c in woo.control("GET", "calls").json() if c["method"] != "GET"]


def category(tryton: TrytonConnector, name: str, parent: int | None = None) -> int:
    (made,) = tryton.rpc.create("product.category", [{"name": name, "parent": parent}])
    return int(made)


def categorise(tryton: TrytonConnector, template: int, category_id: int) -> None:
    tryton.rpc.write("product.template", [template], {"categories": [["add", [category_id]]]})


def price_list(tryton: TrytonConnector, name: str, formula: str) -> None:
    """A sale price list whose one line applies `formula` to every product."""
    tryton.rpc.create(
        "product.price_list",
        [{"name": name, "price": "list_price", "lines": [["create", [{"formula": formula}]]]}],
    )


def test_each_store_gets_its_own_assortment_at_its_own_prices_and_a_refusal_stays_alone(
    two_stores: Callable[[list[dict[str, Any]]], Hub],
    sandbox: SandboxServer,
    shop: httpx.Client,
    woo: WooSandboxServer,
    tryton: TrytonConnector,
    unique: str,
) -> None:
    garden = category(tryton, f"Garden {unique}")
    chairs = category(tryton, "Chairs", parent=garden)
    outlet = f"Outlet {unique}"
    price_list(tryton, outlet, "unit_price * 0.8")
    chair_sku, lamp_sku, bench_sku = (f"{k}-{unique}" for k in ("CHAIR", "LAMP", "BENCH"))
    shopify_channel = {"system": "shop", "assortment": {"skus": [chair_sku, lamp_sku]}}
    woo_channel = {
        "system": "woo",
        "price_list": outlet,
        "assortment": {"categories": [f"garden {unique}"]},
        "sku_map": {chair_sku: f"W-{chair_sku}"},
    }
    hub = two_stores([shopify_channel, woo_channel])
    run_catalog(hub)  # the products Tryton has so far: in neither assortment
    assert woo_writes(woo) == []

    chair, chair_template = new_product(tryton, chair_sku, "Garden Chair", "50.00")
    lamp, _ = new_product(tryton, lamp_sku, "Desk Lamp", "30.00")
    bench, bench_template = new_product(tryton, bench_sku, "Garden Bench", "120.00")
    categorise(tryton, chair_template, chairs)
    categorise(tryton, bench_template, garden)
    # The WooCommerce store runs a plugin that refuses benches without a shipping class.
    refusal = "Benches need a shipping class (Store Rules plugin)."
    woo.control("PUT", "refused-skus", json={bench_sku: refusal})
    run_catalog(hub)

    # Shopify: its two SKUs at the list price, not the bench.
    assert listing(sandbox, chair_sku)["price"] == "50.00"  # type: ignore[index]
    assert listing(sandbox, lamp_sku)["price"] == "30.00"  # type: ignore[index]
    assert listing(sandbox, bench_sku) is None
    # WooCommerce: the garden category (the chair by its own SKU) at the outlet price,
    # struck through from the list price; not the lamp.
    woo_chair = woo_listing(woo, f"W-{chair_sku}")
    assert woo_chair is not None
    assert (woo_chair["sale_price"], woo_chair["regular_price"], woo_chair["status"]) == (
        "40.00",
        "50.00",
        "publish",
    )
    assert woo_listing(woo, lamp_sku) is None and woo_listing(woo, chair_sku) is None
    # The chair and the bench went in one batch call; the bench alone was refused.
    assert woo_writes(woo) == ["/wp-json/wc/v3/products/batch"]
    assert woo_listing(woo, bench_sku) is None
    parked = dead_jobs(hub)
    assert f"WooCommerce refused product {bench_sku}: {refusal}" in parked[bench]
    assert chair not in parked and lamp not in parked

    # The refused version is not sent again on every run.
    woo.control("DELETE", "calls")
    shop.delete("/_sandbox/calls")
    run_catalog(hub)
    assert (woo_writes(woo), store_calls(shop)) == ([], [])

    # The chair leaves the WooCommerce assortment: taken off sale there, never deleted;
    # Shopify is not even asked (nothing changed for it).
    woo_channel["assortment"] = {
        "categories": [f"Garden {unique}"],
        "exclude_skus": [chair_sku],
    }
    hub = two_stores([shopify_channel, woo_channel])
    run_catalog(hub)
    assert woo_listing(woo, f"W-{chair_sku}")["status"] == "private"  # type: ignore[index]
    assert store_calls(shop) == []
    assert listing(sandbox, chair_sku)["product"]["status"] == "ACTIVE"  # type: ignore[index]
    # Back in: on sale again.
    woo_channel["assortment"] = {"categories": [f"Garden {unique}"]}
    hub = two_stores([shopify_channel, woo_channel])
    run_catalog(hub)
    assert woo_listing(woo, f"W-{chair_sku}")["status"] == "publish"  # type: ignore[index]


def test_an_assortment_naming_a_category_tryton_lacks_takes_nothing_off_sale(
    two_stores: Callable[[list[dict[str, Any]]], Hub],
    woo: WooSandboxServer,
    tryton: TrytonConnector,
    unique: str,
) -> None:
    hub = two_stores([{"system": "woo", "assortment": {"categories": [f"Gardn {unique}"]}}])
    hub.run_flow(NAME)
    hub.new_worker().run_until_idle(timeout=60)
    with hub.store.read() as conn:
        (error,) = conn.execute(select(jobs.c.last_error).where(jobs.c.flow == NAME)).scalars()
    assert f"channel woo's assortment names categories erp does not have: Gardn {unique}" in error
    assert woo_writes(woo) == []


def test_a_variation_price_edited_in_woocommerce_is_put_back_to_the_erps(
    two_stores: Callable[[list[dict[str, Any]]], Hub],
    woo: WooSandboxServer,
    tryton: TrytonConnector,
    unique: str,
) -> None:
    sku = f"SHIRT-M-{unique}"
    new_product(tryton, sku, "Shirt, medium", "25.00")
    # The store sells the SKU as a variation of its variable product "Shirt".
    shirt = woo.control(
        "POST",
        "products",
        json={
            "name": "Shirt",
            "type": "variable",
            "variations": [
                {
                    "sku": sku,
                    "regular_price": "20.00",
                    "attributes": [{"name": "Size", "option": "M"}],
                }
            ],
        },
    ).json()
    (variation_id,) = shirt["variations"]
    variation_url = f"{woo.api_url}products/{shirt['id']}/variations/{variation_id}"

    hub = two_stores([{"system": "woo", "assortment": {"skus": [sku]}}])
    run_catalog(hub)
    assert httpx.get(variation_url, auth=woo.auth).json()["regular_price"] == "25.00"
    assert httpx.get(f"{woo.api_url}products/{shirt['id']}", auth=woo.auth).json()["name"] == (
        "Shirt"  # the variable product's name is the store's
    )

    hub.start(workers=0, scheduler=False)
    server = BackgroundServer(create_app(hub), port=hub.config.server.port).start()
    try:
        hub.connectors["woo"].subscribe_webhooks(  # type: ignore[attr-defined]
            f"{server.url}/webhooks/woo", list(hub.flows.webhook_topics("woo"))
        )
        # Someone edits the variation's price in wp-admin: product.updated names it.
        httpx.put(variation_url, json={"regular_price": "9.99"}, auth=woo.auth).raise_for_status()
        woo.control("POST", "deliveries/wait", json={"timeout": 30})
    finally:
        server.stop()
    run_catalog(hub)
    assert httpx.get(variation_url, auth=woo.auth).json()["regular_price"] == "25.00"
    # The webhook of the hub's own correction changes nothing more.
    woo.control("DELETE", "calls")
    run_catalog(hub)
    assert woo_writes(woo) == []
