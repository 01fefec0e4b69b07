"""The hub's webhooks in a WooCommerce store: in place, switched on, and reported.

WooCommerce disables a webhook after 5 deliveries in a row that did not get a 2xx
(the hub was down, unreachable, or refused them) and never sends what it could not
deliver. So, at start and then on every health check, the connector reads each
webhook pointing at the hub's address:

- `active`: fine;
- `disabled`: switched back on (WooCommerce pings it first, which the hub answers),
  and reported, so the hub raises an alert: the changes of the time it was off were
  not delivered, and the reconciling poll of orders-to-erp fetches them;
- `paused`: a person paused it in WooCommerce; left alone, reported;
- missing: created (`subscribe`), with the hub's webhook secret, so that each
  delivery is signed with it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from causeway.connectors.ingress import usable_secret
from causeway.connectors.woocommerce.client import WooCommerceClient
from causeway.connectors.woocommerce.models import WooWebhook, parse
from causeway.connectors.woocommerce.webhooks import topic_resource
from causeway.errors import CausewayError, PermanentError

log = logging.getLogger(__name__)


@dataclass
class WebhookHealth:
    """What one look at the webhooks pointing at the hub found, and did."""

    active: dict[str, int] = field(default_factory=dict)  # topic -> webhook id
    reenabled: list[WooWebhook] = field(default_factory=list)  # found disabled, now on
    still_disabled: list[tuple[WooWebhook, str]] = field(default_factory=list)  # and why
    paused: list[WooWebhook] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # topics with no webhook at the address
    created: dict[str, int] = field(default_factory=dict)

    @property
    def disabled_topics(self) -> list[str]:
        """Topics WooCommerce had disabled: their deliveries of that time are lost."""
        return sorted({w.topic for w in self.reenabled} | {w.topic for w, _ in self.still_disabled})

    @property
    def delivering(self) -> dict[str, int]:
        """Topic -> the webhook now delivering it to the hub."""
        on = {w.topic: w.id for w in self.reenabled}
        return {**self.active, **on, **self.created}


def check_topics(topics: Sequence[str]) -> None:
    wrong = [t for t in topics if topic_resource(t) is None]
    if wrong:
        raise PermanentError(
            f"{', '.join(wrong)}: not WooCommerce webhook topics; WooCommerce names them "
            f"resource.event, e.g. order.created, order.updated, product.updated"
        )


def webhooks_at(client: WooCommerceClient, uri: str) -> list[WooWebhook]:
    """Every webhook of the store that delivers to `uri`, whatever its status."""
    return [
        webhook
        for webhook in (
            parse(WooWebhook, raw, "webhook")
            for raw in client.items("/webhooks", {"status": "all"})
        )
        if webhook.delivery_url.rstrip("/") == uri.rstrip("/")
    ]


def look_after(
    client: WooCommerceClient,
    uri: str,
    topics: Sequence[str],
    *,
    secret: str,
    system: str,
    create: bool,
) -> WebhookHealth:
    """Switch disabled webhooks of `topics` at `uri` back on and, with `create`, make the
    missing ones; report what was found."""
    check_topics(topics)
    health = WebhookHealth()
    existing = webhooks_at(client, uri)
    for topic in dict.fromkeys(t.strip().lower() for t in topics):
        mine = [w for w in existing if w.topic == topic]
        active = [w for w in mine if w.status == "active"]
        if active:
            health.active[topic] = active[0].id
        elif disabled := [w for w in mine if w.status == "disabled"]:
            _reenable(client, disabled[0], health, system)
        elif paused := [w for w in mine if w.status == "paused"]:
            health.paused.append(paused[0])
            log.warning(
                "%s: the %s webhook to the hub is paused in WooCommerce; its changes arrive "
                "only by the reconciling poll until someone sets it active",
                system,
                topic,
            )
        else:
            health.missing.append(topic)
            if create:
                health.created[topic] = _create(client, uri, topic, secret, system)
    return health


def _reenable(
    client: WooCommerceClient, webhook: WooWebhook, health: WebhookHealth, system: str
) -> None:
    log.warning(
        "%s disabled its %s webhook to the hub after failed deliveries (the changes of that "
        "time were not delivered; the reconciling poll fetches them): switching it back on",
        system,
        webhook.topic,
    )
    try:
        answer = parse(
            WooWebhook, client.put(f"/webhooks/{webhook.id}", {"status": "active"}), "webhook"
        )
    except CausewayError as exc:
        health.still_disabled.append((webhook, str(exc)))
        return
    if answer.status == "active":
        health.reenabled.append(answer)
    else:
        health.still_disabled.append((webhook, f"WooCommerce kept it {answer.status}"))


def _create(client: WooCommerceClient, uri: str, topic: str, secret: str, system: str) -> int:
    if not usable_secret(secret):
        # WooCommerce would sign with a secret of its own choosing: nothing would verify.
        raise PermanentError(
            f"{system}: no webhook_secret to create the {topic} webhook with; set "
            f"systems.{system}.webhook_secret"
        )
    body = {
        "name": f"Causeway {system}: {topic}",
        "topic": topic,
        "delivery_url": uri,
        "secret": secret,
        "status": "active",
    }
    return parse(WooWebhook, client.post("/webhooks", body), "webhook").id
