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

How the later issues plug in: the console's cookie sessions are one more
authenticator that returns `Principal.person(login, role)`; B2B portal customers
(issue 13) are one more kind of principal with a permission of their own (their
company's orders and prices, nothing of the hub's) and the company they belong to,
which the portal's routes filter by.
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


class PrincipalKind(StrEnum):
    API_KEY = "api_key"
    PERSON = "person"


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

    @classmethod
    def api_key(cls, name: str, scope: str) -> Principal:
        return cls(PrincipalKind.API_KEY, name, scope, SCOPES[check_scope(scope)])

    @classmethod
    def person(cls, login: str, role: str) -> Principal:
        if role not in ROLES:
            raise UnknownScopeError(f"unknown role {role!r}: use {_one_of(ROLES)}")
        return cls(PrincipalKind.PERSON, login, role, ROLES[role])

    def may(self, permission: Permission) -> bool:
        return permission in self.grants

    def describe(self) -> str:
        """For refusals: 'API key 'grafana' (scope read)'."""
        if self.kind is PrincipalKind.API_KEY:
            return f"API key {self.name!r} (scope {self.level})"
        return f"{self.name} (role {self.level})"
