"""Collections the way WordPress serves them: checked arguments, filters, sort, pages.

`page`/`per_page` (1..100, else 400 `rest_invalid_param` naming the argument in
`data.params`), `offset`, `include`/`exclude`, `search`, `after`/`before` (creation)
and `modified_after`/`modified_before` (strictly after/before, to the second, GMT
when `dates_are_gmt=true` else site time), `orderby`/`order` with the id as the
tie-break. The answer carries `X-WP-Total`, `X-WP-TotalPages` and a `Link` header
with `rel="prev"`/`rel="next"` built from the request's own query string, as
WC_REST_CRUD_Controller builds it. A page past the end is an empty list.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from causeway_sandbox.woocommerce.errors import invalid_params
from causeway_sandbox.woocommerce.formats import SiteClock, WPJSONResponse
from causeway_sandbox.woocommerce.validate import as_bool

T = TypeVar("T")

DATE_FILTERS = ("after", "before", "modified_after", "modified_before")


@dataclass
class ListQuery:
    page: int
    per_page: int
    offset: int | None
    order: str
    orderby: str
    include: list[int]
    exclude: list[int]
    search: str
    dates: dict[str, datetime]
    params: QueryParams

    def values(self, name: str) -> list[str]:
        """A list argument: repeated (`status[]=a&status[]=b`) or comma separated."""
        raw = self.params.getlist(name) + self.params.getlist(f"{name}[]")
        return [part.strip() for value in raw for part in value.split(",") if part.strip()]


def _integer(
    params: QueryParams,
    name: str,
    default: int,
    low: int,
    high: int | None,
    problems: dict[str, str],
) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        problems[name] = f"{name} is not of type integer."
        return default
    if high is not None and not low <= value <= high:
        problems[name] = f"{name} must be between {low} (inclusive) and {high} (inclusive)"
    elif value < low:
        problems[name] = f"{name} must be greater than or equal to {low}"
    return value


def _ids(params: QueryParams, name: str, problems: dict[str, str]) -> list[int]:
    raw = params.getlist(name) + params.getlist(f"{name}[]")
    parts = [p.strip() for value in raw for p in value.split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        problems[name] = f"{name}[0] is not of type integer."
        return []
    return [int(p) for p in parts]


def parse_query(
    params: QueryParams,
    clock: SiteClock,
    *,
    per_page_max: int,
    orderby: Sequence[str],
    enums: dict[str, Sequence[str]] | None = None,
) -> ListQuery:
    """Check the collection arguments as WordPress does; every problem in one 400."""
    problems: dict[str, str] = {}
    page = _integer(params, "page", 1, 1, None, problems)
    per_page = _integer(params, "per_page", 10, 1, per_page_max, problems)
    offset = _integer(params, "offset", 0, 0, None, problems) if params.get("offset") else None
    order = params.get("order", "desc")
    if order not in ("asc", "desc"):
        problems["order"] = "order is not one of asc and desc."
    sort = params.get("orderby", "date")
    if sort not in orderby:
        problems["orderby"] = f"orderby is not one of {', '.join(orderby[:-1])}, and {orderby[-1]}."
    gmt = as_bool(params.get("dates_are_gmt", "false"))
    dates = {}
    for name in DATE_FILTERS:
        if params.get(name):
            try:
                dates[name] = clock.parse(params[name], gmt=gmt)
            except ValueError:
                problems[name] = "Invalid date."
    query = ListQuery(
        page=page,
        per_page=per_page,
        offset=offset,
        order=order,
        orderby=sort,
        include=_ids(params, "include", problems),
        exclude=_ids(params, "exclude", problems),
        search=params.get("search", ""),
        dates=dates,
        params=params,
    )
    for name, choices in (enums or {}).items():
        bad = [v for v in query.values(name) if v not in choices]
        if bad:
            problems[name] = (
                f"{name}[0] is not one of {', '.join(choices[:-1])}, and {choices[-1]}."
            )
    if problems:
        raise invalid_params(problems)
    return query


def select(
    items: list[T],
    query: ListQuery,
    *,
    created: Callable[[T], datetime],
    modified: Callable[[T], datetime],
    ident: Callable[[T], int],
    sort_keys: dict[str, Callable[[T], Any]],
    text: Callable[[T], str],
) -> list[T]:
    """Filter and sort (not page) `items` by the query's common arguments."""
    bounds = {
        "after": (created, lambda v, d: v > d),
        "before": (created, lambda v, d: v < d),
        "modified_after": (modified, lambda v, d: v > d),
        "modified_before": (modified, lambda v, d: v < d),
    }
    chosen = []
    for item in items:
        if query.include and ident(item) not in query.include:
            continue
        if ident(item) in query.exclude:
            continue
        if query.search and query.search.lower() not in text(item).lower():
            continue
        if all(
            test(field(item), query.dates[n])
            for n, (field, test) in bounds.items()
            if n in query.dates
        ):
            chosen.append(item)
    if query.orderby == "include" and query.include:
        chosen.sort(key=lambda item: query.include.index(ident(item)))
        return chosen
    key = sort_keys.get(query.orderby, created)
    chosen.sort(key=lambda item: (key(item), ident(item)), reverse=query.order == "desc")
    return chosen


def page_response(
    rendered: Callable[[T], dict[str, Any]], items: list[T], query: ListQuery, collection_url: str
) -> WPJSONResponse:
    """One page of `items` (already filtered and sorted) with WordPress's headers."""
    total = len(items)
    start = query.offset if query.offset is not None else (query.page - 1) * query.per_page
    page = math.ceil(start / query.per_page) + 1 if query.offset is not None else query.page
    max_pages = math.ceil(total / query.per_page)
    body = [rendered(item) for item in items[start : start + query.per_page]]
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(max_pages)}
    links = []
    base = [(k, v) for k, v in query.params.multi_items() if k != "page"]
    if page > 1:
        previous = urlencode([*base, ("page", min(page - 1, max_pages))])
        links.append(f'<{collection_url}?{previous}>; rel="prev"')
    if max_pages > page:
        following = urlencode([*base, ("page", page + 1)])
        links.append(f'<{collection_url}?{following}>; rel="next"')
    if links:
        headers["Link"] = ", ".join(links)
    return WPJSONResponse(body, headers=headers)
