"""The route argument checks WordPress runs before a handler (rest_validate_value_from_schema).

WordPress is strict about JSON types: a price sent as a number where the schema
says string is refused with 400 `rest_invalid_param`, naming the field. Clients
that get away with loose types elsewhere find out here, not in production.
"""

from __future__ import annotations

from typing import Any

from causeway_sandbox.woocommerce.errors import WooError, invalid_params

# field -> "string" | "integer" | "number" | "boolean" | "array" | "object" | tuple(enum)
Schema = dict[str, Any]


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, str) and value.strip().lstrip("-").isdigit()


def _is_boolean(value: Any) -> bool:
    return isinstance(value, bool) or value in (0, 1, "0", "1", "true", "false")


def as_bool(value: Any) -> bool:
    return value in (True, 1, "1", "true")


def _enum_text(options: tuple[str, ...]) -> str:
    if len(options) == 2:
        return f"{options[0]} and {options[1]}"
    return ", ".join(options[:-1]) + f", and {options[-1]}"


def _problem(name: str, value: Any, kind: Any) -> str | None:
    if value is None and kind in ("integer", "string"):
        return None if name in NULLABLE else f"{name} is not of type {kind}."
    if isinstance(kind, tuple):
        return None if value in kind else f"{name} is not one of {_enum_text(kind)}."
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": _is_integer,
        "number": lambda v: _is_integer(v) or isinstance(v, float),
        "boolean": _is_boolean,
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    return None if checks[kind](value) else f"{name} is not of type {kind}."


NULLABLE = frozenset({"stock_quantity"})


def _coerced(value: Any, kind: Any) -> Any:
    """The PHP casts a controller applies to a value no schema checked (wc_clean, intval)."""
    if kind == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if kind == "integer" and isinstance(value, str | float) and _is_integer(value):
        return int(float(value))
    return value


def check(body: Any, schema: Schema, *, coerce: bool = False) -> dict[str, Any]:
    """The body as a dict, or 400 rest_invalid_param listing every field of the wrong type.

    `coerce`: a batch item, which WordPress never checks against the schema (the batch
    route only knows `create` is an array); the controller casts what it can instead."""
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise WooError(400, "rest_invalid_json", "Invalid JSON body passed.")
    if coerce:
        body = {k: _coerced(v, schema.get(k)) for k, v in body.items()}
    problems = {}
    for name, kind in schema.items():
        if name in body:
            problem = _problem(name, body[name], kind)
            if problem:
                problems[name] = problem
    if problems:
        raise invalid_params(problems)
    return body


def meta_problems(entries: Any) -> None:
    """meta_data must be a list of {key, value} objects (id optional)."""
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("key", ""), str) for e in entries
    ):
        raise invalid_params({"meta_data": "meta_data[0] is not of type object."})
