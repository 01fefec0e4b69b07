"""A HubSpot portal: reachable and the private app's token accepted."""

from __future__ import annotations

from causeway.checks.result import Check, failed, passed
from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.errors import PermanentError, RetryableError


def check_hubspot(name: str, crm: HubSpotConnector) -> list[Check]:
    url = crm.client.base_url
    try:
        # A cheap read every flow's token must allow (contacts' schema).
        crm.client.request("GET", "/crm/v3/properties/contacts")
    except RetryableError as exc:
        return [failed(name, f"reachable at {url}", f"{exc}; check systems.{name}.base_url")]
    except PermanentError as exc:
        return [
            passed(name, f"reachable at {url}"),
            failed(
                name,
                "access token accepted",
                f"{exc}; set systems.{name}.access_token to the private app's token",
            ),
        ]
    return [passed(name, f"reachable at {url}"), passed(name, "access token accepted")]
