"""Run a local, real Tryton 8.2 server for the tests and `causeway demo`.

The ERP is built once by ``scripts/tryton/build.sh`` (``make tryton``) into a cache dir:
a separate Python 3.11 venv with trytond and an initialised SQLite template database.
Starting a server only copies that template (instant) and launches ``trytond`` on a free
port, so every test session and every demo gets a clean ERP in about two seconds.

Tryton 8.2.1 quirk: a database not named with ``-d`` at start cannot be logged into, so the
server is always started with its one database named on the command line.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import time
import weakref
from pathlib import Path
from typing import IO, Self

import httpx

from causeway.errors import ConfigError
from causeway_sandbox.localserver import free_port

ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "admin"  # set by build.sh through TRYTONPASSFILE
_START_TIMEOUT = 60.0

# Servers still running when the interpreter exits (a crashed script, a test run that
# was interrupted) are stopped, so no orphan trytond keeps a port and a database.
_running: weakref.WeakSet[TrytonServer] = weakref.WeakSet()


@atexit.register
def _stop_leftovers() -> None:
    for server in list(_running):
        server.stop()


def _repo_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return None


def default_build_dir() -> Path:
    """Where `make tryton` puts the ERP: $CAUSEWAY_TRYTON_BUILD, else <repo>/.cache/tryton."""
    env = os.environ.get("CAUSEWAY_TRYTON_BUILD")
    if env:
        return Path(env).expanduser().resolve()
    cwd = Path.cwd().resolve()
    root = _repo_root(cwd) or cwd
    return root / ".cache" / "tryton"


def is_built(build_dir: Path) -> bool:
    """True when build.sh finished (it writes `.built` last, after an atomic rename)."""
    return (Path(build_dir) / ".built").is_file()


def ensure_built(build_dir: Path) -> None:
    """Fail with the fix spelled out when the Tryton build is missing or incomplete."""
    if not is_built(build_dir):
        raise ConfigError(
            f"Tryton is not built in {build_dir} (no .built marker): run `make tryton` "
            f"(or scripts/tryton/build.sh {build_dir}), or point CAUSEWAY_TRYTON_BUILD at a build"
        )


class TrytonServer:
    """One trytond process serving one SQLite database copied from the build's template.

    ``kill()`` exists to simulate the ERP going down hard; ``restart()`` brings the same
    database back (fresh=False keeps what was written), on the same port so connectors
    configured with ``.url`` keep working.
    """

    def __init__(
        self,
        build_dir: Path,
        work_dir: Path,
        port: int | None = None,
        *,
        database: str = "erp",
    ) -> None:
        self.build_dir = Path(build_dir)
        self.work_dir = Path(work_dir)
        self.database = database
        self.username = ADMIN_LOGIN
        self.password = ADMIN_PASSWORD
        self._requested_port = port
        self.port: int | None = port
        self._process: subprocess.Popen[bytes] | None = None
        self._log_handle: IO[bytes] | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("TrytonServer has no port yet: call start() first")
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.work_dir / f"{self.database}.sqlite"

    @property
    def log_path(self) -> Path:
        return self.work_dir / "trytond.log"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, fresh: bool = True) -> Self:
        """Start trytond and return once a login succeeds.

        fresh=True replaces the database with the build's template; fresh=False keeps the
        database of a previous run (used by restart()).
        """
        if self.running:
            raise RuntimeError(f"Tryton server already running at {self.url}")
        ensure_built(self.build_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        if fresh or not self.db_path.exists():
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(self.build_dir / "db" / "template.sqlite", self.db_path)
        if self.port is None:
            self.port = free_port()
        conf = self.work_dir / "trytond.conf"
        conf.write_text(
            "[database]\n"
            "uri = sqlite://\n"
            f"path = {self.work_dir}\n"
            "[web]\n"
            f"listen = 127.0.0.1:{self.port}\n"
            "[session]\n"
            # Long sessions: a demo left open overnight should not need a re-login
            # (the RPC client re-logs in on 401 anyway).
            "timeout = 86400\n"
            "max_age = 2592000\n"
            "[request]\n"
            # Batched confirms of many sales take seconds; never cut them at 60 s.
            "timeout = 600\n"
        )
        venv = self.build_dir / "venv" / "bin"
        # Run through the venv's python so a moved build dir (stale shebang) still works.
        command = [
            str(venv / "python"),
            str(venv / "trytond"),
            "-c",
            str(conf),
            "-d",
            self.database,
        ]
        log = open(self.log_path, "ab")  # kept open for the process lifetime
        self._log_handle = log
        self._process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.work_dir,
            start_new_session=True,  # Ctrl-C in the terminal goes to us, we stop it cleanly
        )
        _running.add(self)
        try:
            self._wait_ready()
        except BaseException:
            self.kill()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        endpoint = f"{self.url}/{self.database}/rpc/"
        body = {
            "id": 0,
            "method": "common.db.login",
            "params": [self.username, {"password": self.password}, "en"],
        }
        last_problem = "no answer yet"
        with httpx.Client(timeout=5.0, trust_env=False) as client:
            while time.monotonic() < deadline:
                if self._process is not None and self._process.poll() is not None:
                    raise RuntimeError(
                        f"trytond exited with code {self._process.returncode} while starting;"
                        f" log tail ({self.log_path}):\n{self.log_tail()}"
                    )
                try:
                    response = client.post(endpoint, json=body)
                    if response.status_code == 200 and "result" in response.json():
                        return
                    last_problem = f"HTTP {response.status_code}: {response.text[:200]}"
                except httpx.HTTPError as exc:
                    last_problem = f"{type(exc).__name__}: {exc}"
                time.sleep(0.2)
        raise RuntimeError(
            f"trytond did not accept a login within {_START_TIMEOUT:.0f}s at {endpoint}"
            f" ({last_problem}); log tail ({self.log_path}):\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate trytond and wait; SIGKILL if it does not exit in time."""
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._cleanup()

    def kill(self) -> None:
        """SIGKILL trytond: the ERP going down hard, mid-whatever."""
        process = self._process
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        self._cleanup()

    def restart(self) -> Self:
        """Stop, then start on the same port and the same database (fresh=False)."""
        self.stop()
        return self.start(fresh=False)

    def _cleanup(self) -> None:
        _running.discard(self)
        self._process = None
        handle = self._log_handle
        self._log_handle = None
        if handle is not None:
            handle.close()

    def __enter__(self) -> Self:
        return self.start() if not self.running else self

    def __exit__(self, *exc: object) -> None:
        self.stop()
