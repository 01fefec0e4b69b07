"""Compare a payload's shape with a vendor sample's: the same keys, recursively, and the
same JSON types. A list is compared element by element against the sample's first
element. Null is only a type of its own where WooCommerce documents the field as
nullable (dates not set yet, an unmanaged stock quantity, a variation without image):
there a sample's null admits a value and a sample's value admits null."""

from __future__ import annotations

from typing import Any


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


NULLABLE = frozenset({"stock_quantity", "image"})
# Keys WooCommerce added after the docs' samples were written (their order is from 3.0):
# a payload of today's WooCommerce has them where the sample does not.
ADDED_SINCE_THE_SAMPLES = frozenset({"rate_percent"})  # tax lines, WooCommerce 5.7


def nullable(key: str) -> bool:
    return key.startswith("date_") or key in NULLABLE


def shape_differences(sample: Any, actual: Any, path: str = "$", key: str = "") -> list[str]:
    """Every place where `actual` differs in shape from `sample` (empty: same shape)."""
    expected, got = json_type(sample), json_type(actual)
    if key == "value" and path.count("meta_data"):
        return []  # a meta value is any JSON by contract
    if "null" in (expected, got) and expected != got:
        return [] if nullable(key) else [f"{path}: {got} where the sample has {expected}"]
    if expected != got:
        return [f"{path}: {got} where the sample has {expected}"]
    problems: list[str] = []
    if expected == "object":
        missing = sorted(set(sample) - set(actual))
        extra = sorted(set(actual) - set(sample) - ADDED_SINCE_THE_SAMPLES)
        if missing:
            problems.append(f"{path}: missing keys {missing}")
        if extra:
            problems.append(f"{path}: keys the sample does not have {extra}")
        for name in sorted(set(sample) & set(actual)):
            problems += shape_differences(sample[name], actual[name], f"{path}.{name}", name)
    elif expected == "array" and sample:
        for index, item in enumerate(actual):
            problems += shape_differences(sample[0], item, f"{path}[{index}]", key)
    return problems
