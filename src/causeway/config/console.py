"""causeway.yaml `console:`: the operator console (docs/console.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from pydantic import Field, field_validator, model_validator

from causeway.config.base import Duration, Strict

# Minutes a person would spend on one record of each kind without the hub: the defaults
# of `console.minutes_saved`, each an estimate of the hand work it replaces (written out
# in docs/console/overview.md); set your own from how long your team takes.
DEFAULT_MINUTES_SAVED: Final[dict[str, Decimal]] = {
    "order": Decimal("4"),  # key a web order into the ERP: customer, lines, address, check
    "quote": Decimal("5"),  # key a quote request into the ERP as a quotation
    "fulfillment": Decimal("1.5"),  # copy carrier and tracking to the store, mark shipped
    "payment": Decimal("2"),  # match a payment to its invoice and post it
    "cancellation": Decimal("2"),  # cancel the sale in the ERP, release its stock
    "return": Decimal("3"),  # book a return and its credit note in the ERP
    "stock_update": Decimal("0.5"),  # type one SKU's new quantity into one store
    "product": Decimal("2"),  # create or update one product listing in a store
    "customer": Decimal("1"),  # create or update one contact in the CRM
    "margin": Decimal("0.5"),  # copy an order's margin onto the CRM deal
    "case": Decimal("1"),  # open or update a support case from an e-mail
    "file": Decimal("3"),  # import a CSV order file and send its status back
    "privacy_request": Decimal("15"),  # find and erase or export one person everywhere
    "cart": Decimal("0.5"),  # copy one left checkout into the follow-up list
    "stock_snapshot": Decimal("10"),  # note the day's stock in the ERP and each store
    "channel_fee": Decimal("3"),  # look up an order's marketplace fees, book the bill
}

# The kind of record each flow's jobs handle (one job, one record).
FLOW_RECORD_KINDS: Final[dict[str, str]] = {
    "orders-to-erp": "order",
    "quotes-to-erp": "quote",
    "fulfillments-to-channels": "fulfillment",
    "payments-and-invoices": "payment",
    "cancellations": "cancellation",
    "returns-to-erp": "return",
    "stock-to-channels": "stock_update",
    "catalog-to-channels": "product",
    "customers-to-crm": "customer",
    "customers-sync": "customer",
    "margins-to-crm": "margin",
    "cases": "case",
    "files-exchange": "file",
    "privacy-requests": "privacy_request",
    "portal-orders": "order",  # a portal checkout placed as an ERP sale
    # Its jobs are scheduled runs, which count no record (flow_stats.handled).
    "portal-progress": "fulfillment",
    "carts": "cart",
    # One job per run: a record is one day's snapshot of every SKU and store.
    "stock-snapshots": "stock_snapshot",
    # One job per run, which books the fees of many orders (counted as no record).
    "channel-fees": "channel_fee",
}


class ConsoleSettings(Strict):
    enabled: bool = Field(
        default=True,
        description="serve the operator console under /console; false turns it off "
        "(the API and the webhooks stay)",
    )
    session_idle: Duration = Field(
        default=1800.0, description="a console session unused this long ends (default 30m)"
    )
    session_max: Duration = Field(
        default=43200.0,
        description="a console session ends this long after sign-in, used or not (default 12h)",
    )

    @model_validator(mode="after")
    def _idle_within_max(self) -> ConsoleSettings:
        if self.session_idle > self.session_max:
            raise ValueError(
                "session_idle is longer than session_max, so it would never apply: "
                "make it shorter (defaults: session_idle 30m, session_max 12h)"
            )
        return self

    minutes_saved: dict[str, Decimal] = Field(
        default_factory=dict,
        description="minutes a person would spend by hand on one record of each kind "
        "(order, stock_update, ...), for the overview's time-saved tile; kinds left out "
        "keep their documented default",
    )

    @field_validator("minutes_saved")
    @classmethod
    def _known_kinds_and_sane_minutes(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for kind, minutes in value.items():
            if kind not in DEFAULT_MINUTES_SAVED:
                known = ", ".join(sorted(DEFAULT_MINUTES_SAVED))
                raise ValueError(f"{kind!r} is not a kind of record; use one of {known}")
            if not Decimal(0) <= minutes <= Decimal(480):
                raise ValueError(f"{kind}: {minutes} minutes; write 0 to 480 minutes per record")
        return value

    def minutes_per_record(self) -> dict[str, Decimal]:
        """Every kind's minutes: the configured ones over the defaults."""
        return DEFAULT_MINUTES_SAVED | self.minutes_saved
