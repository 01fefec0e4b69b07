"""How the isolation test attacks the portal (tests/portal/test_isolation.py; the method is
in docs/portal/security.md, "How the tests attack it").

`portal_routes(app)` reads every route under /portal from the app itself, with its path
parameters, query parameters and form fields, so a route another branch adds is attacked
the day it is merged. Each parameter is looked up by name in the registry below, which
says what it is:

- owned(concept): a record of one company (its id, number or reference). Another
  company's value must be refused: 404 in a path, a 4xx in a form or a query.
- shared(...): the same for every company (a SKU, an image number, a static file); a
  company's prices are its own, so the test scans every answer for the other company's.
- SECRET: a one-time token from an e-mail: an unknown one never opens a session.
- text(...): what a person types: whatever they type, never a 500 nor another company's
  data.

A parameter the registry does not know fails the test with the route's name, so no
route slips by: add it here, saying which of these it is.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, get_args, get_origin

from fastapi import FastAPI
from fastapi.routing import APIRoute

from causeway.access.permissions import Permission
from causeway.web.access import Public, declared_access
from causeway.web.console.routing import checks_csrf

PORTAL = "/portal"


class Kind(StrEnum):
    OWNED = "owned"
    SHARED = "shared"
    SECRET = "secret"
    TEXT = "text"


@dataclass(frozen=True)
class Param:
    kind: Kind
    concept: str = ""  # OWNED: which of a company's records it names (rivals.Side.values)
    plausible: tuple[str, ...] = ()  # what a real page sends (SHARED, SECRET, TEXT)


def owned(concept: str) -> Param:
    return Param(Kind.OWNED, concept)


def shared(*values: str) -> Param:
    return Param(Kind.SHARED, plausible=values)


def text(*values: str) -> Param:
    return Param(Kind.TEXT, plausible=values or ("x",))


SECRET = Param(Kind.SECRET, plausible=("zQx7-not-a-token-of-anyone",))
FRESH = "<a new random value>"  # plausible(): a value of its own for each attempt

# What a company owns, by the names its ids go by.
_OWNED = {
    "checkout_id": owned("checkout"),
    "sale_id": owned("sale"),
    "invoice_id": owned("invoice"),
    "shipment_id": owned("shipment"),
    "address_id": owned("address"),
    "shipment_address_id": owned("address"),
    "invoice_address_id": owned("address"),
    "member_id": owned("member"),
    "user_id": owned("member"),
    "company_id": owned("company"),
    "number": owned("number"),  # a sale's, an invoice's or a checkout's number
    "reference": owned("number"),
}
# Path parameters: {checkout_id}, {sku}, ... (web/portal/routing.py names them).
PATH_PARAMETERS: dict[str, Param] = {
    **_OWNED,
    "sku": shared("WID-001", "GAD-001"),
    "image_index": shared("0"),
    "token": SECRET,
    "folder": shared("pico", "portal"),  # /portal/static/{folder}/{name}
    "name": shared("pico.min.css", "portal.css"),
}
# Query parameters and form fields.
FIELDS: dict[str, Param] = {
    **_OWNED,
    "sku": shared("WID-001", "GAD-001"),
    "token": SECRET,
    "quantity": text("1", "2"),
    "qty": text("1"),
    "q": text("widget", "WID"),
    "search": text("widget"),
    "category": text("Widgets"),
    "page": text("1"),
    "lines": text("WID-001, 2"),
    "csv": text("sku,quantity\nWID-001,2"),
    "po_number": text("PO-ISO-1"),
    "po": text("PO-ISO-1"),
    "mode": text("rows", "paste"),
    "paste": text("WID-001,2"),
    "decision": text("approve", "reject"),
    "state": text("placed"),
    "said": text("added"),
    "done": text("1"),
    "note": text("looks fine"),
    "reason": text("too much"),
    "email": text("someone@acme-iso.example"),
    "password": text("correct horse battery staple"),
    "password_again": text("correct horse battery staple"),
    "name": text("Someone"),
    "role": text("buyer"),
    "order_limit": text("100"),
    "next": text("/portal"),
    "start": text("2026-01-01"),
    "end": text("2026-12-31"),
    "format": text("pdf", "csv"),
    "idempotency_key": text(FRESH),  # a new one per attempt: else it replays the first
    "login_token": text("x"),
    "street": text("1 Main Street"),
    "postal_code": text("12345"),
    "city": text("Springfield"),
    "country": text("US"),
    "party_name": text("Goods in"),
    "warehouse": text("WH"),
    "mode": text("lines", "paste"),  # quick order: typed lines or a pasted CSV
    "paste": text("WID-001, 2"),
    "decision": text("approve", "reject"),
    "state": text("processing"),  # the orders list's filters
    "po": text("PO-ISO-1"),
    "said": text("approved"),  # what a page says after a redirect
    "done": text("saved"),
}
# Values no record has, whatever the parameter: each must be refused where an id is
# expected (404 in a path) and never be a 500 anywhere.
HOSTILE = (
    "-1",
    "0",
    "99999999999999999999999999",
    "9223372036854775808",
    "1e3",
    "0x10",
    "abc",
    "../../etc/passwd",
    "..%2F..%2Fportal",
    "<script>alert(1)</script>",
    "1 OR 1=1",
    "' OR ''='",
    "١٢",  # Arabic-Indic digits: int() would read 12
    "Ⅻ",
    "%00",
    "\u202e1",
    "NaN",
    "a" * 600,
)


def disguises(value: str) -> list[str]:
    """The same id written otherwise (a parser may still read it as the id): another
    company's id in disguise is still another company's id."""
    return [f"0{value}", f"+{value}", f" {value}", f"{value} ", f"{value}.0", f"{value}%00"]


@dataclass(frozen=True)
class PortalRoute:
    method: str
    path: str  # as declared, e.g. /portal/orders/{sale_id}
    path_params: tuple[str, ...]
    query: tuple[tuple[str, bool], ...]  # (name, takes a list)
    form: tuple[tuple[str, bool], ...]
    permission: Permission | None  # None: public
    csrf: bool
    endpoint: Any

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    def owned(self) -> list[tuple[str, str]]:
        """(where, name) of every parameter naming a company's record."""
        found = [("path", p) for p in self.path_params if PATH_PARAMETERS[p].kind is Kind.OWNED]
        for where, fields in (("query", self.query), ("form", self.form)):
            found += [(where, n) for n, _ in fields if FIELDS[n].kind is Kind.OWNED]
        return found


def _fields(dependant: Any, kind: str) -> list[tuple[str, bool]]:
    found: list[tuple[str, bool]] = []
    for param in getattr(dependant, kind):
        annotation = param.field_info.annotation
        is_list = get_origin(annotation) is list or any(
            get_origin(a) is list for a in get_args(annotation)
        )
        found.append((param.alias, is_list))
    for sub in dependant.dependencies:
        found += _fields(sub, kind)
    return found


def portal_routes(app: FastAPI) -> list[PortalRoute]:
    routes = []
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        if route.path != PORTAL and not route.path.startswith(PORTAL + "/"):
            continue
        declared = declared_access(route)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            routes.append(
                PortalRoute(
                    method=method,
                    path=route.path,
                    path_params=tuple(route.param_convertors),
                    query=tuple(_fields(route.dependant, "query_params")),
                    form=tuple(
                        (n, is_list)
                        for n, is_list in _fields(route.dependant, "body_params")
                        if n != "csrf_token"
                    ),
                    permission=None if isinstance(declared, Public) else declared,
                    csrf=checks_csrf(route),
                    endpoint=route.endpoint,
                )
            )
    return routes


# Reading the request behind FastAPI's back hides fields from the test.
_UNDECLARED = re.compile(r"request\.(form|json|body)\(|request\.query_params|request\.path_params")


def unknown_parameters(routes: list[PortalRoute]) -> list[str]:
    """Why the isolation test cannot attack these routes; empty when it knows them all."""
    problems = []
    for route in routes:
        for name in route.path_params:
            if name not in PATH_PARAMETERS:
                problems.append(
                    f"route {route} has parameter {name} the isolation test does not know: "
                    "add it to the registry (tests/portal/attack.py PATH_PARAMETERS) as "
                    "owned(<concept>), shared(...) or text(...)"
                )
        for where, fields in (("query", route.query), ("form", route.form)):
            for name, _ in fields:
                if name not in FIELDS:
                    problems.append(
                        f"route {route} has {where} field {name} the isolation test does not "
                        "know: add it to the registry (tests/portal/attack.py FIELDS) as "
                        "owned(<concept>), shared(...) or text(...)"
                    )
        try:
            source = inspect.getsource(route.endpoint)
        except (OSError, TypeError):
            source = ""
        if _UNDECLARED.search(source):
            problems.append(
                f"route {route} reads the request's fields itself: declare each as a "
                "parameter (Form(), Query(), a path parameter) so that the isolation test "
                "sees and attacks it"
            )
    return problems


def header_problems(path: str, response: Any) -> list[str]:
    """What a portal answer lacks of the headers every one must carry (web/page_headers.py)
    and of the session cookie's flags; empty when all is there. Over https."""
    problems = []
    headers = response.headers
    csp = headers.get("content-security-policy", "")
    for needed in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        if needed not in csp:
            problems.append(f"{path}: Content-Security-Policy lacks {needed!r} ({csp!r})")
    if "unsafe-eval" in csp or "script-src 'self' 'unsafe-inline'" in csp:
        problems.append(f"{path}: Content-Security-Policy lets scripts run inline or eval")
    expected = {
        "x-frame-options": "DENY",
        "referrer-policy": "same-origin",
        "x-content-type-options": "nosniff",
    }
    for name, value in expected.items():
        if headers.get(name) != value:
            problems.append(f"{path}: {name} is {headers.get(name)!r}, not {value!r}")
    cache = headers.get("cache-control", "")
    if not path.startswith(PORTAL + "/static/") and not re.search(r"no-store|private", cache):
        problems.append(f"{path}: Cache-Control is {cache!r}: a company's page may be cached")
    cookies = (
        headers.get_list("set-cookie")
        if hasattr(headers, "get_list")
        else headers.getlist("set-cookie")
    )
    for cookie in cookies:
        if not cookie.startswith("causeway_portal="):
            continue
        flags = {f.strip().lower() for f in cookie.split(";")[1:]}
        for flag in ("httponly", "samesite=lax", "secure"):
            if flag not in flags:
                problems.append(f"{path}: the session cookie lacks {flag}: {cookie!r}")
    return problems
