"""The one error shape every route answers with, and the refusals the spec declares."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorAnswer(BaseModel):
    error: str


# Every refusal the hub answers on purpose, as the OpenAPI spec declares it.
REFUSALS = {
    400: "a signed delivery the hub cannot key or store (the reason says which part)",
    401: "signature missing, forged, or (HubSpot) older than five minutes; nothing stored",
    403: "a HubSpot event for another account than the configured portal_id",
    404: "no such system, order or flow",
    409: "the flow is paused: nothing of it runs until it is resumed",
    413: "the body is larger than server.max_body_bytes",
    503: "not stored (the hub is starting or its store failed); the sender retries",
}


def refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorAnswer, "description": REFUSALS[code]} for code in codes}
