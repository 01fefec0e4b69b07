"""What the CRM adds (docs/warehouse.md): its deals, and its contacts' lifecycle stage.

Read through the CrmReporting port by modification time, like the hub's own sources:
a deal the CRM changed again is read again and replaces its row. Which golden customer
a deal's contact is, and which ERP sale a deal became, are the hub's links, which
change without the deal changing (customers-to-crm links a contact later, quotes-to-erp
places a won deal later): every build reads those links whole and sets them on every
deal, so an incremental build ends where a full one does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import duckdb

from causeway.model.ports.crm_reporting import ContactSegment, DealFact
from causeway.warehouse.duck import (
    CONTACT_CUSTOMERS,
    CRM_CONTACTS,
    DEAL_SALES,
    delete_keys,
    insert_rows,
    scratch,
)
from causeway.warehouse.money import CENTS4, Rates, converted
from causeway.warehouse.schema import FACT_DEALS

# The rank of a contact's link to a golden customer: the one customers-to-crm keeps
# first, then one it set aside when two customers merged, then a deal order's customer.
KEPT, SET_ASIDE, SOURCE = 0, 1, 2
MERGED = "merged:"  # customers/orders.py: a set-aside contact link's fingerprint


def write_deals(
    con: duckdb.DuckDBPyConnection, deals: Sequence[DealFact], rates: Rates, crm: str
) -> int:
    """The deals' rows anew (a deal read twice: the later wins); their customer and ERP
    sale are set by link_deals. The deal's name is left out: salespeople name deals after
    people, and the warehouse holds no personal data (docs/warehouse.md)."""
    latest = {deal.deal_id: deal for deal in deals}
    rows = []
    for deal in latest.values():
        created, closed = _naive(deal.created_at), _naive(deal.close_date)
        moment = closed or created
        day = moment.date() if moment is not None else None
        rate = rates.rate(deal.currency, day)
        amount = None if deal.amount is None else deal.amount.quantize(CENTS4)
        rows.append(
            {
                "deal_id": deal.deal_id,
                "crm": crm,
                "pipeline": deal.pipeline,
                "stage": deal.stage,
                "state": deal.state,
                "contact_id": deal.contact_ids[0] if deal.contact_ids else None,
                "contact_count": len(deal.contact_ids),
                "created_at": created,
                "created_date": created.date() if created else None,
                "close_date": closed.date() if closed else None,
                "modified_at": _naive(deal.modified_at),
                "currency": deal.currency,
                "company_currency": rates.company_currency,
                "rate": rate,
                "amount": amount,
                "amount_company": converted(amount, rate),
                "in_erp": False,
            }
        )
    delete_keys(con, FACT_DEALS.name, "deal_id", list(latest))
    return insert_rows(con, FACT_DEALS, rows)


def write_contacts(con: duckdb.DuckDBPyConnection, contacts: Sequence[ContactSegment]) -> int:
    latest = {contact.contact_id: contact for contact in contacts}
    delete_keys(con, CRM_CONTACTS.name, "contact_id", list(latest))
    rows = [
        {
            "contact_id": c.contact_id,
            "lifecycle_stage": c.lifecycle_stage,
            "segment": c.segment,
            "modified_at": _naive(c.modified_at),
        }
        for c in latest.values()
    ]
    return insert_rows(con, CRM_CONTACTS, rows)


def link_deals(con: duckdb.DuckDBPyConnection, pages: Iterable[Sequence[Mapping[str, Any]]]) -> int:
    """The hub's links of the CRM (engine/warehouse_rows.py: crm_links) into the build's
    scratch tables, then every deal's customer and ERP sale from them; how many links."""
    scratch(con, CONTACT_CUSTOMERS)
    scratch(con, DEAL_SALES)
    read = 0
    for rows in pages:
        contacts, deals = [], []
        for row in rows:
            if row["entity_type"] == "deal":
                sale = _sale_id(row.get("sale_id"))
                if sale is not None:
                    deals.append(
                        {"deal_id": row["external_id"], "order_key": row["hub_id"],
                         "erp_sale_id": sale}
                    )  # fmt: skip
                continue
            if row["entity_type"] == "contact":
                aside = (row.get("fingerprint") or "").startswith(MERGED)
                rank = SET_ASIDE if aside else KEPT
            else:
                rank = SOURCE
            contacts.append(
                {"contact_id": row["external_id"], "customer_id": row["hub_id"],
                 "rank": rank, "link_id": row["id"]}
            )  # fmt: skip
        insert_rows(con, CONTACT_CUSTOMERS, contacts)
        insert_rows(con, DEAL_SALES, deals)
        read += len(rows)
    # A contact's customer: its best link; the golden customers' merges are followed
    # at the end of the build (dimensions.finish_customers), as for every fact.
    con.execute(
        """
        UPDATE fact_deals AS d SET customer_id = c.customer_id
        FROM (
            SELECT contact_id,
                arg_min(customer_id, rank::BIGINT * 1000000000000 + link_id) AS customer_id
            FROM _contact_customers GROUP BY contact_id
        ) AS c
        WHERE d.contact_id = c.contact_id
        """
    )
    con.execute(
        "UPDATE fact_deals SET customer_id = NULL WHERE contact_id IS NULL "
        "OR contact_id NOT IN (SELECT contact_id FROM _contact_customers)"
    )
    con.execute(
        """
        UPDATE fact_deals AS d
        SET order_key = s.order_key, erp_sale_id = s.erp_sale_id, in_erp = true
        FROM _deal_sales AS s WHERE d.deal_id = s.deal_id
        """
    )
    con.execute(
        "UPDATE fact_deals SET order_key = NULL, erp_sale_id = NULL, in_erp = false "
        "WHERE deal_id NOT IN (SELECT deal_id FROM _deal_sales)"
    )
    return read


def _sale_id(text: Any) -> int | None:
    return int(text) if text is not None and str(text).strip().isdigit() else None


def _naive(moment: dt.datetime | None) -> dt.datetime | None:
    """A moment as a naive UTC datetime (the warehouse's TIMESTAMPs are UTC)."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).replace(tzinfo=None)
