"""A real SMTP server for the tests (aiosmtpd, on a free port of 127.0.0.1), with every
message it received read back as an e-mail (`Mailbox.messages`, `Mailbox.wait_for`)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

import pytest


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def wait_for(
        self, match: Callable[[EmailMessage], bool], *, count: int = 1, timeout: float = 15.0
    ) -> list[EmailMessage]:
        """The messages that match, once there are `count` of them (or fail after timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = [m for m in self.messages if match(m)]
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, (
                    f"{len(found)} matching e-mails after {timeout} s, wanted {count}; "
                    f"received: {[str(m['Subject']) for m in self.messages]}"
                )
                return found
            time.sleep(0.05)


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, int, Mailbox]]:
    """(host, port, mailbox) of a real SMTP server started for the test."""
    with running_smtp() as server:
        yield server


@contextmanager
def running_smtp() -> Iterator[tuple[str, int, Mailbox]]:
    """(host, port, mailbox) of a real SMTP server, until the block ends."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks it is up by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, mailbox
    finally:
        controller.stop()
