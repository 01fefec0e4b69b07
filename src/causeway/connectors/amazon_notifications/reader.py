"""Reading the ORDER_CHANGE queue into the inbox: receive, store, and only then delete.

One batch (up to 10 messages, SQS's maximum) is one inbox transaction. A message is
deleted from the queue only after that transaction committed, so a crash, a failed
commit or a lost delete leaves it in the queue, and SQS hands it out again once its
visibility timeout passes. The redelivery is absorbed by the inbox's unique
(source, event_id): the event id is the notification's own NotificationId, so Amazon
delivering the same notification twice stores it once too.

A message that is not a valid ORDER_CHANGE notification (bad JSON, a missing order id,
another notification type) is never dropped and never retried forever: it goes into the
inbox under REJECTED_TOPIC with its raw body and the reason (header x-rejected-reason),
keyed by its SQS message id, and is then deleted from the queue like any other. No flow
takes that topic; an operator finds it in the inbox. The dead-letter redrive of the queue
(docs/connectors/amazon.md) remains for what this reader cannot store at all.

SQS failures (throttling, 5xx, network) are retried where they happened with the
connectors' shared backoff (http_retry.with_transient_retries, through an injectable
`sleep`); what is still failing after that is a RetryableError for the caller's own
backoff (`run`). Lost deliveries, which SQS cannot tell about, are the reconciling
order poll's to find (the Amazon connector's searchOrders by lastUpdatedAfter).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar

import boto3  # type: ignore[import-untyped]
from botocore import exceptions as botocore_errors  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from pydantic import ValidationError
from tenacity import RetryCallState

from causeway.connectors.amazon_notifications.schema import ORDER_CHANGE, OrderChangeNotification
from causeway.connectors.amazon_notifications.settings import QueueSettings
from causeway.connectors.http_retry import Transient, with_transient_retries
from causeway.engine.inbox import Inbox, InboxRecord, unstorable
from causeway.errors import PermanentError

log = logging.getLogger(__name__)
T = TypeVar("T")

TOPIC = ORDER_CHANGE
REJECTED_TOPIC = "ORDER_CHANGE/rejected"
ORDER = "order"  # entity keys "order:<AmazonOrderId>", as every channel's orders
MAX_REASON = 1000

# Error codes SQS answers when it wants the caller to slow down or try again.
_TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "RequestThrottled",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
        "KmsThrottled",
    }
)


@dataclass
class DrainCounts:
    """What one drain did; `stored` counts records new to the inbox."""

    batches: int = 0
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    deleted: int = 0
    delete_failures: int = 0

    def add(self, other: DrainCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def sqs_client(settings: QueueSettings) -> Any:
    """A boto3 SQS client for these settings. botocore's own retries are off: retrying is
    the hub's (with_transient_retries), so that a failure is not retried twice over."""
    config = Config(
        retries={"total_max_attempts": 1},
        connect_timeout=5,
        # A long poll holds the request open for wait_seconds; the read must outlast it.
        read_timeout=settings.wait_seconds + 10,
    )
    return boto3.client("sqs", config=config, **settings.client_kwargs())


def _rejection_reason(error: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()]
    return "; ".join(parts)[:MAX_REASON]


class NotificationReader:
    """Reads one queue into the inbox as `source` (the Amazon channel's system name)."""

    def __init__(
        self,
        settings: QueueSettings,
        inbox: Inbox,
        source: str,
        *,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.inbox = inbox
        self.source = source
        self.client = client if client is not None else sqs_client(settings)
        self.sleep = sleep
        self.transient_retries = 0

    # -- one message -> one inbox record ------------------------------------------
    def record(self, message: dict[str, Any]) -> InboxRecord:
        """The inbox record for one SQS message: the notification, or its rejection."""
        body: str = message.get("Body", "")
        message_id: str = message["MessageId"]
        headers = {"x-sqs-message-id": message_id}
        if count := message.get("Attributes", {}).get("ApproximateReceiveCount"):
            headers["x-sqs-approximate-receive-count"] = str(count)
        try:
            notification = OrderChangeNotification.model_validate_json(body)
        except ValidationError as error:
            return self._rejected(message_id, body, headers, _rejection_reason(error))
        headers |= {
            "x-amazon-notification-type": notification.notification_type,
            "x-amazon-event-time": notification.event_time.isoformat(),
        }
        if change_type := notification.order_change_type:
            headers["x-amazon-order-change-type"] = change_type
        if status := notification.order_status:
            headers["x-amazon-order-status"] = status
        record = InboxRecord(
            source=self.source,
            event_id=notification.notification_id,
            topic=TOPIC,
            entity_key=f"{ORDER}:{notification.amazon_order_id}",
            body=body.encode("utf-8"),
            headers=headers,
        )
        if reason := unstorable(record):
            return self._rejected(message_id, body, headers, reason)
        return record

    def _rejected(
        self, message_id: str, body: str, headers: dict[str, str], reason: str
    ) -> InboxRecord:
        log.warning(
            "%s: SQS message %s is not an %s notification, kept as %s: %s",
            self.source,
            message_id,
            ORDER_CHANGE,
            REJECTED_TOPIC,
            reason,
        )
        # The SQS message id is stable across redeliveries of one message, so a rejected
        # message redelivered after a failed commit is still stored once.
        return InboxRecord(
            source=self.source,
            event_id=f"sqs:{message_id}",
            topic=REJECTED_TOPIC,
            entity_key=f"rejected:{message_id}",
            body=body.encode("utf-8"),
            headers=headers | {"x-rejected-reason": reason},
        )

    # -- a batch ------------------------------------------------------------------
    def receive(self) -> list[dict[str, Any]]:
        """One long poll: up to max_messages, or none after wait_seconds."""
        request: dict[str, Any] = {
            "QueueUrl": self.settings.queue_url,
            "MaxNumberOfMessages": self.settings.max_messages,
            "WaitTimeSeconds": self.settings.wait_seconds,
            "AttributeNames": ["ApproximateReceiveCount"],
        }
        if self.settings.visibility_timeout is not None:
            request["VisibilityTimeout"] = self.settings.visibility_timeout
        answer = self._retried("SQS ReceiveMessage", self.client.receive_message, request)
        messages: list[dict[str, Any]] = answer.get("Messages", [])
        return messages

    def process(self, messages: Sequence[dict[str, Any]]) -> DrainCounts:
        """Store a received batch in one inbox transaction, then delete it from the queue.

        If the inbox write fails the exception propagates and nothing is deleted: the
        messages come back after their visibility timeout."""
        counts = DrainCounts(batches=1, received=len(messages))
        if not messages:
            return counts
        records = [self.record(m) for m in messages]
        stored = self.inbox.accept(records)  # committed when this returns
        for record, new in zip(records, stored, strict=True):
            if record.topic == REJECTED_TOPIC:
                counts.rejected += new
            else:
                counts.stored += new
            counts.duplicates += not new
        deleted, failed = self._delete([m["ReceiptHandle"] for m in messages])
        counts.deleted, counts.delete_failures = deleted, failed
        return counts

    def _delete(self, receipts: Sequence[str]) -> tuple[int, int]:
        """Delete committed messages; a delete that fails only means a redelivery, which
        the inbox absorbs, so it is counted and logged, never raised."""
        entries = [{"Id": str(i), "ReceiptHandle": r} for i, r in enumerate(receipts)]
        request = {"QueueUrl": self.settings.queue_url, "Entries": entries}
        try:
            answer = self._retried(
                "SQS DeleteMessageBatch", self.client.delete_message_batch, request
            )
        except Exception as error:  # already committed: redelivery is harmless
            log.warning(
                "%s: could not delete %d stored messages: %s", self.source, len(entries), error
            )
            return 0, len(entries)
        failed = answer.get("Failed", [])
        for failure in failed:
            log.warning(
                "%s: SQS kept a stored message (it will be redelivered and deduplicated): %s",
                self.source,
                failure.get("Message") or failure.get("Code"),
            )
        return len(answer.get("Successful", [])), len(failed)

    def drain_once(self) -> DrainCounts:
        return self.process(self.receive())

    def drain(self, *, max_batches: int | None = None) -> DrainCounts:
        """Receive and store until a receive comes back empty (or max_batches). That last
        receive is a long poll too: it waits wait_seconds before the drain returns."""
        total = DrainCounts()
        while max_batches is None or total.batches < max_batches:
            counts = self.drain_once()
            total.add(counts)
            if not counts.received:
                break
        return total

    # -- the loop the hub runs --------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        """Read until `stop` is set, in a thread of its own (Hub._spawn's signature).

        Idle, each round is one long poll of wait_seconds, so stopping takes at most that
        long. A failing round (SQS still down after the retries, a failed inbox commit)
        backs off exponentially with jitter, reset by the next good round."""
        policy = self.settings.retry
        failures = 0
        while not stop.is_set():
            try:
                counts = self.drain_once()
            except Exception as error:
                failures += 1
                delay = min(policy.backoff_max, policy.backoff_initial * 2**failures)
                delay += random.uniform(0, 1.0)
                log.error(
                    "%s: reading the ORDER_CHANGE queue failed (%s); next try in %.1fs",
                    self.source,
                    error,
                    delay,
                )
                stop.wait(delay)
                continue
            failures = 0
            if counts.received:
                log.info("%s: ORDER_CHANGE queue: %s", self.source, counts)
            elif self.settings.wait_seconds == 0:
                # Short polling returns at once: without this an empty queue spins.
                stop.wait(1.0)

    # -- retries ------------------------------------------------------------------
    def _retried(self, what: str, call: Callable[..., T], request: dict[str, Any]) -> T:
        def attempt() -> T:
            try:
                return call(**request)
            except botocore_errors.ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                if code in _TRANSIENT_CODES or status >= 500 or status == 429:
                    raise Transient(f"{what}: {code or status}: {error}") from error
                raise PermanentError(
                    f"{what} refused by {self.settings.queue_url} ({code}): {error}; check "
                    f"the queue URL, the region and the credentials' SQS permissions"
                ) from error
            except (botocore_errors.ConnectionError, botocore_errors.HTTPClientError) as error:
                raise Transient(f"{what}: {error}") from error

        return with_transient_retries(
            self.settings.retry,
            what=what,
            sleep=self.sleep,
            on_retry=self._count_retry,
            call=attempt,
            args=(),
        )

    def _count_retry(self, state: RetryCallState) -> None:
        self.transient_retries += 1
        outcome = state.outcome.exception() if state.outcome else None
        log.warning(
            "%s: transient SQS failure (attempt %d): %s", self.source, state.attempt_number, outcome
        )


def drain(
    settings: QueueSettings,
    inbox: Inbox,
    source: str,
    *,
    client: Any = None,
    max_batches: int | None = None,
) -> DrainCounts:
    """Read the queue into the inbox until it is empty: the call a scheduled job or the
    Amazon channel's reconcile run makes (the thread form is NotificationReader.run)."""
    return NotificationReader(settings, inbox, source, client=client).drain(max_batches=max_batches)
