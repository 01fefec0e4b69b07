"""Contract: every GraphQL document the Shopify connector sends, and the variables it sends
with it, hold against Shopify's own published Admin schema of the version it speaks
(vendor-samples/shopify/admin-schema, see SOURCES.md).

Documents are found, not listed: every module constant of causeway.connectors.shopify
that is a GraphQL operation. Variables are the ones the connector really sends: a
scenario drives it against the sandbox through a recording transport, and each call
is coerced against the published schema as Shopify coerces it. A document the scenario
never sends fails the test, so a new document is checked from the day it exists.
"""

from __future__ import annotations

import functools
import gzip
import importlib
import json
import pkgutil
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLSchema,
    OperationDefinitionNode,
    build_client_schema,
    get_nullable_type,
    parse,
    type_from_ast,
    validate,
    validate_schema,
)
from graphql.execution.values import get_variable_values
from graphql.validation import NoDeprecatedCustomRule

import causeway.connectors.shopify as connector_package
import causeway_sandbox.shopify as sandbox_package
from causeway.connectors.shopify.api_versions import API_VERSION
from causeway.connectors.shopify.connector import QuantityChange, ShopifyConnector
from causeway.connectors.shopify.fulfillments import FulfillmentLine, Tracking
from causeway.model.catalog import CatalogItem
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from causeway_sandbox.shopify.published_schema import load_introspection_schema
from tests.vendor_samples import require_samples, samples_dir

# The order documents request more than Shopify's 1000-point single-query limit under its
# published linear cost rule (tests/sandbox/test_shopify_sandbox.py says why that is fine).
ROOMY = {"max_query_cost": 10**9, "bucket_max": 10**9, "restore_rate": 10**9}
# "As of 2026-04, the idempotency key is required", in a mutation's description.
KEY_REQUIRED = re.compile(r"As of (?:version )?`?(\d{4}-\d{2})`?, the idempotency key is required")


# ------------------------------------------------------------ Shopify's published schema


def schema_file(version: str) -> Path:
    require_samples("shopify")
    return samples_dir("shopify") / "admin-schema" / f"admin_{version}.json.gz"


@functools.cache
def published(version: str) -> GraphQLSchema:
    return load_introspection_schema(schema_file(version))


# ------------------------------------------------------------ what the connector holds


@functools.cache
def connector_documents() -> dict[str, str]:
    """Every operation the connector's modules hold as a constant: "module.NAME" -> text.

    A constant that starts like an operation must parse: a broken one is not skipped.
    """
    found: dict[str, str] = {}
    for module_info in pkgutil.iter_modules(connector_package.__path__):
        module = importlib.import_module(f"{connector_package.__name__}.{module_info.name}")
        for name, value in vars(module).items():
            if not (name.isupper() and isinstance(value, str)) or value in found.values():
                continue
            if re.match(r"\s*(query|mutation)\b", value):
                parse(value)  # raises, naming the line, for a document that does not parse
                found[f"{module_info.name}.{name}"] = value
    return found


def operation_of(document: DocumentNode) -> OperationDefinitionNode:
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return operation


def deprecated_input_fields(type_: Any, value: Any, path: str) -> list[str]:
    """Input fields in `value` that the schema marks deprecated (removed in a later version)."""
    type_ = get_nullable_type(type_)
    if isinstance(type_, GraphQLList) and isinstance(value, list):
        return [
            found
            for index, item in enumerate(value)
            for found in deprecated_input_fields(type_.of_type, item, f"{path}[{index}]")
        ]
    if not (isinstance(type_, GraphQLInputObjectType) and isinstance(value, dict)):
        return []
    found = []
    for name, item in value.items():
        field = type_.fields.get(name)
        if field is None:
            continue  # coercion reports it
        if field.deprecation_reason:
            found.append(f"{path}.{name} is deprecated: {field.deprecation_reason}")
        found += deprecated_input_fields(field.type, item, f"{path}.{name}")
    return found


def variable_problems(schema: GraphQLSchema, text: str, variables: dict[str, Any]) -> list[str]:
    """What Shopify refuses in these variables (coercion), and what it has deprecated."""
    operation = operation_of(parse(text))
    definitions = operation.variable_definitions or ()
    coerced = get_variable_values(schema, definitions, variables)
    if isinstance(coerced, list):
        return [error.message for error in coerced]
    return [
        found
        for definition in definitions
        if definition.variable.name.value in variables
        for found in deprecated_input_fields(
            type_from_ast(schema, definition.type),  # type: ignore[arg-type]
            variables[definition.variable.name.value],
            f"${definition.variable.name.value}",
        )
    ]


def idempotent_fields_without_key(schema: GraphQLSchema, text: str) -> list[str]:
    """Mutations Shopify wants an @idempotent key on, as of this version, sent without one."""
    operation = operation_of(parse(text))
    if operation.operation.value != "mutation" or schema.mutation_type is None:
        return []
    missing = []
    for node in operation.selection_set.selections:
        assert isinstance(node, FieldNode)
        field = schema.mutation_type.fields[node.name.value]
        required = KEY_REQUIRED.search(field.description or "")
        keyed = any(
            isinstance(d, DirectiveNode) and d.name.value == "idempotent"
            for d in node.directives or ()
        )
        if required and required[1] <= API_VERSION and not keyed:
            missing.append(f"{node.name.value} needs @idempotent(key:) as of {required[1]}")
    return missing


# ------------------------------------------------------------ the connector at work


class Recorder(httpx.BaseTransport):
    """Sends to the sandbox and keeps (document, variables) of every call."""

    def __init__(self) -> None:
        self.http = httpx.HTTPTransport()
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.calls.append((body["query"], body.get("variables") or {}))
        return self.http.handle_request(request)

    def close(self) -> None:
        self.http.close()


def lamp(**changes: Any) -> CatalogItem:
    values: dict[str, Any] = {
        "sku": "LAMP-1",
        "title": "Desk Lamp",
        "price": Decimal("24.00"),
        "weight": Decimal("800"),
        "weight_unit": "g",
        "source_id": "1",
    }
    return CatalogItem(**(values | changes))


@pytest.fixture(scope="module")
def sent() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every call the connector makes in a day's work: orders, stock, catalogue, shipping,
    webhooks and `causeway check`."""
    recorder = Recorder()
    with SandboxServer(SandboxSettings(api_version=API_VERSION, **ROOMY)) as shop:
        store = ShopifyConnector(
            shop.url, shop.settings.access_token, system="shop", transport=recorder
        )
        body = {"title": "Widget", "sku": "WID-1", "price": "10.00", "quantity": 5}
        shop.control("POST", "products", json=body)
        order = {"email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"}
        order["lines"] = [{"sku": "WID-1", "quantity": 2}]
        shop.control("POST", "orders", json=order)

        store.access_scopes()
        store.subscribe_webhooks("http://127.0.0.1:9/webhooks/shop", ["orders/create"])
        (change,) = store.order_changes_since(None)
        store.order(change.external_id)
        list(store.abandoned_carts_since(None))  # the carts flow's reconciling poll

        item = store.inventory_items_by_sku(["WID-1"])["WID-1"]
        location = store.primary_location_id()
        read = store.available_quantities([item.inventory_item_id], location)
        store.set_available(
            [
                QuantityChange(
                    inventory_item_id=item.inventory_item_id,
                    location_id=location,
                    quantity=9,
                    compare_quantity=read[item.inventory_item_id],
                )
            ]
        )
        store.set_available(  # not read, not compared: changeFromQuantity is sent as null
            [
                QuantityChange(
                    inventory_item_id=item.inventory_item_id, location_id=location, quantity=4
                )
            ]
        )

        listing = store.create_listing(lamp())  # a product, its variant without the SKU yet
        store.unfinished_listings(["LAMP-1"])
        store.sync_listing(listing, lamp())  # the SKU, price and weight
        listing = store.listings_by_sku(["LAMP-1"])["LAMP-1"]
        store.sync_listing(listing, lamp(title="Desk Lamp II"))
        store.archive_listing(listing, "LAMP-1")

        open_order = store.order_fulfillment(change.external_id)
        (fulfillment_order,) = open_order.fulfillmentOrders.nodes
        store.create_fulfillment(
            [
                FulfillmentLine(fulfillment_order.id, line.id, line.remainingQuantity)
                for line in fulfillment_order.lineItems.nodes
            ],
            tracking=Tracking(company="UPS", number="1Z999"),
        )
        store.close()
    recorder.close()
    yield recorder.calls


# ------------------------------------------------------------------------------ tests


def test_shopifys_schema_of_the_version_the_connector_speaks_is_published() -> None:
    assert schema_file(API_VERSION).is_file(), (
        f"add Shopify's published schema of {API_VERSION} to vendor-samples (SOURCES.md)"
    )
    assert connector_documents(), "no GraphQL document found in causeway.connectors.shopify"


@pytest.mark.parametrize("name", sorted(connector_documents()))
def test_each_document_is_valid_against_shopifys_schema(name: str) -> None:
    document = parse(connector_documents()[name])
    assert [error.message for error in validate(published(API_VERSION), document)] == []


@pytest.mark.parametrize("name", sorted(connector_documents()))
def test_no_document_uses_what_shopify_has_deprecated(name: str) -> None:
    """Shopify removes what it deprecates in a later version: move before it does."""
    document = parse(connector_documents()[name])
    used = validate(published(API_VERSION), document, [NoDeprecatedCustomRule])
    assert [error.message for error in used] == []


@pytest.mark.parametrize("name", sorted(connector_documents()))
def test_mutations_shopify_wants_an_idempotency_key_on_carry_one(name: str) -> None:
    """The schema cannot require a directive; Shopify says so in the mutation's text."""
    assert idempotent_fields_without_key(published(API_VERSION), connector_documents()[name]) == []


def test_the_connector_sends_its_documents_only_and_every_one_of_them(
    sent: list[tuple[str, dict[str, Any]]],
) -> None:
    documents = connector_documents()
    inline = {text for text, _ in sent} - set(documents.values())
    assert not inline, "a document built where the discovery cannot see (and check) it"
    unsent = {name for name, text in documents.items() if text not in {t for t, _ in sent}}
    assert not unsent, "documents this scenario never sends: add the step that sends them"


def test_every_call_s_variables_hold_against_shopifys_schema(
    sent: list[tuple[str, dict[str, Any]]],
) -> None:
    refused = {
        operation_of(parse(text)).name.value: problems  # type: ignore[union-attr]
        for text, variables in sent
        if (problems := variable_problems(published(API_VERSION), text, variables))
    }
    assert refused == {}


def test_the_stock_write_of_2025_10_is_caught_here_before_shopify_refuses_it() -> None:
    """compareQuantity and ignoreCompareQuantity were deprecated in 2026-01 and are gone
    from 2026-04: what the connector sent before this release."""
    from causeway.connectors.shopify.queries import INVENTORY_SET_QUANTITIES

    quantity = {
        "inventoryItemId": "gid://shopify/InventoryItem/1",
        "locationId": "gid://shopify/Location/1",
        "quantity": 9,
        "compareQuantity": 5,
    }
    old_style = {
        "input": {
            "name": "available",
            "reason": "correction",
            "ignoreCompareQuantity": False,
            "quantities": [quantity],
        },
        "idempotencyKey": str(uuid.uuid4()),
    }
    refused = variable_problems(published("2026-10"), INVENTORY_SET_QUANTITIES, old_style)
    assert len(refused) == 2
    assert "not to include unknown field 'compareQuantity'" in refused[0]
    assert "not to include unknown field 'ignoreCompareQuantity'" in refused[1]
    # In 2026-01, the version Shopify answers 2025-10 as today, they were deprecated only:
    # this test would have said so a quarter before the stock writes broke.
    deprecated = variable_problems(published("2026-01"), INVENTORY_SET_QUANTITIES, old_style)
    assert [p.split(" is deprecated: ")[0] for p in deprecated] == [
        "$input.ignoreCompareQuantity",
        "$input.quantities[0].compareQuantity",
    ]
    assert all("removed in" in p and "2026-04" in p for p in deprecated)


def test_the_strict_schema_check_skipped_only_objects_to_shopifys_deprecation_details() -> None:
    """graphql-core's assertion is skipped when building the schema: it must be for this only."""
    for path in sorted(schema_file(API_VERSION).parent.glob("admin_*.json.gz")):
        introspection = json.loads(gzip.decompress(path.read_bytes()))
        errors: list[GraphQLError] = list(
            validate_schema(build_client_schema(introspection["data"]))
        )
        assert errors and all(
            re.fullmatch(
                r"Interface field \w+\.\w+ is not deprecated, so implementation field "
                r"\w+\.\w+ must not be deprecated\.",
                error.message,
            )
            for error in errors
        ), [error.message for error in errors]


def test_the_sandbox_serves_shopifys_published_schema_byte_for_byte() -> None:
    packaged = Path(sandbox_package.__file__).parent / "admin_schema"
    copies = sorted(packaged.glob("admin_*.json.gz"))
    assert copies
    for copy in copies:
        assert copy.read_bytes() == (schema_file(API_VERSION).parent / copy.name).read_bytes()
