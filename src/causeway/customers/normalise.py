"""Contact data in one canonical form, so that equal things compare equal.

Every function takes what a system sent (any case, spacing, punctuation) and returns
the form matching compares, or None when the value cannot be trusted to identify a
person: an invalid email or phone is kept raw on the record but never used to match.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w\s]")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# One spelling per street word, as postal services abbreviate them; the short form
# wins so that "12 Main Street" and "12 main st." give the same tokens.
STREET_WORDS = {
    "street": "st",
    "str": "st",
    "strasse": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "square": "sq",
    "terrace": "ter",
    "highway": "hwy",
    "parkway": "pkwy",
    "apartment": "apt",
    "suite": "ste",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}

# Country names people type instead of the ISO 3166 code; anything else of two
# letters is taken as a code.
COUNTRY_NAMES = {
    "usa": "US",
    "united states": "US",
    "united states of america": "US",
    "uk": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "england": "GB",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "canada": "CA",
    "netherlands": "NL",
    "spain": "ES",
    "italy": "IT",
    "belgium": "BE",
    "austria": "AT",
    "switzerland": "CH",
    "australia": "AU",
}


def fold(text: str) -> str:
    """Casefolded, accents removed, punctuation dropped, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Hyphens and dots separate words ("Jean-Luc", "St.Paul"); apostrophes do not ("O'Brien").
    plain = plain.replace("'", "").replace("’", "")
    plain = _NOT_WORD.sub(" ", plain).replace("_", " ")
    return _SPACES.sub(" ", plain).strip()


def email(
    raw: str | None, *, ignore_plus_tags: bool = False, ignore_dots: bool = False
) -> str | None:
    """Trimmed and lowercased. Dots and +tags are part of the address unless the
    merchant says otherwise: many providers deliver a.b@ and ab@ to different people."""
    if raw is None:
        return None
    value = raw.strip().lower()
    if not _EMAIL.match(value):
        return None
    local, domain = value.rsplit("@", 1)
    if ignore_plus_tags:
        local = local.split("+", 1)[0]
    if ignore_dots:
        local = local.replace(".", "")
    return f"{local}@{domain}" if local else None


def phone(raw: str | None, region: str) -> str | None:
    """E.164 ("+14155550100"), or None when it is not a valid number.

    region: where a number without a country prefix is dialled from (the address's
    country, else the configured default).
    """
    if raw is None or not raw.strip():
        return None
    try:
        parsed = phonenumbers.parse(raw, region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def name(raw: str | None) -> str:
    """ "  José  MÜLLER-Lüdenscheidt " -> "jose muller ludenscheidt"."""
    return fold(raw) if raw else ""


def street(raw: str | None) -> str:
    """ "12 Main Street, Apt. 4" -> "12 main st apt 4"."""
    if not raw:
        return ""
    words = []
    for word in fold(raw).split():
        if word.endswith("strasse") and word != "strasse":
            word = word[: -len("strasse")] + " st"
        words.append(STREET_WORDS.get(word, word))
    return " ".join(words)


def country(raw: str | None) -> str | None:
    """ISO 3166-1 alpha-2 ("us", "USA", "United States" -> "US"), None when unknown."""
    if not raw:
        return None
    folded = fold(raw)
    if folded in COUNTRY_NAMES:
        return COUNTRY_NAMES[folded]
    code = folded.upper()
    return code if len(code) == 2 and code.isalpha() else None


def postal_code(raw: str | None, country_code: str | None = None) -> str:
    """Uppercase without spaces or dashes ("sw1a 1aa" -> "SW1A1AA"); a US ZIP+4
    keeps its five-digit ZIP, the part every system has."""
    if not raw:
        return ""
    code = _NOT_ALNUM.sub("", fold(raw).upper())
    if country_code == "US" and len(code) == 9 and code.isdigit():
        return code[:5]
    return code
