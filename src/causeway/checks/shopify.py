"""A Shopify store: reachable, the token accepted, the access scopes the enabled flows
need granted, and the webhook subscriptions the hub wants in place at its public URL."""

from __future__ import annotations

from causeway.checks.result import Check, failed, no_public_url, passed
from causeway.connectors.shopify.connector import ShopifyConnector, webhook_topic_enum
from causeway.errors import PermanentError, RetryableError


def check_shopify(
    name: str,
    store: ShopifyConnector,
    scopes: dict[str, list[str]],
    webhook_uri: str | None,
    topics: list[str],
) -> list[Check]:
    """scopes: scope -> the flows that need it; webhook_uri: None when public_url is unset."""
    url = store.client.shop_url
    try:
        shop, granted = store.access_scopes()
    except RetryableError as exc:
        return [
            failed(
                name,
                f"reachable at {url}",
                f"{exc}; check systems.{name}.shop_url and that this machine reaches it",
            )
        ]
    except PermanentError as exc:
        return [
            passed(name, f"reachable at {url}"),
            failed(name, "access token accepted", str(exc)),
        ]
    found = [passed(name, f"reachable at {url}"), passed(name, f"access token accepted ({shop})")]
    missing = {scope: flows for scope, flows in sorted(scopes.items()) if scope not in granted}
    if missing:
        needed_by = sorted({flow for flows in missing.values() for flow in flows})
        found.append(
            failed(
                name,
                f"access scopes {', '.join(missing)}",
                f"the app lacks {', '.join(missing)} (needed by {', '.join(needed_by)}): grant "
                f"them in the app's Admin API access scopes, reinstall the app, and set "
                f"systems.{name}.access_token to the new token",
            )
        )
    elif scopes:
        found.append(passed(name, f"access scopes ({', '.join(sorted(scopes))})"))
    found += _webhooks(name, store, webhook_uri, topics)
    return found


def _webhooks(
    name: str, store: ShopifyConnector, uri: str | None, topics: list[str]
) -> list[Check]:
    if not topics:
        return []
    if uri is None:
        return [no_public_url(name, "webhook subscriptions", topics)]
    try:
        existing = store.webhook_subscriptions(uri)
    except Exception as exc:  # the first checks passed: say what this call met
        return [failed(name, "webhook subscriptions", f"could not list them: {exc}")]
    missing = [topic for topic in topics if webhook_topic_enum(topic) not in existing]
    if missing:
        return [
            failed(
                name,
                f"webhook subscriptions at {uri}",
                f"{', '.join(missing)} not subscribed: `causeway run` subscribes them on start "
                f"(check its log for why it could not)",
            )
        ]
    return [passed(name, f"webhook subscriptions at {uri} ({', '.join(topics)})")]
