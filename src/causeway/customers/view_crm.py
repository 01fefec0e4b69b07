"""What the CRM says now, added to a customer's page (customers/view.py): the contact's
values among each field's other values, and whether each service case is still open,
read live through the CRM port (CrmContacts.read_contacts, CrmTickets.read_tickets). A
CRM that does not answer is named; the cases the hub recorded still show, their state
not known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from causeway.customers.view import CaseRow, CustomerSources, CustomerView, FieldView, SeenValue
from causeway.observability.live import DEADLINE, ask_all

# HubSpot's default ticket pipeline: stage 4 is "Closed" (the sandbox's too).
CLOSED_STAGES = frozenset({"4"})
# What the CRM's contact properties are in the golden record's fields.
CRM_PROPERTIES = {
    "email": "email",
    "phone": "phone",
    "firstname": "first_name",
    "lastname": "last_name",
    "company": "company",
}


def with_crm(
    view: CustomerView,
    sources: CustomerSources,
    connectors: Mapping[str, Any],
    *,
    clean: Callable[[str], str] = str,
    deadline: float = DEADLINE,
) -> CustomerView:
    """The view with the CRM contact's values among each field's others and each case's
    state, read live (CrmContacts.read_contacts, CrmTickets.read_tickets)."""
    questions: dict[str, Callable[[], Any]] = {}
    if view.crm and view.contact_id and view.crm in connectors:
        contacts, contact_id = connectors[view.crm], view.contact_id
        questions["contact"] = lambda: contacts.read_contacts([contact_id], list(CRM_PROPERTIES))
    if view.cases and sources.cases_crm is not None and sources.cases_crm in connectors:
        tickets, ids = connectors[sources.cases_crm], [c.ticket_id for c in view.cases]
        questions["tickets"] = lambda: tickets.read_tickets(ids, ["subject", "hs_pipeline_stage"])
    if not questions:
        return view
    answers = ask_all(questions, clean=clean, deadline=deadline)
    # The same failure of the one CRM, asked two things, is said once.
    problems = list(dict.fromkeys(str(a.problem) for a in answers.values() if not a.answered))
    fields, cases = view.fields, view.cases
    contact = answers.get("contact")
    if contact is not None and contact.answered:
        fields = _with_contact_values(fields, contact.value, view.crm or "crm")
    read = answers.get("tickets")
    if read is not None and read.value is not None:
        by_id = {record.id: record for record in read.value.results}
        cases = tuple(_case_state(case, by_id.get(case.ticket_id)) for case in cases)
    problem = f"{view.crm or sources.cases_crm} did not answer: {'; '.join(problems)}"
    return replace(view, fields=fields, cases=cases, crm_problem=problem if problems else None)


def _with_contact_values(
    fields: tuple[FieldView, ...], batch: Any, crm: str
) -> tuple[FieldView, ...]:
    record = next(iter(batch.results), None)
    if record is None:
        return fields
    now_says = {CRM_PROPERTIES[p]: record.get(p) for p in CRM_PROPERTIES if record.get(p)}
    return tuple(
        replace(f, others=(*f.others, SeenValue(f"{crm} now", now_says[f.name])))
        if f.name in now_says and now_says[f.name] != f.value
        else f
        for f in fields
    )


def _case_state(case: CaseRow, record: Any) -> CaseRow:
    if record is None:  # deleted in the CRM since
        return replace(case, stage="deleted in the CRM", open=False)
    stage = record.get("hs_pipeline_stage")
    return replace(
        case, subject=record.get("subject"), stage=stage, open=stage not in CLOSED_STAGES
    )
