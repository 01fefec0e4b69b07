"""The terms one channel's sales are made on in the ERP.

A merchant sells retail through one store and wholesale through another, into one ERP:
each channel's sales must carry that channel's price list, ship from its warehouse,
be invoiced on its payment term, and put its buyers in its customer group. The merchant
names each term in causeway.yaml as the ERP shows it:

    price_list: Wholesale           # a sale price list, by name
    warehouse: WH-EU                # the warehouse that ships the orders, by code or name
    payment_term: Net 30            # the payment term of the invoices, by name
    customer_group: Wholesale EU    # a customer category every buyer is put in, by name

Every term is optional: one left out is the ERP's default (for Tryton, see
docs/connectors/tryton.md, "Per-channel sale terms"). The ERP connector looks the names
up, and a name the ERP does not have stops the channel's orders with an error that lists
the names it does have.

One more term is no name but a fact the flow sets per order: `shipped_by_channel`, for an
order the channel fulfils from its own warehouse (Amazon FBA). Its sale is placed as
already shipped: the ERP completes its shipment at once and never picks the goods.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The settings, in the order people read them, with the words an error uses for each.
SETTINGS: dict[str, str] = {
    "price_list": "price list",
    "warehouse": "warehouse",
    "payment_term": "payment term",
    "customer_group": "customer group",
}


class SaleTerms(BaseModel):
    """A channel's price list, warehouse, payment term and customer group, by the names
    the ERP gives them; None is the ERP connector's default for that term."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    price_list: str | None = Field(
        default=None, description="sale price list the channel's sales are recorded with"
    )
    warehouse: str | None = Field(
        default=None, description="code or name of the warehouse that ships the channel's orders"
    )
    payment_term: str | None = Field(
        default=None, description="payment term of the channel's sales"
    )
    customer_group: str | None = Field(
        default=None, description="customer category the channel's buyers are added to"
    )
    shipped_by_channel: bool = Field(
        default=False,
        description="the channel fulfilled the order from its own warehouse (e.g. Amazon FBA): "
        "the sale's shipment is completed at once, nothing is picked",
    )

    @field_validator("price_list", "warehouse", "payment_term", "customer_group")
    @classmethod
    def _named(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # A name copied from a screen often drags spaces along; the ERP's names have none.
        cleaned = " ".join(value.split())
        if not cleaned:
            raise ValueError("name it as the ERP does, or leave it out for the ERP's default")
        return cleaned

    def named(self) -> dict[str, str]:
        """setting -> name, for the terms that are set (in SETTINGS order)."""
        values = {setting: getattr(self, setting) for setting in SETTINGS}
        return {setting: value for setting, value in values.items() if value is not None}
