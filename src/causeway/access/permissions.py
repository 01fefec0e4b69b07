"""Who may do what: the hub's one permission model.

Every request the hub serves, except the few deliberately public routes (webhook
ingress, health, readiness), is made by a **Principal**: an API key today, a person
logged in to the console later. An authenticator (access/authenticators.py) turns a
request's credential into a Principal; every route declares the one **Permission** it
needs (web/access.py); the principal's grants decide. Nothing else in the code
compares scopes or roles.

The permissions, from least to most:

- `read`: look. `GET /api/*` (orders, their jobs and errors), `/metrics`, `/docs`,
  `/openapi.json`; in the console (issue 12), every page.
- `operate`: act on the hub's work. `POST /api/flows/{flow}/run`; in the console,
  replay parked jobs, edit and resolve.
- `administer`: manage the hub itself: API keys, people, settings.

An API key has a **scope** and a person a **role**; both name a rung of the same
ladder, each rung granting everything below it:

| API key scope | console role (issue 12) | grants                        |
|---------------|-------------------------|-------------------------------|
| `read`        | `viewer`                | read                          |
| `run`         | `operator`              | read, operate                 |
| `admin`       | `admin`                 | read, operate, administer     |

The console's cookie sessions are one more authenticator that returns
`Principal.person(login, role)`. B2B portal customers (docs/portal.md) are another kind
of principal, `Principal.customer(...)`, with permissions of their own that grant
nothing of the hub's, and the company they act for, which every portal route filters
by (a key or a console person holds none of these, so never opens a portal page):

| portal role | grants                                                      |
|-------------|-------------------------------------------------------------|
| `buyer`     | shop: the catalogue, the cart, orders up to their limit, history |
| `approver`  | shop, approve: the company's orders over a buyer's or the credit limit |
| `admin`     | shop, approve, manage_company: its people and addresses     |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Permission(StrEnum):
    """What a route needs. Each route declares exactly one, or is public."""

    READ = "read"
    OPERATE = "operate"
    ADMINISTER = "administer"
    # The B2B portal's, held only by its customers (see the module's docstring).
    SHOP = "shop"
    APPROVE = "approve"
    MANAGE_COMPANY = "manage_company"


class PrincipalKind(StrEnum):
    API_KEY = "api_key"
    PERSON = "person"
    CUSTOMER = "customer"  # a business customer's person, signed in to the portal


_READ = frozenset({Permission.READ})
_OPERATE = _READ | {Permission.OPERATE}
_ADMIN = _OPERATE | {Permission.ADMINISTER}

# An API key's scope -> what it grants, from least to most.
SCOPES: Mapping[str, frozenset[Permission]] = {"read": _READ, "run": _OPERATE, "admin": _ADMIN}
# A person's role in the console -> what it grants: the same ladder, named for people.
ROLES: Mapping[str, frozenset[Permission]] = {
    "viewer": _READ,
    "operator": _OPERATE,
    "admin": _ADMIN,
}


_SHOP = frozenset({Permission.SHOP})
_APPROVE = _SHOP | {Permission.APPROVE}
# A portal person's role in one company -> what it grants there.
PORTAL_ROLES: Mapping[str, frozenset[Permission]] = {
    "buyer": _SHOP,
    "approver": _APPROVE,
    "admin": _APPROVE | {Permission.MANAGE_COMPANY},
}


class UnknownScopeError(ValueError):
    """An API key scope or a console role that the model does not define."""


def _one_of(names: Mapping[str, object]) -> str:
    *first, last = names
    return f"{', '.join(first)} or {last}"


def check_scope(scope: str) -> str:
    """The scope, or an error naming the ones that exist."""
    if scope not in SCOPES:
        raise UnknownScopeError(f"unknown scope {scope!r}: use {_one_of(SCOPES)}")
    return scope


@dataclass(frozen=True)
class Principal:
    """Who is making a request: its kind, its name (the key's or the person's), the
    scope or role it holds, and what that grants."""

    kind: PrincipalKind
    name: str
    level: str
    grants: frozenset[Permission]
    # A portal customer's: their portal user id and the company they act for now.
    user_id: int | None = None
    company_id: int | None = None

    @classmethod
    def api_key(cls, name: str, scope: str) -> Principal:
        return cls(PrincipalKind.API_KEY, name, scope, SCOPES[check_scope(scope)])

    @classmethod
    def person(cls, login: str, role: str) -> Principal:
        if role not in ROLES:
            raise UnknownScopeError(f"unknown role {role!r}: use {_one_of(ROLES)}")
        return cls(PrincipalKind.PERSON, login, role, ROLES[role])

    @classmethod
    def customer(cls, email: str, role: str, *, user_id: int, company_id: int) -> Principal:
        if role not in PORTAL_ROLES:
            raise UnknownScopeError(f"unknown portal role {role!r}: use {_one_of(PORTAL_ROLES)}")
        return cls(
            PrincipalKind.CUSTOMER,
            email,
            role,
            PORTAL_ROLES[role],
            user_id=user_id,
            company_id=company_id,
        )

    def may(self, permission: Permission) -> bool:
        return permission in self.grants

    def describe(self) -> str:
        """For refusals: 'API key 'grafana' (scope read)'."""
        if self.kind is PrincipalKind.API_KEY:
            return f"API key {self.name!r} (scope {self.level})"
        if self.kind is PrincipalKind.CUSTOMER:
            return f"{self.name} (portal role {self.level})"
        return f"{self.name} (role {self.level})"
