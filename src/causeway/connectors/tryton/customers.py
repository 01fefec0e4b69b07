"""Find or create the Tryton parties and addresses of a batch of orders, in a few calls.

Customers are matched by email (case-insensitive: the hub stores emails lowercased, and
the search uses ``ilike`` so an address typed with capitals in Tryton still matches),
or by exact name when the order has no email. Two orders of one new customer in the same
batch make one party. An address is reused when (street, postal code, city) match,
forgiving case and spacing; otherwise it is added to the party.

Calls per batch, whatever its size: one search of emails, one of names (only if some
orders have no email), one create of the new parties, one read of their addresses, one
create of the missing addresses, one country lookup when new country codes appear.

Workers place orders side by side, so the find-or-create of a batch's customers runs
under a lock per customer (the hub's `Locks`, kept in its store; the name is a hash of
the matching key, so no email lands in the store): two workers with orders of one new
customer make one party, and add a new address once. Tryton numbers a new party (its
`code`) from a sequence that two transactions creating parties at the same moment can
both read alike: measured on the test ERP, one of them fails with "The code on party
must be unique" even for two different customers. So the create itself also holds one
lock per ERP, for that one call.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.errors import CausewayError, PermanentError, RetryableError
from causeway.model import Address, Order
from causeway.model.ports.locks import Locks

# Seconds a batch waits for the customers another worker is finding or creating.
LOCK_WAIT = 30.0

# --- mapping: an order's customer as Tryton party values (pure) ---------------------


def customer_name(order: Order) -> str:
    """The party name: the customer's name, else an address name, else the email."""
    for candidate in (
        order.customer.full_name,
        order.billing_address.name if order.billing_address else "",
        order.shipping_address.name if order.shipping_address else "",
        order.customer.email or "",
    ):
        if candidate and candidate.strip():
            return candidate.strip()
    return f"Customer of order {order.number}"


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "")).strip().casefold()


def street_text(address: Address) -> str:
    return "\n".join(p for p in (address.street, address.street2) if p)


def address_key(street: str | None, postal_code: str | None, city: str | None) -> tuple[str, ...]:
    """What makes two addresses the same place, forgiving case and spacing."""
    return (_norm(street), _norm(postal_code), _norm(city))


def order_address_key(address: Address) -> tuple[str, ...]:
    return address_key(street_text(address), address.postal_code, address.city)


def order_addresses(order: Order) -> list[Address]:
    """Invoice then shipment address, deduplicated; an empty one when the order has none."""
    found: list[Address] = []
    for address in (order.billing_address, order.shipping_address):
        if address and all(order_address_key(address) != order_address_key(a) for a in found):
            found.append(address)
    return found or [Address()]


def address_values(
    address: Address, party_name: str, countries: Mapping[str, int] | None = None
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "street": street_text(address),
        "postal_code": address.postal_code,
        "city": address.city,
    }
    name = " ".join(p for p in (address.company, address.name) if p).strip()
    if name and name != party_name:
        values["party_name"] = name
    country = (address.country_code or "").upper()
    if countries and country in countries:
        values["country"] = countries[country]
    return values


def party_values(order: Order, countries: Mapping[str, int] | None = None) -> dict[str, Any]:
    """A new party with its addresses, email and phone, in one nested create."""
    name = customer_name(order)
    mechanisms: list[dict[str, Any]] = []
    if order.customer.email:
        mechanisms.append({"type": "email", "value": order.customer.email.lower()})
    phone = order.customer.phone or next(
        (a.phone for a in (order.billing_address, order.shipping_address) if a and a.phone), None
    )
    if phone:
        mechanisms.append({"type": "phone", "value": phone})
    values: dict[str, Any] = {
        "name": name,
        "addresses": [
            ["create", [address_values(a, name, countries) for a in order_addresses(order)]]
        ],
    }
    if mechanisms:
        values["contact_mechanisms"] = [["create", mechanisms]]
    return values


def customer_key(order: Order) -> tuple[str, str]:
    """Identity of the customer for matching: ("email", address) or ("name", name)."""
    if order.customer.email:
        return ("email", order.customer.email.lower())
    return ("name", customer_name(order))


Key = tuple[str, str]


def customer_lock(system: str, key: Key) -> str:
    """The name of the lock of one customer of one ERP: what it is matched by, hashed."""
    digest = hashlib.sha256("\0".join(key).encode()).hexdigest()[:32]
    return f"{system}:customer:{digest}"


def party_codes_lock(system: str) -> str:
    """The lock held around creating parties, which take their code from one sequence."""
    return f"{system}:party-codes"


class Unlocked:
    """A connector given no locks (a single process, a test) takes none."""

    @contextmanager
    def hold(self, names: Collection[str], *, timeout: float) -> Iterator[None]:
        yield


@dataclass(frozen=True)
class ResolvedParty:
    party: int
    invoice_address: int
    shipment_address: int


class CustomerResolver:
    """Batch find-or-create of parties and addresses; remembers country ids it looked up."""

    def __init__(self, rpc: TrytonRPC, *, system: str, locks: Locks | None = None) -> None:
        self.rpc = rpc
        self.system = system
        self.locks: Locks = locks or Unlocked()
        self._countries: dict[str, int | None] = {}

    def resolve(
        self, orders: Mapping[str, Order], errors: dict[str, Any]
    ) -> dict[str, ResolvedParty]:
        """reference -> party and addresses; orders that fail get their error in `errors`.
        Holds the lock of every customer of the batch while it finds or creates them."""
        if not orders:
            return {}
        keys = {ref: customer_key(order) for ref, order in orders.items()}
        names = {customer_lock(self.system, key) for key in keys.values()}
        try:
            with self.locks.hold(names, timeout=LOCK_WAIT):
                return self._resolve(orders, keys, errors)
        except CausewayError as exc:  # the locks were not got in time: retry later
            errors.update({ref: exc for ref in orders})
            return {}

    def _resolve(
        self, orders: Mapping[str, Order], keys: dict[str, Key], errors: dict[str, Any]
    ) -> dict[str, ResolvedParty]:
        try:
            countries = self._country_ids(orders.values())
            parties = self._find_parties(set(keys.values()))
        except CausewayError as exc:
            errors.update({ref: exc for ref in orders})
            return {}
        first_order: dict[Key, Order] = {}
        for ref, key in keys.items():
            if key not in parties:
                first_order.setdefault(key, orders[ref])
        parties.update(self._create_parties(first_order, countries, keys, errors))
        ok = {
            ref: order
            for ref, order in orders.items()
            if ref not in errors and keys[ref] in parties
        }
        try:
            addresses = self._addresses(ok, keys, parties, countries)
        except CausewayError as exc:
            errors.update({ref: exc for ref in ok})
            return {}
        resolved: dict[str, ResolvedParty] = {}
        for ref, order in ok.items():
            party = parties[keys[ref]]
            known = addresses[party]
            if order.billing_address is None and order.shipping_address is None:
                first = min(known.values())
                resolved[ref] = ResolvedParty(party, first, first)
                continue
            billing = order.billing_address or order.shipping_address
            shipping = order.shipping_address or order.billing_address
            assert billing is not None and shipping is not None
            resolved[ref] = ResolvedParty(
                party, known[order_address_key(billing)], known[order_address_key(shipping)]
            )
        return resolved

    def _find_parties(self, keys: set[Key]) -> dict[Key, int]:
        found: dict[Key, int] = {}
        emails = sorted(value for kind, value in keys if kind == "email")
        if emails:
            # ilike is case-insensitive; its wildcards (_) may over-match, so compare exactly.
            records = self.rpc.search_read(
                "party.contact_mechanism",
                [("type", "=", "email"), ["OR", *[("value", "ilike", e) for e in emails]]],
                ["party", "value"],
                order=[("party", "ASC"), ("id", "ASC")],
            )
            for record in records:
                key = ("email", str(record["value"]).strip().lower())
                if key in keys:
                    found.setdefault(key, int(record["party"]))
        names = sorted(value for kind, value in keys if kind == "name")
        if names:
            records = self.rpc.search_read(
                "party.party", [("name", "in", names)], ["name"], order=[("id", "ASC")]
            )
            for record in records:
                found.setdefault(("name", record["name"]), int(record["id"]))
        return found

    def _create_parties(
        self,
        first_order: dict[Key, Order],
        countries: dict[str, int],
        keys: dict[str, Key],
        errors: dict[str, Any],
    ) -> dict[Key, int]:
        """One create for all new customers; one by one only if Tryton refuses the batch."""
        if not first_order:
            return {}
        pending = list(first_order)
        values = {key: party_values(first_order[key], countries) for key in pending}

        def fail(failed: list[Key], exc: CausewayError) -> None:
            errors.update({ref: exc for ref, key in keys.items() if key in failed})

        try:
            ids = self._create([values[k] for k in pending])
            return dict(zip(pending, ids, strict=True))
        except RetryableError as exc:
            fail(pending, exc)
            return {}
        except PermanentError as exc:
            if len(pending) == 1:
                fail(pending, exc)
                return {}
        created: dict[Key, int] = {}
        for key in pending:
            try:
                (created[key],) = self._create([values[key]])
            except CausewayError as exc:
                fail([key], exc)
        return created

    def _create(self, values: list[dict[str, Any]]) -> list[int]:
        with self.locks.hold([party_codes_lock(self.system)], timeout=LOCK_WAIT):
            return self.rpc.create("party.party", values)

    def _addresses(
        self,
        orders: dict[str, Order],
        keys: dict[str, Key],
        parties: dict[Key, int],
        countries: dict[str, int],
    ) -> dict[int, dict[tuple[str, ...], int]]:
        """party -> address key -> address id, creating the addresses orders need."""
        party_ids = sorted({parties[keys[ref]] for ref in orders})
        known: dict[int, dict[tuple[str, ...], int]] = {pid: {} for pid in party_ids}
        if not party_ids:
            return known
        records = self.rpc.search_read(
            "party.address",
            [("party", "in", party_ids)],
            ["party", "street", "postal_code", "city"],
            order=[("id", "ASC")],
        )
        for record in records:
            key = address_key(record["street"], record["postal_code"], record["city"])
            known[int(record["party"])].setdefault(key, int(record["id"]))
        to_create: dict[tuple[int, tuple[str, ...]], dict[str, Any]] = {}
        for ref, order in orders.items():
            party = parties[keys[ref]]
            if order.billing_address is None and order.shipping_address is None and known[party]:
                continue  # nothing to ship to: any address of the party will do
            for address in order_addresses(order):
                key = order_address_key(address)
                if key not in known[party]:
                    to_create.setdefault(
                        (party, key),
                        {
                            "party": party,
                            **address_values(address, customer_name(order), countries),
                        },
                    )
        if to_create:
            ids = self.rpc.create("party.address", list(to_create.values()))
            for (party, key), address_id in zip(to_create, ids, strict=True):
                known[party][key] = address_id
        return known

    def _country_ids(self, orders: Iterable[Order]) -> dict[str, int]:
        codes = {
            (a.country_code or "").upper()
            for o in orders
            for a in (o.billing_address, o.shipping_address)
            if a and a.country_code
        }
        missing = sorted(codes - set(self._countries))
        if missing:
            records = self.rpc.search_read("country.country", [("code", "in", missing)], ["code"])
            self._countries.update({code: None for code in missing})
            self._countries.update({r["code"]: int(r["id"]) for r in records})
        return {code: cid for code, cid in self._countries.items() if cid is not None}
