"""Servers on this machine: a free port, and an ASGI app under uvicorn in a thread.

Used by the demo, the tests and the benchmarks (the hub's HTTP app, the Shopify
sandbox, `causeway run` as a child process that can be killed) and by the local
Tryton runner. The socket is bound before the thread
starts, so `.url` is valid as soon as `start()` returns and two servers never
race for a port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Self

import httpx
import uvicorn
import yaml


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now (for a child process)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BackgroundServer:
    def __init__(self, app: Any, *, port: int = 0, name: str = "http") -> None:
        self.app = app
        self.name = name
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError(f"{self.name} server is not started")
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> Self:
        if self._thread is not None:
            return self
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto
        # says TCP, and without it every response stalls ~40 ms on delayed ACKs.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._port))
        self._socket = sock
        config = uvicorn.Config(self.app, log_level="warning", lifespan="on", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name=self.name, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} server did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=timeout)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = None
        self._socket = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


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


class WorkerProcess:
    """`causeway worker` in its own process, beside a HubProcess on the same config."""

    def __init__(
        self, config_path: Path, name: str, threads: int = 1, metrics_port: int | None = None
    ) -> None:
        self.config_path = config_path
        self.threads = threads
        self.metrics_port = metrics_port
        self.log = config_path.parent / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        log = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "causeway.cli", "worker", "-c", str(self.config_path)),
                *("--threads", str(self.threads)),
                *(("--metrics-port", str(self.metrics_port)) if self.metrics_port else ()),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
        )
        return self

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM: finish the batches in hand, then exit. Returns the exit code."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode if self.process else None
