"""A Tryton ERP: reachable, the login accepted, the modules the enabled flows need
activated, and the master data they refer to present (warehouse, shipping, discount, gift
card and tip products, tax rounded per line, payment term, payment method, carriers), what
each channel's sale terms name, and the warehouses stock-to-channels reads for each channel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from causeway.checks.result import Check, failed, passed, present
from causeway.config import TrytonSystem
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.errors import PermanentError, RetryableError
from causeway.model.sale_terms import SETTINGS, SaleTerms


def check_tryton(
    name: str,
    system: TrytonSystem,
    erp: TrytonConnector,
    modules: dict[str, list[str]],
    *,
    places_sales: bool,
    payment_methods: list[str],
    carriers: list[str],
    sale_terms: Mapping[str, SaleTerms] | None = None,
    stock_warehouses: Mapping[str, Sequence[str]] | None = None,
) -> list[Check]:
    """modules: module -> the flows that need it; places_sales: a flow creates sales;
    sale_terms: channel -> the terms its sales are placed on in this ERP;
    stock_warehouses: channel -> the warehouses its stock is read from."""
    try:
        erp.rpc.login()
    except RetryableError as exc:
        return [failed(name, f"reachable at {system.url}", str(exc))]
    except PermanentError as exc:
        return [
            passed(name, f"reachable at {system.url}"),
            failed(
                name,
                f"login as {system.username!r}",
                f"{exc}; fix systems.{name}.username or its password (and systems.{name}.database)",
            ),
        ]
    found = [
        passed(name, f"reachable at {system.url}"),
        passed(name, f"login as {system.username!r} on {system.database!r}"),
    ]
    found += _modules(name, erp, modules)
    found += _master_data(name, system, erp, places_sales, payment_methods, carriers)
    found += check_sale_terms(name, erp, sale_terms or {})
    found += check_stock_warehouses(name, erp, stock_warehouses or {})
    return found


def check_sale_terms(
    name: str, erp: TrytonConnector, channels: Mapping[str, SaleTerms]
) -> list[Check]:
    """Each term a channel names exists in Tryton, or the error its orders would stop with."""
    found = []
    for channel, terms in channels.items():
        try:
            errors = erp.sales.terms.check(terms)
        except RetryableError as exc:
            found.append(failed(name, f"sale terms of channel {channel!r}", str(exc)))
            continue
        for setting, error in errors.items():
            what = f"{SETTINGS[setting]} {getattr(terms, setting)!r} of channel {channel!r}"
            found.append(passed(name, what) if error is None else failed(name, what, str(error)))
    return found


def check_stock_warehouses(
    name: str, erp: TrytonConnector, channels: Mapping[str, Sequence[str]]
) -> list[Check]:
    """Each warehouse a stock-to-channels channel names exists in Tryton, once."""
    found = []
    for channel, warehouses in channels.items():
        for warehouse in warehouses:
            what = f"warehouse {warehouse!r} feeding channel {channel!r} (stock-to-channels)"
            try:
                erp.warehouse_key(warehouse)
                found.append(passed(name, what))
            except (PermanentError, RetryableError) as exc:
                found.append(failed(name, what, str(exc)))
    return found


def _modules(name: str, erp: TrytonConnector, modules: dict[str, list[str]]) -> list[Check]:
    if not modules:
        return []
    rows = erp.rpc.search_read("ir.module", [("name", "in", sorted(modules))], ["name", "state"])
    states = {row["name"]: row["state"] for row in rows}
    missing = [m for m in sorted(modules) if states.get(m) != "activated"]
    if missing:
        needed_by = sorted({flow for m in missing for flow in modules[m]})
        return [
            failed(
                name,
                f"modules {', '.join(missing)}",
                f"not activated in {name} (needed by {', '.join(needed_by)}): activate them "
                f"(trytond-admin -u {' '.join(missing)} --activate-dependencies)",
            )
        ]
    return [passed(name, f"modules activated ({', '.join(sorted(modules))})")]


def _master_data(
    name: str,
    system: TrytonSystem,
    erp: TrytonConnector,
    places_sales: bool,
    payment_methods: list[str],
    carriers: list[str],
) -> list[Check]:
    found = []
    try:
        erp.master.warehouse()
        found.append(passed(name, f"warehouse {system.warehouse!r}"))
    except PermanentError as exc:
        found.append(failed(name, f"warehouse {system.warehouse!r}", str(exc)))
    if places_sales:
        services = (
            ("shipping_sku", system.shipping_sku, "shipping charges"),
            ("discount_sku", system.discount_sku, "order discounts"),
            ("gift_card_sku", system.gift_card_sku, "gift cards sold"),
            ("tip_sku", system.tip_sku, "tips"),
        )
        products = erp.master.products([sku for _, sku, _ in services])
        found.append(_tax_rounding(name, erp))
        for key, sku, use in services:
            found.append(
                present(
                    name,
                    f"product {sku} ({key})",
                    sku in products,
                    f"no product with code {sku!r} in {name}: create a service product "
                    f"{sku!r} for {use} in Tryton, or set systems.{name}.{key} to the "
                    f"code of the one you use",
                )
            )
    if system.payment_term:
        found.append(
            present(
                name,
                f"payment term {system.payment_term!r}",
                erp.master.payment_term() is not None,
                f"no payment term named {system.payment_term!r} in {name}: create it, or "
                f"set systems.{name}.payment_term to an existing one",
            )
        )
    for method in payment_methods:
        try:
            erp.invoices.payment_method(method)
            found.append(passed(name, f"payment method {method!r}"))
        except PermanentError as exc:
            found.append(failed(name, f"payment method {method!r}", str(exc)))
    if carriers:
        rows = erp.rpc.search_read("carrier", [("party.name", "in", carriers)], ["party.name"])
        # Tryton returns a dotted field nested: {"party.": {"name": ...}}.
        known = {(row.get("party.") or {}).get("name") for row in rows}
        found += [
            present(
                name,
                f"carrier {carrier!r}",
                carrier in known,
                f"no carrier whose party is {carrier!r} in {name}: create it, or fix "
                f"flows.fulfillments-to-channels.tracking_urls",
            )
            for carrier in carriers
        ]
    return found


def _tax_rounding(name: str, erp: TrytonConnector) -> Check:
    """Stores round tax per line (Shopify does, CSV orders too): a sale rounding it once per
    document can be a cent off the order (docs/connectors/tryton.md, "Tax rounding")."""
    try:
        per_line = erp.master.tax_rounding() == "line"
    except PermanentError as exc:
        return failed(name, "tax rounded per line", str(exc))
    return present(
        name,
        "tax rounded per line",
        per_line,
        f"{name} rounds tax once per document, the stores per line: sales can be a cent off "
        f"their orders; set Financial > Configuration > Tax Rounding to 'Per Line' in Tryton",
    )
