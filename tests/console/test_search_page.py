"""The search page with an API key: one exact match opens its record, several are
listed by kind, the box asks again as one types (htmx), and odd input is just text."""

from __future__ import annotations

from fastapi.testclient import TestClient

from causeway.config.customers import CustomerSettings
from causeway.customers.resolve import resolve
from causeway.engine.search import Hit
from causeway.hub import Hub
from causeway.web.console.pages.search import the_one
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


def customers(hub: Hub, *people: tuple[str, str, str]) -> list[str]:
    """Golden records of (email, last name, phone); their customer ids."""
    with hub.store.transaction() as conn:
        return [
            resolve(
                conn,
                "shop",
                f"c{n}",
                {"email": email, "last_name": last_name, "phone": phone},
                1.0,
                CustomerSettings(),
            ).customer_id
            for n, (email, last_name, phone) in enumerate(people, start=1)
        ]


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


def test_an_email_opens_the_customer_at_once_though_her_orders_carry_it_too(
    hub: Hub, client_for: ClientFor
) -> None:
    customer_id = a_shop(hub)
    answer = client_for("read").get("/console/search", params={"q": "Ada@Example.com"})
    assert (answer.status_code, answer.headers["location"]) == (
        303,
        f"/console/customers/{customer_id}",
    )


def test_a_phone_number_opens_the_customer_at_once(hub: Hub, client_for: ClientFor) -> None:
    (customer_id,) = customers(hub, ("ada@example.com", "Lovelace", "+1 415 555 0132"))
    answer = client_for("read").get("/console/search", params={"q": "(415) 555-0132"})
    assert (answer.status_code, answer.headers["location"]) == (
        303,
        f"/console/customers/{customer_id}",
    )


def test_a_name_two_customers_share_lists_both_to_choose_from(
    hub: Hub, client_for: ClientFor
) -> None:
    ada, anne = customers(
        hub,
        ("ada@example.com", "Lovelace", "+1 415 555 0132"),
        ("anne@example.org", "Lovelace", "+44 20 7946 0018"),
    )
    assert ada != anne
    answer = client_for("read").get("/console/search", params={"q": "Lovelace"})
    assert answer.status_code == 200
    assert "<h2>Customers</h2>" in answer.text
    assert f'href="/console/customers/{ada}"' in answer.text
    assert f'href="/console/customers/{anne}"' in answer.text


def hit(kind: str, key: str, field: str, exact: bool = True) -> Hit:
    return Hit(kind, key, key, f"/console/{kind}s/{key}", exact, field, "+14155550132")


def test_which_hit_opens_at_once() -> None:
    ada, her_order = hit("customer", "ada", "phone"), hit("order", "o1", "phone")
    assert the_one([ada, her_order]) == ada  # her orders are on her page
    assert the_one([her_order, ada]) == ada
    # Two customers share the number: the list, to choose from.
    assert the_one([ada, hit("customer", "george", "phone"), her_order]) is None
    # Her name is not hers alone the way her e-mail is: with orders found too, the list.
    assert the_one([hit("customer", "ada", "name"), her_order]) is None
    # A number only starting hers is not her number: her order, the one exact match, opens.
    assert the_one([hit("customer", "ada", "phone", exact=False), her_order]) == her_order
    other = hit("order", "o2", "phone")
    assert the_one([hit("customer", "ada", "phone", exact=False), her_order, other]) is None


def test_an_email_typed_in_the_box_lists_the_customer_and_her_orders_never_a_redirect(
    hub: Hub, client_for: ClientFor
) -> None:
    customer_id = a_shop(hub)
    answer = client_for("read").get(
        "/console/search",
        params={"q": "Ada@Example.com"},
        headers={"HX-Request": "true", "HX-Target": "search-results"},
    )
    assert answer.status_code == 200
    page = answer.text
    assert page.index("<h2>Customers</h2>") < page.index("<h2>Orders</h2>")
    assert f'href="/console/customers/{customer_id}"' in page
    assert 'href="/console/orders/shop/450789469"' in page


def test_the_search_page_keeps_what_was_typed_in_its_box(hub: Hub, client_for: ClientFor) -> None:
    a_shop(hub)
    answer = client_for("read").get("/console/search", params={"q": "Ada@Example"})
    assert answer.status_code == 200
    assert 'hx-trigger="keyup changed delay:250ms' in answer.text  # the page's own box
    assert 'value="Ada@Example"' in answer.text


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
    assert "<small>· shipped</small>" in answer.text  # where it stands, in words


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
