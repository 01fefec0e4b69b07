"""The catalogue, product, image, cart and quick-order pages, through the web app (no
browser), reading the real Tryton: each company sees its own prices, the ERP's quantity
rules are enforced with a message, nothing typed is lost, and no other company's cart or
no product that is not for sale is ever reachable."""

from __future__ import annotations

import html as html_module
import json
import re
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from causeway.config import parse_config
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import portal_carts
from causeway.engine.portal_accounts import Membership
from causeway.engine.schema import portal_checkouts
from causeway.hub import Hub
from causeway_sandbox.tryton.server import TrytonServer
from tests.portal.conftest import add_company, add_member, customer_client, portal_csrf
from tests.unit.hub_configs import hub_yaml

pytestmark = pytest.mark.tryton


def party(tryton: TrytonConnector, name: str) -> int:
    (found,) = tryton.rpc.model("party.party", "search", [("name", "=", name)])
    return int(found)


def erp_hub(tmp_path: Path, tryton_server: TrytonServer, **portal: object) -> Hub:
    """A hub whose portal reads the session's real Tryton."""
    erp = {
        "type": "tryton",
        "url": tryton_server.url,
        "database": tryton_server.database,
        "username": tryton_server.username,
        "password": tryton_server.password,
    }
    config = hub_yaml(tmp_path, {}, portal={"enabled": True, "erp": "erp", **portal})
    config["systems"]["erp"] = erp
    hub = Hub(parse_config(config, env={}))
    hub.store.migrate()
    return hub


@pytest.fixture
def hub(tmp_path: Path, tryton_server: TrytonServer) -> Iterator[Hub]:
    hub = erp_hub(tmp_path, tryton_server)
    yield hub
    hub.store.dispose()


@pytest.fixture
def people(hub: Hub, tryton: TrytonConnector) -> dict[str, Membership]:
    acme = add_company(hub, party(tryton, "Acme Retail Ltd"), "Acme Retail Ltd")
    birch = add_company(hub, party(tryton, "Birch Supplies"), "Birch Supplies")
    return {
        "acme": add_member(hub, acme, "ann@acme.example"),
        "birch": add_member(hub, birch, "bo@birch.example"),
    }


def card(html: str, sku: str) -> str:
    found = re.search(rf'<article class="product-card" data-sku="{re.escape(sku)}">(.*?)</article>',
                      html, re.S)  # fmt: skip
    assert found, f"no card of {sku}"
    return found.group(1)


def text_of(html: str) -> str:
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_each_company_sees_its_own_price_and_breaks_for_the_widget(
    hub: Hub, people: dict[str, Membership]
) -> None:
    acme = customer_client(hub, people["acme"]).get("/portal?q=widget")
    birch = customer_client(hub, people["birch"]).get("/portal?q=WID-001")
    assert acme.status_code == birch.status_code == 200

    acme_card, birch_card = (
        text_of(card(acme.text, "WID-001")),
        text_of(card(birch.text, "WID-001")),
    )
    assert "9.00 USD" in acme_card and "from 10: 8.00 USD" in acme_card
    assert "9.50 USD" in birch_card and "from 10" not in birch_card
    assert "available now" in acme_card
    assert 'src="/portal/images/WID-001/0"' in card(acme.text, "WID-001")


def test_search_category_filter_and_paging(hub: Hub, people: dict[str, Membership]) -> None:
    client = customer_client(hub, people["acme"])
    gadgets = client.get("/portal", params={"category": "Gadgets"}).text
    assert re.findall(r'data-sku="([^"]+)"', gadgets) == ["GAD-001", "GAD-002"]
    assert "Min. 2" in text_of(gadgets) and "multiples of 2" in text_of(gadgets)
    media = client.get("/portal", params={"q": "ipod red"}).text
    assert re.findall(r'data-sku="([^"]+)"', media) == ["IPOD2008RED"]
    everything = client.get("/portal").text
    assert "page 1 of" in everything
    second = client.get("/portal", params={"page": 2}).text
    first_skus = set(re.findall(r'data-sku="([^"]+)"', everything))
    assert first_skus and not first_skus & set(re.findall(r'data-sku="([^"]+)"', second))
    nothing = client.get("/portal", params={"q": "<script>x</script>"})
    assert nothing.status_code == 200 and "<script>x</script>" not in nothing.text


def test_the_product_page_shows_the_description_breaks_and_stock(
    hub: Hub, people: dict[str, Membership]
) -> None:
    client = customer_client(hub, people["acme"])
    page = text_of(client.get("/portal/products/WID-001").text)
    assert "Widget" in page and "1 to 9" in page and "10 or more" in page
    assert "WH" in page
    assert client.get("/portal/products/SHIPPING").status_code == 404  # a service
    assert client.get("/portal/products/NO-SUCH").status_code == 404


def test_images_come_through_the_hub_and_only_of_products_for_sale(
    hub: Hub, people: dict[str, Membership]
) -> None:
    client = customer_client(hub, people["birch"])
    image = client.get("/portal/images/GAD-001/0")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert image.content.startswith(b"\xff\xd8\xff")
    assert "max-age" in image.headers["cache-control"]
    for missing in ("GAD-001/1", "IPOD2008RED/0", "SHIPPING/0", "NOPE/0", "GAD-001/-1"):
        assert client.get(f"/portal/images/{missing}").status_code in (404, 422), missing
    # No ERP address or credential reaches the browser.
    html = client.get("/portal").text
    assert hub.config.systems["erp"].url not in html  # type: ignore[union-attr]


def test_add_change_and_remove_cart_lines_with_the_quantity_rules(
    hub: Hub, people: dict[str, Membership]
) -> None:
    member = people["acme"]
    client = customer_client(hub, member)
    csrf = portal_csrf(client)

    under = client.post("/portal/cart/add", data={"sku": "GAD-002", "quantity": "1",
                                                  "csrf_token": csrf})  # fmt: skip
    assert under.status_code == 400 and "the minimum for GAD-002 is 2" in under.text
    added = client.post("/portal/cart/add", data={"sku": "GAD-002", "quantity": "4",
                                                  "csrf_token": csrf})  # fmt: skip
    assert added.status_code == 303
    client.post("/portal/cart/add", data={"sku": "WID-001", "quantity": "3", "csrf_token": csrf})
    cart = text_of(client.get("/portal/cart").text)
    # 4 gadgets at 22.50 and 3 widgets at 9.00: 117.00.
    assert "22.50 USD" in cart and "90.00 USD" in cart and "117.00 USD" in cart

    odd = client.post("/portal/cart/update", data={"sku": "GAD-002", "quantity": "5",
                                                   "csrf_token": csrf})  # fmt: skip
    assert odd.status_code == 400
    assert "sold in multiples of 2: 5 is not one (order 4 or 6)" in odd.text
    assert 'value="5"' in odd.text  # what was typed comes back in the field
    nonsense = client.post("/portal/cart/update", data={"sku": "WID-001", "quantity": "=1+1",
                                                        "csrf_token": csrf})  # fmt: skip
    assert nonsense.status_code == 400 and "is not a number" in nonsense.text

    # Ten widgets reach Acme's break: 8.00 each.
    client.post("/portal/cart/update", data={"sku": "WID-001", "quantity": "10",
                                             "csrf_token": csrf})  # fmt: skip
    assert "80.00 USD" in text_of(client.get("/portal/cart").text)
    client.post("/portal/cart/remove", data={"sku": "GAD-002", "csrf_token": csrf})
    lines = portal_carts.lines(hub.store, member.company_id, member.user_id)
    assert [(line.sku, line.quantity) for line in lines] == [("WID-001", Decimal(10))]
    assert 'href="/portal/checkout"' in client.get("/portal/cart").text


def test_htmx_add_answers_a_line_for_the_card(hub: Hub, people: dict[str, Membership]) -> None:
    client = customer_client(hub, people["birch"])
    csrf = portal_csrf(client)
    answer = client.post("/portal/cart/add", data={"sku": "wid-001", "quantity": "2"},
                         headers={"HX-Request": "true", "X-CSRF-Token": csrf})  # fmt: skip
    assert answer.status_code == 200
    assert "Added 2: 2 of WID-001 in your cart" in text_of(answer.text)


def test_a_cart_belongs_to_its_company_and_person(hub: Hub, people: dict[str, Membership]) -> None:
    acme, birch = people["acme"], people["birch"]
    portal_carts.put(hub.store, acme.company_id, acme.user_id, "WID-001", Decimal(3))
    birch_client = customer_client(hub, birch)
    assert "Your cart is empty" in birch_client.get("/portal/cart").text
    csrf = portal_csrf(birch_client)
    # Birch removing "WID-001" touches only Birch's own (empty) cart.
    birch_client.post("/portal/cart/remove", data={"sku": "WID-001", "csrf_token": csrf})
    assert portal_carts.lines(hub.store, acme.company_id, acme.user_id)
    without = birch_client.post("/portal/cart/add", data={"sku": "WID-001", "quantity": "1"})
    assert without.status_code == 403  # no CSRF token: refused


def test_quick_order_adds_good_lines_and_names_every_bad_one(
    hub: Hub, people: dict[str, Membership]
) -> None:
    member = people["acme"]
    client = customer_client(hub, member)
    csrf = portal_csrf(client, "/portal/quick-order")
    paste = (
        "sku,quantity\nWID-001,5\nWDI-001,2\nGAD-002,3\n\nIPOD2008RED,x\n"
        "=cmd|' /C calc'!A0,1\nWID-001;5\n"
    )
    answer = client.post("/portal/quick-order", data={"mode": "paste", "paste": paste,
                                                      "csrf_token": csrf})  # fmt: skip
    assert answer.status_code == 400
    page = text_of(answer.text)
    assert "Line 3 WDI-001,2 : unknown SKU 'WDI-001'" in page
    assert "Line 4 GAD-002,3 : GAD-002 is sold in multiples of 2" in page
    assert "Line 6 IPOD2008RED,x : 'x' is not a number" in page
    assert "Line 7" in page and "unknown SKU" in page
    # The two widget lines (2 and 8) are one cart line of 10.
    assert "Added to your cart: 10 × WID-001" in page
    lines = portal_carts.lines(hub.store, member.company_id, member.user_id)
    assert [(line.sku, line.quantity) for line in lines] == [("WID-001", Decimal(10))]
    # The bad lines come back in the textarea exactly as typed, the good ones do not.
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", answer.text, re.S)
    assert textarea is not None
    assert textarea.group(1).splitlines() == [
        "WDI-001,2", "GAD-002,3", "IPOD2008RED,x", "=cmd|&#39; /C calc&#39;!A0,1",
    ]  # fmt: skip


def test_quick_order_rows_come_back_as_typed(hub: Hub, people: dict[str, Membership]) -> None:
    client = customer_client(hub, people["birch"])
    csrf = portal_csrf(client, "/portal/quick-order")
    answer = client.post(
        "/portal/quick-order",
        data={"mode": "rows", "sku": ["GAD-002", "", "NOPE"], "quantity": ["2", "", "7"],
              "csrf_token": csrf},
    )  # fmt: skip
    assert answer.status_code == 400
    assert "Line 3 NOPE,7 : unknown SKU 'NOPE'" in text_of(answer.text)
    assert 'value="NOPE"' in answer.text and 'value="7"' in answer.text
    assert 'value="GAD-002"' not in answer.text  # it went to the cart
    empty = client.post("/portal/quick-order", data={"mode": "rows", "csrf_token": csrf})
    assert "nothing to add" in empty.text.lower()


def test_a_checkout_waiting_for_approval_holds_its_units_off_availability(
    tmp_path: Path, tryton_server: TrytonServer, tryton: TrytonConnector
) -> None:
    hub = erp_hub(tmp_path, tryton_server, cache_seconds="10ms")
    acme = add_company(hub, party(tryton, "Acme Retail Ltd"), "Acme Retail Ltd")
    client = customer_client(hub, add_member(hub, acme, "ann@acme.example"))

    def available() -> int:
        time.sleep(0.05)  # past portal.cache_seconds
        page = text_of(client.get("/portal/products/GAD-001").text)
        found = re.search(r"([\d,]+) available now", page)
        assert found, page
        return int(found.group(1).replace(",", ""))

    before = available()
    with hub.store.transaction() as conn:
        conn.execute(
            portal_checkouts.insert().values(
                company_id=acme.id, user_id=1, idempotency_key="k1", reference="portal-1",
                state="awaiting_approval", currency="USD", total="45.00", created_at=0.0,
                lines=json.dumps([{"sku": "GAD-001", "quantity": "6", "unit_price": "22.5"}]),
            )
        )  # fmt: skip
    assert available() == before - 6
    with hub.store.transaction() as conn:
        conn.execute(portal_checkouts.update().values(state="placed"))
    assert available() == before


def test_a_paste_too_long_is_refused_whole_and_comes_back(
    hub: Hub, people: dict[str, Membership]
) -> None:
    member = people["birch"]
    client = customer_client(hub, member)
    csrf = portal_csrf(client, "/portal/quick-order")
    paste = "WID-001,1\n" * 10_000
    answer = client.post("/portal/quick-order", data={"mode": "paste", "paste": paste,
                                                      "csrf_token": csrf})  # fmt: skip
    assert answer.status_code == 400
    assert "The paste has 10,000 lines; at most 1,000 at once" in text_of(answer.text)
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", answer.text, re.S)
    assert textarea is not None
    assert textarea.group(1) == paste  # all of it back in the form
    assert portal_carts.lines(hub.store, member.company_id, member.user_id) == []
    form = {"mode": "paste", "csrf_token": csrf, "paste": "\x00\x01\x02,1\nWID-001,2"}
    binary = client.post("/portal/quick-order", data=form)
    assert binary.status_code == 400 and "is not a SKU" in binary.text
