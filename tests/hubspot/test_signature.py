"""Webhook signatures and event parsing, as HubSpot's request-validation guide describes them."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from causeway.connectors.hubspot.webhooks import (
    canonical_uri,
    parse_events,
    sign_v1,
    sign_v3,
    verify_v3,
)
from causeway.errors import InvalidPayloadError

SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
DOC_BODY = (
    b'[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,'
    b'"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,'
    b'"changeSource":"CRM","changeFlag":"NEW","appId":54321}]'
)
URL = "https://hub.example.com/webhooks/crm"
NOW_MS = 1_764_000_000_000


def test_the_documented_v1_vector_gives_hubspots_hash() -> None:
    # From HubSpot's guide: client secret + request body, SHA-256, hex.
    assert (
        sign_v1(SECRET, DOC_BODY)
        == "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"
    )


def test_v3_is_base64_hmac_of_method_uri_body_and_timestamp() -> None:
    timestamp = str(NOW_MS)
    expected = base64.b64encode(
        hmac.new(
            SECRET.encode(), b"POST" + URL.encode() + DOC_BODY + timestamp.encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert sign_v3(SECRET, "POST", URL, DOC_BODY, timestamp) == expected
    assert verify_v3(SECRET, "POST", URL, DOC_BODY, expected, timestamp, now_ms=NOW_MS) is None


def test_a_changed_body_or_another_secret_is_refused() -> None:
    timestamp = str(NOW_MS)
    good = sign_v3(SECRET, "POST", URL, DOC_BODY, timestamp)
    tampered = DOC_BODY.replace(b'"objectId":123', b'"objectId":124')
    assert "does not match" in str(
        verify_v3(SECRET, "POST", URL, tampered, good, timestamp, now_ms=NOW_MS)
    )
    forged = sign_v3("not-the-secret", "POST", URL, DOC_BODY, timestamp)
    assert verify_v3(SECRET, "POST", URL, DOC_BODY, forged, timestamp, now_ms=NOW_MS)


def test_a_delivery_older_than_five_minutes_is_refused_even_when_signed() -> None:
    old = str(NOW_MS - 5 * 60 * 1000 - 1)
    signature = sign_v3(SECRET, "POST", URL, DOC_BODY, old)
    problem = verify_v3(SECRET, "POST", URL, DOC_BODY, signature, old, now_ms=NOW_MS)
    assert problem is not None and "over 5 minutes" in problem
    recent = str(NOW_MS - 4 * 60 * 1000)
    signature = sign_v3(SECRET, "POST", URL, DOC_BODY, recent)
    assert verify_v3(SECRET, "POST", URL, DOC_BODY, signature, recent, now_ms=NOW_MS) is None


def test_a_delivery_dated_in_the_future_is_refused_beyond_a_minute_of_clock_skew() -> None:
    # Signed by a captured secret-holder for tomorrow, it would replay all day long.
    tomorrow = str(NOW_MS + 24 * 3600 * 1000)
    signature = sign_v3(SECRET, "POST", URL, DOC_BODY, tomorrow)
    problem = verify_v3(SECRET, "POST", URL, DOC_BODY, signature, tomorrow, now_ms=NOW_MS)
    assert problem is not None and "86400 s in the future" in problem
    just_over = str(NOW_MS + 61 * 1000)
    signature = sign_v3(SECRET, "POST", URL, DOC_BODY, just_over)
    problem = verify_v3(SECRET, "POST", URL, DOC_BODY, signature, just_over, now_ms=NOW_MS)
    assert problem is not None and "in the future" in problem
    # A sender whose clock runs a little ahead is still heard.
    slightly_ahead = str(NOW_MS + 30 * 1000)
    signature = sign_v3(SECRET, "POST", URL, DOC_BODY, slightly_ahead)
    assert (
        verify_v3(SECRET, "POST", URL, DOC_BODY, signature, slightly_ahead, now_ms=NOW_MS) is None
    )


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_secret_verifies_nothing_not_even_a_delivery_signed_with_it(
    empty: str,
) -> None:
    # `${HUBSPOT_CLIENT_SECRET:-}` with the variable unset: a forger signs with "" too.
    timestamp = str(NOW_MS)
    forged = sign_v3(empty, "POST", URL, DOC_BODY, timestamp)
    problem = verify_v3(empty, "POST", URL, DOC_BODY, forged, timestamp, now_ms=NOW_MS)
    assert problem is not None and "no client secret" in problem


def test_a_timestamp_that_is_not_plain_digits_is_refused() -> None:
    for odd in ("1_764_000_000_000", "+1764000000000", " 1764000000000", "１７６４"):
        signature = sign_v3(SECRET, "POST", URL, DOC_BODY, odd)
        problem = verify_v3(SECRET, "POST", URL, DOC_BODY, signature, odd, now_ms=NOW_MS)
        assert problem is not None and "is not milliseconds" in problem


def test_missing_headers_are_named() -> None:
    problem = verify_v3(SECRET, "POST", URL, DOC_BODY, None, str(NOW_MS), now_ms=NOW_MS)
    assert problem is not None and "X-HubSpot-Signature-v3" in problem


def test_the_uri_is_signed_with_hubspots_encoded_characters_decoded() -> None:
    assert (
        canonical_uri("https://h.example/hook?x=a%3Ab%2Cc%40d")
        == "https://h.example/hook?x=a:b,c@d"
    )
    assert canonical_uri("https://h.example/a%20b") == "https://h.example/a%20b"


def test_events_parse_with_their_topic_and_entity() -> None:
    body = (
        b'[{"eventId":7,"subscriptionId":1,"portalId":62515,"occurredAt":1,'
        b'"subscriptionType":"deal.propertyChange","attemptNumber":0,"objectId":991,'
        b'"propertyName":"dealstage","propertyValue":"closedwon","changeSource":"CRM"}]'
    )
    [(raw, event)] = parse_events(body)
    assert raw["eventId"] == 7
    assert event.topic == "deal.propertyChange.dealstage"
    assert event.entity_key == "deal:991"
    assert event.property_value == "closedwon"


def test_a_body_that_is_not_an_event_array_names_the_problem() -> None:
    with pytest.raises(InvalidPayloadError, match="JSON array"):
        parse_events(b'{"eventId":1}')
    with pytest.raises(InvalidPayloadError, match="#0: objectId"):
        parse_events(b'[{"eventId":1,"occurredAt":1,"subscriptionType":"contact.creation"}]')
