"""Authenticators: from the credential a request carries to the Principal making it.

There is one per kind of credential, and the web layer (web/access.py) asks each in
turn. An authenticator answers None when the request carries no credential of its kind,
the Principal when it carries a good one, and raises NotAuthenticatedError when it
carries a bad one, so that the refusal says what was wrong.

Today there is one: API keys sent as `Authorization: Bearer <key>`. The console's
cookie sessions (issue 12) will be the second.
"""

from __future__ import annotations

from typing import Protocol

from starlette.requests import HTTPConnection

from causeway.access.permissions import Principal, UnknownScopeError
from causeway.engine import api_keys
from causeway.engine.store import Store


class NotAuthenticatedError(Exception):
    """A credential was presented and is not good; the message is the refusal's reason."""


class Authenticator(Protocol):
    def authenticate(self, connection: HTTPConnection) -> Principal | None: ...


class BearerApiKey:
    """`Authorization: Bearer cw_...`: an API key made by `causeway keys create`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def authenticate(self, connection: HTTPConnection) -> Principal | None:
        header = connection.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            return None  # another scheme's credential, for another authenticator
        key = api_keys.verify(self.store, token.strip()) if token.strip() else None
        if key is None:
            # One reason for every bad key: which part was wrong helps only an attacker.
            raise NotAuthenticatedError(
                "the API key is unknown, revoked or mistyped; `causeway keys list` shows "
                "the keys and `causeway keys create` makes a new one"
            )
        try:
            return Principal.api_key(key.name, key.scope)
        except UnknownScopeError:  # a scope this version does not know grants nothing
            raise NotAuthenticatedError(
                f"API key {key.name!r} has scope {key.scope!r}, which this version of "
                "Causeway does not know; create a new key"
            ) from None
