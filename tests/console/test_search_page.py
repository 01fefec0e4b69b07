"""The search page with an API key: one exact match opens its record, several are
listed by kind, the box asks again as one types (htmx), and odd input is just text."""

from __future__ import annotations

from fastapi.testclient import TestClient

from causeway.config.customers import CustomerSettings
from causeway.customers.resolve import resolve
from causeway.hub import Hub
from tests.console.conftest import ClientFor
from tests.engine.test_search import Sale, an_order, place, ship


def a_shop(hub: Hub) -> str:
    """Ada's order #1001 placed and shipped, and her golden record; her customer id."""
    with hub.store.transaction() as conn:
        place(
            conn,
            "shop",
            an_order("450789469", "#1001", "ada@example.com", "WID-001"),
            Sale(17, "SO0017"),
            "hub-ada",
        )
        ship(conn, "hub-ada", "1Z999AA10123456784")
        return resolve(
            conn,
            "shop",
            "c1",
            {"email": "ada@example.com", "last_name": "Lovelace"},
            1.0,
            CustomerSettings(),
        ).customer_id


def test_an_order_number_opens_the_order_at_once(hub: Hub, client_for: ClientFor) -> None:
    a_shop(hub)
    answer = client_for("read").get("/console/search", params={"q": "#1001"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/orders/shop/450789469"
    tracking = client_for("read").get("/console/search", params={"q": "1Z999AA10123456784"})
    assert tracking.headers["location"] == "/console/orders/shop/450789469"


def test_a_name_opens_the_customer_at_once(hub: Hub, client_for: ClientFor) -> None:
    customer_id = a_shop(hub)
    answer = client_for("read").get("/console/search", params={"q": "LOVELACE"})
    assert (answer.status_code, answer.headers["location"]) == (
        303,
        f"/console/customers/{customer_id}",
    )


def test_an_email_lists_the_customer_and_her_orders_by_kind(
    hub: Hub, client_for: ClientFor
) -> None:
    customer_id = a_shop(hub)
    answer = client_for("read").get("/console/search", params={"q": "Ada@Example.com"})
    assert answer.status_code == 200
    page = answer.text
    assert page.index("<h2>Customers</h2>") < page.index("<h2>Orders</h2>")
    assert f'href="/console/customers/{customer_id}"' in page
    assert 'href="/console/orders/shop/450789469"' in page
    assert 'hx-trigger="keyup changed delay:250ms' in page  # the page's own box
    assert 'value="Ada@Example.com"' in page  # the nav box keeps what was typed


def test_typing_gets_the_results_part_only_and_never_a_redirect(
    hub: Hub, client_for: ClientFor
) -> None:
    a_shop(hub)
    answer = client_for("read").get(
        "/console/search",
        params={"q": "1001"},
        headers={"HX-Request": "true", "HX-Target": "search-results"},
    )
    assert answer.status_code == 200
    assert "<html" not in answer.text
    assert 'href="/console/orders/shop/450789469"' in answer.text


def test_nothing_found_says_so(client_for: ClientFor) -> None:
    answer = client_for("read").get("/console/search", params={"q": "no-such-thing"})
    assert answer.status_code == 200
    assert "Nothing found" in answer.text


def test_odd_input_is_shown_as_text_never_run_or_rendered(hub: Hub, client_for: ClientFor) -> None:
    a_shop(hub)
    client = client_for("read")
    for odd in ("<script>alert(1)</script>", "%", "_", "' OR 1=1 --", "a\x00b", "x" * 10_000):
        answer = client.get("/console/search", params={"q": odd})
        assert answer.status_code == 200, odd
        assert "<script>alert(1)</script>" not in answer.text
    assert "Nothing found" in client.get("/console/search", params={"q": "%"}).text


def test_search_needs_a_credential(anonymous: TestClient) -> None:
    answer = anonymous.get("/console/search", params={"q": "1001"})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/login")
