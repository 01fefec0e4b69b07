"""Seeded synthetic customers with a known truth, for bench/customer_matching.py.

Each record is either a new person or a duplicate of an earlier one, written the
way real duplicates are: another case, another phone format, street words
abbreviated, a transposed, dropped or doubled letter in the name, a second email,
a missing phone, sometimes a move to a new address. Common first and last names
are drawn from short lists, so many different people share a name (and a few share
a name and a postal code), which is what must not be merged.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

FIRST = (
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa "
    "Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily "
    "Andrew Donna Joshua Michelle Kenneth Dorothy Kevin Carol Brian Amanda George Melissa "
    "Edward Deborah Ronald Stephanie Timothy Rebecca Jason Sharon Jeffrey Laura Ryan Cynthia "
    "Jacob Kathleen Gary Amy Nicholas Shirley Eric Angela Jonathan Helen Stephen Anna Larry "
    "Brenda Justin Pamela Scott Nicole Brandon Emma Benjamin Samantha Samuel Katherine "
    "José María Zoë Renée Søren Björn François Chloé Łukasz Jürgen"
).split()
LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
    "Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed "
    "Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray "
    "Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez "
    "Müller Schröder O'Brien D'Angelo Lovelace Babbage Hopper Turing Dijkstra Knuth Wirth"
).split()
STREETS = (
    "Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Sunset Lincoln Jackson River "
    "Church Willow Highland Franklin Chestnut Spring Meadow Forest Madison Ridge Valley "
    "Mission Market Broadway Center Union Walnut Cherry Adams Jefferson Harbor Mill Bay"
).split()
STREET_TYPES = {
    "Street": "St.",
    "Avenue": "Ave",
    "Road": "Rd",
    "Drive": "Dr.",
    "Lane": "Ln",
    "Boulevard": "Blvd",
}
AREA_CODES = (
    "201 202 206 212 213 214 303 305 312 404 415 503 512 602 615 617 619 646 702 704 713 "
    "718 801 808 816 860 907 919"
).split()
DOMAINS = ("example.com", "mail.example", "post.example.org", "inbox.example.net")


@dataclass(frozen=True)
class Person:
    id: int
    first: str
    last: str
    number: int
    street: str
    street_type: str
    postal: str
    email: str
    phone: str | None  # ten digits


@dataclass(frozen=True)
class Observation:
    truth: int  # the person it is
    values: dict[str, Any]  # as resolve() would receive it


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:  # transposed
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:  # dropped
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # doubled


def _case(rng: random.Random, text: str) -> str:
    return rng.choice((text, text, text.upper(), text.lower()))


def _phone(rng: random.Random, digits: str) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return rng.choice(
        (f"({a}) {b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}", f"{a}{b}{c}", f"1-{a}-{b}-{c}")
    )


class Population:
    def __init__(self, seed: int, postal_codes: int) -> None:
        self.rng = random.Random(seed)
        self.postals = [f"{self.rng.randrange(10000, 99999):05d}" for _ in range(postal_codes)]
        self.people: list[Person] = []

    def _ascii(self, text: str) -> str:
        return "".join(c for c in text.lower() if "a" <= c <= "z")

    def new_person(self) -> Person:
        rng = self.rng
        first, last = rng.choice(FIRST), rng.choice(LAST)
        pid = len(self.people)
        phone = None
        if rng.random() < 0.8:
            # Unique per person (random numbers would collide by the thousand at 1M,
            # and a shared phone is, by the matching rules, one person).
            line = f"{200 + pid // 10_000 % 800:03d}{pid % 10_000:04d}"
            phone = f"{rng.choice(AREA_CODES)}{line}"
        person = Person(
            id=pid,
            first=first,
            last=last,
            number=rng.randrange(1, 9999),
            street=rng.choice(STREETS),
            street_type=rng.choice(list(STREET_TYPES)),
            postal=rng.choice(self.postals),
            email=f"{self._ascii(first)}.{self._ascii(last)}{pid}@{rng.choice(DOMAINS)}",
            phone=phone,
        )
        self.people.append(person)
        return person

    def original(self, p: Person) -> Observation:
        values: dict[str, Any] = {
            "email": p.email,
            "first_name": p.first,
            "last_name": p.last,
            "address": {
                "street": f"{p.number} {p.street} {p.street_type}",
                "postal_code": p.postal,
                "country_code": "US",
            },
        }
        if p.phone:
            values["phone"] = _phone(self.rng, p.phone)
        return Observation(p.id, values)

    def duplicate(self, p: Person) -> Observation:
        rng = self.rng
        first, last = p.first, p.last
        if rng.random() < 0.25:
            if rng.random() < 0.5:
                first = _typo(rng, first)
            else:
                last = _typo(rng, last)
        values: dict[str, Any] = {"first_name": _case(rng, first), "last_name": _case(rng, last)}
        roll = rng.random()
        if roll < 0.6:
            values["email"] = _case(rng, p.email)
        elif roll < 0.85:  # another mailbox
            values["email"] = f"{self._ascii(p.first)}{rng.randrange(10**9)}@{rng.choice(DOMAINS)}"
        if p.phone and rng.random() < 0.7:
            values["phone"] = _phone(rng, p.phone)
        if rng.random() < 0.1:  # moved house
            number, street, kind = rng.randrange(1, 9999), rng.choice(STREETS), "Street"
            postal = rng.choice(self.postals)
        else:
            number, street, kind, postal = p.number, p.street, p.street_type, p.postal
            if rng.random() < 0.5:
                kind = STREET_TYPES[kind]
        values["address"] = {
            "street": _case(rng, f"{number} {street} {kind}"),
            "postal_code": postal if rng.random() < 0.8 else f"{postal}-{rng.randrange(10000):04d}",
            "country_code": rng.choice(("US", "us", "USA")),
        }
        return Observation(p.id, values)


def generate(count: int, duplicate_share: float, seed: int) -> Iterator[Observation]:
    """`count` observations; about `duplicate_share` of them repeat an earlier person."""
    population = Population(seed, postal_codes=max(100, count // 50))
    for _ in range(count):
        if population.people and population.rng.random() < duplicate_share:
            yield population.duplicate(population.rng.choice(population.people))
        else:
            yield population.original(population.new_person())
