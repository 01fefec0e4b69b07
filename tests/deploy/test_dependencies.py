"""pyproject.toml and the lock files: the floors are past every known advisory, the lock
satisfies pyproject.toml (scripts/lock.sh was run after the last change), every package is
pinned with hashes, and every runtime dependency is one the hub really uses."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SANDBOX_PYPROJECT = tomllib.loads((ROOT / "sandbox" / "pyproject.toml").read_text())
RUNTIME_LOCK = ROOT / "requirements" / "runtime.txt"
DEV_LOCK = ROOT / "requirements" / "dev.txt"

# The newest release with a known advisory, per package (docs/deployment.md, "Dependencies"):
# the floor in pyproject.toml must exclude it.
LAST_VULNERABLE = {
    "h11": "0.15.0",  # CVE-2025-43859, request smuggling; fixed in 0.16.0
    # CVE-2025-54121, CVE-2025-62727, CVE-2026-48710, CVE-2026-54282, GHSA-82w8-qh3p-5jfq
    "starlette": "1.3.0",
    "httptools": "0.6.2",  # CVE-2024-27982 in the bundled llhttp; fixed in 0.6.3
    "uvloop": "0.19.0",  # CVE-2024-24806 in the bundled libuv; fixed in 0.20.0
    "aiohttp": "3.14.3",  # PYSEC-2026-4369/4370/4371; fixed in 3.14.4
    "setuptools": "78.1.0",  # CVE-2025-47273, path traversal; fixed in 78.1.1
    "pydantic": "2.3.0",  # CVE-2024-3772, e-mail validation ReDoS; fixed in 2.4.0
    "orjson": "3.9.14",  # CVE-2024-27454, unbounded recursion; fixed in 3.9.15
    "PyYAML": "5.3.1",  # CVE-2020-14343, FullLoader code execution; fixed in 5.4
    "celery": "5.2.1",  # CVE-2021-23727; fixed in 5.2.2
    "Jinja2": "3.1.5",  # CVE-2025-27516, sandbox escape through |attr; fixed in 3.1.6
    "python-multipart": "0.0.17",  # CVE-2024-53981, form parsing DoS; fixed in 0.0.18
}
# Not direct dependencies, so no floor of ours: the lock must hold a fixed release.
LOCKED_PAST = {
    "urllib3": "2.7.0",  # CVE-2026-44431, CVE-2026-44432 (via schemathesis -> requests)
    "pygments": "2.20.0",  # CVE-2026-4539 (via rich)
}
# Runtime dependencies that no module imports by name, and why they are there.
NOT_IMPORTED = {
    "h11": "a security floor for httpx's HTTP/1.1 parser (httpcore)",
    "httptools": "uvicorn's HTTP parser, loaded by uvicorn",
    "uvloop": "uvicorn's event loop, loaded by uvicorn",
    "psycopg": "SQLAlchemy's driver for postgresql+psycopg:// store URLs",
    "python-multipart": "FastAPI's parser of the console's forms, loaded by FastAPI",
}
IMPORT_NAMES = {
    "pyyaml": "yaml",
    "prometheus-client": "prometheus_client",
    "jinja2": "jinja2",
    "markupsafe": "markupsafe",
    "argon2-cffi": "argon2",
    "fpdf2": "fpdf",
}


def _lock(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) for each pin of a lock file."""
    pins: dict[str, tuple[str, int]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", path.read_text()):
        match = re.match(r"([A-Za-z0-9._-]+)==([^\s;\\]+)", block)
        if match:
            name, version = canonicalize_name(match[1]), match[2]
            pins[name] = (version, block.count("--hash=sha256:"))
    return pins


def _requirements(*extras: str, build: bool = True, sandboxes: bool = False) -> list[Requirement]:
    """pyproject.toml's requirements: the runtime's, the extras' and the build backend's;
    with `sandboxes`, those of the sandboxes' distribution too (sandbox/pyproject.toml),
    which `make venv` installs from the same lock."""
    project = PYPROJECT["project"]
    listed = list(project["dependencies"])
    if build:
        listed += PYPROJECT["build-system"]["requires"]
    for extra in extras:
        listed += project["optional-dependencies"][extra]
    if sandboxes:
        listed += SANDBOX_PYPROJECT["project"]["dependencies"]
    return [r for r in map(Requirement, listed) if canonicalize_name(r.name) != "causeway"]


def _applies(requirement: Requirement) -> bool:
    """Whether a requirement is for this platform (the lock is universal, with markers)."""
    return requirement.marker is None or requirement.marker.evaluate(default_environment())


@pytest.mark.parametrize(
    ("lock", "extras"),
    [(RUNTIME_LOCK, ()), (DEV_LOCK, ("dev",))],
    ids=["runtime", "dev"],
)
def test_the_lock_satisfies_pyproject_with_hashes(lock: Path, extras: tuple[str, ...]) -> None:
    pins = _lock(lock)
    development = lock == DEV_LOCK
    stale = [
        f"{r} (locked: {pins.get(canonicalize_name(r.name), ('nothing',))[0]})"
        for r in _requirements(*extras, sandboxes=development)
        if _applies(r)
        and not (
            canonicalize_name(r.name) in pins
            and r.specifier.contains(pins[canonicalize_name(r.name)][0], prereleases=True)
        )
    ]
    assert not stale, f"{lock.name} is older than pyproject.toml, run scripts/lock.sh: {stale}"
    assert all(hashes for _, hashes in pins.values()), "every pin carries its hashes"


def test_the_image_runs_exactly_the_versions_the_tests_ran() -> None:
    runtime, dev = _lock(RUNTIME_LOCK), _lock(DEV_LOCK)
    differ = {name: v for name, (v, _) in runtime.items() if name not in dev or dev[name][0] != v}
    assert not differ, differ
    assert "pytest" in dev and "pytest" not in runtime
    assert "graphql-core" not in runtime, "the sandboxes' library stays out of the image"


@pytest.mark.parametrize(("package", "vulnerable"), sorted(LAST_VULNERABLE.items()))
def test_the_floor_excludes_the_last_vulnerable_release(package: str, vulnerable: str) -> None:
    floors = [
        r
        for r in _requirements("dev", sandboxes=True)
        if canonicalize_name(r.name) == canonicalize_name(package)
    ]
    assert floors, f"{package} has no floor in pyproject.toml"
    assert all(not r.specifier.contains(vulnerable) for r in floors), floors


@pytest.mark.parametrize(("package", "fixed"), sorted(LOCKED_PAST.items()))
def test_the_lock_holds_a_fixed_release_of_transitive_packages(package: str, fixed: str) -> None:
    version, _ = _lock(DEV_LOCK)[package]
    assert Version(version) >= Version(fixed)


def test_every_runtime_dependency_is_used_by_the_hub() -> None:
    sources = "\n".join(p.read_text() for p in (ROOT / "src" / "causeway").rglob("*.py"))
    unused = []
    for requirement in _requirements(build=False):
        name = canonicalize_name(requirement.name)
        if name in NOT_IMPORTED:
            continue
        module = IMPORT_NAMES.get(name, name.replace("-", "_"))
        if not re.search(rf"^\s*(import|from) {module}\b", sources, re.MULTILINE):
            unused.append(requirement.name)
    assert not unused, f"runtime dependencies no module imports: {unused}"


def test_what_the_hub_never_imports_is_not_a_runtime_dependency() -> None:
    runtime = {canonicalize_name(r.name) for r in _requirements(build=False)}
    # Used only by the benchmarks, the sandboxes or nothing at all.
    for package in ("psutil", "structlog", "graphql-core", "aiohttp", "celery"):
        assert package not in runtime, package
