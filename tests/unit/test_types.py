"""The type hints hold: mypy finds nothing in the product or the sandboxes (its settings
are pyproject.toml's [tool.mypy]). Run by `make test`, so a wrong hint fails the suite
with mypy's own message, not months later in a review."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_finds_no_error_in_the_product_or_the_sandboxes(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path), "src", "sandbox/src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Success: no issues found" in result.stdout
