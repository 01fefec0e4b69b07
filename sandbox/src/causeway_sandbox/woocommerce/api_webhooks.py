"""/wp-json/wc/v3/webhooks: list, read, create (then the ping), update, delete.

Validation and error codes are WC_REST_Webhooks_Controller's: a topic outside
WooCommerce's list is `woocommerce_rest_shop_webhook_invalid_topic`, a delivery URL
that is not http(s) `..._invalid_delivery_url`, a status outside active, paused,
disabled `..._invalid_status`; a webhook cannot be trashed (`force=true` needed).
Without a secret WooCommerce generates one (50 random characters).
"""

from __future__ import annotations

import string
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request

from causeway_sandbox.woocommerce.errors import WooError
from causeway_sandbox.woocommerce.formats import WPJSONResponse
from causeway_sandbox.woocommerce.listing import page_response, parse_query, select
from causeway_sandbox.woocommerce.routing import JSONBody, collection_url, invalid_id, woo
from causeway_sandbox.woocommerce.store import Store, Webhook
from causeway_sandbox.woocommerce.validate import as_bool, check
from causeway_sandbox.woocommerce.webhook_topics import STATUSES, render_webhook, valid_topic

router = APIRouter(prefix="/wp-json/wc/v3")

SCHEMA = {
    "name": "string",
    "status": STATUSES,
    "topic": "string",
    "delivery_url": "string",
    "secret": "string",
}
_PASSWORD = string.ascii_letters + string.digits + "!@#$%^&*()-_ []{}<>~`+=,.;:/?|"


def _bad(what: str, message: str) -> WooError:
    return WooError(400, f"woocommerce_rest_shop_webhook_{what}", message)


def _valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _find(
    store: Store, webhook_id: int, status: int = 404, message: str = "Invalid ID."
) -> Webhook:
    hook = store.webhooks.get(webhook_id)
    if hook is None:
        raise invalid_id("shop_webhook", status, message)
    return hook


@router.get("/webhooks")
def list_webhooks(request: Request) -> WPJSONResponse:
    sandbox = woo(request)
    query = parse_query(
        request.query_params,
        sandbox.clock,
        per_page_max=sandbox.settings.per_page_max,
        orderby=("date", "id", "include", "title", "slug", "modified"),
        enums={"status": ("all", *STATUSES)},
    )
    statuses = set(query.values("status")) - {"all"}
    store = sandbox.store
    with store.lock:
        chosen = select(
            [h for h in store.webhooks.values() if not statuses or h.status in statuses],
            query,
            created=lambda h: h.date_created,
            modified=lambda h: h.date_modified,
            ident=lambda h: h.id,
            sort_keys={"id": lambda h: h.id, "title": lambda h: h.name},
            text=lambda h: h.name,
        )
        return page_response(
            lambda h: render_webhook(h, store), chosen, query, collection_url(request, "webhooks")
        )


@router.get("/webhooks/{webhook_id:int}")
def read_webhook(webhook_id: int, request: Request) -> WPJSONResponse:
    store = woo(request).store
    with store.lock:
        return WPJSONResponse(render_webhook(_find(store, webhook_id), store))


@router.post("/webhooks")
def post_webhook(request: Request, body: JSONBody = None) -> WPJSONResponse:
    return _create(request, check(body, SCHEMA))


def _create(request: Request, body: dict[str, Any]) -> WPJSONResponse:
    sandbox = woo(request)
    store = sandbox.store
    if body.get("id"):
        raise _bad("exists", "Cannot create existing shop_webhook.")
    topic = str(body.get("topic", "")).strip().lower()
    if not topic or not valid_topic(topic):
        raise _bad("invalid_topic", "Webhook topic is required and must be valid.")
    url = str(body.get("delivery_url", "")).strip()
    if not _valid_url(url):
        raise _bad(
            "invalid_delivery_url",
            "Webhook delivery URL must be a valid URL starting with http:// or https://.",
        )
    with store.lock:
        now = store.clock.now()
        secret = body.get("secret") or "".join(store.rng.choice(_PASSWORD) for _ in range(50))
        stamp = f"{now.astimezone(store.clock.tz):%B %d, %Y @ %I:%M %p}"
        hook = Webhook(
            id=store.next_webhook_id(),
            name=body.get("name") or f"Webhook created on {stamp}",
            status=body.get("status", "active"),
            topic=topic,
            delivery_url=url,
            secret=secret,
            date_created=now,
            date_modified=now,
        )
        store.webhooks[hook.id] = hook
        rendered = render_webhook(hook, store)
    sandbox.dispatcher.ping(hook.id)
    location = collection_url(request, f"webhooks/{hook.id}")
    return WPJSONResponse(rendered, status_code=201, headers={"Location": location})


@router.api_route("/webhooks/{webhook_id:int}", methods=["PUT", "PATCH", "POST"])
def put_webhook(webhook_id: int, request: Request, body: JSONBody = None) -> WPJSONResponse:
    return _update(request, webhook_id, body)


def _update(request: Request, webhook_id: int, body: Any) -> WPJSONResponse:
    sandbox = woo(request)
    store = sandbox.store
    if isinstance(body, dict) and body.get("status") not in (None, "", *STATUSES):
        raise _bad("invalid_status", "Webhook status must be valid.")
    body = check(body, SCHEMA)
    with store.lock:
        hook = _find(store, webhook_id, 400, "ID is invalid.")
        topic = str(body.get("topic") or "").strip().lower()
        if topic:
            if not valid_topic(topic):
                raise _bad("invalid_topic", "Webhook topic must be valid.")
            hook.topic = topic
        url = str(body.get("delivery_url") or "").strip()
        if url and not _valid_url(url):
            raise _bad(
                "invalid_delivery_url",
                "Webhook delivery URL must be a valid URL starting with http:// or https://.",
            )
        url_changed = bool(url) and url != hook.delivery_url
        hook.delivery_url = url or hook.delivery_url
        hook.secret = body.get("secret") or hook.secret
        hook.status = body.get("status") or hook.status
        hook.name = body.get("name") or hook.name
        sandbox.dispatcher.saved(hook, url_changed=url_changed)
        return WPJSONResponse(render_webhook(hook, store))


@router.delete("/webhooks/{webhook_id:int}")
def delete_webhook(webhook_id: int, request: Request) -> WPJSONResponse:
    if not as_bool(request.query_params.get("force", "false")):
        raise WooError(
            501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing."
        )
    store = woo(request).store
    with store.lock:
        hook = _find(store, webhook_id)
        rendered = render_webhook(hook, store)
        del store.webhooks[webhook_id]
        return WPJSONResponse(rendered)
