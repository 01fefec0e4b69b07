"""End-to-end scaffolding: a hub configuration for the real Tryton and the sandbox,
and the hub as a separate OS process so that tests can SIGKILL it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from causeway.connectors.tryton.server import TrytonServer
from causeway.web.server import free_port

SECRET = "e2e-webhook-secret"
TOKEN = "shpat_e2e"


def hub_config(
    workdir: Path, erp: TrytonServer, shop_url: str, port: int, **overrides: Any
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "store": {"url": f"sqlite:///{workdir / 'hub.db'}"},
        "server": {"port": port, "public_url": f"http://127.0.0.1:{port}"},
        "workers": {
            "count": 2,
            "lease": "3s",
            "backoff_base": "200ms",
            "backoff_cap": "2s",
            "max_attempts": 30,
        },
        "systems": {
            "shop": {
                "type": "shopify",
                "shop_url": shop_url,
                "access_token": TOKEN,
                "webhook_secret": SECRET,
            },
            "erp": {
                "type": "tryton",
                "url": erp.url,
                "database": erp.database,
                "username": erp.username,
                "password": erp.password,
            },
        },
        "flows": {
            "orders-to-erp": {
                "source": "shop",
                "target": "erp",
                "reconcile_every": "1h",
                "batch_size": 25,
                "reference_prefix": overrides.pop("prefix", "shop-"),
            },
            "stock-to-channels": {"source": "erp", "targets": ["shop"], "every": "1h"},
        },
    }
    for key, value in overrides.items():
        config[key] = value
    return config


class HubProcess:
    """`causeway run` in its own process, started, killed and restarted by the test."""

    def __init__(self, workdir: Path, config: dict[str, Any]) -> None:
        self.workdir = workdir
        self.config_path = workdir / "causeway.yaml"
        self.config_path.write_text(yaml.safe_dump(config))
        self.port = int(config["server"]["port"])
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / "hub.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> HubProcess:
        log = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "causeway.cli", "run", "-c", str(self.config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"hub exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}"
                )
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"hub did not come up:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def new_port() -> int:
    return free_port()
