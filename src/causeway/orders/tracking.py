"""A shipment's tracking page: the address the fulfilment itself carries (fulfillments-
to-channels gives the channel one from `tracking_urls`, and Shopify keeps a carrier's
own), else the carrier's public tracking page for the number, from the operator's
`tracking_urls` templates or the small table of well-known carriers below.

Each pattern is the carrier's public "track a parcel" page that takes the number in its
address; the number is URL-encoded into it. A carrier not listed (or written in a way
that matches none) has no link: the page shows the number alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

# Carrier name (compared case-insensitively, spaces and dashes ignored) -> its page.
WELL_KNOWN = {
    "ups": "https://www.ups.com/track?tracknum={number}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={number}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
    "dhl": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
    "dhlexpress": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
    "canadapost": "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={number}",
    "royalmail": "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
    "australiapost": "https://auspost.com.au/mypost/track/details/{number}",
    "laposte": "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
    "colissimo": "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
    "dpd": "https://tracking.dpd.de/status/en_US/parcel/{number}",
}


def _key(carrier: str) -> str:
    return "".join(ch for ch in carrier.casefold() if ch.isalnum())


def tracking_url(
    carrier: str | None,
    number: str | None,
    *,
    given: str | None = None,
    templates: Mapping[str, str] | None = None,
) -> str | None:
    """The tracking page of `number`: `given` (the fulfilment's own) when it is a web
    address, else the operator's template for the carrier, else a well-known carrier's
    page; None without a number or a known carrier."""
    if given and given.startswith(("https://", "http://")):
        return given
    if not number or not carrier:
        return None
    mine = {_key(name): template for name, template in (templates or {}).items()}
    template = mine.get(_key(carrier)) or WELL_KNOWN.get(_key(carrier))
    return template.replace("{number}", quote(number.strip(), safe="")) if template else None
