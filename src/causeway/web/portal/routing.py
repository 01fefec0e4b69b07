"""How a portal route declares who may call it, and what it knows of the caller.

- `page(Permission.SHOP)`: a page or htmx partial (GET) for a signed-in customer.
- `action(Permission.SHOP)`: anything that changes state (POST): page() plus the CSRF
  check of the console (web/console/routing.py: the session's token as the form field
  `csrf_token` or the header `X-CSRF-Token`).
- `customer(request)`: the signed-in person and the company they act for. Every query a
  page makes is filtered by `customer.company_id`; a record of another company is
  `not_found()`, exactly as a record that does not exist.
- `RecordId`: the type of an id in a path (`sale_id: RecordId`); `ListIndex` the type
  of a position in a list (`image_index: ListIndex`). An id that is not a
  number, or not one a record can have (0, negative, past 64 bits, which the store and
  the ERP would refuse with an error), is 404 like any id the company does not have
  (web/app.py turns a path that does not validate into the portal's 404 page).

tests/portal/test_isolation.py walks every route declared here with another company's
ids and hostile values: name path, query and form parameters after what they are
({sale_id}, {invoice_id}, ...) and declare form fields with Form() and query fields as
parameters, so that the test sees them (it fails for one it does not know).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn

from fastapi import HTTPException, Path, Request
from pydantic import BeforeValidator

from causeway.access.permissions import Permission, PrincipalKind
from causeway.web.console.routing import action as console_action
from causeway.web.console.routing import page as console_page
from causeway.web.console.routing import principal_of

PORTAL = "/portal"
NOT_FOUND = "There is no such page in your company's portal."
# The largest id a record has: a signed 64-bit integer (the store's and Tryton's).
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[1-9][0-9]{0,18}")
_INDEX = re.compile(r"0|[1-9][0-9]{0,3}")


def _one_spelling(value: object) -> object:
    """An id is written one way only: ASCII digits, no sign, space, leading zero, decimal
    point or other script's digits (which int() would all read), so that a page has one
    address and a lookup never sees an id its link did not carry."""
    if isinstance(value, str) and not _DIGITS.fullmatch(value):
        raise ValueError("not an id")
    return value


RecordId = Annotated[int, BeforeValidator(_one_spelling), Path(ge=1, le=MAX_ID)]


def _index_spelling(value: object) -> object:
    if isinstance(value, str) and not _INDEX.fullmatch(value):
        raise ValueError("not a position")
    return value


# A position in a short list (a product's image number): 0, 1, ... never -1 (Python
# would read it as the last one) nor a huge one.
ListIndex = Annotated[int, BeforeValidator(_index_spelling), Path(ge=0, le=9999)]


@dataclass(frozen=True)
class Customer:
    """Who is signed in to the portal and for which company."""

    user_id: int
    email: str
    company_id: int
    role: str

    def may(self, permission: Permission, request: Request) -> bool:
        principal = principal_of(request)
        return bool(principal and principal.may(permission))


def customer(request: Request) -> Customer:
    principal = principal_of(request)
    if (
        principal is None
        or principal.kind is not PrincipalKind.CUSTOMER
        or principal.user_id is None
        or principal.company_id is None
    ):  # the guard lets only customers through to a portal page; never trust that alone
        raise HTTPException(404, NOT_FOUND)
    return Customer(principal.user_id, principal.name, principal.company_id, principal.level)


def not_found() -> NoReturn:
    """A record that is not this company's, or is nobody's: one answer for both."""
    raise HTTPException(404, NOT_FOUND)


def page(permission: Permission, *codes: int) -> dict[str, Any]:
    return console_page(permission, 404, *codes)


def action(permission: Permission, *codes: int) -> dict[str, Any]:
    return console_action(permission, 404, *codes)
