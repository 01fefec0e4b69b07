"""A channel's sale terms (causeway.model.sale_terms) as the Tryton records a sale uses.

A term's name is looked up among every record of its kind: price lists and payment terms
by name, warehouses by code or name (stock-to-channels names them the same way),
customer groups among party categories by name or by full
path ("Channels / Wholesale"). Each kind is read in one call the first time a channel
needs it and kept for the connector's life, so a batch of orders costs no call for terms
already known. A name not found has the kind read again once (someone may just have
created it), then stops the batch, before anything is created, with a PermanentError
naming the setting, the value and what Tryton has. Names compare without case or extra
spaces; two records answering one name are an error too, never a guess.

A term left out (None) keeps what the connector did before channels had terms:
- warehouse: the connector's `warehouse` (systems.<erp>.warehouse, "WH" by default);
- payment term: the connector's `payment_term` ("Direct" by default; when it is unset,
  Tryton's default customer payment term);
- price list: the one Tryton's own sale form would choose: the party's sale price list,
  else the sale configuration's default (none when neither is set);
- customer group: the party's categories are left as they are.

The store's prices stay authoritative: every sale line is created with its unit price
(sale_lines.py), which Tryton keeps; the price list is recorded on the sale.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from causeway.connectors.tryton.masterdata import MasterData
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.errors import MissingMasterDataError, PermanentError
from causeway.model.sale_terms import SETTINGS, SaleTerms

log = logging.getLogger("causeway.connectors.tryton")

LISTED = 15  # names an error lists before "and N more"


@dataclass(frozen=True)
class Kind:
    """Where the records one setting names live in Tryton, and how a name is matched."""

    setting: str  # the SaleTerms field
    model: str
    shown: str  # the field shown in messages; a name matches it or one of `also`
    also: tuple[str, ...] = ()
    domain: tuple[tuple[str, str, Any], ...] = ()
    menu: str = ""  # where a person creates one in Tryton

    @property
    def label(self) -> str:
        return SETTINGS[self.setting]


KINDS: dict[str, Kind] = {
    "price_list": Kind("price_list", "product.price_list", "name", menu="Product > Price Lists"),
    # Tryton shows a warehouse as "[WH] Warehouse"; its code or its name alone names it too.
    "warehouse": Kind(
        "warehouse",
        "stock.location",
        "rec_name",
        also=("code", "name"),
        domain=(("type", "=", "warehouse"),),
        menu="Inventory & Stock > Warehouses",
    ),
    "payment_term": Kind(
        "payment_term",
        "account.invoice.payment_term",
        "name",
        menu="Financial > Configuration > Payment Terms",
    ),
    "customer_group": Kind(
        "customer_group", "party.category", "rec_name", also=("name",), menu="Party > Categories"
    ),
}


@dataclass(frozen=True)
class Named:
    """One Tryton record a term may name: its id, what it is shown as, and the names
    (normalised) it answers to."""

    id: int
    shown: str
    names: frozenset[str]


@dataclass(frozen=True)
class TrytonTerms:
    """A channel's terms as Tryton record ids (None: see the module docstring)."""

    warehouse: int
    payment_term: int | None
    price_list: int | None
    customer_category: int | None


def normalised(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def named_records(kind: Kind, records: Iterable[Mapping[str, Any]]) -> list[Named]:
    """Records read with the kind's fields as Named, those without a name left out."""
    found = []
    for record in records:
        values = [record.get(field) for field in (kind.shown, *kind.also)]
        names = frozenset(normalised(v) for v in values if isinstance(v, str) and v.strip())
        if names and record.get(kind.shown):
            found.append(Named(int(record["id"]), str(record[kind.shown]), names))
    return found


def matches(value: str, records: Iterable[Named]) -> list[Named]:
    wanted = normalised(value)
    return [record for record in records if wanted in record.names]


def _listing(records: Sequence[Named]) -> str:
    shown = sorted({r.shown for r in records}, key=str.casefold)
    if not shown:
        return "none"
    more = len(shown) - LISTED
    return ", ".join(shown[:LISTED]) + (f" and {more} more" if more > 0 else "")


# What to do once the setting is fixed: orders stopped by it wait, parked, for a replay.
REPLAY = ", then run `causeway replay`"


def not_found(
    kind: Kind, value: str, records: Sequence[Named], system: str, then: str = REPLAY
) -> PermanentError:
    return MissingMasterDataError(
        f"{kind.label} {value!r} not found in Tryton ({system}); it has: {_listing(records)}. "
        f"Create it in Tryton ({kind.menu}) or correct `{kind.setting}` in this channel's "
        f"settings{then}"
    )


def ambiguous(
    kind: Kind, value: str, found: Sequence[Named], system: str, then: str = REPLAY
) -> PermanentError:
    ids = ", ".join(str(r.id) for r in sorted(found, key=lambda r: r.id))
    return MissingMasterDataError(
        f"{kind.label} {value!r} is ambiguous in Tryton ({system}): {len(found)} records "
        f"answer to it (ids {ids}). Rename all but one in Tryton ({kind.menu}), or name "
        f"one by its full name in `{kind.setting}`{then}"
    )


def pick(kind: Kind, value: str, records: Sequence[Named], system: str, then: str = REPLAY) -> int:
    """The id of the one record `value` names; PermanentError when none or several do."""
    found = matches(value, records)
    if len(found) > 1:
        raise ambiguous(kind, value, found, system, then)
    if not found:
        raise not_found(kind, value, records, system, then)
    return found[0].id


def joined(errors: Sequence[PermanentError]) -> PermanentError:
    """Several wrong terms are reported at once: a person fixes them in one go."""
    return errors[0] if len(errors) == 1 else PermanentError("; ".join(map(str, errors)))


class SaleTermsResolver:
    """Resolves SaleTerms to Tryton ids and prepares parties for them; see the module
    docstring. One per connector: it keeps what it has read."""

    def __init__(self, rpc: TrytonRPC, master: MasterData, *, system: str) -> None:
        self.rpc = rpc
        self.master = master
        self.system = system
        self._records: dict[str, list[Named]] = {}
        self._price_lists_on_sales: bool | None = None  # sale_price_list activated?
        self._default_price_list: tuple[int | None] | None = None

    # --- names to ids -------------------------------------------------------------------

    def resolve(self, terms: SaleTerms | None) -> TrytonTerms:
        """The ids of the terms, the connector's defaults for those left out. Raises one
        PermanentError naming every term Tryton lacks."""
        named = (terms or SaleTerms()).named()
        ids: dict[str, int] = {}
        errors: list[PermanentError] = []
        for setting, value in named.items():
            try:
                ids[setting] = self.id_of(setting, value)
            except PermanentError as exc:
                errors.append(exc)
        if errors:
            raise joined(errors)
        return TrytonTerms(
            warehouse=ids["warehouse"] if "warehouse" in ids else self.master.warehouse(),
            payment_term=(
                ids["payment_term"] if "payment_term" in ids else self.master.payment_term()
            ),
            price_list=ids.get("price_list"),
            customer_category=ids.get("customer_group"),
        )

    def check(self, terms: SaleTerms) -> dict[str, PermanentError | None]:
        """setting -> None when Tryton has what it names, else the error (for `causeway
        check`). A RetryableError (Tryton unreachable) is raised."""
        found: dict[str, PermanentError | None] = {}
        for setting, value in terms.named().items():
            try:
                self.id_of(setting, value)
                found[setting] = None
            except PermanentError as exc:
                found[setting] = exc
        return found

    def id_of(self, setting: str, value: str, *, then: str = REPLAY) -> int:
        """The id of the record `value` names; `then`: what to do after fixing it."""
        kind = KINDS[setting]
        if setting == "price_list" and not self.price_lists_on_sales():
            raise MissingMasterDataError(
                f"{kind.label} {value!r} is set for this channel, but sales in Tryton "
                f"({self.system}) have no price list: activate the sale_price_list module "
                f"(trytond-admin -u sale_price_list --activate-dependencies), or leave "
                f"`price_list` out"
            )
        known = self._records.get(setting)
        if known is None or len(matches(value, known)) != 1:
            known = self._records[setting] = self._read(kind)
        return pick(kind, value, known, self.system, then)

    def _read(self, kind: Kind) -> list[Named]:
        fields = [kind.shown, *kind.also]
        if kind.setting == "price_list":
            fields.append("company")
        records = self.rpc.search_read(kind.model, list(kind.domain), fields, order=[("id", "ASC")])
        company = self.rpc.context.get("company")
        if kind.setting == "price_list" and company:
            # A sale takes only a price list of its own company (the user's current one).
            records = [r for r in records if r.get("company") in (None, company)]
        return named_records(kind, records)

    def price_lists_on_sales(self) -> bool:
        """Whether sales have a price list (the sale_price_list module is activated)."""
        if self._price_lists_on_sales is None:
            fields = self.rpc.model("sale.sale", "fields_get", ["price_list"])
            self._price_lists_on_sales = "price_list" in fields
        return self._price_lists_on_sales

    # --- parties --------------------------------------------------------------------------

    def prepare_parties(
        self, terms: TrytonTerms, parties: Collection[int]
    ) -> dict[int, int | None]:
        """Put the parties in the channel's customer category (added to the categories they
        have, never replacing them) and return party -> the price list its sales get."""
        ids = sorted(set(parties))
        if terms.customer_category is not None and ids:
            self._categorise(ids, terms.customer_category)
        if terms.price_list is not None:
            return {party: terms.price_list for party in ids}
        return self._default_price_lists(ids)

    def _categorise(self, parties: list[int], category: int) -> None:
        # Read first: writing a party changes its write_date, which customers-sync reads
        # as a change of the customer; a party already in the category is not written.
        have = self.rpc.search_read(
            "party.party", [("id", "in", parties), ("categories", "=", category)], ["id"]
        )
        missing = sorted(set(parties) - {int(r["id"]) for r in have})
        if missing:
            self.rpc.write("party.party", missing, {"categories": [["add", [category]]]})

    def _default_price_lists(self, parties: list[int]) -> dict[int, int | None]:
        """What Tryton's sale form chooses: the party's sale price list, else the sale
        configuration's (Sale > Configuration)."""
        if not parties or not self.price_lists_on_sales():
            return {party: None for party in parties}
        default = self._configured_price_list()
        records = self.rpc.read("party.party", parties, ["sale_price_list"])
        own = {int(r["id"]): r.get("sale_price_list") for r in records}
        return {party: own.get(party) or default for party in parties}

    def _configured_price_list(self) -> int | None:
        # Read once: a default price list changed in Tryton is picked up on the next start.
        if self._default_price_list is None:
            try:
                (config,) = self.rpc.read("sale.configuration", [1], ["sale_price_list"])
            except PermanentError:
                log.warning(
                    "cannot read %s's sale configuration; sales get no default price list",
                    self.system,
                )
                config = {}
            value = config.get("sale_price_list")
            self._default_price_list = (int(value) if value else None,)
        return self._default_price_list[0]
