"""A marketplace's fees on a sale, booked in Tryton 8.2 as a supplier invoice.

One supplier invoice (account.invoice, type "in") per sale, for the marketplace's party
(e.g. "Amazon"), with one line per fee type on the expense account, its `reference` the
sale's reference plus "-fees" ("AMZ-113-0000001-fees"). That is how a bookkeeper records
what a marketplace keeps: a cost owed to the marketplace, settled against its payout,
and what Tryton's margin and payables reports read (docs/connectors/amazon.md, "Fees").

Exactly once: the invoice's reference is the key. The connector searches it before it
creates, so a replay, or a crash between Tryton's write and the hub's link, books
nothing twice. The invoice is posted on creation (dated today: the fiscal year of the
booking); one left in draft by a crash between the create and the post is posted by the
next call.

Refunds: each refund of the order that changed fees (the marketplace gave fees back and
maybe charged a refund fee) is one more supplier document for the same party, booked
after the fees invoice: its reference the sale's plus "-fees-refund-<n>" (n the refund's
number, FeeRefund), its lines the changes as costs. Tryton's own convention for a
credit: a fee given back is a line of quantity -1 at the fee's (positive) price, a fee
charged one of quantity 1, so a refund that gives back more than it charges is an `in`
invoice with a negative total, which Tryton numbers and shows as a supplier credit note
(account.invoice's sequence type "credit_note": every line <= 0 and the total < 0). Found
by its reference before it is created, posted at once, like the fees invoice. A guarantee
claim (Amazon's A-to-z) or a chargeback changes fees as a refund does and is booked the
same way, its own series: "-fees-claim-<n>", "-fees-chargeback-<n>" (FeeRefund.kind).

Account fees: the fees a marketplace charged the seller's account in one closed settlement
period rather than on an order (Amazon's subscription, FBA storage fees) are one more
supplier document for the party, a line per fee type, its reference the channel's name
plus "-account-fees-" and the period's id ("amazon-account-fees-1234567890"); found by
its reference before it is created and posted at once, as the others.

Master data: the party is found by name and created (with one empty address) when Tryton
has none; the expense account is the one named `account` (by code or name), else the
company's default expense account of product categories; the payable account is the
party's, else the company's default; the journal is the first expense journal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.masterdata import MasterData
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.errors import MissingMasterDataError, PermanentError
from causeway.model.ports.fees import AccountFees, BookedFees, ChannelFee, FeeRefund, RefundKind

SUFFIX = "-fees"
REFUND_KINDS: tuple[RefundKind, ...] = ("refund", "claim", "chargeback")
ACCOUNT_FEES_INFIX = "-account-fees-"
FIELDS = ("reference", "number", "state", "total_amount", "currency.code")


def fees_reference(sale_reference: str) -> str:
    return f"{sale_reference}{SUFFIX}"


def refund_reference(sale_reference: str, number: int, kind: RefundKind = "refund") -> str:
    """`<sale>-fees-refund-1`, `<sale>-fees-claim-1`, `<sale>-fees-chargeback-1`."""
    return f"{sale_reference}{SUFFIX}-{kind}-{number}"


def refund_series(prefix: str, reference: str) -> tuple[RefundKind, int] | None:
    """(kind, number) of a fee refund's reference that starts with `prefix`
    (`<sale>-fees-`), None for any other reference."""
    if not reference.startswith(prefix):
        return None
    kind, _, number = reference[len(prefix) :].partition("-")
    for known in REFUND_KINDS:
        if kind == known and number.isdigit():
            return known, int(number)
    return None


def account_fees_reference(channel: str, group_id: str) -> str:
    return f"{channel}{ACCOUNT_FEES_INFIX}{group_id}"


def one_currency(fees: Sequence[ChannelFee], what: str, system: str) -> tuple[str, Decimal]:
    """(the fees' one currency, their total), or the PermanentError a person can act on."""
    currencies = {f.currency for f in fees}
    if len(currencies) != 1:
        raise PermanentError(
            f"{what} are in {', '.join(sorted(currencies)) or 'no currency'}: one supplier "
            f"document takes one currency; book them in {system} by hand"
        )
    (currency,) = currencies
    return currency, sum((f.amount for f in fees), Decimal(0))


def booked(record: Mapping[str, Any], *, created: bool) -> BookedFees:
    return BookedFees(
        document_id=int(record["id"]),
        number=record.get("number") or None,
        state=str(record["state"]),
        currency=str((record.get("currency.") or {}).get("code") or ""),
        total=Decimal(record.get("total_amount") or 0),
        created=created,
    )


class ChannelFeeInvoices:
    """Supplier invoices of marketplace fees, over one RPC session."""

    def __init__(self, rpc: TrytonRPC, master: MasterData, *, system: str) -> None:
        self.rpc = rpc
        self.master = master
        self.system = system
        self._ids: dict[str, int] = {}

    def find(self, sale_references: Sequence[str]) -> dict[str, BookedFees]:
        """sale reference -> its fee invoice (not cancelled), in one call."""
        wanted = {fees_reference(r): r for r in sale_references}
        found = self.find_references(list(wanted))
        return {wanted[reference]: fees for reference, fees in found.items()}

    def find_references(self, references: Sequence[str]) -> dict[str, BookedFees]:
        """reference -> the supplier document of that reference (not cancelled), in one call."""
        if not references:
            return {}
        records = self.rpc.search_read(
            "account.invoice",
            [
                ("type", "=", "in"),
                ("reference", "in", list(references)),
                ("state", "!=", "cancelled"),
            ],
            list(FIELDS),
            order=[("id", "ASC")],
        )
        found: dict[str, BookedFees] = {}
        for record in records:
            found.setdefault(str(record["reference"]), booked(record, created=False))
        return found

    def book(
        self,
        sale_reference: str,
        fees: Sequence[ChannelFee],
        *,
        party: str,
        account: str | None = None,
    ) -> BookedFees:
        """The sale's fees as one posted supplier invoice, created at most once."""
        existing = self.find([sale_reference]).get(sale_reference)
        if existing is not None:
            return self._posted(existing)
        currency, total = one_currency(fees, f"fees of {sale_reference}", self.system)
        if total <= 0:
            raise PermanentError(
                f"fees of {sale_reference} add up to {total} {currency}: a supplier invoice "
                f"needs a positive total; book the credit in {self.system} by hand"
            )
        return self._create(
            fees_reference(sale_reference),
            f"{party} fees of sale {sale_reference}",
            fees,
            currency=currency,
            party=party,
            account=account,
        )

    def find_refunds(self, sale_reference: str) -> dict[tuple[RefundKind, int], BookedFees]:
        """(kind, number) -> the sale's fee refund, claim or chargeback document (not
        cancelled), in one call."""
        prefix = f"{fees_reference(sale_reference)}-"
        records = self.rpc.search_read(
            "account.invoice",
            [
                ("type", "=", "in"),
                ("reference", "like", f"{prefix}%"),
                ("state", "!=", "cancelled"),
            ],
            list(FIELDS),
            order=[("id", "ASC")],
        )
        found: dict[tuple[RefundKind, int], BookedFees] = {}
        for record in records:
            # LIKE's "_" matches any character: keep only this sale's own references.
            series = refund_series(prefix, str(record["reference"]))
            if series is not None:
                found.setdefault(series, booked(record, created=False))
        return found

    def book_refund(
        self,
        sale_reference: str,
        refund: FeeRefund,
        *,
        party: str,
        account: str | None = None,
    ) -> BookedFees:
        """One refund's fee changes as one posted supplier document (a credit note when it
        gives back more than it charges), created at most once."""
        existing = self.find_refunds(sale_reference).get(refund.series)
        if existing is not None:
            return self._posted(existing)
        what = f"fee {refund.label} of {sale_reference}"
        currency, total = one_currency(refund.fees, what, self.system)
        if total == 0:
            raise PermanentError(f"{what} adds up to 0 {currency}: there is nothing to book")
        return self._create(
            refund_reference(sale_reference, refund.number, refund.kind),
            f"{party} fee {refund.label} of sale {sale_reference} ({refund.kind} {refund.key})",
            refund.fees,
            currency=currency,
            party=party,
            account=account,
        )

    def book_account_fees(
        self,
        channel: str,
        period: AccountFees,
        *,
        party: str,
        account: str | None = None,
    ) -> BookedFees:
        """One closed settlement period's account fees as one posted supplier document
        (a credit note when the period gave back more than it charged), created at most
        once: found by its reference `<channel>-account-fees-<group id>` first."""
        reference = account_fees_reference(channel, period.group_id)
        existing = self.find_references([reference]).get(reference)
        if existing is not None:
            return self._posted(existing)
        what = f"{channel} account fees of settlement {period.group_id}"
        currency, total = one_currency(period.fees, what, self.system)
        if total == 0:
            raise PermanentError(f"{what} add up to 0 {currency}: there is nothing to book")
        ended = f" to {period.ended_at.date().isoformat()}" if period.ended_at else ""
        return self._create(
            reference,
            f"{party} account fees, settlement {period.group_id} "
            f"({period.started_at.date().isoformat()}{ended})",
            period.fees,
            currency=currency,
            party=party,
            account=account,
        )

    def party_exists(self, name: str) -> bool:
        """Whether Tryton has a party of `name` (book() makes it when it has none)."""
        return bool(self.rpc.search_read("party.party", [("name", "=", name)], ["id"], limit=1))

    def expense_account(self, account: str | None) -> int:
        """The expense account fees are booked on (see _expense_account), or the
        MissingMasterDataError saying what to set."""
        return self._expense_account(account)

    # -- private ---------------------------------------------------------------------------

    def _create(
        self,
        reference: str,
        description: str,
        fees: Sequence[ChannelFee],
        *,
        currency: str,
        party: str,
        account: str | None,
    ) -> BookedFees:
        """A posted supplier document of these fees: a line per fee, a negative cost as
        Tryton's credit line (quantity -1 at the positive price)."""
        currency_id = self.master.currencies([currency]).get(currency)
        if currency_id is None:
            raise MissingMasterDataError(f"no currency {currency} in {self.system}")
        party_id, address_id, payable = self._party(party)
        company = int(self.rpc.context["company"])
        expense = self._expense_account(account)
        lines = [
            {
                "type": "line",
                "description": f"{party} {fee.fee_type}",
                "quantity": 1.0 if fee.amount > 0 else -1.0,
                "unit_price": abs(fee.amount),
                "account": expense,
                "company": company,
                "currency": currency_id,
                "invoice_type": "in",
                "party": party_id,
            }
            for fee in fees
            if fee.amount != 0
        ]
        (invoice_id,) = self.rpc.create(
            "account.invoice",
            [
                {
                    "type": "in",
                    "company": company,
                    "party": party_id,
                    "invoice_address": address_id,
                    "currency": currency_id,
                    "journal": self._id("journal", "account.journal", [("type", "=", "expense")]),
                    "account": payable,
                    "reference": reference,
                    "description": description,
                    "invoice_date": dt.date.today(),
                    "lines": [["create", lines]],
                }
            ],
        )
        (record,) = self.rpc.read("account.invoice", [invoice_id], ["id", *FIELDS])
        return self._post(booked(record, created=True), created=True)

    def _posted(self, existing: BookedFees) -> BookedFees:
        """A document found by its reference, posted if a crash left it in draft."""
        if existing.state == "draft":
            return self._post(existing, created=False)
        return existing

    def _post(self, invoice: BookedFees, *, created: bool) -> BookedFees:
        self.rpc.button("account.invoice", "post", [invoice.document_id])
        (record,) = self.rpc.read("account.invoice", [invoice.document_id], ["id", *FIELDS])
        return booked(record, created=created)

    def _party(self, name: str) -> tuple[int, int, int]:
        """(party, its invoice address, its payable account), the party made when missing."""
        found = self.rpc.search_read(
            "party.party", [("name", "=", name)], ["id"], order=[("id", "ASC")], limit=1
        )
        if found:
            party_id = int(found[0]["id"])
        else:
            (party_id,) = self.rpc.create("party.party", [{"name": name}])
        addresses = self.rpc.search_read(
            "party.address", [("party", "=", party_id)], ["id"], order=[("id", "ASC")], limit=1
        )
        if addresses:
            address_id = int(addresses[0]["id"])
        else:
            (address_id,) = self.rpc.create("party.address", [{"party": party_id}])
        (party,) = self.rpc.read("party.party", [party_id], ["account_payable"])
        payable = party.get("account_payable") or self._default_payable()
        return party_id, address_id, int(payable)

    def _default_payable(self) -> int:
        if "payable" not in self._ids:
            (config,) = self.rpc.read("account.configuration", [1], ["default_account_payable"])
            if not config.get("default_account_payable"):
                raise MissingMasterDataError(
                    f"no default payable account in {self.system}: set it in Financial > "
                    f"Configuration, or give the marketplace's party one, then replay"
                )
            self._ids["payable"] = int(config["default_account_payable"])
        return self._ids["payable"]

    def _expense_account(self, account: str | None) -> int:
        """The account named `account` (code or name), else the company's default expense
        account of product categories (Financial > Configuration)."""
        key = f"expense:{account or ''}"
        if key in self._ids:
            return self._ids[key]
        if account:
            domain: list[Any] = [
                ["OR", ("code", "=", account), ("name", "=", account)],
                ("type.expense", "=", True),
                ("closed", "!=", True),
            ]
            found = self.rpc.search_read("account.account", domain, ["id"], order=[("id", "ASC")])
            if len(found) != 1:
                raise MissingMasterDataError(
                    f"{'no' if not found else 'more than one'} open expense account {account!r} "
                    f"in {self.system} for marketplace fees: set flows.channel-fees.fees_account "
                    f"to the code of one, then replay"
                )
            self._ids[key] = int(found[0]["id"])
        else:
            (config,) = self.rpc.read(
                "account.configuration", [1], ["default_category_account_expense"]
            )
            if not config.get("default_category_account_expense"):
                raise MissingMasterDataError(
                    f"no default expense account in {self.system} for marketplace fees: set "
                    f"flows.channel-fees.fees_account to an expense account's code, then replay"
                )
            self._ids[key] = int(config["default_category_account_expense"])
        return self._ids[key]

    def _id(self, key: str, model: str, domain: list[Any]) -> int:
        if key not in self._ids:
            records = self.rpc.search_read(model, domain, ["id"], order=[("id", "ASC")])
            if not records:
                raise MissingMasterDataError(f"no {model} {domain} in {self.system}")
            self._ids[key] = int(records[0]["id"])
        return self._ids[key]
