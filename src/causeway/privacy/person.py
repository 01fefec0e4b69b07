"""One person, as the hub recognises them in what it stored, and how their data is
taken out of a text, a JSON document or a CSV row (no I/O here).

Two kinds of terms, so that erasing one person never damages another's data:
- identifiers (email addresses, phone numbers) find the person anywhere and are
  replaced wherever they appear, in any row of any table;
- details (names, street lines) are replaced only in what is known to be theirs: a
  row that mentions an identifier, or one of their orders, customers or jobs. Two
  people can share a name or a street; they do not share an email address.
In a document that is theirs, the fields that hold personal data (names, addresses,
email, phone, company, IP) are emptied whatever their value, while ids, SKUs, order
numbers and amounts stay, so that the order can still be processed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

import phonenumbers

from causeway.customers import normalise

ERASED = "[erased]"
# Keys whose value becomes null: no flow needs them, and a null says "nobody".
NULLED = {
    *("email", "contact_email", "customer_email", "buyerEmail", "phone", "mobilephone"),
    *("latitude", "longitude", "browser_ip"),
}
# Keys whose text becomes [erased] (kept a string: models that want one still parse).
ERASED_KEYS = {
    *("first_name", "last_name", "firstname", "lastname", "customer_name", "company"),
    *("address1", "address2", "street", "street2", "zip", "postal_code", "city", "address"),
    # Amazon's buyer and delivery address (Orders v2026-01-01 Buyer, CustomerAddress)
    *("buyerName", "buyerCompanyName", "companyName", "addressLine1", "addressLine2"),
    *("addressLine3", "postalCode", "streetName", "streetNumber", "complement"),
    *("neighborhood", "addressInstruction"),
}
# A dict with one of these is an address or a person: its "name" is a person's name.
PERSON_MARKERS = {
    *("first_name", "last_name", "firstname", "lastname", "address1", "address2"),
    *("street", "street2", "zip", "postal_code"),
    *("addressLine1", "addressLine2", "postalCode", "buyerName", "buyerEmail"),
}
# A dict with one of these is an order or a line: its "name" is a number or a product.
ORDER_MARKERS = {"line_items", "lines", "order_number", "number", "financial_status", "sku"}
# Never rewritten for a detail: what identifies the order and its goods, not the person.
STRUCTURAL = {
    *("id", "sku", "admin_graphql_api_id", "currency", "order_number", "number", "reference"),
    *("financial_status", "fulfillment_status", "channel_status", "state", "status"),
    *("gateway", "kind"),
    *("topic", "country_code", "province_code", "title", "name"),
}
# Where a document names the person it is about (an order's customer, a party...),
# and the keys that hold that person's own contact data.
PERSON_OBJECTS = ("customer", "party", "contact", "buyer")
SUBJECT_KEYS = ("email", "contact_email", "customer_email", "buyerEmail", "phone")
# The texts of a person or an address that are theirs: their details.
DETAIL_KEYS = (
    *("name", "customer_name", "buyerName", "address1", "address2", "street", "street2"),
    *("addressLine1", "addressLine2", "addressLine3"),
)
# A run of digits and the separators people write phone numbers with.
_PHONE_RUN = re.compile(r"\+?\d[\d\s().\-/]{4,}\d")
_DIGITS = re.compile(r"\D")


def _is_person(obj: Mapping[str, Any]) -> bool:
    keys = set(obj)
    if keys & PERSON_MARKERS:
        return True
    return bool(keys & {"email", "phone"}) and not keys & ORDER_MARKERS


class Person:
    """What is known to identify one person; it grows as their records are found."""

    def __init__(
        self,
        *,
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
        customers: Iterable[tuple[str | None, str]] = (),
        golden_ids: Iterable[str] = (),
        orders: Iterable[tuple[str | None, str]] = (),
        region: str = "US",
    ) -> None:
        self.region = region
        self.emails: set[str] = set()
        self.phones: set[str] = set()  # as written somewhere
        self._phone_digits: set[str] = set()  # every digit form of those
        self.details: set[str] = set()
        # A system's customer or order id; system None: any system.
        self.customers: set[tuple[str | None, str]] = set(customers)
        self.orders: set[tuple[str | None, str]] = set(orders)
        self.golden_ids: set[str] = set(golden_ids)
        self._tokens: dict[str, str] = {}
        for email in emails:
            self.add_email(email)
        for phone in phones:
            self.add_phone(phone)

    # -- what identifies them -------------------------------------------------------
    def add_email(self, value: Any) -> bool:
        if not isinstance(value, str) or "@" not in value:
            return False
        email = value.strip().lower()
        if email in self.emails or email.endswith("@erased.invalid"):
            return False
        self.emails.add(email)
        return True

    def add_phone(self, value: Any) -> bool:
        if not isinstance(value, str | int) or isinstance(value, bool):
            return False
        raw = str(value).strip()
        digits = _DIGITS.sub("", raw)
        if len(digits) < 6 or raw in self.phones:
            return False
        self.phones.add(raw)
        forms = {digits}
        e164 = normalise.phone(raw, self.region)
        if e164:
            national = str(phonenumbers.parse(e164).national_number)
            forms |= {e164[1:], national, "0" + national}
        new = bool(forms - self._phone_digits)
        self._phone_digits |= forms
        return new

    def add_detail(self, value: Any) -> None:
        if isinstance(value, str) and len(value.strip()) >= 2 and value.strip() != ERASED:
            self.details.add(value.strip())

    @property
    def identifiers(self) -> tuple[frozenset[str], frozenset[str]]:
        """(emails, phone digit forms): when these stop growing, the search is done."""
        return frozenset(self.emails), frozenset(self._phone_digits)

    def search_terms(self) -> list[str]:
        """Short strings every text that mentions an identifier contains (lower case),
        for a store to narrow its scan before `mentions` decides."""
        terms = set(self.emails)
        terms |= {digits[-4:] for digits in self._phone_digits}
        return sorted(terms)

    def learn_record(self, record: Mapping[str, Any]) -> None:
        """A golden customer record (customers.record.GoldenRecord as JSON)."""
        fields = {k: v.get("value") for k, v in (record.get("fields") or {}).items()}
        for email in [fields.get("email"), *(record.get("emails") or [])]:
            self.add_email(email)
        for phone in [fields.get("phone"), *(record.get("phones") or [])]:
            self.add_phone(phone)
        first, last = fields.get("first_name"), fields.get("last_name")
        for detail in (first, last, " ".join(p for p in (first, last) if isinstance(p, str))):
            self.add_detail(detail)
        for address in [fields.get("address"), *(record.get("addresses") or [])]:
            if isinstance(address, Mapping):
                self.add_detail(address.get("street"))
                self.add_detail(address.get("street2"))

    def learn_document(self, doc: Any, system: str | None = None) -> None:
        """A document known to be theirs (their order, their customer...): the contact
        fields of whoever it is about become identifiers, its person fields details,
        and its customer's id in `system` one of their ids."""
        if isinstance(doc, list):
            for item in doc:
                self.learn_document(item, system)
            return
        if not isinstance(doc, Mapping):
            return
        for key in SUBJECT_KEYS:
            (self.add_phone if key == "phone" else self.add_email)(doc.get(key))
        for key in PERSON_OBJECTS:
            about = doc.get(key)
            if isinstance(about, Mapping):
                for subject_key in SUBJECT_KEYS:
                    add = self.add_phone if subject_key == "phone" else self.add_email
                    add(about.get(subject_key))
                if key == "customer" and system and about.get("id") is not None:
                    self.customers.add((system, str(about["id"]).rsplit("/", 1)[-1]))
        if _is_person(doc):
            names: list[str] = [
                n
                for k in ("first_name", "firstname", "last_name", "lastname")
                if isinstance(n := doc.get(k), str) and n.strip()
            ]
            for value in [*names, " ".join(names), *(doc.get(k) for k in DETAIL_KEYS)]:
                self.add_detail(value)
        for key, value in doc.items():
            if isinstance(value, Mapping | list) and key not in PERSON_OBJECTS:
                self._learn_details(value)

    def _learn_details(self, doc: Any) -> None:
        """Person fields further down (addresses): details only, never identifiers."""
        if isinstance(doc, list):
            for item in doc:
                self._learn_details(item)
        elif isinstance(doc, Mapping):
            if _is_person(doc):
                for key in ("first_name", "last_name", "firstname", "lastname", *DETAIL_KEYS):
                    self.add_detail(doc.get(key))
            for value in doc.values():
                self._learn_details(value)

    # -- finding them ---------------------------------------------------------------
    def mentions(self, text: str) -> bool:
        """Whether the text holds one of their email addresses or phone numbers."""
        lowered = text.lower()
        if any(email in lowered for email in self.emails):
            return True
        return any(self._is_their_phone(m.group()) for m in _PHONE_RUN.finditer(text))

    def is_about(self, doc: Any) -> bool:
        """Whether a JSON object is about them: its own email or phone, or its customer's
        (party's, contact's), is theirs. Mentioning them elsewhere (a note) is not enough:
        Bob's order noting "call Ada" stays Bob's."""
        if not isinstance(doc, Mapping):
            return False
        subjects = [doc, *(v for k in PERSON_OBJECTS if isinstance(v := doc.get(k), Mapping))]
        return any(
            isinstance(value := subject.get(key), str | int) and self.mentions(str(value))
            for subject in subjects
            for key in SUBJECT_KEYS
        )

    def extract(self, doc: Any) -> Any:
        """The parts of a document that are theirs (objects about them, texts mentioning
        them), shaped as in the document; None when there is none. For an export: what
        is someone else's stays out of it."""
        if isinstance(doc, Mapping):
            if self.is_about(doc):
                return doc
            parts = {k: part for k, v in doc.items() if (part := self.extract(v)) is not None}
            return parts or None
        if isinstance(doc, list):
            items = [part for v in doc if (part := self.extract(v)) is not None]
            return items or None
        if isinstance(doc, str) and self.mentions(doc):
            return doc
        return None

    def is_their_customer_in(self, doc: Any, system: str) -> bool:
        """Whether a document is about one of their customer ids in `system` (an order
        whose customer it is, or the customer itself)."""
        ids = {cid for s, cid in self.customers if s in (None, system)}
        if not ids or not isinstance(doc, Mapping):
            return False
        about = doc.get("customer")
        candidates = (
            [about.get("id"), about.get("external_id")] if isinstance(about, Mapping) else []
        )
        return any(str(c).rsplit("/", 1)[-1] in ids for c in candidates if c is not None)

    def _is_their_phone(self, run: str) -> bool:
        return _DIGITS.sub("", run) in self._phone_digits

    # -- taking them out --------------------------------------------------------------
    def token(self, email: str) -> str:
        """What replaces an email address: the same within one erasure (a column that
        keys on it stays unique), unrelated to the address."""
        return self._tokens.setdefault(email, f"erased-{secrets.token_hex(6)}@erased.invalid")

    def redact_text(self, text: str, *, thorough: bool) -> str:
        """Identifiers out; with `thorough` (the text is theirs) their details too."""
        for email in sorted(self.emails, key=len, reverse=True):
            text = re.sub(re.escape(email), self.token(email), text, flags=re.IGNORECASE)
        text = _PHONE_RUN.sub(
            lambda m: ERASED if self._is_their_phone(m.group()) else m.group(), text
        )
        if thorough:
            for detail in sorted(self.details, key=len, reverse=True):
                pattern = rf"(?<!\w){re.escape(detail)}(?!\w)"
                text = re.sub(pattern, ERASED, text, flags=re.IGNORECASE)
        return text

    def redact_json(self, value: Any, *, owned: bool, key: str | None = None) -> Any:
        """A JSON value without them. What is theirs (`owned`, or an object about them)
        loses its person fields and their details in every text but the structural ones
        (ids, SKUs, numbers); elsewhere a text that mentions them loses their
        identifiers and details, and nothing else changes."""
        if isinstance(value, Mapping):
            owned = owned or self.is_about(value)
            person = _is_person(value)
            result: dict[str, Any] = {}
            for k, v in value.items():
                if owned and v is not None and not isinstance(v, Mapping | list):
                    if k in NULLED:
                        result[k] = None
                        continue
                    if k in ERASED_KEYS or (k == "name" and person):
                        result[k] = ERASED if isinstance(v, str) else None
                        continue
                result[k] = self.redact_json(v, owned=owned, key=k)
            return result
        if isinstance(value, list):
            return [self.redact_json(v, owned=owned, key=key) for v in value]
        if isinstance(value, str):
            thorough = (owned and key not in STRUCTURAL) or self.mentions(value)
            return self.redact_text(value, thorough=thorough)
        return value

    def redact_row(self, cells: list[str], personal_columns: set[int]) -> list[str]:
        """A CSV row: theirs (a personal column holds one of their identifiers, or two
        cells are their details) loses its personal columns and their details; in any
        other row a cell that mentions them loses their identifiers and details."""
        theirs = self.owns_row(cells, personal_columns)
        return [
            (ERASED if cell else cell)
            if theirs and i in personal_columns
            else self.redact_text(cell, thorough=theirs or self.mentions(cell))
            for i, cell in enumerate(cells)
        ]

    def owns_row(self, cells: list[str], personal_columns: set[int]) -> bool:
        return any(
            self.mentions(cells[i]) for i in personal_columns if i < len(cells)
        ) or self._two_details(cells)

    def _two_details(self, cells: list[str]) -> bool:
        """Two cells that are two of their details (their name and street, say)."""
        folded = {normalise.fold(cell) for cell in cells if cell}
        details = {normalise.fold(detail) for detail in self.details}
        return len(folded & details) >= 2
