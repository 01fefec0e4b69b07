"""causeway.yaml `warehouse:`: the reporting warehouse (docs/warehouse.md).

Everything has a default: without the section, `causeway warehouse build` writes
warehouse/warehouse.duckdb beside the working directory, reads the ERP facts from the
configured ERP and the deals and segments from the configured CRM (each when there is
exactly one), charges no channel fee and loads nowhere.

Channel fees are an estimate the merchant writes down (a marketplace's commission, a
payment provider's percentage and fixed fee): the stores do not report them per order.
"""

from __future__ import annotations

import re
from decimal import Decimal

from pydantic import Field, SecretStr, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from causeway.config.base import Strict

DEFAULT_PATH = "warehouse/warehouse.duckdb"
_CURRENCY = re.compile(r"[A-Z]{3}")
DESTINATION_FORM = "postgresql://user:password@host:5432/database (write the password as ${ENV})"


def currency_code(value: str) -> str:
    code = value.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code (EUR, USD, ...)")
    return code


class ChannelFee(Strict):
    percent: Decimal = Field(
        default=Decimal(0), ge=0, le=100, description="% of each order's total (tax included)"
    )
    fixed: Decimal = Field(default=Decimal(0), ge=0, description="per order, in `currency`")
    currency: str | None = Field(
        default=None,
        description="the currency of `fixed`; required when `fixed` is not 0",
    )

    @field_validator("currency")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return None if value is None else currency_code(value)

    def model_post_init(self, _context: object) -> None:
        if self.fixed and self.currency is None:
            raise ValueError(
                f"fixed: {self.fixed} in which currency? add `currency: EUR` (or the "
                f"currency the channel bills the fee in)"
            )


class WarehouseSettings(Strict):
    path: str | None = Field(
        default=None,
        description=f"the DuckDB file the build writes and the reports read; default: "
        f"{DEFAULT_PATH} in the folder of the hub's SQLite store (the working directory "
        f"for a PostgreSQL store)",
    )
    erp: str | None = Field(
        default=None,
        description="the ERP system whose costs, shipments, invoices, products and rates "
        "the build reads; default: the configured ERP when there is one; `none`: no ERP",
    )
    crm: str | None = Field(
        default=None,
        description="the CRM system whose deals and contacts' lifecycle stages the build "
        "reads; default: the configured CRM when there is one; `none`: no CRM",
    )
    company_currency: str | None = Field(
        default=None,
        description="the company's currency when no ERP says it (with an ERP, the ERP's)",
    )
    channel_fees: dict[str, ChannelFee] = Field(
        default_factory=dict,
        description="channel (a system's name) -> its fee per order: {percent, fixed, currency}",
    )
    # A secret: the URL carries the destination's password (redaction.py hides it).
    destination: SecretStr | None = Field(
        default=None,
        description=f"the company's PostgreSQL warehouse `causeway warehouse load` writes to: "
        f"{DESTINATION_FORM}",
    )
    dataset: str = Field(
        default="causeway",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="the schema (dlt dataset) the tables are loaded into",
    )

    @field_validator("company_currency")
    @classmethod
    def _company_code(cls, value: str | None) -> str | None:
        return None if value is None else currency_code(value)

    @field_validator("path")
    @classmethod
    def _a_file(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip() or value.endswith(("/", "\\")):
            raise ValueError(f"{value!r} is not a file path; write e.g. {DEFAULT_PATH}")
        return value

    @field_validator("destination")
    @classmethod
    def _postgres(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        try:
            url = make_url(value.get_secret_value())
        except ArgumentError:
            raise ValueError(f"not a database URL; write {DESTINATION_FORM}") from None
        if url.get_backend_name() not in ("postgresql", "postgres"):
            raise ValueError(
                f"{url.drivername}:// is not a destination the load supports; write "
                f"{DESTINATION_FORM}"
            )
        if not url.host or not url.database:
            raise ValueError(f"names no host or database; write {DESTINATION_FORM}")
        return value
