"""What the e-mail tests share: settings pointing at a real SMTP server (aiosmtpd) in
the clear, with STARTTLS or with TLS on connect, a self-signed certificate made for the
test with openssl, and servers that refuse or never answer."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from causeway.config.notifications import NotificationsSettings
from tests.mailbox import Mailbox


def settings(port: int, **changes: Any) -> NotificationsSettings:
    smtp = {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 5.0}
    smtp |= changes.pop("smtp", {})
    values: dict[str, Any] = {
        "enabled": True,
        "smtp": smtp,
        "sender": "orders@shop.example",
        "merchant": "Acme Supplies",
        "retry_base": 0.2,
        "max_attempts": 3,
        "lease": 30.0,
        "poll_every": 0.1,
    }
    return NotificationsSettings.model_validate(values | changes)


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1 (the client trusts it through smtp.ca_file)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return Certificate(cert, key)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp(handler: Mailbox | None = None, **server: Any) -> Iterator[tuple[int, Mailbox]]:
    """A real aiosmtpd server with these SMTP options (tls_context, require_starttls, ...)."""
    from aiosmtpd.controller import Controller

    mailbox = handler or Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **server)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


class Refusing(Mailbox):
    """Answers DATA with 451 (try again later) the first `refusals` times, then accepts."""

    def __init__(self, refusals: int, answer: str = "451 4.3.0 Try again later") -> None:
        super().__init__()
        self.refusals = refusals
        self.answer = answer
        self.tries = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.tries += 1
        if self.tries <= self.refusals:
            return self.answer
        return await super().handle_DATA(server, session, envelope)


class Silent:
    """Accepts connections and never answers: an SMTP server that hangs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = int(self.sock.getsockname()[1])
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

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
