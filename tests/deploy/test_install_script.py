"""deploy/install.sh, the Docker image's one install step, run as the image runs it: into a
clean virtual environment, from requirements/runtime.txt with hashes. What it installs
must be enough for the hub (no development package the code quietly needs) and must
refuse a file whose hash differs from the lock's."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL = ROOT / "deploy" / "install.sh"

# Every module of the product; the sandboxes are not in it.
IMPORT_EVERYTHING = """
import importlib, importlib.util, pkgutil, causeway
for module in pkgutil.walk_packages(causeway.__path__, "causeway."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
assert importlib.util.find_spec("causeway_sandbox") is None, "the sandboxes were installed"
print("imported")
"""


def _install(source: Path, venv: Path) -> subprocess.CompletedProcess[str]:
    # The interpreter the tests run on: a venv's python makes venvs of its base Python.
    env = {**os.environ, "PYTHON": sys.executable}
    return subprocess.run(
        ["bash", str(source / "deploy" / "install.sh"), str(venv)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("image") / "venv"
    result = _install(ROOT, venv)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"into {venv}" in result.stdout
    return venv


def test_causeway_runs_from_the_installed_environment(installed: Path, tmp_path: Path) -> None:
    causeway = installed / "bin" / "causeway"
    help_text = subprocess.run(
        [str(causeway), "--help"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert "run" in help_text and "worker" in help_text
    subprocess.run(
        [str(causeway), "init", str(tmp_path / "causeway.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    example = ROOT / "src" / "causeway" / "config" / "example.yaml"
    assert (tmp_path / "causeway.yaml").read_text() == example.read_text()


def test_the_runtime_lock_is_all_the_hub_imports(installed: Path) -> None:
    result = subprocess.run(
        [str(installed / "bin" / "python"), "-c", IMPORT_EVERYTHING],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "imported", result.stderr[-2000:]
    development = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import pytest"], capture_output=True
    )
    assert development.returncode != 0, "development packages stay out of the image"


def test_the_demo_without_the_sandboxes_says_where_they_are(installed: Path) -> None:
    result = subprocess.run(
        [str(installed / "bin" / "causeway"), "demo", "--once"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert "make demo" in message and "pip install ./sandbox" in message
    assert "Traceback" not in result.stderr


def test_a_file_whose_hash_differs_from_the_lock_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "checkout"
    for part in ("deploy", "requirements", "src"):
        shutil.copytree(ROOT / part, source / part)
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, source / part)
    lock = source / "requirements" / "runtime.txt"
    text = lock.read_text()
    # Every hash of one package replaced: no file of it can match.
    start = text.index("\nh11==")
    end = text.index("\n    # via", start)
    forged = re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, text[start:end])
    lock.write_text(text[:start] + forged + text[end:])
    result = _install(source, tmp_path / "venv")
    assert result.returncode != 0
    assert "DO NOT MATCH THE HASHES" in result.stderr and "h11" in result.stderr, result.stderr
    assert not (tmp_path / "venv" / "bin" / "causeway").exists()
