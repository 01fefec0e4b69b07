"""Stock's contract with Amazon: the feed the connector writes has the listings feed's
shape, the sandbox's feeds and listings answers validate against Amazon's OpenAPI models
(feeds_2021-06-30.json, listingsItems_2021-08-01.json), and its processing report has the
shape of Amazon's report example, which the connector reads."""

from __future__ import annotations

import gzip
import json
import time
from typing import Any

import httpx
import jsonschema

from causeway.connectors.amazon.feeds import QuantityLine, listings_feed, read_report
from causeway_sandbox.amazon import AmazonSandboxServer
from causeway_sandbox.amazon.settings import UsagePlanSetting
from tests.amazon.conftest import MARKETPLACE
from tests.amazon.test_sandbox_contract import token
from tests.vendor_samples import load_sample

FEEDS = "/feeds/2021-06-30"
SELLER = "A3SANDBOXSELLER"

# The parts of Amazon's listings feed schema (v2) a stock feed uses, written from the
# vendor's example (listings-feed-schema-v2.example.json): the example itself must pass.
_PATCH = {
    "type": "object",
    "required": ["op", "path", "value"],
    "properties": {
        "op": {"enum": ["add", "replace", "merge", "delete"]},
        "path": {"type": "string", "pattern": "^/attributes/"},
        "value": {"type": "array", "items": {"type": "object"}},
    },
}
FEED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["header", "messages"],
    "properties": {
        "header": {
            "type": "object",
            "required": ["sellerId", "version"],
            "properties": {
                "sellerId": {"type": "string", "minLength": 1},
                "version": {"enum": ["2.0"]},
                "issueLocale": {"type": "string", "pattern": "^[a-z]{2}_[A-Z]{2}$"},
            },
        },
        "messages": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["messageId", "sku", "operationType"],
                "properties": {
                    "messageId": {"type": "integer", "minimum": 1},
                    "sku": {"type": "string", "minLength": 1},
                    "operationType": {"enum": ["UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE"]},
                    "productType": {"type": "string"},
                    "patches": {"type": "array", "minItems": 1, "items": _PATCH},
                },
                "if": {"properties": {"operationType": {"const": "PATCH"}}},
                "then": {"required": ["productType", "patches"]},
            },
        },
    },
}
_AVAILABILITY = {
    "type": "object",
    "required": ["fulfillment_channel_code", "quantity"],
    "properties": {
        "fulfillment_channel_code": {"const": "DEFAULT"},
        "quantity": {"type": "integer", "minimum": 0},
    },
}
# Amazon's processing report (v2), from the vendor's example
# (listings-feed-processing-report-schema-v2.example.json): the example itself must pass.
REPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["header", "issues", "summary"],
    "properties": {
        "header": {
            "type": "object",
            "required": ["sellerId", "version", "feedId"],
            "properties": {
                "sellerId": {"type": "string"},
                "version": {"const": "2.0"},
                "feedId": {"type": "string"},
            },
        },
        "issues": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "severity", "message"],
                "additionalProperties": False,
                "properties": {
                    "messageId": {"type": "integer"},
                    "sku": {"type": "string"},
                    "code": {"type": "string"},
                    "severity": {"enum": ["ERROR", "WARNING", "INFO"]},
                    "message": {"type": "string"},
                    "attributeName": {"type": "string"},
                },
            },
        },
        "summary": {
            "type": "object",
            "required": [
                "errors",
                "warnings",
                "messagesProcessed",
                "messagesAccepted",
                "messagesInvalid",
            ],
            "properties": {
                k: {"type": "integer", "minimum": 0}
                for k in (
                    "errors",
                    "warnings",
                    "messagesProcessed",
                    "messagesAccepted",
                    "messagesInvalid",
                )
            },
        },
    },
}


def model(name: str) -> dict[str, Any]:
    return load_sample("amazon", name)  # type: ignore[no-any-return]


def validate(body: Any, definition: str, sample: str) -> None:
    schema = {"$ref": f"#/definitions/{definition}", "definitions": model(sample)["definitions"]}
    jsonschema.Draft4Validator(schema).validate(body)


def feeds_valid(body: Any, definition: str) -> None:
    validate(body, definition, "feeds_2021-06-30.json")


def listings_valid(body: Any, definition: str) -> None:
    validate(body, definition, "listingsItems_2021-08-01.json")


_tokens: dict[str, str] = {}


def call(
    amazon: AmazonSandboxServer, method: str, path: str, operation_ok: int = 200, **kw: Any
) -> Any:
    """The API's answer to a request with an access token (one per sandbox reset)."""
    access = _tokens.get(amazon.url)
    if access is None or amazon.sandbox.token_state(access) != "valid":
        access = _tokens[amazon.url] = token(amazon)
    answer = httpx.request(
        method, amazon.endpoint + path, headers={"x-amz-access-token": access}, **kw
    )
    assert answer.status_code == operation_ok, answer.text
    assert float(answer.headers["x-amzn-RateLimit-Limit"]) > 0
    return answer.json()


# -- the feed the connector writes ------------------------------------------------------
def test_the_schemas_written_here_accept_amazons_own_examples() -> None:
    jsonschema.Draft7Validator(FEED_SCHEMA).validate(model("listings-feed-schema-v2.example.json"))
    report = model("listings-feed-processing-report-schema-v2.example.json")
    jsonschema.Draft7Validator(REPORT_SCHEMA).validate(report)


def test_the_stock_feed_is_a_listings_feed_of_fulfillment_availability_patches() -> None:
    feed = listings_feed(
        SELLER, [QuantityLine("A-1", "LUGGAGE", 4), QuantityLine("B/2", "SHOES", 0)]
    )
    jsonschema.Draft7Validator(FEED_SCHEMA).validate(feed)
    assert feed["header"] == {"sellerId": SELLER, "version": "2.0", "issueLocale": "en_US"}
    assert [m["messageId"] for m in feed["messages"]] == [1, 2]
    for message, quantity in zip(feed["messages"], (4, 0), strict=True):
        (patch,) = message["patches"]
        assert patch["path"] == "/attributes/fulfillment_availability"
        (value,) = patch["value"]
        jsonschema.Draft7Validator(_AVAILABILITY).validate(value)
        assert value["quantity"] == quantity


def test_amazons_report_example_is_read_plain_or_gzipped() -> None:
    raw = json.dumps(model("listings-feed-processing-report-schema-v2.example.json")).encode()
    for report in (read_report(raw, None), read_report(gzip.compress(raw), "GZIP")):
        errors = [(i.sku, i.code) for i in report.issues if i.severity == "ERROR"]
        assert errors == [("My-SKU-B", "90220"), ("My-SKU-B", "90220"), ("My-SKU-C", "99022")]
        assert report.summary is not None and report.summary.messagesInvalid == 2


# -- the sandbox's answers --------------------------------------------------------------
def test_a_feeds_whole_journey_validates_against_the_feeds_model(
    amazon: AmazonSandboxServer,
) -> None:
    amazon.control("POST", "listings", json={"sku": "A-1", "productType": "LUGGAGE", "quantity": 2})
    amazon.control("POST", "feeds/processing", json={"seconds": 0.6})
    document = call(
        amazon,
        "POST",
        f"{FEEDS}/documents",
        201,
        json={"contentType": "application/json; charset=UTF-8"},
    )
    feeds_valid(document, "CreateFeedDocumentResponse")
    feed = listings_feed(
        SELLER, [QuantityLine("A-1", "LUGGAGE", 9), QuantityLine("GONE", "LUGGAGE", 1)]
    )
    put = httpx.put(document["url"], content=json.dumps(feed).encode())
    assert put.status_code == 200
    spec = {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [MARKETPLACE],
        "inputFeedDocumentId": document["feedDocumentId"],
    }
    created = call(amazon, "POST", f"{FEEDS}/feeds", 202, json=spec)
    feeds_valid(created, "CreateFeedResponse")
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 5
    while not seen or seen[-1]["processingStatus"] != "DONE":
        assert time.monotonic() < deadline
        state = call(amazon, "GET", f"{FEEDS}/feeds/{created['feedId']}")
        feeds_valid(state, "Feed")
        seen.append(state)
        time.sleep(0.05)
    statuses = list(dict.fromkeys(s["processingStatus"] for s in seen))
    assert statuses == ["IN_QUEUE", "IN_PROGRESS", "DONE"]
    result = call(amazon, "GET", f"{FEEDS}/documents/{seen[-1]['resultFeedDocumentId']}")
    feeds_valid(result, "FeedDocument")
    assert result["compressionAlgorithm"] == "GZIP"
    report = json.loads(gzip.decompress(httpx.get(result["url"]).content))
    jsonschema.Draft7Validator(REPORT_SCHEMA).validate(report)
    ((issue),) = report["issues"]
    assert (issue["messageId"], issue["sku"], issue["severity"]) == (2, "GONE", "ERROR")
    assert issue["code"].startswith("4000")
    assert report["summary"]["messagesAccepted"] == 1
    assert amazon.control("GET", "listings").json()["A-1"] == 9


def test_a_document_that_is_not_a_listings_feed_gets_amazons_feed_level_issue(
    amazon: AmazonSandboxServer,
) -> None:
    amazon.control("POST", "feeds/processing", json={"seconds": 0})
    document = call(amazon, "POST", f"{FEEDS}/documents", 201, json={"contentType": "text/plain"})
    httpx.put(document["url"], content=b"sku\tquantity\nA-1\t3\n").raise_for_status()
    spec = {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [MARKETPLACE],
        "inputFeedDocumentId": document["feedDocumentId"],
    }
    created = call(amazon, "POST", f"{FEEDS}/feeds", 202, json=spec)
    state = call(amazon, "GET", f"{FEEDS}/feeds/{created['feedId']}")
    (feed,) = amazon.control("GET", "feeds").json()
    assert state["processingStatus"] == "DONE"
    assert [i["code"] for i in feed["report"]["issues"]] == ["4002001"]
    assert feed["report"]["summary"]["messagesProcessed"] == 0


def test_a_feed_of_a_document_never_uploaded_is_refused(amazon: AmazonSandboxServer) -> None:
    document = call(
        amazon, "POST", f"{FEEDS}/documents", 201, json={"contentType": "application/json"}
    )
    answer = httpx.post(
        amazon.endpoint + f"{FEEDS}/feeds",
        headers={"x-amz-access-token": token(amazon)},
        json={
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": [MARKETPLACE],
            "inputFeedDocumentId": document["feedDocumentId"],
        },
    )
    assert answer.status_code == 400
    feeds_valid(answer.json(), "ErrorList")


def test_listings_answers_validate_against_the_listings_model(amazon: AmazonSandboxServer) -> None:
    amazon.control(
        "POST",
        "listings",
        json=[
            {"sku": "A-1", "productType": "LUGGAGE", "quantity": 3},
            {"sku": "FBA-1", "productType": "LUGGAGE", "fulfillmentChannelCode": "AMAZON_NA"},
        ],
    )
    listings = f"/listings/2021-08-01/items/{SELLER}"
    data = ",".join(
        (
            *("summaries", "attributes", "issues", "offers", "fulfillmentAvailability"),
            *("procurement", "relationships", "productTypes"),
        )
    )
    found = call(
        amazon,
        "GET",
        listings,
        params={
            "marketplaceIds": MARKETPLACE,
            "identifiers": "A-1,FBA-1,NONE",
            "identifiersType": "SKU",
            "includedData": data,
            "pageSize": 1,
        },
    )
    listings_valid(found, "ItemSearchResults")
    assert found["numberOfResults"] == 2 and len(found["items"]) == 1
    assert found["pagination"]["nextToken"]
    item = call(
        amazon,
        "GET",
        f"{listings}/A-1",
        params={"marketplaceIds": MARKETPLACE, "includedData": data},
    )
    listings_valid(item, "Item")
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 3}]
    fba = call(
        amazon,
        "GET",
        f"{listings}/FBA-1",
        params={"marketplaceIds": MARKETPLACE, "includedData": "fulfillmentAvailability"},
    )
    assert fba["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "AMAZON_NA"}]
    patch = {
        "productType": "LUGGAGE",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}],
            }
        ],
    }
    listings_valid(patch, "ListingsItemPatchRequest")
    accepted = call(
        amazon, "PATCH", f"{listings}/A-1", params={"marketplaceIds": MARKETPLACE}, json=patch
    )
    listings_valid(accepted, "ListingsItemSubmissionResponse")
    assert accepted["status"] == "ACCEPTED"
    missing = call(
        amazon, "PATCH", f"{listings}/NONE", params={"marketplaceIds": MARKETPLACE}, json=patch
    )
    listings_valid(missing, "ListingsItemSubmissionResponse")
    assert missing["status"] == "INVALID" and missing["issues"][0]["severity"] == "ERROR"
    gone = httpx.get(
        amazon.endpoint + f"{listings}/NONE",
        params={"marketplaceIds": MARKETPLACE},
        headers={"x-amz-access-token": token(amazon)},
    )
    assert gone.status_code == 404
    listings_valid(gone.json(), "ErrorList")


def test_each_stock_operation_has_its_own_bucket(amazon: AmazonSandboxServer) -> None:
    plans = dict(amazon.settings.usage_plans)
    plans["createFeedDocument"] = UsagePlanSetting(rate=0.001, burst=1)
    amazon.sandbox.buckets.reset(plans)  # the fixture's reset puts the defaults back
    spec = {"contentType": "application/json; charset=UTF-8"}
    call(amazon, "POST", f"{FEEDS}/documents", 201, json=spec)
    refused = httpx.post(
        amazon.endpoint + f"{FEEDS}/documents",
        headers={"x-amz-access-token": token(amazon)},
        json=spec,
    )
    assert refused.status_code == 429
    feeds_valid(refused.json(), "ErrorList")
    assert refused.json()["errors"][0]["code"] == "QuotaExceeded"
    unknown = httpx.get(
        amazon.endpoint + f"{FEEDS}/feeds/1", headers={"x-amz-access-token": token(amazon)}
    )
    assert unknown.status_code == 404  # getFeed's own bucket is untouched
