"""Which golden customer field is which in the CRM and the ERP, and what to write where:
the pure decisions of customers-sync (unit-tested without any system)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from causeway.customers import normalise
from causeway.errors import InvalidPayloadError
from causeway.model.ports.crm import CrmChange

# Golden field -> CRM contact property (model/ports/crm.py). The address is left out: a CRM
# such as HubSpot keeps it in
# four properties that change one webhook at a time, so a half-changed address would
# compete with whole ones; customers-to-crm writes it from the golden record.
CRM_PROPERTY = {
    "email": "email",
    "phone": "phone",
    "first_name": "firstname",
    "last_name": "lastname",
    "company": "company",
    "payment_terms": "causeway_payment_terms",
    "credit_limit": "causeway_credit_limit",
}
FIELD_OF_PROPERTY = {prop: field for field, prop in CRM_PROPERTY.items()}

# What each system is kept in step with, whatever the event: the fields its peer owns
# by default (docs/customers.md). The ERP's party holds email and phone as contact
# mechanisms; the CRM shows the ERP's payment terms and credit limit.
SENT_TO_ERP = ("email", "phone")
SENT_TO_CRM = ("payment_terms", "credit_limit")


def contact_topics() -> tuple[str, ...]:
    return tuple(f"contact.propertyChange.{prop}" for prop in CRM_PROPERTY.values())


def contact_change(change: CrmChange) -> tuple[str, str, str | None, float]:
    """(contact id, golden field, new value or None when cleared, observed at in epoch
    seconds) of one contact property change (the CRM connector read the webhook)."""
    field = FIELD_OF_PROPERTY.get(change.property_name or "")
    if change.object_type != "contact" or field is None:
        raise InvalidPayloadError(
            f"CRM event {change.event_id} ({change.topic}) is no change of a contact "
            f"property the hub keeps ({', '.join(sorted(FIELD_OF_PROPERTY))})"
        )
    value = (change.value or "").strip() or None
    return change.object_id, field, value, change.occurred_at


def _crm_text(field: str, value: Any) -> str:
    if field == "credit_limit":
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    return str(value)


def _same_crm_value(field: str, held: str | None, wanted: str, region: str) -> bool:
    if held is None:
        return False
    if field == "phone":
        # The number a rep typed as "+1 502 555 0199" is the one the hub holds as
        # "+15025550199": rewriting it would change nothing but its spelling.
        return (normalise.phone(held, region) or held.strip()) == wanted
    if field == "credit_limit":
        try:
            return Decimal(held) == Decimal(wanted)
        except InvalidOperation:
            return False
    if field == "email":
        return held.strip().lower() == wanted.lower()
    return held.strip() == wanted


def crm_writes(
    golden: Mapping[str, Any],
    fields: set[str],
    held: Mapping[str, str | None],
    region: str = "US",
) -> dict[str, str]:
    """Contact property -> value for each of `fields` whose golden value the contact
    (its properties `held`) does not already show. A field the golden record lacks is
    never written, so nothing is blanked."""
    writes = {}
    for field in sorted(fields):
        prop = CRM_PROPERTY.get(field)
        value = golden.get(field)
        if prop is None or value is None:
            continue
        text = _crm_text(field, value)
        if not _same_crm_value(field, held.get(prop), text, region):
            writes[prop] = text
    return writes


def fields_for(
    system: str, erp: str, crm: str, updates: Mapping[str, Mapping[str, Any]]
) -> set[str]:
    """The golden fields `system` is checked for after a change: those resolve() says
    it must be told, plus those it always mirrors from its peer."""
    always = SENT_TO_ERP if system == erp else SENT_TO_CRM if system == crm else ()
    return set(updates.get(system, {})) | set(always)
