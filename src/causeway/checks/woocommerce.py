"""A WooCommerce store: reachable, the REST key accepted, allowed to write when the
enabled flows write, and the webhooks the hub wants active at its public URL."""

from __future__ import annotations

from causeway.checks.result import Check, failed, no_public_url, passed
from causeway.connectors.woocommerce.connector import WooCommerceConnector
from causeway.connectors.woocommerce.webhook_health import webhooks_at
from causeway.errors import PermanentError, RetryableError

KEY_SCREEN = "WooCommerce > Settings > Advanced > REST API"
WEBHOOK_SCREEN = "WooCommerce > Settings > Advanced > Webhooks"


def check_woocommerce(
    name: str,
    store: WooCommerceConnector,
    writers: list[str],
    webhook_uri: str | None,
    topics: list[str],
) -> list[Check]:
    """writers: the enabled flows that write to the store; webhook_uri: None when
    server.public_url is unset."""
    url = store.client.site_url
    try:
        # The cheapest read there is; a key without read access is refused here.
        store.client.request("GET", "/products", params={"per_page": 1})
    except RetryableError as exc:
        return [
            failed(
                name,
                f"reachable at {url}",
                f"{exc}; check systems.{name}.url and that this machine reaches it",
            )
        ]
    except PermanentError as exc:
        return [
            passed(name, f"reachable at {url}"),
            failed(name, "REST API key accepted", str(exc)),
        ]
    found = [passed(name, f"reachable at {url}"), passed(name, "REST API key accepted")]
    if writers or topics:
        found.append(_may_write(name, store, writers or ["webhook subscriptions"]))
    found += _webhooks(name, store, webhook_uri, topics)
    return found


def _may_write(name: str, store: WooCommerceConnector, writers: list[str]) -> Check:
    what = f"REST API key may write (needed by {', '.join(writers)})"
    try:
        # An empty batch writes nothing, but WooCommerce refuses it to a read-only key.
        store.client.request("POST", "/products/batch", json={})
    except PermanentError as exc:
        return failed(
            name,
            what,
            f"{exc}; give the key Read/Write permissions in {KEY_SCREEN} (or make a new key and "
            f"set systems.{name}.consumer_key and consumer_secret)",
        )
    except RetryableError as exc:
        return failed(name, what, f"could not try: {exc}")
    return passed(name, what)


def _webhooks(
    name: str, store: WooCommerceConnector, uri: str | None, topics: list[str]
) -> list[Check]:
    if not topics:
        return []
    if uri is None:
        return [no_public_url(name, "webhooks", topics)]
    try:
        existing = webhooks_at(store.client, uri)
    except Exception as exc:  # the first checks passed: say what this call met
        return [failed(name, "webhooks", f"could not list them: {exc}")]
    status = {w.topic: w.status for w in sorted(existing, key=lambda w: w.status != "active")}
    problems = []
    for topic in topics:
        state = status.get(topic)
        if state is None:
            problems.append(f"{topic} has none (`causeway run` creates it on start)")
        elif state == "disabled":
            problems.append(
                f"{topic} was disabled by WooCommerce after 5 failed deliveries (`causeway run` "
                f"switches it back on; find why deliveries failed)"
            )
        elif state == "paused":
            problems.append(f"{topic} is paused: set it Active in {WEBHOOK_SCREEN}")
    if problems:
        return [failed(name, f"webhooks to {uri}", "; ".join(problems))]
    return [passed(name, f"webhooks to {uri} active ({', '.join(topics)})")]
