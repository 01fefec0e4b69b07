"""The sandbox's Feeds API v2021-06-30 for JSON_LISTINGS_FEED: documents, feeds, processing.

- createFeedDocument gives a document id and an upload URL the sandbox serves itself
  (`/feed-documents/{id}`, standing in for Amazon's presigned S3 URL: no access token);
- createFeed takes an uploaded document; the feed is IN_QUEUE, IN_PROGRESS after a third
  of `processing_s`, DONE after all of it (settings.feed_processing_s; tests make it
  short). Its messages are applied to the listings when it becomes DONE, not before;
- the result is a processing report in Amazon's listings-feed-processing-report v2 shape:
  one ERROR issue per refused message (listings.py says which), a summary, GZIP-compressed
  (getFeedDocument says compressionAlgorithm GZIP), as Amazon's reports are;
- a document that is not a listings feed (not JSON, no messages, version not 2.0, another
  sellerId) gives a report with the feed-level issue 4002001 and no message processed, as
  Amazon does ("Item 'Feed' cannot be parsed."); a message without sku, messageId or
  operationType is refused with 4002008.
"""

from __future__ import annotations

import gzip
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from causeway_sandbox.amazon.listings import ListingsStore, issue
from causeway_sandbox.amazon.store import Clock, iso

FEED_UNREADABLE = "4002001"
MESSAGE_INVALID = "4002008"
OPERATIONS = ("UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE")


@dataclass
class Document:
    content_type: str
    content: bytes | None = None  # None until uploaded
    compression: str | None = None


@dataclass
class Feed:
    feed_id: str
    feed_type: str
    marketplace_ids: list[str]
    document_id: str
    created: float  # monotonic
    created_at: str
    processing_s: float
    result_document_id: str | None = None
    started_at: str | None = None
    ended_at: str | None = None
    messages: list[int] = field(default_factory=list)

    def status(self, now: float) -> str:
        if self.result_document_id is not None:
            return "DONE"
        elapsed = now - self.created
        if elapsed >= self.processing_s:
            return "DONE"
        return "IN_PROGRESS" if elapsed >= self.processing_s / 3 else "IN_QUEUE"


class FeedStore:
    def __init__(
        self, clock: Clock, listings: ListingsStore, seller_id: str, processing_s: float
    ) -> None:
        self.clock = clock
        self.listings = listings
        self.seller_id = seller_id
        self.processing_s = processing_s
        self._lock = threading.RLock()
        self.documents: dict[str, Document] = {}
        self.feeds: dict[str, Feed] = {}
        self._next = 50001000000

    def reset(self, processing_s: float) -> None:
        with self._lock:
            self.documents.clear()
            self.feeds.clear()
            self.processing_s = processing_s

    def new_document(self, content_type: str) -> str:
        document_id = f"amzn1.tortuga.4.na.{secrets.token_hex(16)}"
        with self._lock:
            self.documents[document_id] = Document(content_type)
        return document_id

    def upload(self, document_id: str, content: bytes) -> bool:
        with self._lock:
            document = self.documents.get(document_id)
            if document is None or document.compression is not None:
                return False  # unknown, or a result document (read-only)
            document.content = content
            return True

    def create_feed(self, feed_type: str, marketplaces: list[str], document_id: str) -> str | None:
        """The new feed's id; None when the document is unknown or was not uploaded."""
        with self._lock:
            document = self.documents.get(document_id)
            if document is None or document.content is None:
                return None
            self._next += 1
            feed_id = str(self._next)
            self.feeds[feed_id] = Feed(
                feed_id,
                feed_type,
                marketplaces,
                document_id,
                created=time.monotonic(),
                created_at=iso(self.clock.now()),
                processing_s=self.processing_s,
            )
            return feed_id

    def feed(self, feed_id: str) -> dict[str, Any] | None:
        """The feed in Amazon's shape, processed first if its time has come."""
        with self._lock:
            self.settle()
            feed = self.feeds.get(feed_id)
            if feed is None:
                return None
            status = feed.status(time.monotonic())
            body: dict[str, Any] = {
                "feedId": feed.feed_id,
                "feedType": feed.feed_type,
                "marketplaceIds": feed.marketplace_ids,
                "createdTime": feed.created_at,
                "processingStatus": status,
            }
            if status != "IN_QUEUE":
                body["processingStartTime"] = feed.started_at or feed.created_at
            if feed.result_document_id is not None:
                body["processingEndTime"] = feed.ended_at
                body["resultFeedDocumentId"] = feed.result_document_id
            return body

    def report_of(self, feed_id: str) -> dict[str, Any] | None:
        """The processing report of a finished feed, decompressed (the control API's)."""
        with self._lock:
            feed = self.feeds.get(feed_id)
            if feed is None or feed.result_document_id is None:
                return None
            content = self.documents[feed.result_document_id].content or b""
        report: dict[str, Any] = json.loads(gzip.decompress(content))
        return report

    def sent(self, feed_id: str) -> Any:
        """The feed document a feed was created from, as uploaded (the control API's)."""
        with self._lock:
            feed = self.feeds.get(feed_id)
            content = self.documents[feed.document_id].content if feed else None
        try:
            return json.loads(content) if content else None
        except ValueError:
            return content.decode("utf-8", "replace") if content else None

    def finish_pending(self) -> int:
        """Process every feed not processed yet, now (the control API's: Amazon has got
        round to them); how many there were."""
        with self._lock:
            pending = [f for f in self.feeds.values() if f.result_document_id is None]
            for feed in pending:
                feed.processing_s = 0.0
            self.settle()
            return len(pending)

    def settle(self) -> None:
        """Process every feed whose time has come, oldest first (Amazon processes a
        seller's feeds one after the other)."""
        with self._lock:
            now = time.monotonic()
            for feed in sorted(self.feeds.values(), key=lambda f: int(f.feed_id)):
                if feed.result_document_id is None and feed.status(now) == "DONE":
                    self._process(feed)

    def _process(self, feed: Feed) -> None:
        feed.started_at = feed.started_at or iso(self.clock.now())
        content = self.documents[feed.document_id].content or b""
        report = self.report(feed.feed_id, content)
        result_id = f"amzn1.tortuga.4.na.{secrets.token_hex(16)}"
        self.documents[result_id] = Document(
            "application/json",
            gzip.compress(json.dumps(report).encode("utf-8")),
            compression="GZIP",
        )
        feed.result_document_id = result_id
        feed.ended_at = iso(self.clock.now())

    def report(self, feed_id: str, content: bytes) -> dict[str, Any]:
        """Apply the feed's messages to the listings; the processing report."""
        header = {"sellerId": self.seller_id, "version": "2.0", "feedId": feed_id}
        feed = _read_feed(content, self.seller_id)
        if feed is None:
            return _report(header, [issue(FEED_UNREADABLE, "Item 'Feed' cannot be parsed.")], 0, 0)
        issues: list[dict[str, Any]] = []
        invalid = 0
        for message in feed["messages"]:
            found = self._apply(message)
            if found:
                invalid += 1
                issues.extend(found)
        processed = len(feed["messages"])
        return _report(header, issues, processed, invalid)

    def _apply(self, message: Any) -> list[dict[str, Any]]:
        """One message's ERROR issues (none: accepted and applied)."""
        if not isinstance(message, dict):
            return [_on(issue(MESSAGE_INVALID, _SCHEMA), None, None)]
        number, sku = message.get("messageId"), message.get("sku")
        if not isinstance(number, int) or not isinstance(sku, str) or not sku:
            return [_on(issue(MESSAGE_INVALID, _SCHEMA), number, sku)]
        if message.get("operationType") != "PATCH":
            text = (
                f"The sandbox processes PATCH messages only, not {message.get('operationType')!r}"
            )
            if message.get("operationType") not in OPERATIONS:
                text = _SCHEMA
            return [_on(issue(MESSAGE_INVALID, text), number, sku)]
        found = self.listings.patch(sku, message.get("productType"), message.get("patches"))
        return [_on(i, number, sku) for i in found]


_SCHEMA = "The provided message did not meet the schema validation requirements for a feed message."


def _on(found: dict[str, Any], number: Any, sku: Any) -> dict[str, Any]:
    """A report issue: the message's id and SKU first, as Amazon writes them."""
    where: dict[str, Any] = {}
    if isinstance(number, int):
        where["messageId"] = number
    if isinstance(sku, str):
        where["sku"] = sku
    shown = {k: v for k, v in found.items() if k in ("code", "severity", "message")}
    if found.get("attributeNames"):
        shown["attributeName"] = found["attributeNames"][0]
    return {**where, **shown}


def _report(
    header: dict[str, Any], issues: list[dict[str, Any]], processed: int, invalid: int
) -> dict[str, Any]:
    errors = sum(1 for i in issues if i["severity"] == "ERROR")
    return {
        "header": header,
        "issues": issues,
        "summary": {
            "errors": errors,
            "warnings": len(issues) - errors,
            "messagesProcessed": processed,
            "messagesAccepted": processed - invalid,
            "messagesInvalid": invalid,
        },
    }


def _read_feed(content: bytes, seller_id: str) -> dict[str, Any] | None:
    try:
        feed = json.loads(content)
    except ValueError:
        return None
    if not isinstance(feed, dict) or not isinstance(feed.get("messages"), list):
        return None
    header = feed.get("header")
    if not isinstance(header, dict) or header.get("version") != "2.0":
        return None
    if header.get("sellerId") != seller_id:
        return None
    return feed
