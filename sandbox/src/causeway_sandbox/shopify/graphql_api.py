"""The Admin GraphQL endpoint: auth, parse, validate, cost, throttle, execute, refund.

The order of the checks is Shopify's: a bad token is a 401 before anything else;
a document that does not parse or validate is answered 200 with `errors` (each
with `locations` and a graphql-ruby style `extensions.code` such as
"undefinedField"), and costs nothing; a query dearer than the single-query limit
is refused with MAX_COST_EXCEEDED; one dearer than what the bucket holds now is
refused with THROTTLED and `actualQueryCost: null`; anything else runs, pays its
requested cost up front and gets back the difference with its actual cost.

Parsing, validation, variables and execution use Shopify's published schema of the
version the request is answered as (published_schema.py); the fields the sandbox
computes are resolved by field_resolver.py, any other field is an error saying so.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    execute_sync,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from graphql.language import FragmentDefinitionNode
from graphql.utilities import get_operation_ast

from causeway_sandbox.shopify.cost import CostCalculator, LeakyBucket
from causeway_sandbox.shopify.field_resolver import resolve_field
from causeway_sandbox.shopify.formats import gql_time
from causeway_sandbox.shopify.published_schema import published_schema
from causeway_sandbox.shopify.resolvers import MutationResolver, QueryRootResolver
from causeway_sandbox.shopify.settings import SandboxSettings
from causeway_sandbox.shopify.store import Store
from causeway_sandbox.shopify.views import Views

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
RATE_LIMIT_DOCS = "https://shopify.dev/api/usage/rate-limits"


# graphql-core message -> (graphql-ruby code, Shopify's wording, extension fields).
_VALIDATION_RULES: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(r"Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'"),
        "undefinedField",
        "Field '{field}' doesn't exist on type '{type}'",
    ),
    (
        re.compile(r"Unknown argument '(?P<arg>\w+)' on field '(?P<type>\w+)\.(?P<field>\w+)'"),
        "argumentNotAccepted",
        "Field '{field}' doesn't accept argument '{arg}'",
    ),
    (
        re.compile(r"Unknown type '(?P<type>\w+)'"),
        "undefinedType",
        "No such type {type}, so it can't be a fragment condition",
    ),
    (
        re.compile(r"Field '(?P<field>\w+)' argument '(?P<arg>\w+)' of type '[^']+' is required"),
        "missingRequiredArguments",
        "Field '{field}' is missing required arguments: {arg}",
    ),
    (
        re.compile(r"Field '(?P<field>\w+)' of type '(?P<type>[^']+)' must have a selection"),
        "selectionMismatch",
        (
            "Field must have selections (field '{field}' returns {type} but has no selections. "
            "Did you mean '{field} {{ ... }}'?)"
        ),
    ),
    (
        re.compile(r"Field '(?P<field>\w+)' must not have a selection"),
        "selectionMismatch",
        "Selections can't be made on scalars (field '{field}' returns a scalar)",
    ),
    (
        re.compile(r"Variable '\$(?P<var>\w+)' is never used"),
        "variableNotUsed",
        "Variable ${var} is declared by anonymous query but not used",
    ),
    (
        re.compile(r"Variable '\$(?P<var>\w+)' is not defined"),
        "undefinedVariable",
        "Variable ${var} is used but not declared",
    ),
    (
        re.compile(r"Variable '\$(?P<var>\w+)' of type '(?P<type>[^']+)' used in position"),
        "variableMismatch",
        "Type mismatch on variable ${var}",
    ),
]


def _validation_error(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = {"message": error.message}
    if error.locations:
        formatted["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in error.locations
        ]
    code = "validationError"
    for pattern, rule_code, template in _VALIDATION_RULES:
        match = pattern.search(error.message)
        if match:
            code = rule_code
            formatted["message"] = template.format(**match.groupdict())
            formatted["extensions"] = {
                "code": code,
                **{
                    {
                        "field": "fieldName",
                        "type": "typeName",
                        "arg": "argumentName",
                        "var": "variableName",
                    }[k]: v
                    for k, v in match.groupdict().items()
                },
            }
            return formatted
    formatted["extensions"] = {"code": code}
    return formatted


def _execution_error(error: GraphQLError) -> dict[str, Any]:
    formatted = error.formatted
    if not formatted.get("extensions"):
        formatted.pop("extensions", None)
    return dict(formatted)


class GraphQLService:
    """One shop's GraphQL endpoint, with one leaky bucket per access token."""

    def __init__(self, store: Store, settings: SandboxSettings) -> None:
        self.store = store
        self.settings = settings
        self.schema = published_schema(settings.api_version)  # built at start, not on a call
        self.views = Views(store, api_version=settings.api_version, shop_currency=settings.currency)
        self.query_root = QueryRootResolver(store, self.views, settings)
        self.mutation_root = MutationResolver(store, self.views, settings)
        self._buckets: dict[str, LeakyBucket] = {}
        self._prepared: dict[tuple[str, str], tuple[DocumentNode | None, list[GraphQLError]]] = {}
        self._prepared_lock = threading.Lock()

    def _prepare(
        self, schema: GraphQLSchema, version: str, query: str
    ) -> tuple[DocumentNode | None, list[GraphQLError]]:
        """Parse and validate, once per distinct document: a hub sends the same few
        documents over and over, and validation is most of the cost of a small query."""
        with self._prepared_lock:
            cached = self._prepared.get((version, query))
        if cached is None:
            try:
                document: DocumentNode | None = parse(query)
                errors = list(validate(schema, document)) if document else []
            except GraphQLSyntaxError as exc:
                document, errors = None, [exc]
            cached = (document, errors)
            with self._prepared_lock:
                if len(self._prepared) >= 256:
                    self._prepared.pop(next(iter(self._prepared)))
                self._prepared[(version, query)] = cached
        return cached

    def bucket(self, token: str) -> LeakyBucket:
        if token not in self._buckets:
            self._buckets[token] = LeakyBucket(self.settings.bucket_max, self.settings.restore_rate)
        return self._buckets[token]

    def reset_buckets(self) -> None:
        self._buckets.clear()

    def _log(
        self, name: str | None, cost: int | None, actual: int | None, status: int, outcome: str
    ) -> None:
        self.store.record_call(
            {
                "operationName": name,
                "cost": cost,
                "actualCost": actual,
                "status": status,
                "outcome": outcome,
                "at": gql_time(self.store.clock.now()),
            }
        )

    def _cost_extension(
        self, bucket: LeakyBucket, requested: int, actual: int | None
    ) -> dict[str, Any]:
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": bucket.status(),
            }
        }

    def handle(self, token: str | None, body: Any, version: str) -> tuple[int, Any]:
        """Answer one POST as Admin API `version` (a served one): (HTTP status, JSON body)."""
        schema = published_schema(version)
        if token != self.settings.access_token:
            self._log(None, None, None, 401, "unauthorized")
            return 401, {"errors": INVALID_TOKEN}
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("query"), str)
            or not body["query"].strip()
        ):
            self._log(None, None, None, 400, "bad request")
            return 400, {"errors": {"query": "Required parameter missing or invalid"}}
        raw_variables = body.get("variables") or {}
        operation_name = body.get("operationName") or None
        if not isinstance(raw_variables, dict):
            self._log(operation_name, None, None, 400, "bad request")
            return 400, {"errors": {"variables": "must be a JSON object"}}
        document, errors = self._prepare(schema, version, body["query"])
        if document is None:
            self._log(operation_name, None, None, 200, "parse error")
            return 200, {
                "errors": [{**_validation_error(errors[0]), "extensions": {"code": "parseError"}}]
            }
        operation = get_operation_ast(document, operation_name)
        if not errors and operation is None:
            errors = [
                GraphQLError(
                    f"No operation named '{operation_name}'"
                    if operation_name
                    else "An operation name is required"
                )
            ]
        if errors:
            self._log(operation_name, None, None, 200, "invalid")
            return 200, {"errors": [_validation_error(e) for e in errors]}
        assert isinstance(operation, OperationDefinitionNode)
        name = operation_name or (operation.name.value if operation.name else None)
        coerced = get_variable_values(schema, operation.variable_definitions or (), raw_variables)
        if isinstance(coerced, list):
            self._log(name, None, None, 200, "invalid variables")
            return 200, {
                "errors": [
                    {**_execution_error(e), "extensions": {"code": "INVALID_VARIABLE"}}
                    for e in coerced
                ]
            }
        # graphql-core 3.2 returns a dict, 3.3 a VariableValues tuple with `.coerced`.
        variables: dict[str, Any] = coerced if isinstance(coerced, dict) else coerced.coerced
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        calc = CostCalculator(schema, operation, fragments, variables)
        oversized = calc.oversized_inputs()
        if oversized:
            self._log(name, None, None, 200, "input too large")
            return 200, {"errors": [_execution_error(e) for e in oversized]}
        return self._run(token, version, document, operation, name, calc, raw_variables)

    def _run(
        self,
        token: str,
        version: str,
        document: Any,
        operation: OperationDefinitionNode,
        name: str | None,
        calc: CostCalculator,
        variables: dict[str, Any],
    ) -> tuple[int, Any]:
        bucket = self.bucket(token)
        requested = calc.requested()
        limit = min(self.settings.max_query_cost, int(self.settings.bucket_max))
        if requested > limit:
            self._log(name, requested, None, 200, "max cost exceeded")
            return 200, {
                "errors": [
                    {
                        "message": (
                            f"Query cost is {requested}, which exceeds the single query max cost "
                            f"limit ({limit}).\n\nSee https://shopify.dev/concepts/about-apis/"
                            "rate-limits for more information on how the\ncost of a query is "
                            "calculated.\n\nTo query larger amounts of data with fewer limits, bulk "  # noqa: E501 - Shopify's own message
                            "operations should be used instead.\nSee https://shopify.dev/tutorials/"
                            "perform-bulk-operations-with-admin-api for usage details.\n"
                        ),
                        "extensions": {
                            "code": "MAX_COST_EXCEEDED",
                            "cost": requested,
                            "maxCost": limit,
                            "documentation": RATE_LIMIT_DOCS,
                        },
                    }
                ],
                "extensions": self._cost_extension(bucket, requested, None),
            }
        if not bucket.try_take(requested):
            self._log(name, requested, None, 200, "throttled")
            return 200, {
                "errors": [
                    {
                        "message": "Throttled",
                        "extensions": {"code": "THROTTLED", "documentation": RATE_LIMIT_DOCS},
                    }
                ],
                "extensions": self._cost_extension(bucket, requested, None),
            }
        context: dict[str, Any] = {"search": [], "api_version": version}
        root = self.mutation_root if operation.operation.value == "mutation" else self.query_root
        with self.store.lock:
            result = execute_sync(
                published_schema(version),
                document,
                root_value=root,
                context_value=context,
                variable_values=variables,
                operation_name=name,
                field_resolver=resolve_field,
            )
        actual = calc.actual(result.data)
        bucket.refund(requested - actual)
        payload: dict[str, Any] = {}
        if result.errors:
            payload["errors"] = [_execution_error(e) for e in result.errors]
        payload["data"] = result.data
        payload["extensions"] = self._cost_extension(bucket, requested, actual)
        if context["search"]:
            payload["extensions"]["search"] = context["search"]
        self._log(name, requested, actual, 200, "errors" if result.errors else "ok")
        return 200, payload
