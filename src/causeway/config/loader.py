"""Reading causeway.yaml: environment references first, then validation.

Secrets never live in the file: `${SHOPIFY_TOKEN}` is replaced by that
environment variable. Every error names the key it is about and what to do.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from causeway.config.models import CausewayConfig
from causeway.errors import ConfigError

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _expand(value: Any, path: str, env: Mapping[str, str], missing: list[str]) -> Any:
    if isinstance(value, dict):
        return {
            k: _expand(v, f"{path}.{k}" if path else str(k), env, missing) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_expand(v, f"{path}[{i}]", env, missing) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        missing.append(
            f"{path}: environment variable {name} is not set; export {name}=... before "
            f"starting Causeway (or write ${{{name}:-default}} in the file)"
        )
        return ""

    return _ENV_REF.sub(substitute, value)


_SYSTEM_TYPES = ("shopify", "tryton", "hubspot", "files")
# Keys whose value is never repeated in a message: a secret, or a URL that may hold one.
_UNSHOWN = ("token", "secret", "password", "url", "key")


def _describe(error: ErrorDetails) -> str:
    parts = [str(p) for p in error["loc"]]
    if len(parts) > 2 and parts[0] == "systems" and parts[2] in _SYSTEM_TYPES:
        del parts[2]  # pydantic names the union member; users know the key path
    location = ".".join(parts)
    message = error["msg"]
    kind = error["type"]
    if kind == "extra_forbidden":
        return (
            f"{location}: unknown key; remove it or check its spelling in `causeway init`'s example"
        )
    if kind == "missing":
        return f"{location}: required key is missing; add it (see `causeway init` for an example)"
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return f"{location}.type: must be one of {', '.join(_SYSTEM_TYPES)}"
    got = error.get("input")
    sensitive = bool(parts) and parts[-1].lower().endswith(_UNSHOWN)
    shown = "" if sensitive or isinstance(got, dict | list) or got is None else f" (got {got!r})"
    message = message.removeprefix("Value error, ")
    return f"{location}: {message}{shown}" if location else f"{message}{shown}"


def parse_config(
    data: Any, env: Mapping[str, str] | None = None, source: str = "causeway.yaml"
) -> CausewayConfig:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the file must be a mapping with a `systems:` key at the top")
    missing: list[str] = []
    expanded = _expand(data, "", os.environ if env is None else env, missing)
    if missing:
        problems = "\n".join(f"  - {m}" for m in missing)
        raise ConfigError(f"{source} refers to unset environment variables:\n{problems}")
    try:
        return CausewayConfig.model_validate(expanded)
    except ValidationError as exc:
        problems = "\n".join(f"  - {_describe(e)}" for e in exc.errors())
        raise ConfigError(f"{source} is not valid:\n{problems}") from None


# libyaml's loader when PyYAML was built with it (the wheels are): the same safe subset,
# ten times faster on a long configuration.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_config(path: str | Path, env: Mapping[str, str] | None = None) -> CausewayConfig:
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such file; run `causeway init` to write a commented example")
    try:
        data = yaml.load(path.read_text(), Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}"
        ) from None
    return parse_config(data, env, source=str(path))
