"""The sender: takes due e-mails from the outbox (engine/mail_outbox.py) and sends them
over SMTP, once.

Exactly once, and its one window: a row is claimed under a lease (two hub processes never
hold one row at a time), sent, and marked `sent` in its own commit right after the server
answers 250 to its DATA. A process that dies between that 250 and the commit (a few
milliseconds) leaves the row claimed; once the lease runs out another sender sends it
again. That second copy carries the same Message-ID (fixed per row), so mail clients and
the merchant can recognise it as the same e-mail. Nothing else can send a row twice: a
sender whose lease ran out cannot mark a row another claimed since (the claim's attempt
number is its token).

Retries: a refused or unreachable server (4xx, a timeout, a dropped connection) makes the
row due again after `retry_base`, doubling up to `retry_cap`; after `max_attempts` tries,
or at once on a permanent refusal (5xx: no such mailbox), the row is `failed` with the
server's answer, for the console to show and retry.

smtplib rather than aiosmtplib: the sender is one thread beside the workers, sending one
e-mail at a time over one connection; blocking calls with a timeout are all it needs.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from causeway.config.notifications import NotificationsSettings, SmtpSettings
from causeway.engine import mail_outbox as outbox
from causeway.engine.mail_outbox import OutboxMail
from causeway.engine.store import Store, now

log = logging.getLogger("causeway.notifications.sender")

BATCH = 20  # e-mails claimed at once, sent over one connection


class NoStartTlsError(smtplib.SMTPException):
    """security: starttls, and the server does not offer it: nothing is sent in the clear."""


def message_id(mail: OutboxMail, sender: str) -> str:
    """The same for every try of one row, so a copy sent twice is recognisable as one."""
    domain = sender.rpartition("@")[2] or "causeway.invalid"
    digest = hashlib.sha256(mail.dedupe_key.encode()).hexdigest()[:16]
    return f"<causeway.{mail.id}.{digest}@{domain}>"


def build_message(settings: NotificationsSettings, mail: OutboxMail) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML preferred by clients that can."""
    message = EmailMessage()
    message["From"] = formataddr((settings.sender_name or settings.merchant, settings.sender))
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(mail, settings.sender)
    if settings.reply_to:
        message["Reply-To"] = settings.reply_to
    if mail.language:
        message["Content-Language"] = mail.language
    # Order-status e-mails are sent by a machine: no out-of-office replies, please.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text_body)
    if mail.html_body:
        message.add_alternative(mail.html_body, subtype="html")
    return message


def tls_context(smtp: SmtpSettings) -> ssl.SSLContext:
    """Verifies the server's certificate and name, against the system's CAs or ca_file."""
    return ssl.create_default_context(cafile=smtp.ca_file)


def connect(smtp: SmtpSettings) -> smtplib.SMTP:
    """A connection ready to send: TLS from the first byte (tls), or upgraded with
    STARTTLS (starttls: refused when the server does not offer it), then logged in."""
    client: smtplib.SMTP
    if smtp.security == "tls":
        client = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=smtp.timeout, context=tls_context(smtp)
        )
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    try:
        client.ehlo()
        if smtp.security == "starttls":
            if not client.has_extn("starttls"):
                raise NoStartTlsError(
                    f"{smtp.host}:{smtp.port} does not offer STARTTLS: refusing to send in "
                    "the clear (use security: tls for port 465, or fix the server)"
                )
            client.starttls(context=tls_context(smtp))
            client.ehlo()
        if smtp.username:
            password = smtp.password.get_secret_value() if smtp.password else ""
            client.login(smtp.username, password)
    except BaseException:
        client.close()
        raise
    return client


def send_now(settings: NotificationsSettings, message: EmailMessage) -> None:
    """Send one message at once (the console's test e-mail); raises what the server said."""
    client = connect(settings.smtp)
    try:
        client.send_message(message, from_addr=settings.sender)
    finally:
        _quit(client)


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _permanent(exc: BaseException) -> bool:
    """A 5xx answer about this e-mail: retrying would be refused again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {reply.decode(errors='replace')}"
            for address, (code, reply) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, socket.timeout | TimeoutError):
        return f"timed out: {exc}" if str(exc) else "timed out"
    return f"{type(exc).__name__}: {exc}"


class MailSender:
    """Sends the outbox's due e-mails; `run` is the hub's thread."""

    def __init__(
        self,
        store: Store,
        settings: NotificationsSettings,
        *,
        clean_text: Callable[[str], str] = lambda text: text,
        before_send: Callable[[OutboxMail], None] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clean_text = clean_text  # error texts lose the config's secrets
        self.before_send = before_send  # for the crash tests: a hook right before DATA

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                sent = self.send_due(stop)
            except Exception:  # the store is down: the next round tries again
                log.exception("the mail sender failed a round")
                sent = 0
            if not sent:
                stop.wait(self.settings.poll_every)

    def retry_at(self, attempts: int) -> float | None:
        """When the next try is due after `attempts` tries, or None: give up."""
        if attempts >= self.settings.max_attempts:
            return None
        delay = self.settings.retry_base * 2 ** (attempts - 1)
        return now() + min(delay, self.settings.retry_cap)

    def send_due(self, stop: threading.Event | None = None) -> int:
        """Claim due e-mails and send them over one connection; returns how many were
        handled (sent or not)."""
        claimed = outbox.claim(self.store, limit=BATCH, lease_seconds=self.settings.lease)
        if not claimed:
            return 0
        try:
            client = connect(self.settings.smtp)
        except Exception as exc:  # the server is down or refuses us: every one waits
            for mail in claimed:
                self._failed(mail, exc, permanent=False)
            return len(claimed)
        try:
            for index, mail in enumerate(claimed):
                if stop is not None and stop.is_set():
                    self._give_back(claimed[index:])
                    break
                if not self._send_one(client, mail):
                    # The connection is gone: the rest wait for the next round.
                    self._give_back(claimed[index + 1 :])
                    break
        finally:
            _quit(client)
        return len(claimed)

    def _send_one(self, client: smtplib.SMTP, mail: OutboxMail) -> bool:
        """Send one e-mail; False when the connection is no longer usable."""
        if outbox.is_suppressed(self.store, mail.recipient):
            outbox.mark_suppressed(self.store, mail)  # suppressed after it was queued
            return True
        try:
            if self.before_send is not None:
                self.before_send(mail)
            client.send_message(build_message(self.settings, mail), from_addr=self.settings.sender)
        except smtplib.SMTPRecipientsRefused as exc:
            self._failed(mail, exc, permanent=_permanent(exc))
            return True
        except smtplib.SMTPResponseException as exc:
            self._failed(mail, exc, permanent=_permanent(exc))
            # After a refused DATA the session is still usable; reset it for the next.
            try:
                client.rset()
            except (smtplib.SMTPException, OSError):
                return False
            return True
        except (smtplib.SMTPException, OSError) as exc:
            self._failed(mail, exc, permanent=False)
            return False
        # The server has it: mark it at once, in its own commit (the one window).
        if not outbox.mark_sent(self.store, mail):
            log.warning("e-mail %s was sent, but its claim had run out", mail.id)
        log.info("sent e-mail %s (%s) to %s", mail.id, mail.event, mail.recipient)
        return True

    def _failed(self, mail: OutboxMail, exc: BaseException, *, permanent: bool) -> None:
        error = self.clean_text(describe(exc))
        retry_at = None if permanent else self.retry_at(mail.attempts)
        state = outbox.mark_failed(self.store, mail, error, retry_at=retry_at)
        log.warning(
            "e-mail %s to %s not sent (try %d, now %s): %s",
            mail.id,
            mail.recipient,
            mail.attempts,
            state or "taken over",
            error,
        )

    def _give_back(self, mails: list[OutboxMail]) -> None:
        """Claimed but not tried: due again now, the claim not counted as a try."""
        for mail in mails:
            outbox.release(self.store, mail)
