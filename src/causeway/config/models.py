"""The shape of causeway.yaml. Every field has a default where one is sensible.

The parts live in their own modules (base, systems, flows, customers), each flow's
settings in its declaration (flows/registry.py); this one puts them together and checks
what no single part can: that flows name real systems of the kinds their roles accept.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from causeway.config.base import Duration, Strict, service_url, split_listen
from causeway.config.clickstream import ClickstreamSettings
from causeway.config.console import ConsoleSettings
from causeway.config.customers import CustomerSettings
from causeway.config.flows import Flows, flows_section
from causeway.config.notifications import NotificationsSettings
from causeway.config.portal import PortalSettings
from causeway.config.retention import RetentionSettings
from causeway.config.systems import (
    CRM,
    ERP,
    STORE,
    HubSpotSystem,
    Kind,
    System,
    is_of,
    types_of_kinds,
)
from causeway.config.warehouse import DEFAULT_PATH as DEFAULT_WAREHOUSE_PATH
from causeway.config.warehouse import WarehouseSettings
from causeway.flows.portal_orders.declaration import PortalOrdersFlow
from causeway.flows.registry import FLOWS

if TYPE_CHECKING:
    FlowsSection = Flows
else:  # one optional key per declared flow, with the flow's own settings model
    FlowsSection = flows_section(FLOWS)

STORE_URL_FORMS = (
    "sqlite:///path/to/causeway.db or postgresql+psycopg://user:password@host:5432/database"
)


class StoreSettings(Strict):
    # The one URL that may carry a password (PostgreSQL's); write it as an environment
    # reference. It is shown only with the password hidden, and scrubbed from messages.
    url: str = "sqlite:///causeway.db"
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"

    @field_validator("url")
    @classmethod
    def _a_database_causeway_opens(cls, value: str) -> str:
        # Checked here, not when the store opens: SQLAlchemy's own errors for a
        # `postgres://` URL or a missing driver are pages of traceback.
        scheme = value.split(":", 1)[0] if ":" in value else ""
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(f"not a database URL; write {STORE_URL_FORMS}") from None
        if url.drivername in ("sqlite", "sqlite+pysqlite"):
            if not url.database:
                raise ValueError(f"names no database file; write {STORE_URL_FORMS}")
            return value
        if url.drivername in ("postgresql", "postgresql+psycopg"):
            return value
        if url.get_backend_name() in ("postgres", "postgresql"):
            raise ValueError(
                f"{scheme}:// is not a scheme Causeway can open: write postgresql+psycopg:// "
                f"(PostgreSQL through psycopg 3), e.g. "
                f"postgresql+psycopg://user:password@host:5432/database"
            )
        raise ValueError(
            f"{scheme}:// is not a database Causeway supports; write {STORE_URL_FORMS}"
        )


_HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")
# Listening on these means every interface: not a name any client sends as its Host.
WILDCARD_ADDRESSES = {"", "0.0.0.0", "::", "*"}


def host_pattern(entry: str) -> str:
    """One `server.allowed_hosts` entry as Starlette compares it: a host name, an
    address (IPv6 in brackets, as Host headers carry it), `*.example.com`, or `*`."""
    host = entry.strip().lower()
    if host == "*":
        return host
    try:
        address = ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
        return f"[{address}]" if address.version == 6 else str(address)
    except ValueError:
        pass
    if _HOST_NAME.fullmatch(host.removeprefix("*.")):
        return host
    raise ValueError(
        f"{entry!r} is not a host name: write a name (hub.example.com), an address "
        "(10.0.0.5), '*.example.com' or '*' (any host), without scheme, port or path"
    )


def _host_list(value: object) -> object:
    return [value] if isinstance(value, str) else value  # `allowed_hosts: "*"`


class ServerSettings(Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    public_url: str | None = Field(
        default=None,
        description="URL the store and CRM reach the hub at: webhook subscriptions, and the "
        "URL HubSpot signs",
    )
    admin_listen: str | None = Field(
        default=None,
        description="host:port of a second listener for the console, the API, /metrics and "
        "/docs (e.g. 127.0.0.1:8081, or a private address); when set, host:port serves only "
        "webhooks, /health and /ready, so that only webhooks face the internet",
    )
    max_body_bytes: int = Field(default=2_000_000, ge=1024)
    ingress_batch: int = Field(
        default=500, ge=1, description="webhooks committed together; 1 turns group commit off"
    )
    allowed_hosts: Annotated[list[str] | None, BeforeValidator(_host_list)] = Field(
        default=None,
        description="Host header values the hub answers (others get 400); default: "
        "localhost, 127.0.0.1, ::1, the host of public_url and `host` unless it is a "
        "wildcard address; '*' allows any, only when written",
    )

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts_are_host_names(cls, value: list[str] | None) -> list[str] | None:
        for entry in value or []:
            host_pattern(entry)
        return value

    def trusted_hosts(self) -> list[str]:
        """The Host header values to answer, as Starlette's TrustedHostMiddleware wants them."""
        if self.allowed_hosts is not None:
            return list(dict.fromkeys(host_pattern(entry) for entry in self.allowed_hosts))
        entries = ["localhost", "127.0.0.1", "::1"]
        if self.public_url:
            entries.append(urlsplit(self.public_url).hostname or "")
        if self.host.strip().lower() not in WILDCARD_ADDRESSES:
            entries.append(self.host)
        patterns = []
        for entry in entries:
            try:
                patterns.append(host_pattern(entry))
            except ValueError:  # not a host (a malformed public_url): nothing to allow
                continue
        return list(dict.fromkeys(patterns))

    def admin_address(self) -> tuple[str, int] | None:
        """admin_listen as (host, port); None when not set."""
        if self.admin_listen is None:
            return None
        return split_listen(self.admin_listen)

    def webhook_url(self, system: str) -> str | None:
        """Where `system` delivers its webhooks, at public_url (None: public_url not set)."""
        return f"{self.public_url.rstrip('/')}/webhooks/{system}" if self.public_url else None

    @field_validator("admin_listen")
    @classmethod
    def _admin_listen(cls, value: str | None) -> str | None:
        if value is not None:
            split_listen(value)
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return service_url(
            value, password_fix="webhooks are authenticated by their signatures"
        ).rstrip("/")


class WorkerSettings(Strict):
    count: int = Field(default=1, ge=1, le=64)
    lease: Duration = 30.0
    max_attempts: int = Field(default=12, ge=1)
    backoff_base: Duration = 2.0
    backoff_cap: Duration = 300.0


class CausewayConfig(Strict):
    store: StoreSettings = StoreSettings()
    server: ServerSettings = ServerSettings()
    workers: WorkerSettings = WorkerSettings()
    systems: dict[str, System]
    flows: FlowsSection = Field(default_factory=FlowsSection)
    customers: CustomerSettings = CustomerSettings()
    retention: RetentionSettings = RetentionSettings()
    console: ConsoleSettings = ConsoleSettings()
    portal: PortalSettings = PortalSettings()
    notifications: NotificationsSettings = NotificationsSettings()
    clickstream: dict[str, ClickstreamSettings] = Field(
        default_factory=dict,
        description="store system -> its storefront events endpoint (docs/clickstream.md)",
    )
    warehouse: WarehouseSettings = WarehouseSettings()

    @model_validator(mode="after")
    def _warehouse_names_systems(self) -> CausewayConfig:
        for key, role in (("erp", ERP), ("crm", CRM)):
            named = getattr(self.warehouse, key)
            if named is None or named == "none":
                continue
            system = self.systems.get(named)
            if system is None or not is_of(system, (role,)):
                kind = key.upper()
                of_role = sorted(n for n, s in self.systems.items() if is_of(s, (role,)))
                article = "an" if kind == "ERP" else "a"
                raise ValueError(
                    f"warehouse.{key}: {named!r} is not {article} {kind} system of this "
                    f"configuration ({kind} systems: {', '.join(of_role) or 'none'}); name "
                    f"one, or write none"
                )
        for name in self.warehouse.channel_fees:
            if name not in self.systems and name != "portal":
                known = ", ".join(sorted(self.systems)) or "none"
                raise ValueError(
                    f"warehouse.channel_fees.{name}: no system named {name!r} (systems "
                    f"defined: {known}); key each fee by the channel's system name"
                )
        return self

    def warehouse_file(self) -> Path:
        """The warehouse file: warehouse.path, else warehouse/warehouse.duckdb beside the
        hub's SQLite store (in the working directory for a PostgreSQL store). The build
        writes there and the console's reports read there."""
        if self.warehouse.path is not None:
            return Path(self.warehouse.path).expanduser()
        url = make_url(self.store.url)
        folder = (
            Path(url.database).expanduser().resolve().parent
            if url.get_backend_name() == "sqlite" and url.database
            else Path.cwd()
        )
        return folder / DEFAULT_WAREHOUSE_PATH

    def warehouse_erp(self) -> str | None:
        """The ERP system the warehouse reads: warehouse.erp, else the only ERP."""
        return self._warehouse_source(self.warehouse.erp, ERP)

    def warehouse_crm(self) -> str | None:
        """The CRM system the warehouse reads: warehouse.crm, else the only CRM."""
        return self._warehouse_source(self.warehouse.crm, CRM)

    def _warehouse_source(self, named: str | None, role: str) -> str | None:
        if named == "none":
            return None
        if named is not None:
            return named
        found = sorted(n for n, s in self.systems.items() if is_of(s, (role,)))
        return found[0] if len(found) == 1 else None

    @model_validator(mode="after")
    def _clickstream_of_stores(self) -> CausewayConfig:
        for name in self.clickstream:
            system = self.systems.get(name)
            if system is None:
                known = ", ".join(sorted(self.systems)) or "none"
                raise ValueError(
                    f"clickstream.{name}: no system named {name!r} (systems defined: {known}); "
                    f"key each clickstream block by the store system whose storefront sends it"
                )
            if not is_of(system, (STORE,)):
                stores = " or ".join(types_of_kinds((STORE,)))
                raise ValueError(
                    f"clickstream.{name}: system {name!r} is of type {system.type}, but storefront "
                    f"events come from a store ({stores})"
                )
        return self

    @model_validator(mode="after")
    def _portal_reads_an_erp(self) -> CausewayConfig:
        if self.portal.enabled and self.portal.erp is not None:
            self._check_system("portal", "erp", self.portal.erp, (ERP,))
        return self

    @model_validator(mode="after")
    def _portal_places_orders(self) -> CausewayConfig:
        """The portal's orders go through the portal-orders flow: on, placing in
        portal.erp, whenever the portal is, unless causeway.yaml configures it."""
        erp = self.portal.erp
        if self.portal.enabled and erp and self.flows.settings("portal-orders") is None:
            self.flows.put("portal-orders", PortalOrdersFlow(target=erp))
        return self

    @model_validator(mode="after")
    def _hubspot_needs_public_url(self) -> CausewayConfig:
        # HubSpot signs each delivery over the URL it was sent to. Without public_url that
        # URL could only be rebuilt from the request's Host header, which the sender chooses.
        hubspot = sorted(n for n, s in self.systems.items() if isinstance(s, HubSpotSystem))
        if hubspot and not self.server.public_url:
            raise ValueError(
                f"server.public_url: required because {hubspot[0]!r} is a HubSpot system: "
                f"HubSpot signs each webhook over the URL it delivers to, so set public_url to "
                f"the address HubSpot reaches this hub at (e.g. https://hub.example.com; "
                f"webhooks arrive at <public_url>/webhooks/{hubspot[0]})"
            )
        return self

    @model_validator(mode="after")
    def _implied_flows(self) -> CausewayConfig:
        """Flows on unless turned off (privacy-requests, for every Shopify store)."""
        for declaration in FLOWS:
            if declaration.implied is not None:
                written = self.flows.settings(declaration.name)
                self.flows.put(declaration.name, declaration.implied(written, self.systems))
        return self

    @model_validator(mode="after")
    def _flows_name_real_systems(self) -> CausewayConfig:
        configured = self.flows.configured()
        for declaration in FLOWS:
            settings = configured.get(declaration.name)
            if settings is None:
                continue
            for role in declaration.roles:
                for name in role.systems(settings):
                    self._check_system(declaration.name, role.key, name, role.kinds)
        return self

    def _check_system(self, flow: str, key: str, name: str, kinds: tuple[Kind, ...]) -> None:
        system = self.systems.get(name)
        if system is None:
            known = ", ".join(sorted(self.systems)) or "none"
            raise ValueError(
                f"flows.{flow}.{key}: no system named {name!r} (systems defined: {known}); "
                f"add it under `systems:` or fix the name"
            )
        if not is_of(system, kinds):
            wanted = " or ".join(types_of_kinds(kinds))
            raise ValueError(
                f"flows.{flow}.{key}: system {name!r} is of type {system.type}, "
                f"but this flow needs one of type {wanted}"
            )
