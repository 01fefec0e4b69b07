"""What the sandbox answers for a field of Shopify's schema it may or may not compute, on a
tiny schema so that each rule of field_resolver.py shows on its own."""

from __future__ import annotations

from typing import Any

from graphql import build_schema, execute_sync, parse

from causeway_sandbox.shopify.field_resolver import resolve_field

SCHEMA = build_schema(
    """
    type Query { shop: Shop }
    type Shop {
      name: String
      plan: String
      note(truncateAt: Int): String
      tags(first: Int, after: String, sortKey: String): [String]
    }
    """
)


def answer(query: str, shop: dict[str, Any]) -> tuple[Any, list[str]]:
    result = execute_sync(
        SCHEMA, parse(query), root_value={"shop": shop}, field_resolver=resolve_field
    )
    return result.data, [error.message.split(":")[0] for error in result.errors or ()]


def test_a_computed_field_is_answered_and_one_not_computed_says_so() -> None:
    data, errors = answer("{ shop { name plan } }", {"name": "Acme"})
    assert data == {"shop": {"name": "Acme", "plan": None}}
    assert errors == ["the sandbox does not implement Shop.plan"]


def test_arguments_reach_the_callable_that_takes_them() -> None:
    def note(info: Any, truncateAt: int | None = None) -> str:
        return "gift wrap"[:truncateAt]

    data, errors = answer("{ shop { note(truncateAt: 4) } }", {"note": note})
    assert (data, errors) == ({"shop": {"note": "gift"}}, [])


def test_paging_arguments_reach_a_callable_that_takes_keywords() -> None:
    def tags(info: Any, **page: Any) -> list[str]:
        return ["a", "b", "c"][: page["first"]]

    data, errors = answer("{ shop { tags(first: 2) } }", {"tags": tags})
    assert (data, errors) == ({"shop": {"tags": ["a", "b"]}}, [])
    _, errors = answer('{ shop { tags(first: 2, sortKey: "TITLE") } }', {"tags": tags})
    assert errors == ["the sandbox does not implement argument sortKey of Shop.tags"]


def test_an_argument_a_plain_value_cannot_honour_says_so() -> None:
    _, errors = answer("{ shop { note(truncateAt: 4) } }", {"note": "gift wrap"})
    assert errors == ["the sandbox does not implement argument truncateAt of Shop.note"]
    assert answer("{ shop { note } }", {"note": "gift wrap"}) == (
        {"shop": {"note": "gift wrap"}},
        [],
    )
