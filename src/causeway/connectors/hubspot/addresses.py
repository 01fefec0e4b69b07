"""Where a person sees a HubSpot record: its record page in the HubSpot app.

HubSpot shows every CRM record at
`https://app.hubspot.com/contacts/<portal id>/record/<object type id>/<record id>`,
whatever the object (the path says "contacts" for all of them): contacts are object
type 0-1, companies 0-2, deals 0-3, tickets 0-5. Accounts hosted in the EU data centre
are served from app-eu1.hubspot.com (their API from api-eu1.hubapi.com).
"""

from __future__ import annotations

from urllib.parse import urlsplit

APP_URL = "https://app.hubspot.com"
APP_URL_EU = "https://app-eu1.hubspot.com"
OBJECT_TYPES = {"contact": "0-1", "company": "0-2", "deal": "0-3", "ticket": "0-5"}


def app_url_for(api_url: str) -> str:
    """The app that serves the account the API at `api_url` belongs to."""
    return APP_URL_EU if urlsplit(api_url).hostname == "api-eu1.hubapi.com" else APP_URL


def record_url(
    app_url: str, portal_id: int | None, entity_type: str, external_id: str
) -> str | None:
    """The record page, or None (no portal id configured, a type with no record page,
    or an id that is not a record id)."""
    object_type = OBJECT_TYPES.get(entity_type)
    if portal_id is None or object_type is None or not external_id.isdigit():
        return None
    return f"{app_url.rstrip('/')}/contacts/{portal_id}/record/{object_type}/{external_id}"
