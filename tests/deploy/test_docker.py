"""The Docker image and compose file, checked without a container engine (none can pull
images on these machines; docs/deployment.md says what was not run): the Dockerfile
installs through deploy/install.sh (which test_install_script.py runs), and compose.yaml
gives the hub and the workers a config that validates, with the environment compose
gives them, against Causeway's own config schema."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from causeway.config.loader import load_config
from causeway.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "deploy" / "docker"
COMPOSE: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text())
CONFIG_PATH = "/etc/causeway/causeway.yaml"
CONFIG = DOCKER / "causeway.yaml"  # mounted at CONFIG_PATH
_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def _dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (DOCKER / "Dockerfile").read_text())
    steps = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, arguments = line.partition(" ")
            steps.append((instruction.upper(), arguments.strip()))
    return steps


def _dot_env() -> dict[str, str]:
    """.env.example, as compose reads .env: KEY=value lines."""
    pairs = {}
    for line in (DOCKER / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def _interpolate(value: str, variables: dict[str, str]) -> str:
    """compose's ${VAR}, ${VAR:-default}, ${VAR:?error} substitution."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if variables.get(name):
            return variables[name]
        if operator and operator.endswith("?"):
            raise AssertionError(f"compose would stop: {name} unset ({argument})")
        return argument if operator else ""

    return _INTERPOLATION.sub(substitute, value)


def _causeway_services() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in COMPOSE["services"].items()
        if service.get("image", "").startswith("causeway")
    }


def _environment_of(service: dict[str, Any]) -> dict[str, str]:
    """What the container's process sees: env_file (.env, here .env.example), then
    `environment:` (interpolated from .env), as compose builds it."""
    dot_env = _dot_env()
    files = service.get("env_file", [])
    assert files in (".env", [".env"]), "the secrets come from .env"
    environment = dict(dot_env)
    for key, value in service.get("environment", {}).items():
        environment[key] = _interpolate(str(value), dot_env)
    return environment


def test_the_image_installs_through_deploy_install_sh_only() -> None:
    runs = [arguments for instruction, arguments in _dockerfile() if instruction == "RUN"]
    assert runs and any("deploy/install.sh" in run for run in runs)
    for run in runs:  # one way in: the script test_install_script.py runs
        assert not re.search(r"\bpip3?\b|\bpython[\d.]* -m pip\b|\bapt-get\b", run), run
    copied = [args.split()[:-1] for instruction, args in _dockerfile() if instruction == "COPY"]
    for sources in copied:
        for source in sources:
            assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is missing"
    # The build context is the repository root; the ignore file lets through what is copied.
    ignore = (DOCKER / "Dockerfile.dockerignore").read_text().splitlines()
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert "*" in ignore
    for sources in copied:
        assert set(sources) <= allowed, f"{sources} is not let through by the .dockerignore"
    installs = "\n".join(runs)
    # install.sh reads these: each must be copied into the image.
    for needed in ("requirements/runtime.txt", "deploy/install.sh", "pyproject.toml", "src"):
        assert any(needed in " ".join(sources) for sources in copied), needed
    assert "/opt/causeway/venv" in installs


def test_the_image_runs_the_hub_as_a_non_root_user() -> None:
    steps = dict(_dockerfile())  # the last of each instruction wins, as in Docker
    assert steps["FROM"] == "python:3.11-slim"
    assert steps["USER"] not in ("root", "0")
    assert json.loads(steps["ENTRYPOINT"]) == ["causeway"]
    assert json.loads(steps["CMD"]) == ["run"]
    assert steps["EXPOSE"] == "8080"
    assert "/health" in steps["HEALTHCHECK"] and "8080" in steps["HEALTHCHECK"]
    assert f"CAUSEWAY_CONFIG={CONFIG_PATH}" in steps["ENV"]


@pytest.mark.parametrize("name", sorted(_causeway_services()))
def test_each_service_runs_causeway_with_the_example_config(name: str) -> None:
    service = _causeway_services()[name]
    environment = _environment_of(service)
    assert environment["CAUSEWAY_CONFIG"] == CONFIG_PATH
    mounts = {
        target: source
        for source, target, *_ in (volume.split(":") for volume in service["volumes"])
    }
    assert mounts[CONFIG_PATH] == "./causeway.yaml" and CONFIG.exists()
    assert service["command"][0] in ("run", "worker")

    config = load_config(CONFIG, env=environment)
    store = config.store.url
    assert store.startswith("postgresql+psycopg://") and "@postgres:" in store
    # No password in the URL: libpq takes PGPASSWORD, the postgres service's password.
    assert ":" not in store.split("//", 1)[1].split("@", 1)[0]
    assert environment["PGPASSWORD"] == _dot_env()["POSTGRES_PASSWORD"]
    assert COMPOSE["services"]["postgres"]["environment"]["POSTGRES_USER"] == "causeway"


def test_the_config_needs_the_secrets_compose_passes() -> None:
    """The check above can fail: without .env, the config's secrets are missing."""
    environment = {"CAUSEWAY_CONFIG": CONFIG_PATH}
    with pytest.raises(ConfigError, match="SHOPIFY_ACCESS_TOKEN"):
        load_config(CONFIG, env=environment)


def test_the_hub_listens_where_compose_and_the_image_look() -> None:
    hub = COMPOSE["services"]["hub"]
    config = load_config(CONFIG, env=_environment_of(hub))
    assert config.server.host == "0.0.0.0"  # inside the container
    published = [port.rsplit(":", 2) for port in hub["ports"]]
    # Published on the host's loopback only; a reverse proxy exposes /webhooks/*.
    assert published == [["127.0.0.1", str(config.server.port), str(config.server.port)]]
    assert str(config.server.port) in dict(_dockerfile())["HEALTHCHECK"]
    # The health check's Host (127.0.0.1) and the proxy's (public_url's) get past
    # server.allowed_hosts; anything else gets 400.
    assert {"127.0.0.1", "hub.example.com"} <= set(config.server.trusted_hosts())


def test_postgres_is_healthy_and_persistent_before_causeway_starts() -> None:
    postgres = COMPOSE["services"]["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data" and volume[0] in COMPOSE["volumes"]
    for name, service in _causeway_services().items():
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy", name


def test_workers_scale_and_report_their_health() -> None:
    worker = COMPOSE["services"]["worker"]
    assert worker["command"][0] == "worker"
    assert "container_name" not in worker and "ports" not in worker  # so --scale works
    assert worker["deploy"]["replicas"] >= 1
    port = worker["command"][worker["command"].index("--metrics-port") + 1]
    # /health: its /metrics wants a key, which a health check does not carry.
    assert f"127.0.0.1:{port}/health" in " ".join(worker["healthcheck"]["test"])


def test_every_variable_compose_needs_is_in_env_example() -> None:
    text = (DOCKER / "compose.yaml").read_text()
    needed = {match.group(1) for match in _INTERPOLATION.finditer(text)}
    # The config's references, from its values (its comments mention ${NAME} in prose).
    values = json.dumps(yaml.safe_load(CONFIG.read_text()))
    needed |= {match.group(1) for match in _INTERPOLATION.finditer(values)}
    assert needed <= set(_dot_env()), needed - set(_dot_env())
    assert all(_dot_env().values()), "every secret in .env.example has a placeholder"
