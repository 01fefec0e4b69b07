"""Shopify's published Admin GraphQL schema, per API version, built once per process.

admin_schema/ holds Shopify's own introspection of each version it has (see SOURCES.md
there). The sandbox executes against the whole of it, so a document is valid here
exactly when it is valid on Shopify; what the sandbox does not compute is answered
with an error that says so (field_resolver.py).

graphql-core's strict schema check refuses six of Shopify's deprecation details (a
deprecated field implementing an interface field that is not), which changes nothing
in how documents validate or run, so the schema is built with that check skipped.

A version is served as Shopify serves it: one the sandbox has as itself, an older one
as the oldest it has (Shopify falls forward to the oldest version it still supports
and says so in X-Shopify-API-Version). Any other version is not served.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from importlib import resources
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, build_client_schema

DEFAULT_VERSION = "2026-10"
_FILE = re.compile(r"admin_(\d{4}-(?:01|04|07|10))\.json\.gz")
_QUARTERLY = re.compile(r"\d{4}-(?:01|04|07|10)")
_FOLDER = resources.files("causeway_sandbox.shopify").joinpath("admin_schema")
_built: dict[str, GraphQLSchema] = {}
_building = threading.Lock()


def available_versions() -> tuple[str, ...]:
    """The versions whose published schema the sandbox has, oldest first."""
    found = (_FILE.fullmatch(entry.name) for entry in _FOLDER.iterdir())
    return tuple(sorted(match[1] for match in found if match))


def served_version(requested: str) -> str | None:
    """The version a request for `requested` is answered as; None when it is not served."""
    versions = available_versions()
    if requested in versions:
        return requested
    if _QUARTERLY.fullmatch(requested) and requested < versions[0]:
        return versions[0]
    return None


def published_schema(version: str) -> GraphQLSchema:
    """The executable schema of `version` (one of available_versions()), built once."""
    with _building:  # one build per version, however many sandboxes start at once
        if version not in _built:
            if version not in available_versions():
                raise ValueError(
                    f"the sandbox has no published Shopify schema for {version!r}: it has "
                    f"{', '.join(available_versions())}"
                )
            with _FOLDER.joinpath(f"admin_{version}.json.gz").open("rb") as packed:
                _built[version] = schema_from_introspection(packed)
        return _built[version]


def load_introspection_schema(path: Path) -> GraphQLSchema:
    """A published schema file (gzip of an introspection result) as a schema."""
    with path.open("rb") as packed:
        return schema_from_introspection(packed)


def schema_from_introspection(packed: Any) -> GraphQLSchema:
    with gzip.open(packed) as raw:
        introspection = json.load(raw)
    return build_client_schema(introspection["data"], assume_valid=True)
