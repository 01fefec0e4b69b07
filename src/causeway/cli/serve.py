"""`causeway run` (the whole hub) and `causeway worker` (workers only, to scale out).

Both stop within about two seconds of SIGTERM or Ctrl-C: what is in hand gets
STOP_GRACE to finish, then is given back to the queue (Hub.stop), never left to
wait for its lease to expire.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Generator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn

from causeway.cli.common import (
    ConfigOption,
    LogFormat,
    LogFormatOption,
    app,
    fail,
    load_or_exit,
    setup_logging,
)

if TYPE_CHECKING:  # imported when a command runs: `causeway --help` stays quick
    from fastapi import FastAPI

    from causeway.hub import Hub

log = logging.getLogger("causeway")

# Seconds a stopping hub waits: for HTTP requests to be answered, then for workers.
HTTP_GRACE, STOP_GRACE = 1, 0.5


class _Server(uvicorn.Server):
    """Uvicorn, with our signal handling and a hook once it listens.

    Uvicorn re-raises SIGTERM after its own shutdown, which kills the process before
    the hub can give back its jobs; here a signal only asks the server to stop.
    """

    def __init__(self, config: uvicorn.Config, on_listening: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_listening = on_listening

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        def stop(signum: int, _frame: FrameType | None) -> None:
            if self.should_exit and signum == signal.SIGINT:
                self.force_exit = True  # a second Ctrl-C: stop waiting for requests
            self.should_exit = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.on_listening()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say TCP (localserver.py).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise fail(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}): stop what uses that "
            f"port, or set server.host / server.port in causeway.yaml"
        ) from None
    return sock


@app.command()
def run(
    config: ConfigOption = Path("causeway.yaml"),
    log_format: LogFormatOption = LogFormat.text,
) -> None:
    """Run the hub: webhook server, workers and scheduler, until interrupted."""
    from causeway.hub import Hub
    from causeway.web.app import create_app

    settings = load_or_exit(config)
    setup_logging(log_format)
    server_settings = settings.server
    sock = _listen(server_settings.host, server_settings.port)
    admin_address = server_settings.admin_address()
    hub = Hub(settings)
    # With admin_listen, host:port serves webhooks only; the rest listens apart.
    admin = (
        _SideListener(create_app(hub, serves="admin"), _listen(*admin_address), "admin")
        if admin_address
        else None
    )
    # With portal.listen, the B2B portal answers there and only there (docs/portal.md).
    portal_address = settings.portal.listen_address() if settings.portal.enabled else None
    portal = (
        _SideListener(create_app(hub, serves="portal"), _listen(*portal_address), "portal")
        if portal_address
        else None
    )
    side_listeners = [listener for listener in (admin, portal) if listener is not None]
    # Workers map orders in Python while the event loop answers webhooks; a
    # shorter GIL switch interval keeps a worker's batch from stalling ingress.
    sys.setswitchinterval(0.001)

    def listening() -> None:
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        log.info("listening on http://%s:%d", shown, port, extra={"host": host, "port": port})
        if admin is not None:
            log.info("console and API on http://%s/console", server_settings.admin_listen)
        else:
            log.info("console on http://%s:%d/console", shown, port)
        if portal is not None:
            log.info("B2B portal on http://%s/portal", settings.portal.listen)
        elif settings.portal.enabled:
            log.info("B2B portal on http://%s:%d/portal", shown, port)
        if server_settings.public_url:
            log.info("public URL %s", server_settings.public_url)
        hub.subscribe_webhooks()

    server = _Server(
        uvicorn.Config(
            create_app(hub, serves="webhooks" if admin is not None else "all"),
            log_config=None,  # setup_logging's handler and format, for uvicorn's loggers too
            access_log=False,
            timeout_graceful_shutdown=HTTP_GRACE,
        ),
        on_listening=listening,
    )
    try:
        hub.start()
        for listener in side_listeners:
            listener.start()
        gc.freeze()  # what start-up allocated is never garbage: keep GC passes short
        server.run(sockets=[sock])
    finally:
        log.info("stopping")
        for listener in side_listeners:
            listener.stop()
        hub.stop(timeout=STOP_GRACE)
        sock.close()
        log.info("stopped")
    _exit_now()


class _SideListener:
    """An app served by uvicorn in a thread of its own, beside the process's main work:
    a worker process's /metrics (web/app.py create_worker_app), or the hub's console and
    API on server.admin_listen. Behind the same access guard as the hub."""

    def __init__(self, app: FastAPI, sock: socket.socket, name: str) -> None:
        config = uvicorn.Config(
            app, log_config=None, access_log=False, timeout_graceful_shutdown=HTTP_GRACE
        )
        self.server, self.sock = uvicorn.Server(config), sock
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, name=name, daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=HTTP_GRACE + 1)
        self.sock.close()


def _metrics_listener(hub: Hub, host: str, port: int) -> _SideListener:
    from causeway.web.app import create_worker_app

    sock = _listen(host, port)  # now: a port in use stops the worker before it starts
    return _SideListener(create_worker_app(hub), sock, "metrics")


@app.command()
def worker(
    config: ConfigOption = Path("causeway.yaml"),
    threads: Annotated[
        int | None, typer.Option(min=1, max=64, help="worker threads (default: workers.count)")
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="serve this process's own /metrics (retries, rate-budget waits) on this "
            "port, for read keys as on the hub",
        ),
    ] = None,
    log_format: LogFormatOption = LogFormat.text,
) -> None:
    """Run only workers (no webhook server, no scheduler) beside `causeway run`.

    Several processes share one PostgreSQL store (docs/scaling.md). SIGTERM or
    Ctrl-C gives the batches in hand a moment to finish, then hands them back.
    """
    from causeway.hub import Hub

    settings = load_or_exit(config)
    setup_logging(log_format)
    hub = Hub(settings)
    if hub.store.is_sqlite:
        log.warning(
            "store is SQLite: this process takes turns with the others for its one write "
            "lock; it is safe but adds no throughput (use PostgreSQL to scale out)"
        )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    metrics = _metrics_listener(hub, settings.server.host, metrics_port) if metrics_port else None
    hub.start(workers=threads, scheduler=False, ingress=False)
    if metrics is not None:
        metrics.start()
    log.info(
        "worker process %d: %d worker thread(s) on %s",
        os.getpid(),
        len(hub.workers),
        hub.store.url.render_as_string(hide_password=True),
    )
    while not stop.wait(0.2):  # a timed wait lets the signal handler run promptly
        pass
    log.info("stopping")
    if metrics is not None:
        metrics.stop()
    hub.stop(timeout=STOP_GRACE)
    log.info("stopped")
    _exit_now()


def _exit_now() -> None:
    """Exit 0 without the interpreter's teardown, once everything is released.

    Tearing down a heap of this size takes the interpreter half a second, over a second
    on a busy machine, and holds nothing: the jobs are finished or given back, the inbox
    writer has committed, the store is closed. Only the logs need flushing.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
