"""Is this the same person? Blocking keys to find the few candidates, then a decision.

A customer is never compared with every other one: each record has a handful of
blocking keys (exact email, exact phone, sorted name tokens + postal code, a phonetic
name key + postal code, house number + postal code) and only records sharing a key
are scored. The decision is, in order: same email; same phone; or a name + address
score at or above the configured threshold. Two people with the same name who share
no email, phone or address stay apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from causeway.config.customers import CustomerSettings
from causeway.customers import normalise
from causeway.customers.record import GoldenRecord

# How much the name weighs against the address in the fuzzy score.
NAME_WEIGHT = 0.6

_SOUNDEX = str.maketrans("bfpvcgjkqsxzdtlmnr", "111122222222334556")


@dataclass(frozen=True)
class Place:
    street: str
    postal_code: str
    country: str | None


@dataclass(frozen=True)
class Profile:
    """A customer in the normalised form matching compares."""

    emails: frozenset[str]
    phones: frozenset[str]
    name: str
    places: tuple[Place, ...] = field(default=())


@dataclass(frozen=True)
class Decision:
    matched: bool
    reason: str
    score: float = 0.0
    by: str = "none"  # email | phone | name+address | none


def _place(address: Mapping[str, Any]) -> Place:
    country = normalise.country(address.get("country_code"))
    return Place(
        normalise.street(" ".join(filter(None, [address.get("street"), address.get("street2")]))),
        normalise.postal_code(address.get("postal_code"), country),
        country,
    )


def profile(
    values: Mapping[str, Any],
    settings: CustomerSettings,
    addresses: Iterable[Mapping[str, Any]] = (),
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
) -> Profile:
    """The profile of a record's plain values (record.GoldenRecord.plain() or an
    observation), plus the other addresses, emails and phones it is known by."""
    all_addresses = [values["address"]] if values.get("address") else []
    all_addresses += [a for a in addresses if a not in all_addresses]
    places = tuple(dict.fromkeys(_place(a) for a in all_addresses))
    # A number without a prefix is read as dialled from the customer's own country.
    region = next((p.country for p in places if p.country), None) or settings.default_region
    full_name = " ".join(filter(None, [values.get("first_name"), values.get("last_name")]))
    return Profile(
        emails=frozenset(
            e
            for raw in [values.get("email"), *emails]
            if (
                e := normalise.email(
                    raw,
                    ignore_plus_tags=settings.email_ignore_plus_tags,
                    ignore_dots=settings.email_ignore_dots,
                )
            )
        ),
        phones=frozenset(
            n for raw in [values.get("phone"), *phones] if (n := normalise.phone(raw, region))
        ),
        name=normalise.name(full_name),
        places=places,
    )


def soundex(word: str) -> str:
    """American Soundex: names that sound alike (Smith, Smyth) share a code."""
    letters = [c for c in word if "a" <= c <= "z"]
    if not letters:
        return ""
    codes = "".join(c.translate(_SOUNDEX) if c not in "aeiouyhw" else "0" for c in letters)
    result, last = letters[0].upper(), codes[0]
    for c, code in zip(letters[1:], codes[1:], strict=True):
        if code != "0" and code != last:
            result += code
        if c not in "hw":
            last = code
    return (result + "000")[:4]


def blocking_keys(p: Profile) -> set[str]:
    """The keys under which this profile is filed; candidates share at least one."""
    keys: set[str] = set()
    keys.update(f"e:{e}" for e in p.emails)
    keys.update(f"p:{n}" for n in p.phones)
    tokens = sorted(p.name.split())
    if tokens:
        for place in p.places:
            if not place.postal_code:
                continue
            # Sorted tokens survive first/last swapped; the phonetic key survives typos.
            keys.add(f"n:{' '.join(tokens)}|{place.postal_code}")
            sounds = sorted(soundex(t) for t in tokens if len(t) > 1)
            if sounds:
                keys.add(f"s:{' '.join(sounds)}|{place.postal_code}")
    for place in p.places:
        # House number + postal code: one building, whatever typo the name has.
        number = next((t for t in place.street.split() if t[:1].isdigit()), None)
        if number and place.postal_code:
            keys.add(f"a:{number}|{place.postal_code}")
    # Index lengths are bounded (customer_keys.key is 255 characters).
    return {k[:255] for k in keys}


def address_score(a: Profile, b: Profile) -> float:
    """Best street similarity over addresses in the same postal code and country."""
    best = 0.0
    for pa in a.places:
        for pb in b.places:
            if not pa.postal_code or pa.postal_code != pb.postal_code:
                continue
            if pa.country and pb.country and pa.country != pb.country:
                continue
            best = max(best, fuzz.token_sort_ratio(pa.street, pb.street))
    return best


def decide(a: Profile, b: Profile, threshold: float) -> Decision:
    if same := a.emails & b.emails:
        return Decision(True, f"same email {min(same)}", 100.0, "email")
    if same := a.phones & b.phones:
        return Decision(True, f"same phone {min(same)}", 100.0, "phone")
    if not a.name or not b.name:
        return Decision(False, "no name to compare")
    if a.emails and b.emails and a.phones and b.phones:
        # Both give a different email and a different phone: two people, however
        # alike their names and addresses (a parent and child at one address).
        return Decision(False, "different email and different phone")
    name = fuzz.token_sort_ratio(a.name, b.name)
    address = address_score(a, b)
    score = round(NAME_WEIGHT * name + (1 - NAME_WEIGHT) * address, 1)
    detail = f"name {name:.0f}, address {address:.0f}: score {score} "
    if score >= threshold:
        return Decision(True, detail + f">= threshold {threshold:g}", score, "name+address")
    return Decision(False, detail + f"< threshold {threshold:g}", score)


def best_match(
    p: Profile, candidates: Mapping[str, Profile], threshold: float
) -> list[tuple[str, Decision]]:
    """Candidates that match, strongest first (email, then phone, then score)."""
    matches = [
        (cid, d) for cid, other in candidates.items() if (d := decide(p, other, threshold)).matched
    ]
    strength = {"email": 0, "phone": 1, "name+address": 2}
    return sorted(matches, key=lambda m: (strength[m[1].by], -m[1].score, m[0]))


def record_profile(record: GoldenRecord, settings: CustomerSettings) -> Profile:
    return profile(record.plain(), settings, record.addresses, record.emails, record.phones)


def record_keys(record: GoldenRecord, settings: CustomerSettings) -> set[str]:
    return blocking_keys(record_profile(record, settings))
