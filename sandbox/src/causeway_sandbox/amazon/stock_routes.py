"""The sandbox's stock operations, as Amazon serves them: Feeds API v2021-06-30
(createFeedDocument, createFeed, getFeed, getFeedDocument, and the document URL itself)
and Listings Items API v2021-08-01 (searchListingsItems, getListingsItem,
patchListingsItem). Each goes through the app's edge (faults, token, its own bucket) and
log, like the orders operations."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from causeway_sandbox.amazon.faults import error_body
from causeway_sandbox.amazon.feeds import FeedStore
from causeway_sandbox.amazon.listings import ListingsStore, valid_included

FEEDS = "/feeds/2021-06-30"
LISTINGS = "/listings/2021-08-01/items"
DOCUMENTS = "/feed-documents"  # the sandbox's stand-in for Amazon's presigned S3 URLs

Edge = Callable[[Request, str], Awaitable[Response | None]]
Log = Callable[[Request, str, Response], Response]


def _error(status: int, code: str, message: str, details: str = "") -> Response:
    return Response(error_body(code, message, details), status, media_type="application/json")


def _csv(request: Request, name: str) -> list[str]:
    return [v for raw in request.query_params.getlist(name) for v in raw.split(",") if v]


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


def stock_router(
    feeds: FeedStore, listings: ListingsStore, seller_id: str, edge: Edge, log: Log
) -> APIRouter:
    router = APIRouter()

    async def guarded(
        request: Request, operation: str, answer: Callable[[], Awaitable[Response]]
    ) -> Response:
        stopped = await edge(request, operation)
        return log(request, operation, stopped or await answer())

    # -- feeds ---------------------------------------------------------------------
    @router.post(FEEDS + "/documents")
    async def create_feed_document(request: Request) -> Response:
        async def answer() -> Response:
            body = await _json(request)
            content_type = body.get("contentType") if isinstance(body, dict) else None
            if not isinstance(content_type, str) or not content_type:
                return _error(400, "InvalidInput", "Invalid input", "contentType is required")
            document_id = feeds.new_document(content_type)
            url = f"{str(request.base_url).rstrip('/')}{DOCUMENTS}/{document_id}"
            return JSONResponse({"feedDocumentId": document_id, "url": url}, 201)

        return await guarded(request, "createFeedDocument", answer)

    @router.put(DOCUMENTS + "/{document_id}")
    async def upload(request: Request, document_id: str) -> Response:
        if not feeds.upload(document_id, await request.body()):
            return Response("<Error><Code>AccessDenied</Code></Error>", 403)
        return Response(status_code=200)

    @router.get(DOCUMENTS + "/{document_id}")
    def download(document_id: str) -> Response:
        document = feeds.documents.get(document_id)
        if document is None or document.content is None:
            return Response("<Error><Code>NoSuchKey</Code></Error>", 404)
        return Response(document.content, media_type=document.content_type)

    @router.post(FEEDS + "/feeds")
    async def create_feed(request: Request) -> Response:
        async def answer() -> Response:
            body = await _json(request)
            if not isinstance(body, dict):
                return _error(400, "InvalidInput", "Invalid input", "a JSON body is required")
            marketplaces = body.get("marketplaceIds")
            if body.get("feedType") != "JSON_LISTINGS_FEED":
                return _error(
                    400, "InvalidInput", "Invalid input", "the sandbox takes JSON_LISTINGS_FEED"
                )
            if not isinstance(marketplaces, list) or not 1 <= len(marketplaces) <= 25:
                return _error(400, "InvalidInput", "Invalid input", "marketplaceIds")
            feed_id = feeds.create_feed(
                body["feedType"], marketplaces, str(body.get("inputFeedDocumentId"))
            )
            if feed_id is None:
                return _error(
                    400, "InvalidInput", "Invalid input", "inputFeedDocumentId: not uploaded"
                )
            return JSONResponse({"feedId": feed_id}, 202)

        return await guarded(request, "createFeed", answer)

    @router.get(FEEDS + "/feeds/{feed_id}")
    async def get_feed(request: Request, feed_id: str) -> Response:
        async def answer() -> Response:
            feed = feeds.feed(feed_id)
            if feed is None:
                return _error(404, "NotFound", "The requested resource was not found.", feed_id)
            return JSONResponse(feed)

        return await guarded(request, "getFeed", answer)

    @router.get(FEEDS + "/documents/{document_id}")
    async def get_feed_document(request: Request, document_id: str) -> Response:
        async def answer() -> Response:
            document = feeds.documents.get(document_id)
            if document is None or document.compression is None:  # only results are read
                return _error(404, "NotFound", "The requested resource was not found.")
            url = f"{str(request.base_url).rstrip('/')}{DOCUMENTS}/{document_id}"
            return JSONResponse(
                {
                    "feedDocumentId": document_id,
                    "url": url,
                    "compressionAlgorithm": document.compression,
                }
            )

        return await guarded(request, "getFeedDocument", answer)

    # -- listings ------------------------------------------------------------------
    def seller_and_marketplaces(request: Request, seller: str) -> Response | None:
        if seller != seller_id:
            return _error(403, "Unauthorized", "Access to requested resource is denied.")
        if not _csv(request, "marketplaceIds"):
            return _error(400, "InvalidInput", "Invalid input", "marketplaceIds is required")
        if not valid_included(_csv(request, "includedData")):
            return _error(400, "InvalidInput", "Invalid input", "includedData")
        return None

    @router.get(LISTINGS + "/{seller}")
    async def search_listings(request: Request, seller: str) -> Response:
        async def answer() -> Response:
            refused = seller_and_marketplaces(request, seller)
            if refused is not None:
                return refused
            identifiers = _csv(request, "identifiers")
            kind = request.query_params.get("identifiersType")
            if kind != "SKU" or not 1 <= len(identifiers) <= 20:
                return _error(
                    400,
                    "InvalidInput",
                    "Invalid input",
                    "the sandbox searches by identifiersType=SKU with 1 to 20 identifiers",
                )
            try:
                size = int(request.query_params.get("pageSize", "10"))
            except ValueError:
                size = 0
            if not 1 <= size <= 20:
                return _error(400, "InvalidInput", "Invalid input", "pageSize")
            feeds.settle()
            found = listings.search(identifiers, _csv(request, "includedData"))
            start = _page_start(request.query_params.get("pageToken"))
            if start is None:
                return _error(400, "InvalidInput", "Invalid input", "pageToken")
            body: dict[str, Any] = {
                "numberOfResults": len(found),
                "items": found[start : start + size],
            }
            if start + size < len(found):
                body["pagination"] = {"nextToken": f"page-{start + size}"}
            return JSONResponse(body)

        return await guarded(request, "searchListingsItems", answer)

    @router.get(LISTINGS + "/{seller}/{sku:path}")
    async def get_listing(request: Request, seller: str, sku: str) -> Response:
        async def answer() -> Response:
            refused = seller_and_marketplaces(request, seller)
            if refused is not None:
                return refused
            feeds.settle()
            item = listings.get(sku, _csv(request, "includedData"))
            if item is None:
                return _error(404, "NOT_FOUND", f"SKU '{sku}' not found in marketplace")
            return JSONResponse(item)

        return await guarded(request, "getListingsItem", answer)

    @router.patch(LISTINGS + "/{seller}/{sku:path}")
    async def patch_listing(request: Request, seller: str, sku: str) -> Response:
        async def answer() -> Response:
            if seller != seller_id:
                return _error(403, "Unauthorized", "Access to requested resource is denied.")
            if not _csv(request, "marketplaceIds"):
                return _error(400, "InvalidInput", "Invalid input", "marketplaceIds is required")
            body = await _json(request)
            if not isinstance(body, dict) or not isinstance(body.get("patches"), list):
                return _error(400, "BAD_REQUEST", "Invalid input", "productType and patches")
            feeds.settle()  # a feed sent earlier is applied before this patch
            issues = listings.patch(sku, body.get("productType"), body["patches"])
            return JSONResponse(
                {
                    "sku": sku,
                    "status": "INVALID" if issues else "ACCEPTED",
                    "submissionId": secrets.token_hex(16),
                    "issues": issues,
                }
            )

        return await guarded(request, "patchListingsItem", answer)

    return router


def _page_start(token: str | None) -> int | None:
    if token is None:
        return 0
    try:
        return int(token.removeprefix("page-"))
    except ValueError:
        return None
