"""Erasing a person, or everything one system sent, from the whole hub: the store and
the drop folders, with a report of what changed where.

Used by `causeway erase` and by the privacy-requests flow (Shopify's customers/redact
and shop/redact). The remote systems keep their own copies: the report says, for each
configured system, how to erase the person there (privacy/remote.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from causeway.config import (
    AmazonSystem,
    FilesSystem,
    HubSpotSystem,
    ShopifySystem,
    TrytonSystem,
    WooCommerceSystem,
)
from causeway.customers.matching import record_keys
from causeway.engine import personal_data, system_data
from causeway.engine.store import Store
from causeway.privacy import drop_folders
from causeway.privacy.export import remove_exports_about
from causeway.privacy.person import Person
from causeway.privacy.remote import remote_notes
from causeway.privacy.retention import exports_folder

if TYPE_CHECKING:  # config.models is built from the flows, which import this module
    from causeway.config import CausewayConfig

# What each table holds, as an operator reads it in the report.
PLACES = {
    "inbox": "received payloads (inbox)",
    "jobs": "jobs (payloads and errors)",
    "entities": "order summaries",
    "timeline": "order timelines",
    "links": "links",
    "customers": "golden customer records",
    "customer_keys": "customer matching keys",
    "merge_log": "customer merge log",
    "flow_runs": "flows' last errors",
    "cursors": "polling cursors",
    "monitoring": "monitoring",
    "api_keys": "API keys",
}


@dataclass
class ErasureReport:
    # Place ("golden customer records", "csv: processed/") -> rows or files changed.
    changed: dict[str, int] = field(default_factory=dict)
    # Each configured system that keeps its own copy, and how to erase it there.
    remote: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.changed.values())


def person_for(
    config: CausewayConfig,
    *,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    customers: Iterable[str] = (),
    orders: Iterable[tuple[str | None, str]] = (),
) -> Person:
    """A person from what an operator or a request gives. A customer is "SYSTEM:ID" (a
    system's customer id) or a golden customer id (also tried as any system's id)."""
    system_ids: list[tuple[str | None, str]] = []
    golden: list[str] = []
    for value in customers:
        system, sep, external_id = value.partition(":")
        if sep and system in config.systems:
            system_ids.append((system, external_id))
        else:
            golden.append(value)
            system_ids.append((None, value))
    return Person(
        emails=emails,
        phones=phones,
        customers=system_ids,
        golden_ids=golden,
        orders=orders,
        region=config.customers.default_region,
    )


def _keys_for(config: CausewayConfig) -> system_data.KeysFor:
    return lambda record: record_keys(record, config.customers)


def erase_person(store: Store, config: CausewayConfig, person: Person) -> ErasureReport:

    footprint = personal_data.find(store, person)
    report = ErasureReport(remote=remote_notes(config))
    for table, count in personal_data.erase(
        store, person, footprint, config.retention.batch_size
    ).items():
        report.changed[PLACES.get(table, table)] = count
    for name, system in config.systems.items():
        if isinstance(system, FilesSystem):
            for folder, count in drop_folders.erase_in(system, person).items():
                report.changed[f"{name}: {folder}/ files"] = count
    report.changed["privacy exports"] = remove_exports_about(exports_folder(config), person)
    return report


def erase_system(store: Store, config: CausewayConfig, system: str) -> ErasureReport:
    report = ErasureReport()
    changed = system_data.erase_system(
        store, system, _keys_for(config), config.retention.batch_size
    )
    for table, count in changed.items():
        report.changed[PLACES.get(table, table)] = count
    settings = config.systems.get(system)
    if isinstance(settings, FilesSystem):
        for folder, count in drop_folders.remove_all(settings).items():
            report.changed[f"{system}: {folder}/ files"] = count
    if isinstance(
        settings,
        ShopifySystem
        | TrytonSystem
        | HubSpotSystem
        | FilesSystem
        | WooCommerceSystem
        | AmazonSystem,
    ):
        report.remote = [f"{system} ({settings.type}): the system's own data is its own"]
    return report
