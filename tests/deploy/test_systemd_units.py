"""The systemd units in deploy/systemd, checked by systemd itself: `systemd-analyze verify`
(syntax, directives, the ExecStart binary), `systemd-analyze security` (the hardening
score) and `systemd-sysusers` (the user they run as). An operator copies these files as
they are, so a typo here is a hub that does not start at boot."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.essential import unavailable

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
HUB = UNITS / "causeway.service"
WORKER = UNITS / "causeway-worker@.service"
INSTALLED_CAUSEWAY = "/opt/causeway/venv/bin/causeway"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        # `make test` installs it (Debian package systemd) when it is missing.
        unavailable(f"{name} is not installed (Debian package systemd; `make test` installs it)")
    return str(path)


def _directives(unit: Path, section: str = "Service") -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    current = None
    for line in unit.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
        elif current == section:
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def _hardening(unit: Path) -> list[str]:
    text = unit.read_text()
    block = text[text.index("# Hardening:") : text.index("[Install]")]
    return [line for line in block.splitlines() if line and not line.startswith("#")]


@pytest.fixture
def installed_units(tmp_path: Path) -> Path:
    """The units as an operator installs them, with ExecStart pointing at a causeway that
    exists here (verify refuses a missing binary): this environment's."""
    causeway = Path(sys.executable).parent / "causeway"
    assert causeway.exists(), f"no causeway script beside {sys.executable}"
    for unit in (HUB, WORKER):
        text = unit.read_text()
        assert INSTALLED_CAUSEWAY in text, f"{unit.name} no longer runs {INSTALLED_CAUSEWAY}"
        (tmp_path / unit.name).write_text(text.replace(INSTALLED_CAUSEWAY, str(causeway)))
    return tmp_path


def test_systemd_accepts_both_units_without_a_single_warning(installed_units: Path) -> None:
    verify = _tool("systemd-analyze")
    units = [installed_units / HUB.name, installed_units / WORKER.name]
    # An instance of the template, as `systemctl enable causeway-worker@1` makes it.
    instance = installed_units / "causeway-worker@1.service"
    result = subprocess.run(
        [verify, "verify", *map(str, units), str(instance)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # verify exits 0 after "Unknown key name ..., ignoring": any output is a defect.
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), (
        result.stdout + result.stderr
    )


def test_verify_would_catch_a_bad_directive(installed_units: Path) -> None:
    """The check above can fail: a misspelt directive in a copy of the hub's unit."""
    verify = _tool("systemd-analyze")
    broken = installed_units / "causeway-broken.service"
    broken.write_text(
        (installed_units / HUB.name).read_text().replace("ProtectHome=yes", "ProtectHomes=yes")
    )
    result = subprocess.run(
        [verify, "verify", str(broken)], capture_output=True, text=True, timeout=60
    )
    assert "ProtectHomes" in result.stdout + result.stderr


@pytest.mark.parametrize("unit", [HUB, WORKER], ids=lambda u: u.name)
def test_each_unit_is_hardened_to_an_ok_exposure(installed_units: Path, unit: Path) -> None:
    analyze = _tool("systemd-analyze")
    result = subprocess.run(
        [analyze, "security", "--offline=yes", "--threshold=20", str(installed_units / unit.name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    score = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
    assert score, result.stdout + result.stderr
    # systemd rates 0-10; up to 2.0 is "OK". A plain unit with User= scores about 9.
    assert result.returncode == 0 and float(score.group(1)) <= 2.0, result.stdout


def test_the_hub_and_its_workers_share_one_user_config_and_hardening() -> None:
    hub, worker = _directives(HUB), _directives(WORKER)
    for key in ("User", "Group", "Environment", "EnvironmentFile", "WorkingDirectory"):
        assert hub[key] == worker[key], key
    assert _hardening(HUB) == _hardening(WORKER), "keep the two units' hardening alike"
    assert hub["User"] != ["root"] and hub["CapabilityBoundingSet"] == [""]
    assert hub["Environment"] == ["CAUSEWAY_CONFIG=/etc/causeway/causeway.yaml"]
    assert hub["ExecStart"] == [f"{INSTALLED_CAUSEWAY} run"]
    assert worker["ExecStart"] == [f"{INSTALLED_CAUSEWAY} worker"]


def test_a_crash_restarts_the_hub_but_a_bad_config_does_not_loop() -> None:
    hub = _directives(HUB)
    assert hub["Restart"] == ["on-failure"]
    assert hub["RestartPreventExitStatus"] == ["2"]  # `causeway run`: causeway.yaml invalid
    # The hub stops within 2 s of SIGTERM; the margin before SIGKILL stays short.
    assert hub["KillSignal"] == ["SIGTERM"]
    stop = hub["TimeoutStopSec"][0]
    assert stop.endswith("s") and 2 < int(stop[:-1]) <= 15


def test_sysusers_creates_the_user_the_units_run_as(tmp_path: Path) -> None:
    sysusers = _tool("systemd-sysusers")
    (tmp_path / "etc").mkdir()
    result = subprocess.run(
        [sysusers, f"--root={tmp_path}", str(UNITS / "causeway.sysusers.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    users = {line.split(":")[0]: line.split(":") for line in (tmp_path / "etc/passwd").open()}
    user = _directives(HUB)["User"][0]
    assert user in users
    assert users[user][5] == "/var/lib/causeway" and users[user][6].strip().endswith("nologin")
