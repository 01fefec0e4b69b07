"""Shopify Admin API versions: the one Causeway speaks, their form, and Shopify's support window.

Shopify releases a stable version every quarter, named after its month (YYYY-01, -04,
-07, -10), and serves each for about 12 months, so four are served at any time. A
request for a version past that window is not refused: Shopify answers it as the
oldest version it still serves. A hub pinned to an old version therefore keeps
working until the fall-forward reaches a version that removed something it sends
(2026-04 removed `compareQuantity`, which the stock writes used), and then its
writes are refused. Hence the warning at start and in `causeway check`, well before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# The version whose published schema every document in this package is checked against
# (tests/contract/test_shopify_admin_schema.py) and the sandbox serves by default.
API_VERSION = "2026-10"

RELEASE_MONTHS = (1, 4, 7, 10)
SUPPORT_MONTHS = 12
# A version served for less than this long from now gets a warning: time to move.
NOTICE_DAYS = 92
FORM = "YYYY-MM with MM one of 01, 04, 07 or 10 (Shopify's quarterly stable releases)"
_SHAPE = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True)
class ApiVersion:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> ApiVersion:
        """Read "2026-10" as ApiVersion(2026, 10); anything else is a ValueError naming the form."""
        shape = _SHAPE.fullmatch(text.strip()) if isinstance(text, str) else None
        if shape is None or int(shape[2]) not in RELEASE_MONTHS:
            raise ValueError(
                f"{text!r} is not a Shopify Admin API version: write {FORM}, e.g. {API_VERSION}"
            )
        return cls(int(shape[1]), int(shape[2]))

    @classmethod
    def released_by(cls, today: date) -> ApiVersion:
        """The newest stable version out on `today` (versions come out on the 1st)."""
        return cls(today.year, max(m for m in RELEASE_MONTHS if m <= today.month))

    def plus_months(self, months: int) -> ApiVersion:
        index = self.year * 12 + self.month - 1 + months
        return ApiVersion(index // 12, index % 12 + 1)

    @property
    def released(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def served_until(self) -> date:
        """The day Shopify stops serving it (the release SUPPORT_MONTHS later replaces it)."""
        return self.plus_months(SUPPORT_MONTHS).released

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def oldest_served(today: date) -> ApiVersion:
    """The oldest version Shopify still serves on `today`: what older ones are answered as."""
    return ApiVersion.released_by(today).plus_months(3 - SUPPORT_MONTHS)


def support_warning(version: str, today: date) -> str | None:
    """Why `version` needs attention on `today`, as a sentence with the fix; None when fine.

    Raises ValueError for a value that is not a version (ApiVersion.parse).
    """
    wanted = ApiVersion.parse(version)
    oldest, newest = oldest_served(today), ApiVersion.released_by(today)
    if wanted > newest:
        return (
            f"Admin API {wanted} is not released yet (the newest stable version on {today} "
            f"is {newest}): Shopify serves it as a release candidate at most. {_move(today)}"
        )
    if wanted < oldest:
        return (
            f"Admin API {wanted} is past Shopify's support window (about {SUPPORT_MONTHS} "
            f"months from release; the oldest version served on {today} is {oldest}): "
            f"Shopify answers every call as {oldest}, an API this hub was not checked "
            f"against, and refuses whatever that version no longer has. {_move(today)}"
        )
    if (wanted.served_until - today).days < NOTICE_DAYS:
        return (
            f"Shopify stops serving Admin API {wanted} on {wanted.served_until} and then "
            f"answers it as the oldest version it still serves. {_move(today)}"
        )
    return None


def _move(today: date) -> str:
    if ApiVersion.parse(API_VERSION) < oldest_served(today):
        return (
            f"This Causeway release speaks {API_VERSION}, itself no longer served: upgrade "
            f"Causeway, then set api_version to the version it names."
        )
    return (
        f"Set api_version to {API_VERSION}, the version this Causeway release is checked against."
    )
