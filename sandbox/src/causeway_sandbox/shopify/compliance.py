"""Shopify's privacy (compliance) webhooks, as the sandbox's control API sends them.

Shopify delivers customers/data_request, customers/redact and shop/redact to the
URLs declared in the app's configuration (`compliance_topics` in shopify.app.toml,
or the Partner Dashboard); they cannot be subscribed through the Admin API (they are
not WebhookSubscriptionTopic values). Here the test plays both the app developer
(declaring the URL) and the merchant or customer asking (sending a request). The
deliveries are signed, retried and logged like every other webhook.

  PUT  /_sandbox/compliance_webhooks           {uri} the app configuration's URL
  GET  /_sandbox/compliance_webhooks
  POST /_sandbox/customers/{id}/data_request   -> customers/data_request, 202 {event_id}
  POST /_sandbox/customers/{id}/redact         -> customers/redact
  POST /_sandbox/shop/redact                   -> shop/redact (48 h after an uninstall)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from causeway_sandbox.shopify.app import Sandbox

router = APIRouter(prefix="/_sandbox", tags=["sandbox control (not part of Shopify)"])
TOPICS = ("customers/data_request", "customers/redact", "shop/redact")


class ComplianceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uri: str


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox  # type: ignore[no-any-return]


@router.put("/compliance_webhooks")
def declare(body: ComplianceIn, request: Request) -> dict[str, Any]:
    store = _sandbox(request).store
    with store.lock:
        store.compliance_uri = body.uri
    return {"uri": body.uri, "topics": list(TOPICS)}


@router.get("/compliance_webhooks")
def declared(request: Request) -> dict[str, Any]:
    return {"uri": _sandbox(request).store.compliance_uri, "topics": list(TOPICS)}


def _shop(sandbox: Sandbox) -> dict[str, Any]:
    return {"shop_id": sandbox.settings.shop_id, "shop_domain": sandbox.settings.shop_domain}


def _customer(sandbox: Sandbox, customer_id: int) -> tuple[dict[str, Any], list[int]]:
    """The customer as privacy webhooks name them, and the ids of their orders."""
    store = sandbox.store
    with store.lock:
        customer = store.customers.get(customer_id)
        if customer is None:
            raise HTTPException(404, f"no customer {customer_id}")
        orders = sorted(
            order["id"]
            for order in store.orders.values()
            if (order.get("customer") or {}).get("id") == customer_id
        )
        return {"id": customer_id, "email": customer["email"], "phone": customer["phone"]}, orders


def _send(sandbox: Sandbox, topic: str, payload: dict[str, Any]) -> dict[str, Any]:
    event_id = sandbox.dispatcher.publish_compliance(topic, payload)
    if event_id is None:
        raise HTTPException(
            409, "no compliance webhook URL declared: PUT /_sandbox/compliance_webhooks first"
        )
    return {"topic": topic, "event_id": event_id, "payload": payload}


@router.post("/customers/{customer_id}/data_request", status_code=202)
def data_request(customer_id: int, request: Request) -> dict[str, Any]:
    sandbox = _sandbox(request)
    customer, orders = _customer(sandbox, customer_id)
    payload = {
        **_shop(sandbox),
        "orders_requested": orders,
        "customer": customer,
        "data_request": {"id": sandbox.store.next_id("DataRequest")},
    }
    return _send(sandbox, "customers/data_request", payload)


@router.post("/customers/{customer_id}/redact", status_code=202)
def redact_customer(customer_id: int, request: Request) -> dict[str, Any]:
    sandbox = _sandbox(request)
    customer, orders = _customer(sandbox, customer_id)
    payload = {**_shop(sandbox), "customer": customer, "orders_to_redact": orders}
    return _send(sandbox, "customers/redact", payload)


@router.post("/shop/redact", status_code=202)
def redact_shop(request: Request) -> dict[str, Any]:
    sandbox = _sandbox(request)
    return _send(sandbox, "shop/redact", _shop(sandbox))
