"""How the sandbox answers a field of Shopify's schema: from what it computes, or with an
error saying it does not.

The executable schema is Shopify's whole published one (published_schema.py), so
every document valid on Shopify validates here. What the sandbox computes is the
views' dicts (a key per field; a callable `(info, **args)` for a field that takes
arguments) and the root resolvers' methods. Any other field is answered with a
GraphQL error "the sandbox does not implement Type.field": never with a silent null
that a test could take for Shopify's answer.

Arguments: graphql-core hands over those the document sets and those with a default
in the schema. A callable receives those it names, and `**args` stands for a
connection's paging arguments (`paginate` takes them). An argument the document sets
that the callable does not take is an error naming it; a schema default it does not
take is left out (the callable behaves as that default).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

PAGING = frozenset({"first", "after", "last", "before", "reverse"})
_TAKES: dict[Any, tuple[frozenset[str], bool]] = {}


def not_implemented(info: GraphQLResolveInfo, what: str = "") -> GraphQLError:
    return GraphQLError(
        f"the sandbox does not implement {what}{info.parent_type.name}.{info.field_name}: "
        f"it is in Shopify's schema, but no sandbox view computes it",
        extensions={"code": "SANDBOX_NOT_IMPLEMENTED"},
    )


def resolve_field(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    name = info.field_name
    if isinstance(source, dict):
        if name not in source:
            raise not_implemented(info)
        value = source[name]
    elif callable(getattr(type(source), name, None)):  # a root resolver's method
        value = getattr(source, name)
    else:
        raise not_implemented(info)
    if callable(value):
        return value(info, **_arguments(value, info, args))
    if _set_by_document(info):
        unknown = sorted(_set_by_document(info))
        raise not_implemented(info, f"argument {', '.join(unknown)} of ")
    return value


def _arguments(
    resolver: Callable[..., Any], info: GraphQLResolveInfo, args: dict[str, Any]
) -> dict[str, Any]:
    names, paging = _takes(resolver)
    taken = names | PAGING if paging else names
    unknown = sorted(_set_by_document(info) - taken)
    if unknown:
        raise not_implemented(info, f"argument {', '.join(unknown)} of ")
    return {key: value for key, value in args.items() if key in taken}


def _set_by_document(info: GraphQLResolveInfo) -> set[str]:
    return {argument.name.value for argument in info.field_nodes[0].arguments or ()}


def _takes(resolver: Callable[..., Any]) -> tuple[frozenset[str], bool]:
    """(the argument names `resolver` takes, whether it takes paging **args).

    Cached by code object: views make a new closure per object, with the same signature.
    """
    key = getattr(getattr(resolver, "__func__", resolver), "__code__", resolver)
    if key not in _TAKES:
        params = list(inspect.signature(resolver).parameters.values())[1:]  # after `info`
        _TAKES[key] = (
            frozenset(p.name for p in params if p.kind is not p.VAR_KEYWORD),
            any(p.kind is p.VAR_KEYWORD for p in params),
        )
    return _TAKES[key]
