"""HubSpot webhook ingress: verify signature v3, then one inbox record per event.

A HubSpot delivery carries up to 100 events for different objects; each becomes
its own record, deduplicated by HubSpot's eventId (a retry resends the same ids
with a higher attemptNumber) and ordered by its object (`deal:<id>`).

The signature covers the URL HubSpot delivered to. That URL is the configured
`server.public_url` plus the path and query requested, never one rebuilt from the
Host header: the sender chooses that header, and a delivery signed for another
address (the attacker's) must not verify here.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from causeway.connectors.hubspot.webhooks import parse_events, verify_v3
from causeway.connectors.ingress import WebhookRejected, require_secret
from causeway.engine.inbox import InboxRecord
from causeway.errors import InvalidPayloadError

_KEPT = ("x-hubspot-request-timestamp",)


class HubSpotIngress:
    """`records(method, target, headers, body)` for POST /webhooks/<hubspot system>."""

    def __init__(self, system: str, client_secret: str, *, public_url: str, portal_id: int) -> None:
        self.system = system
        self._secret = require_secret(system, "client_secret", client_secret)
        if not public_url:
            raise ValueError(
                f"system {system!r}: server.public_url is needed to verify HubSpot signatures"
            )
        # Behind a proxy the hub sees its own address; HubSpot signed the public one.
        self._public_url = public_url.rstrip("/")
        self._portal_id = portal_id

    def signed_uri(self, target: str) -> str:
        """The URL HubSpot signed: public_url + the requested path and query."""
        return f"{self._public_url}/{target.lstrip('/')}"

    def records(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> list[InboxRecord]:
        lowered = {k.lower(): v for k, v in headers.items()}
        problem = verify_v3(
            self._secret,
            method,
            self.signed_uri(target),
            body,
            lowered.get("x-hubspot-signature-v3"),
            lowered.get("x-hubspot-request-timestamp"),
        )
        if problem:
            raise WebhookRejected(401, f"HubSpot webhook refused: {problem}")
        try:
            events = parse_events(body)
        except InvalidPayloadError as error:
            # Signed by HubSpot but not its contract: refuse loudly rather than store
            # something no job could read; HubSpot keeps it and retries.
            raise WebhookRejected(400, str(error)) from None
        kept = {k: lowered[k] for k in _KEPT if k in lowered}
        records = []
        for raw, event in events:
            if event.portal_id != self._portal_id:
                # One app (one client secret) may be installed in several accounts.
                account = f"HubSpot account {event.portal_id}"
                if event.portal_id is None:
                    account = "no HubSpot account"
                raise WebhookRejected(
                    403,
                    f"event {event.event_id} is for {account}; systems.{self.system}.portal_id "
                    f"is {self._portal_id}",
                )
            try:
                body_of_event = orjson.dumps(raw)
            except orjson.JSONEncodeError as error:  # e.g. a number beyond 64 bits
                raise WebhookRejected(400, f"HubSpot event {event.event_id}: {error}") from None
            records.append(
                InboxRecord(
                    source=self.system,
                    event_id=str(event.event_id),
                    topic=event.topic,
                    entity_key=event.entity_key,
                    body=body_of_event,
                    headers=kept,
                )
            )
        return records
