"""Essential services: skipped with a reason on a machine without them, failed under CI=true,
where a silent skip would hide a broken essential part (the real Tryton, PostgreSQL)."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: essential services must be present)")
    pytest.skip(reason)
