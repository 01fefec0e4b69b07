"""A Shopify store: reachable, the token accepted, an Admin API version Shopify serves,
the access scopes the enabled flows need granted, and the webhook subscriptions the hub
wants in place at its public URL."""

from __future__ import annotations

from datetime import UTC, datetime

from causeway.checks.result import Check, failed, no_public_url, passed, warned
from causeway.connectors.shopify.api_versions import ApiVersion, support_warning
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
    found = [
        passed(name, f"reachable at {url}"),
        passed(name, f"access token accepted ({shop})"),
        _api_version(name, store),
    ]
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


def _api_version(name: str, store: ShopifyConnector) -> Check:
    """The configured version against Shopify's support window, and what Shopify answered as."""
    asked, served = store.client.api_version, store.client.served_version
    what = f"Admin API version {asked}"
    advice = support_warning(asked, datetime.now(UTC).date())
    if served and served != asked:
        advice = f"Shopify answered it as {served}. {advice or ''}".rstrip()
    if advice:
        return warned(name, what, f"{advice} (systems.{name}.api_version)")
    return passed(name, f"{what} (Shopify serves it until {ApiVersion.parse(asked).served_until})")


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
