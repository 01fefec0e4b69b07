"""`causeway run` and `causeway worker` as an operator runs them, in their own process:
they listen (and take webhooks) before the store's webhook subscriptions are in place,
say where they listen, and stop within 2 s of SIGTERM or Ctrl-C, giving back the job
they were in the middle of so that it is not lost nor left waiting for its lease."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from causeway.config import parse_config
from causeway.connectors.shopify.webhooks import sign_body
from causeway.engine.inbox import InboxRecord
from causeway.engine.jobs import JobQueue
from causeway.engine.store import Store
from causeway.hub import Hub
from causeway_sandbox.localserver import HubProcess, WorkerProcess, free_port
from tests.contract.test_shopify_vendor_samples import load

# Shopify's own sample order: it parses, so its job goes on to call the ERP.
ORDER: dict[str, Any] = {}


@pytest.fixture(autouse=True)
def sample_order() -> None:
    ORDER.update(load("order.json")["order"])


SECRET = "process-webhook-secret"


class Silent:
    """A server that accepts connections and never answers: an ERP or a store that hangs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def silent() -> Iterator[Silent]:
    server = Silent()
    yield server
    server.close()


def config(tmp_path: Path, *, shop_url: str, erp_url: str) -> dict[str, Any]:
    return {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        # public_url makes the hub subscribe its webhooks at the store on start.
        "server": {"port": free_port(), "public_url": "https://hub.example.com"},
        # A long lease: a job handed on at once was given back, not left to expire.
        "workers": {"count": 1, "lease": "5m"},
        "systems": {
            "shop": {
                "type": "shopify",
                "shop_url": shop_url,
                "access_token": "shpat_process",
                "webhook_secret": SECRET,
            },
            "erp": {
                "type": "tryton",
                "url": erp_url,
                "database": "tryton",
                "username": "causeway",
                "password": "process-password",
            },
        },
        "flows": {"orders-to-erp": {"source": "shop", "target": "erp", "schedule": "realtime"}},
    }


def post_order(url: str) -> httpx.Response:
    body = json.dumps(ORDER).encode()
    return httpx.post(
        f"{url}/webhooks/shop",
        content=body,
        headers={
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Hmac-Sha256": sign_body(SECRET, body),
            "Content-Type": "application/json",
        },
        timeout=5,
    )


def jobs_of(tmp_path: Path) -> list[dict[str, Any]]:
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}", migrate=False)
    key = f"shop:order:{ORDER['id']}"
    try:
        return [JobQueue(store).get(row["id"]) or {} for row in JobQueue(store).for_key(key)]
    finally:
        store.dispose()


def wait_until_running(tmp_path: Path, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [job for job in jobs_of(tmp_path) if job.get("state") == "running"]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no job of order {ORDER['id']} started: {jobs_of(tmp_path)}")


def assert_given_back(tmp_path: Path) -> None:
    """Queued again, due now, its interrupted attempt not counted: the next worker (after a
    restart, or another process) takes it at once."""
    (job,) = jobs_of(tmp_path)
    assert (job["state"], job["lease_owner"], job["attempts"]) == ("queued", None, 0), job
    assert job["run_at"] <= time.time()


def test_the_hub_listens_and_takes_webhooks_while_subscribing_to_a_store_that_hangs(
    tmp_path: Path, silent: Silent, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The store hangs on every call: subscribing would hold start-up for minutes.
    monkeypatch.setenv("CAUSEWAY_LOG_FORMAT", "json")
    hub = HubProcess(tmp_path, config(tmp_path, shop_url=silent.url, erp_url=silent.url))
    started = time.monotonic()
    try:
        # Under 25 s: a start-up that waited for the store would wait out at least one
        # 30-second call timeout; a loaded machine may take 10 s or more to start a hub.
        hub.start(timeout=25)
        answer = post_order(hub.url)
        took = time.monotonic() - started
        assert answer.status_code == 200, answer.text
        assert took < 25, f"first webhook stored after {took:.1f}s"
        lines = [json.loads(line) for line in hub.log.read_text().splitlines() if line]
        messages = [line["message"] for line in lines]
        assert f"listening on http://127.0.0.1:{hub.port}" in messages
        assert "public URL https://hub.example.com" in messages
        listening = next(line for line in lines if line["message"].startswith("listening"))
        assert {"time", "level", "logger"} <= set(listening)
        assert (listening["host"], listening["port"]) == ("127.0.0.1", hub.port)
        # The subscription is still waiting for the store, in the background.
        assert not any(m.startswith("webhooks of shop delivered") for m in messages)
    finally:
        hub.stop()


def test_with_an_admin_listener_only_webhooks_and_health_face_the_internet(
    tmp_path: Path, silent: Silent
) -> None:
    """server.admin_listen: the console and the API answer there, and only there."""
    settings = config(tmp_path, shop_url=silent.url, erp_url=silent.url)
    admin_port = free_port()
    settings["server"]["admin_listen"] = f"127.0.0.1:{admin_port}"
    hub = HubProcess(tmp_path, settings)
    admin = f"http://127.0.0.1:{admin_port}"
    try:
        hub.start(timeout=20)
        assert post_order(hub.url).status_code == 200
        assert httpx.get(f"{hub.url}/ready", timeout=5).status_code == 200
        for path in ("/console", "/console/static/pico/pico.min.css", "/api/orders/shop/1"):
            answer = httpx.get(f"{hub.url}{path}", timeout=5)
            assert answer.status_code == 401, (path, answer.text)  # no such page here
        # On the admin listener: the console (a browser goes to sign in) and the API.
        console = httpx.get(f"{admin}/console", timeout=5)
        assert (console.status_code, console.headers["location"]) == (
            303,
            "/console/login?next=%2Fconsole",
        )
        assert httpx.get(f"{admin}/console/static/pico/pico.min.css", timeout=5).is_success
        assert httpx.get(f"{admin}/health", timeout=5).json() == {"status": "ok"}
        assert post_order(admin).status_code == 401  # webhooks come to the public listener
        assert f"console and API on http://127.0.0.1:{admin_port}/console" in hub.log.read_text()
    finally:
        hub.stop()


def test_with_a_portal_listener_customers_reach_the_portal_there_and_nothing_else(
    tmp_path: Path, silent: Silent
) -> None:
    """portal.listen: the B2B portal answers there, and only there; nothing else does."""
    settings = config(tmp_path, shop_url=silent.url, erp_url=silent.url)
    portal_port = free_port()
    settings["portal"] = {"enabled": True, "erp": "erp", "listen": f"127.0.0.1:{portal_port}"}
    hub = HubProcess(tmp_path, settings)
    portal = f"http://127.0.0.1:{portal_port}"
    try:
        hub.start(timeout=20)
        signed_out = httpx.get(f"{portal}/portal/orders", timeout=5)
        assert (signed_out.status_code, signed_out.headers["location"]) == (
            303,
            "/portal/login?next=%2Fportal%2Forders",
        )
        assert httpx.get(f"{portal}/portal/static/pico/pico.min.css", timeout=5).is_success
        assert httpx.get(f"{portal}/health", timeout=5).json() == {"status": "ok"}
        for path in ("/console", "/api/orders/shop/1", "/metrics"):
            assert httpx.get(f"{portal}{path}", timeout=5).status_code == 401, path
        assert post_order(portal).status_code == 401  # webhooks come to the hub's listener
        # ... and the hub's own listener serves no portal page.
        assert httpx.get(f"{hub.url}/portal/orders", timeout=5).status_code == 401
        assert f"B2B portal on http://127.0.0.1:{portal_port}/portal" in hub.log.read_text()
    finally:
        hub.stop()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_hub_within_2_s_and_gives_back_the_job_in_hand(
    tmp_path: Path, silent: Silent, signum: int
) -> None:
    # The ERP hangs: the worker is inside its call when the signal comes.
    hub = HubProcess(
        tmp_path, config(tmp_path, shop_url=f"http://127.0.0.1:{free_port()}", erp_url=silent.url)
    )
    hub.start(timeout=20)
    try:
        assert post_order(hub.url).status_code == 200
        wait_until_running(tmp_path)
        assert hub.process is not None
        sent = time.monotonic()
        hub.process.send_signal(signum)
        code = hub.process.wait(timeout=10)
        took = time.monotonic() - sent
    finally:
        hub.stop()
    log = hub.log.read_text()
    assert took < 2.0, f"stopped {took:.2f}s after the signal:\n{log[-2000:]}"
    assert code == 0, log[-2000:]
    assert "released 1 job(s) still in hand" in log
    assert "Traceback" not in log
    assert_given_back(tmp_path)


def test_a_worker_process_stops_within_2_s_and_gives_back_the_job_in_hand(
    tmp_path: Path, silent: Silent
) -> None:
    settings = config(tmp_path, shop_url=f"http://127.0.0.1:{free_port()}", erp_url=silent.url)
    path = tmp_path / "causeway.yaml"
    path.write_text(yaml.safe_dump(settings))
    receiver = Hub(parse_config(settings, env={}))  # a webhook, as `causeway run` stores it
    receiver.inbox.accept(
        [
            InboxRecord(
                "shop", "evt-1", "orders/create", f"order:{ORDER['id']}", json.dumps(ORDER).encode()
            )
        ]
    )
    receiver.stop()
    worker = WorkerProcess(path, "worker").start()
    wait_until_running(tmp_path)
    sent = time.monotonic()
    code = worker.stop(timeout=10)
    took = time.monotonic() - sent
    log = worker.log.read_text()
    assert took < 2.0, f"stopped {took:.2f}s after SIGTERM:\n{log[-2000:]}"
    assert code == 0 and "released 1 job(s) still in hand" in log, log[-2000:]
    assert_given_back(tmp_path)
