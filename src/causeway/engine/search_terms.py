"""What the search box indexes and how a typed query becomes the terms it looks up.

Pure functions, no store: engine/search.py writes the terms these produce and looks up
the ones a query gives. Both sides go through `normal()`, so "#1001" finds "1001",
"Ada@Example.COM" finds "ada@example.com", and a phone number typed any way finds the
E.164 form the golden record keeps (customers/normalise.py).

A term is what is compared; `shown` is how the value reads in the results (its case and
punctuation as the system wrote it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers

from causeway.customers import normalise
from causeway.customers.record import GoldenRecord

ORDER, CUSTOMER, PRODUCT, DOCUMENT = "order", "customer", "product", "document"
KINDS = (ORDER, CUSTOMER, PRODUCT, DOCUMENT)
MAX_TERM = 128  # the column's width; longer values are cut (a prefix still finds them)
MAX_SHOWN = 255
MAX_QUERY = 256  # characters of a query that are read; the rest is ignored

# Every control character (NUL included: PostgreSQL refuses it in text) and lone
# surrogates (not encodable) are dropped before anything else.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")
MIN_PHONE_DIGITS = 6

# Order summary keys (orders/record.py, flows) that identify the order itself.
ORDER_SUMMARY_FIELDS = {
    "number": "number",
    "reference": "reference",
    "erp_number": "ERP sale",
    "email": "email",
}
# Timeline details (engine/timeline.py) whose values are documents of the order.
SHIPPING = ("shipped", "partially_shipped")


@dataclass(frozen=True, order=True)
class Term:
    """One index row: `term` finds (kind, key); `field` says which value matched."""

    term: str
    kind: str
    key: str
    field: str
    shown: str


def clean(text: object) -> str:
    """Printable text, at most MAX_QUERY characters; '' for anything that is not text."""
    if not isinstance(text, str):
        return ""
    return _UNPRINTABLE.sub("", text[: MAX_QUERY * 4])[:MAX_QUERY]


def normal(value: object) -> str:
    """The compared form: NFKC, casefolded, single spaces, no leading '#' (an order
    number is "1001" whether typed "#1001" or not), cut to MAX_TERM."""
    text = unicodedata.normalize("NFKC", clean(value)).casefold()
    text = _SPACES.sub(" ", text).strip().lstrip("#").strip()
    return text[:MAX_TERM]


def _shown(value: object) -> str:
    return _SPACES.sub(" ", clean(str(value))).strip()[:MAX_SHOWN]


def term(value: object, kind: str, key: str, field: str) -> Term | None:
    found = normal(str(value)) if value is not None else ""
    return Term(found, kind, str(key)[:255], field, _shown(value)) if found else None


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def phone_forms(raw: str) -> list[str]:
    """A stored phone's terms: E.164 ("+14155550100") and the national forms people
    type without the country ("4155550100", "02079460000"); the digits when it is not
    a valid number but has enough of them."""
    try:
        parsed = phonenumbers.parse(raw, None) if raw.strip().startswith("+") else None
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        digits = _digits(raw)
        return [digits] if len(digits) >= MIN_PHONE_DIGITS else []
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    national = _digits(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))
    return list(dict.fromkeys([e164, str(parsed.national_number), national]))


def name_forms(*parts: str | None) -> list[str]:
    """A name's terms: the whole ("ada lovelace"), reversed ("lovelace ada") and each
    word, accents and punctuation folded as the golden record compares them."""
    words = normalise.name(" ".join(p for p in parts if p)).split()
    if not words:
        return []
    forms = [" ".join(words), " ".join(reversed(words)), *words]
    return list(dict.fromkeys(f[:MAX_TERM] for f in forms))


def query_terms(text: object) -> list[str]:
    """The terms a typed query looks up, best reading first: as typed (normalised),
    as a phone number, as a folded name, without the spaces a tracking number was typed
    with. [] for a query with nothing to look up."""
    typed = normal(text)
    if not typed:
        return []
    found = [typed]
    if _PHONE_LIKE.match(typed) and len(digits := _digits(typed)) >= MIN_PHONE_DIGITS:
        if typed.startswith("+"):
            found.append("+" + digits)
        elif typed.startswith("00"):
            found.append("+" + digits[2:])
        else:
            found += [digits, "+" + digits]
    if "@" not in typed and (folded := normalise.name(typed)[:MAX_TERM]):
        found.append(folded)
    if " " in typed and any(c.isdigit() for c in typed):
        found.append(typed.replace(" ", ""))
    return list(dict.fromkeys(found))[:5]


# -- what each record gives ------------------------------------------------------------
def order_terms(hub_id: str, summary: Mapping[str, Any]) -> list[Term]:
    """An order's summary: its number, references, customer email, invoice numbers."""
    found = [term(summary.get(k), ORDER, hub_id, f) for k, f in ORDER_SUMMARY_FIELDS.items()]
    invoices = str(summary.get("invoice_number") or "")
    found += [term(n.strip(), DOCUMENT, hub_id, "invoice") for n in invoices.split(",")]
    return [t for t in found if t]


def order_label(summary: Mapping[str, Any]) -> str:
    """What a results list says about an order: "#1001 · SO0042 · ada@example.com · 42.00 USD"."""
    parts = [summary.get("number"), summary.get("erp_number"), summary.get("email")]
    if summary.get("total"):
        parts.append(f"{summary['total']} {summary.get('currency') or ''}".strip())
    return _shown(" · ".join(str(p) for p in parts if p))


def milestone_terms(hub_id: str, milestone: str, detail: Mapping[str, Any]) -> list[Term]:
    """A milestone's documents: tracking and shipment numbers, invoice numbers."""
    found: list[Term | None] = []
    if milestone in SHIPPING:
        carrier = detail.get("carrier")
        numbers = detail.get("tracking_numbers") or [detail.get("tracking_number")]
        for number in numbers if isinstance(numbers, list) else [numbers]:
            if number:
                shown = f"{number} ({carrier})" if carrier else str(number)
                found.append(with_shown(term(number, DOCUMENT, hub_id, "tracking"), shown))
    if milestone in (*SHIPPING, "allocated"):
        found.append(term(detail.get("shipment"), DOCUMENT, hub_id, "shipment"))
    if milestone in ("invoiced", "paid"):
        invoices = str(detail.get("invoice") or "")
        found += [term(n.strip(), DOCUMENT, hub_id, "invoice") for n in invoices.split(",")]
    if milestone == "in_erp":
        found.append(term(detail.get("erp_number"), ORDER, hub_id, "ERP sale"))
    return [t for t in found if t]


def with_shown(found: Term | None, shown: str) -> Term | None:
    """The same term, shown in the results as `shown`."""
    return Term(found.term, found.kind, found.key, found.field, _shown(shown)) if found else None


def customer_terms(
    customer_id: str, record: GoldenRecord, external_ids: Iterable[tuple[str, str]] = ()
) -> list[Term]:
    """A golden customer: every email and phone it was given, its name and company,
    and its id in each system ((system, id) pairs)."""
    found: list[Term | None] = []
    for email in dict.fromkeys([record.value("email"), *record.emails]):
        if isinstance(email, str):
            found.append(term(email, CUSTOMER, customer_id, "email"))
    for phone in dict.fromkeys([record.value("phone"), *record.phones]):
        if isinstance(phone, str):
            found += [
                with_shown(term(f, CUSTOMER, customer_id, "phone"), phone)
                for f in phone_forms(phone)
            ]
    first, last = record.value("first_name"), record.value("last_name")
    shown_name = " ".join(str(p) for p in (first, last) if p)
    for form in name_forms(first, last):
        found.append(with_shown(term(form, CUSTOMER, customer_id, "name"), shown_name))
    company = record.value("company")
    for form in name_forms(company):
        found.append(with_shown(term(form, CUSTOMER, customer_id, "company"), str(company)))
    for system, external_id in external_ids:
        found.append(
            with_shown(term(external_id, CUSTOMER, customer_id, "id"), f"{external_id} in {system}")
        )
    return sorted({t for t in found if t})


def customer_label(record: GoldenRecord) -> str:
    """ "Ada Lovelace · ada@example.com · +14155550132" """
    name = " ".join(str(v) for f in ("first_name", "last_name") if (v := record.value(f)))
    parts = [name or record.value("company"), record.value("email"), record.value("phone")]
    return _shown(" · ".join(str(p) for p in parts if p)) or "(no name)"


def product_terms(skus: Iterable[str]) -> list[Term]:
    return [t for sku in skus if (t := term(sku, PRODUCT, sku, "SKU"))]
