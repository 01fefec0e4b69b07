"""`causeway run` (the whole hub) and `causeway worker` (workers only, to scale out)."""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from causeway.cli.common import ConfigOption, app, load_or_exit


@app.command()
def run(config: ConfigOption = Path("causeway.yaml")) -> None:
    """Run the hub: webhook server, workers and scheduler, until interrupted."""
    import uvicorn

    from causeway.hub import Hub
    from causeway.redaction import Redactor, install_log_redaction
    from causeway.web.app import create_app

    settings = load_or_exit(config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_log_redaction(Redactor.from_config(settings))
    hub = Hub(settings)
    # Workers map orders in Python while the event loop answers webhooks; a
    # shorter GIL switch interval keeps a worker's batch from stalling ingress.
    sys.setswitchinterval(0.001)
    hub.start()
    gc.freeze()  # what start-up allocated is never garbage: keep GC passes short
    _subscribe_webhooks(hub)
    try:
        uvicorn.run(
            create_app(hub),
            host=settings.server.host,
            port=settings.server.port,
            log_level="warning",
            # uvicorn's records go to the root handlers, whose filter strips secrets.
            log_config=None,
        )
    finally:
        hub.stop()


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
            help="serve this process's own /metrics (retries, rate-budget waits) on this port",
        ),
    ] = None,
) -> None:
    """Run only workers (no webhook server, no scheduler) beside `causeway run`.

    Several processes share one PostgreSQL store (docs/scaling.md). SIGTERM or
    Ctrl-C finishes the batches in hand, then exits.
    """
    from causeway.hub import Hub
    from causeway.redaction import Redactor, install_log_redaction

    settings = load_or_exit(config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_log_redaction(Redactor.from_config(settings))
    log = logging.getLogger("causeway.worker")
    hub = Hub(settings)
    if hub.store.is_sqlite:
        log.warning(
            "store is SQLite: this process takes turns with the others for its one write "
            "lock; it is safe but adds no throughput (use PostgreSQL to scale out)"
        )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    hub.start(workers=threads, scheduler=False, ingress=False)
    if metrics_port is not None:
        from prometheus_client import start_http_server

        from causeway.observability.metrics import process_registry

        start_http_server(metrics_port, settings.server.host, registry=process_registry(hub))
    log.info(
        "worker process %d: %d worker thread(s) on %s",
        os.getpid(),
        len(hub.workers),
        hub.store.url.render_as_string(hide_password=True),
    )
    while not stop.wait(1.0):  # a timed wait lets the signal handler run promptly
        pass
    log.info("stopping: finishing the batches in hand")
    hub.stop()


def _subscribe_webhooks(hub: Any) -> None:
    public = hub.config.server.public_url
    if not public:
        return
    for name in hub.ingress:
        try:
            hub.connectors[name].subscribe_webhooks(
                f"{public.rstrip('/')}/webhooks/{name}", hub.webhook_topics(name)
            )
        except Exception as exc:  # the reconcile poll still catches orders
            logging.getLogger("causeway").warning("could not subscribe %s webhooks: %s", name, exc)
