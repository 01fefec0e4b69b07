"""Shopify's search syntax for the `query` argument of connections.

Supported, as Shopify documents it: `field:value`, comparisons `field:>v`,
`field:>=v`, `field:<v`, `field:<=v`, values bare or in single or double quotes,
a trailing `*` for prefix match, implicit AND between terms, `AND`, `OR`, `NOT`
or a leading `-`, and parentheses. Bare words search the resource's default
fields. Dates are read in the shop's timezone when they carry none, like Shopify.
A field the resource does not know matches everything and is reported as a
search warning, which is what Shopify does instead of failing the query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from causeway_sandbox.shopify.formats import parse_time

# A field getter returns the record's values for a search field (a list: an order
# has many SKUs), or None when the resource has no such field.
Getter = Callable[[Any, str], list[Any] | None]


@dataclass
class Term:
    field: str | None
    op: str  # one of ":", ">", ">=", "<", "<="
    value: str


@dataclass
class Not:
    inner: Node


@dataclass
class And:
    parts: list[Node]


@dataclass
class Or:
    parts: list[Node]


Node = Term | Not | And | Or


def _tokenize(text: str) -> list[str]:
    """Split on blanks and parentheses outside quotes; quotes are removed, content kept."""
    tokens: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "'\"":
            end = text.find(ch, i + 1)
            end = len(text) if end == -1 else end
            current.append(text[i + 1 : end])
            quoted = True
            i = end + 1
            continue
        if ch.isspace() or ch in "()":
            if current or quoted:
                tokens.append("".join(current))
                current, quoted = [], False
            if ch in "()":
                tokens.append(ch)
            i += 1
            continue
        current.append(ch)
        i += 1
    if current or quoted:
        tokens.append("".join(current))
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(parts)

    def parse_and(self) -> Node:
        parts = [self.parse_unary()]
        while (token := self.peek()) is not None and token not in ("OR", ")"):
            if token == "AND":
                self.take()
                continue
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else And(parts)

    def parse_unary(self) -> Node:
        token = self.take()
        if token == "NOT":
            return Not(self.parse_unary())
        if token == "(":
            inner = self.parse_or()
            if self.peek() == ")":
                self.take()
            return inner
        if token.startswith("-") and len(token) > 1:
            return Not(_term(token[1:]))
        return _term(token)


def _term(token: str) -> Term:
    field, sep, rest = token.partition(":")
    if not sep:
        return Term(None, ":", token)
    for op in (">=", "<=", ">", "<", "="):
        if rest.startswith(op):
            return Term(field.lower(), ":" if op == "=" else op, rest[len(op) :])
    return Term(field.lower(), ":", rest)


def parse(text: str) -> Node | None:
    tokens = [t for t in _tokenize(text or "") if t != ""]
    if not tokens:
        return None
    parser = _Parser(tokens)
    node = parser.parse_or()
    while parser.peek() is not None:  # stray ")" etc.: keep reading, AND the rest
        if parser.take() == ")":
            continue
        parser.pos -= 1
        node = And([node, parser.parse_or()])
    return node


def _as_time(value: str, shop_tz: tzinfo) -> tuple[datetime, datetime] | None:
    """A search value as a time range [start, end): a whole day for a bare date."""
    try:
        if len(value) == 10:
            day = datetime.fromisoformat(value).replace(tzinfo=shop_tz)
            return day, day + timedelta(days=1)
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=shop_tz)
        return moment, moment + timedelta(seconds=1)
    except ValueError:
        return None


def _compare(actual: Any, op: str, wanted: str, shop_tz: tzinfo) -> bool:
    if actual is None:
        return False
    if isinstance(actual, datetime):
        span = _as_time(wanted, shop_tz)
        if span is None:
            return False
        start, end = span
        return {
            ":": start <= actual < end,
            ">": actual >= end,
            ">=": actual >= start,
            "<": actual < start,
            "<=": actual < end,
        }[op]
    if isinstance(actual, bool):
        return op == ":" and str(actual).lower() == wanted.lower()
    if isinstance(actual, (int, Decimal)):
        try:
            number = Decimal(wanted.rsplit("/", 1)[-1])  # ids may be given as gids
        except InvalidOperation:
            return False
        value = Decimal(actual)
        return {
            ":": value == number,
            ">": value > number,
            ">=": value >= number,
            "<": value < number,
            "<=": value <= number,
        }[op]
    text, pattern = str(actual).lower(), wanted.lower()
    if op != ":":
        return {
            ">": text > pattern,
            ">=": text >= pattern,
            "<": text < pattern,
            "<=": text <= pattern,
        }[op]
    if pattern.endswith("*"):
        return text.startswith(pattern[:-1])
    return text == pattern


class Search:
    """A parsed query, ready to filter records through a resource's field getter."""

    def __init__(self, text: str | None, getter: Getter, shop_tz: tzinfo) -> None:
        self.text = text or ""
        self.tree = parse(self.text)
        self.getter = getter
        self.shop_tz = shop_tz
        self.warnings: list[dict[str, str]] = []
        self._warned: set[str] = set()

    def _match(self, node: Node, record: Any) -> bool:
        if isinstance(node, Or):
            return any(self._match(part, record) for part in node.parts)
        if isinstance(node, And):
            return all(self._match(part, record) for part in node.parts)
        if isinstance(node, Not):
            return not self._match(node.inner, record)
        values = self.getter(record, node.field or "default")
        if values is None:
            if node.field not in self._warned:
                self._warned.add(node.field or "")
                self.warnings.append(
                    {"field": node.field or "", "message": "Invalid search field for this query."}
                )
            return True
        if node.field is None:  # free text: substring of any default field
            needle = node.value.lower().rstrip("*")
            return any(needle in str(v).lower() for v in values if v is not None)
        return any(_compare(v, node.op, node.value, self.shop_tz) for v in values)

    def filter(self, records: Iterable[Any]) -> list[Any]:
        if self.tree is None:
            return list(records)
        return [r for r in records if self._match(self.tree, r)]


def time_value(text: str | None) -> datetime | None:
    return parse_time(text) if text else None
