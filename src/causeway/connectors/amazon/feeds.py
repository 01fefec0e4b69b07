"""One JSON_LISTINGS_FEED of merchant-fulfilled quantities, from upload to processing report
(Feeds API v2021-06-30; the feed and report formats: listings-feed-schema-v2 and
listings-feed-processing-report-schema-v2 in vendor-samples/amazon).

1. createFeedDocument (contentType `application/json; charset=UTF-8`): a document id and a
   presigned URL;
2. PUT the feed to that URL;
3. createFeed (JSON_LISTINGS_FEED, the marketplaces, the document id);
4. getFeed, until DONE, FATAL or CANCELLED (its own bucket: 2 a second, burst 15), asked
   by a later job rather than waited for: Amazon takes minutes to process a feed;
5. getFeedDocument of the feed's resultFeedDocumentId, and the report downloaded from its
   URL, gunzipped when `compressionAlgorithm` is GZIP.

The client retries a createFeed that failed with a 5xx or a lost connection, so a feed
whose answer was lost can be created twice: both set the same absolute quantities.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from causeway.connectors.amazon.client import AmazonClient
from causeway.connectors.amazon.listings import DEFAULT_CHANNEL
from causeway.connectors.amazon.models import AmazonModel, parse
from causeway.errors import InvalidPayloadError

FEEDS_PATH = "/feeds/2021-06-30"
FEED_TYPE = "JSON_LISTINGS_FEED"
CONTENT_TYPE = "application/json; charset=UTF-8"
FINISHED = ("DONE", "FATAL", "CANCELLED")


@dataclass(frozen=True)
class QuantityLine:
    sku: str
    product_type: str
    quantity: int


def listings_feed(
    seller_id: str, lines: Sequence[QuantityLine], issue_locale: str = "en_US"
) -> dict[str, Any]:
    """The feed: one PATCH of /attributes/fulfillment_availability a SKU, messageId 1..N."""
    return {
        "header": {"sellerId": seller_id, "version": "2.0", "issueLocale": issue_locale},
        "messages": [
            {
                "messageId": number,
                "sku": line.sku,
                "operationType": "PATCH",
                "productType": line.product_type,
                "patches": [
                    {
                        "op": "replace",
                        "path": "/attributes/fulfillment_availability",
                        "value": [
                            {
                                "fulfillment_channel_code": DEFAULT_CHANNEL,
                                "quantity": line.quantity,
                            }
                        ],
                    }
                ],
            }
            for number, line in enumerate(lines, start=1)
        ],
    }


# -- the Feeds API's answers, as far as the hub reads them ------------------------------
class FeedDocumentUpload(AmazonModel):
    feedDocumentId: str
    url: str


class CreatedFeed(AmazonModel):
    feedId: str


class Feed(AmazonModel):
    feedId: str
    feedType: str
    processingStatus: Literal["CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE"]
    resultFeedDocumentId: str | None = None


class FeedDocument(AmazonModel):
    feedDocumentId: str
    url: str
    compressionAlgorithm: Literal["GZIP"] | None = None


# -- the processing report ----------------------------------------------------------
class ReportIssue(AmazonModel):
    messageId: int | None = None
    sku: str | None = None
    code: str
    severity: Literal["ERROR", "WARNING", "INFO"]
    message: str
    attributeName: str | None = None


class ReportSummary(AmazonModel):
    errors: int = Field(default=0, ge=0)
    warnings: int = Field(default=0, ge=0)
    messagesProcessed: int = Field(default=0, ge=0)
    messagesAccepted: int = Field(default=0, ge=0)
    messagesInvalid: int = Field(default=0, ge=0)


class ProcessingReport(AmazonModel):
    issues: tuple[ReportIssue, ...] = ()
    summary: ReportSummary | None = None


def read_report(content: bytes, compression: str | None) -> ProcessingReport:
    """The report as downloaded: gunzipped if Amazon compressed it, then parsed."""
    try:
        raw = gzip.decompress(content) if compression == "GZIP" else content
        body = json.loads(raw)
    except (OSError, ValueError) as error:
        raise InvalidPayloadError(
            f"Amazon's feed processing report is unreadable: {error}"
        ) from None
    return parse(ProcessingReport, body, "feed processing report")


@dataclass(frozen=True)
class FeedResult:
    feed_id: str
    status: str  # DONE, FATAL or CANCELLED
    report: ProcessingReport | None  # None: Amazon gave no result document


class FeedSubmitter:
    """Sends a listings feed (`submit`), and reads what became of it (`result`) as long
    after as the caller likes: the stock flow asks again every `poll_every` seconds, from
    a job of its own, for at most `timeout` seconds (docs/flows/stock-to-channels.md)."""

    def __init__(
        self,
        client: AmazonClient,
        *,
        marketplace_ids: Sequence[str],
        poll_every: float,
        timeout: float,
    ) -> None:
        self.client = client
        self.marketplace_ids = list(marketplace_ids)
        self.poll_every = poll_every
        self.timeout = timeout

    def submit(self, feed: dict[str, Any]) -> str:
        """Steps 1 to 3: the feed's id, once Amazon has queued it for processing."""
        upload = parse(
            FeedDocumentUpload,
            self.client.send(
                "POST",
                "createFeedDocument",
                f"{FEEDS_PATH}/documents",
                body={"contentType": CONTENT_TYPE},
            ),
            "createFeedDocument answer",
        )
        self.client.upload(upload.url, json.dumps(feed).encode("utf-8"), CONTENT_TYPE)
        created = parse(
            CreatedFeed,
            self.client.send(
                "POST",
                "createFeed",
                f"{FEEDS_PATH}/feeds",
                body={
                    "feedType": FEED_TYPE,
                    "marketplaceIds": self.marketplace_ids,
                    "inputFeedDocumentId": upload.feedDocumentId,
                },
            ),
            "createFeed answer",
        )
        return created.feedId

    def result(self, feed_id: str) -> FeedResult | None:
        """Steps 4 and 5, once: None while Amazon is still processing the feed."""
        feed_state = parse(
            Feed, self.client.get("getFeed", f"{FEEDS_PATH}/feeds/{feed_id}"), "getFeed answer"
        )
        if feed_state.processingStatus not in FINISHED:
            return None
        if feed_state.resultFeedDocumentId is None:
            return FeedResult(feed_state.feedId, feed_state.processingStatus, None)
        document = parse(
            FeedDocument,
            self.client.get(
                "getFeedDocument", f"{FEEDS_PATH}/documents/{feed_state.resultFeedDocumentId}"
            ),
            "getFeedDocument answer",
        )
        content = self.client.download(document.url)
        report = read_report(content, document.compressionAlgorithm)
        return FeedResult(feed_state.feedId, feed_state.processingStatus, report)
