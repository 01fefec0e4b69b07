"""The layering holds: flows speak to ports, not connectors; connectors stay apart; the
model stands alone; only the engine touches its tables; the product never imports the
sandboxes. The contracts are in pyproject.toml ([tool.importlinter]), checked here by
import-linter so that `make test` fails on the first import that breaks one, with the
contract's name and the offending chain of imports."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import causeway

ROOT = Path(__file__).resolve().parents[2]
# lint-imports, run by the interpreter running the tests (its script's shebang may differ).
LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint_imports(*contracts: str) -> subprocess.CompletedProcess[str]:
    """Run lint-imports with this interpreter (and so this environment's causeway)."""
    only = [arg for contract in contracts for arg in ("--contract", contract)]
    return subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache", "--no-logo", *only, "pyproject.toml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def test_every_layering_contract_is_kept() -> None:
    result = lint_imports()
    assert result.returncode == 0, f"an import breaks the layering:\n{result.stdout}{result.stderr}"
    assert "0 broken" in result.stdout


def test_the_model_is_kept_apart_from_every_other_module_of_causeway() -> None:
    """A new top-level module must join the model's forbidden list, or the model could
    import it unnoticed."""
    siblings = {f"causeway.{m.name}" for m in pkgutil.iter_modules(causeway.__path__)}
    forbidden = set(contracts()["model-stands-alone"]["forbidden_modules"])  # type: ignore[arg-type]
    assert forbidden == siblings - {"causeway.model"}


def test_a_flow_importing_a_connector_breaks_the_build(tmp_path: Path) -> None:
    """The contract can fail: a copy of the tree in which a flow imports Shopify's
    connector is refused, naming the flow and the import."""
    tree = tmp_path / "src"
    for package in ("causeway", "causeway_sandbox"):
        _copy(ROOT / "src" / package, tree / package)
    flow = tree / "causeway" / "flows" / "stock_to_channels" / "flow.py"
    flow.write_text(
        flow.read_text() + "\nfrom causeway.connectors.shopify.types import QuantityChange\n"
    )
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    result = subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    said = " ".join(result.stdout.split())  # its report wraps long lines
    assert (
        "Flows (and the engine, the model, the order and customer records) import no "
        "connector: they speak to ports BROKEN" in said
    )
    assert "causeway.flows.stock_to_channels.flow -> causeway.connectors.shopify.types" in said


def _copy(source: Path, target: Path) -> None:
    for path in source.rglob("*.py"):
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(path.read_bytes())
