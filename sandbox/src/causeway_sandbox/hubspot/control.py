"""The sandbox's own control API under /_sandbox/ (NOT part of HubSpot).

Tests and the demo use it to set the scene (a deal with line items and a
contact, won or not), to look at what the hub wrote, to inject faults and to
wait for webhook deliveries. It needs no token and is never rate limited.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from causeway_sandbox.hubspot.store import CrmError

router = APIRouter(prefix="/_sandbox")


class LineItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hs_sku: str
    name: str
    price: str
    quantity: str = "1"


class DealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dealname: str
    dealstage: str = "appointmentscheduled"
    pipeline: str = "default"
    amount: str | None = None
    contact_id: str | None = None
    contact: dict[str, str] | None = Field(
        default=None, description="properties of a contact to create (or find by email)"
    )
    line_items: list[LineItemIn] = Field(default_factory=list)
    properties: dict[str, str] = Field(
        default_factory=dict,
        description="more deal properties: closedate, deal_currency_code, ...",
    )


class WebhookConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target_url: str
    subscriptions: list[dict[str, str]]


def _sandbox(request: Request) -> Any:
    return request.app.state.hubspot


@router.post("/reset")
def reset(request: Request) -> dict[str, str]:
    _sandbox(request).reset()
    return {"status": "reset"}


@router.post("/deals")
def create_deal(deal: DealIn, request: Request) -> dict[str, Any]:
    store = _sandbox(request).store
    with store.lock:
        contact_id = deal.contact_id
        if deal.contact is not None:
            email = deal.contact.get("email", "")
            found = store.find_by("contacts", "email", email) if email else None
            contact_id = found.id if found else store.create("contacts", deal.contact).id
        properties = {"dealname": deal.dealname, "dealstage": deal.dealstage}
        properties |= {"pipeline": deal.pipeline, **deal.properties}
        if deal.amount is not None:
            properties["amount"] = deal.amount
        record = store.create("deals", properties)
        if contact_id:
            store.associate("deals", record.id, "contacts", contact_id, 3)
        items = []
        for line in deal.line_items:
            item = store.create("line_items", line.model_dump())
            store.associate("deals", record.id, "line_items", item.id, 19)
            items.append(item.id)
    return {"id": record.id, "contact_id": contact_id, "line_item_ids": items}


@router.post("/deals/{deal_id}/stage")
def move_deal(deal_id: str, body: dict[str, str], request: Request) -> dict[str, Any]:
    """Move a deal (e.g. to closedwon): sends deal.propertyChange for dealstage."""
    record = _sandbox(request).store.update("deals", deal_id, {"dealstage": body["stage"]})
    return record.view(None)  # type: ignore[no-any-return]


@router.get("/objects/{object_type}")
def list_objects(object_type: str, request: Request) -> list[dict[str, Any]]:
    store = _sandbox(request).store
    with store.lock:
        if object_type not in store.objects:
            raise CrmError(404, "OBJECT_NOT_FOUND", f"no object type {object_type}")
        return [r.view(None) for r in store.objects[object_type].values()]


@router.get("/objects/{object_type}/{object_id}")
def read_object(object_type: str, object_id: str, request: Request) -> dict[str, Any]:
    store = _sandbox(request).store
    with store.lock:
        view: dict[str, Any] = store.get(object_type, object_id).view(None)
        view["associations"] = {
            t: sorted(store.associated(object_type, object_id, t))
            for t in store.objects
            if t != object_type
        }
        return view


@router.get("/properties/{object_type}")
def properties(object_type: str, request: Request) -> dict[str, Any]:
    return dict(_sandbox(request).store.definitions[object_type])


@router.post("/webhooks")
def configure_webhooks(config: WebhookConfig, request: Request) -> dict[str, Any]:
    subs = _sandbox(request).dispatcher.configure(config.target_url, config.subscriptions)
    return {"subscriptions": [s.__dict__ for s in subs]}


@router.get("/webhooks/deliveries")
def deliveries(request: Request) -> list[dict[str, Any]]:
    return _sandbox(request).dispatcher.deliveries()  # type: ignore[no-any-return]


@router.post("/webhooks/wait")
def wait(request: Request, timeout: float = 10.0) -> dict[str, Any]:
    return _sandbox(request).dispatcher.wait_idle(timeout)  # type: ignore[no-any-return]


@router.get("/rate")
def rate(request: Request) -> dict[str, Any]:
    return {"rejected": _sandbox(request).limit.rejected}
