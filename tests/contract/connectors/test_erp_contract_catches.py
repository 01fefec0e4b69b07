"""The ERP contract can fail: each property, run against a deliberately broken variant of the
real Tryton connector (or of the engine's job queue), fails for the reason it names.

The variants are the mistakes a connector author makes: creating without searching the
natural key, searching only finished sales (blind to what a crash left half-done), calling
a lost answer a permanent failure, promising safe concurrent places, and an engine that
hands out two jobs of one order at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from typing import Any

import pytest
from sqlalchemy import Select, select

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine.jobs import RUNNING, JobQueue
from causeway.engine.schema import jobs
from causeway.engine.store import Store
from causeway.errors import PermanentError, RetryableError
from causeway.model import Order
from causeway_sandbox.tryton.server import TrytonServer
from tests.contract.connectors.erp_contract import ErpContract
from tests.contract.connectors.tryton_erp import TrytonErp
from tests.contract.connectors.wire import Wire

pytestmark = pytest.mark.tryton

Variant = Callable[..., TrytonErp]
CONTRACT = ErpContract()


class CreatesWithoutSearching(TrytonConnector):
    """Places every order as new: sale.reference is never searched."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sales._sales_by_reference = lambda references: {}  # type: ignore[method-assign]


class SearchesOnlyFinishedSales(TrytonConnector):
    """Searches sale.reference, but counts a draft or a quotation as no sale at all."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        search = self.sales._sales_by_reference

        def finished(references: list[str]) -> dict[str, dict[str, Any]]:
            found = search(references)
            return {r: s for r, s in found.items() if s["state"] not in ("draft", "quotation")}

        self.sales._sales_by_reference = finished  # type: ignore[method-assign]


class CallsALostAnswerPermanent(TrytonConnector):
    """Reports an ERP that could not be heard from as a permanent failure (the job parks)."""

    def place_orders(self, orders: Sequence[tuple[str, Order]], **options: Any) -> dict[str, Any]:
        results: Mapping[str, Any] = super().place_orders(orders, **options)
        return {
            reference: PermanentError(str(r)) if isinstance(r, RetryableError) else r
            for reference, r in results.items()
        }


class IgnoresOrderingKeys(JobQueue):
    """A job queue that hands out any due job, whatever is running for the same entity."""

    def _candidates(
        self, flows: Sequence[str], state: str, stamp: float, limit: int
    ) -> Select[tuple[int]]:
        due = jobs.c.lease_until < stamp if state == RUNNING else jobs.c.run_at <= stamp
        return (
            select(jobs.c.id)
            .where(jobs.c.flow.in_(list(flows)), jobs.c.state == state, due)
            .order_by(jobs.c.id)
            .limit(limit)
        )


class ContractOnARacingEngine(ErpContract):
    def job_queue(self, store: Store) -> JobQueue:
        return IgnoresOrderingKeys(store)


@pytest.fixture
def erp(tryton_server: TrytonServer, unique: str) -> Iterator[Variant]:
    """The Tryton subject built on a connector class of the test's choosing."""
    with ExitStack() as opened:

        def variant(build: type[TrytonConnector] = TrytonConnector) -> TrytonErp:
            wire = opened.enter_context(Wire(tryton_server.url))
            return opened.enter_context(TrytonErp(tryton_server, wire, unique, build=build))

        yield variant


def test_the_suite_catches_a_connector_that_creates_without_searching(erp: Variant) -> None:
    with pytest.raises(AssertionError, match="must return the first sale"):
        CONTRACT.test_placing_an_order_again_after_a_crash_before_the_link_returns_the_first_sale(
            erp(CreatesWithoutSearching)
        )
    with pytest.raises(AssertionError, match="must return the first sale"):
        CONTRACT.test_a_batch_with_a_placed_and_a_new_order_creates_only_the_new_ones_sale(
            erp(CreatesWithoutSearching)
        )
    with pytest.raises(AssertionError, match=r"the retry made a sale|holds 2 sales"):
        CONTRACT.test_a_write_whose_answer_was_lost_is_retried_into_the_sale_it_made(
            erp(CreatesWithoutSearching)
        )


def test_the_suite_catches_a_connector_blind_to_a_sale_a_crash_left_half_done(
    erp: Variant,
) -> None:
    # Placing an order twice cannot see this mistake: the first place finished its sale.
    CONTRACT.test_placing_an_order_again_after_a_crash_before_the_link_returns_the_first_sale(
        erp(SearchesOnlyFinishedSales)
    )
    # Losing the answer to the create leaves a draft, which this variant does not see.
    with pytest.raises(AssertionError, match=r"after losing model\.sale\.sale\.create"):
        CONTRACT.test_a_write_whose_answer_was_lost_is_retried_into_the_sale_it_made(
            erp(SearchesOnlyFinishedSales)
        )


def test_the_suite_catches_a_connector_that_calls_a_lost_answer_permanent(erp: Variant) -> None:
    with pytest.raises(AssertionError, match="retryable, not PermanentError"):
        CONTRACT.test_a_write_whose_answer_was_lost_is_retried_into_the_sale_it_made(
            erp(CallsALostAnswerPermanent)
        )


# Two racers for one order of a known customer both create the sale: two sales, every
# time. For a new customer they mostly both create the party first, and Tryton refuses
# the second (its code is unique); when one party lands before the other racer looks,
# it is two sales again.
TWO_SALES = "different sales|same moment"
RACES = pytest.mark.parametrize(
    ("customer", "caught"),
    [("new", f"The code on party must be unique|{TWO_SALES}"), ("known", TWO_SALES)],
)


def racing_subject(erp: Variant, customer: str) -> TrytonErp:
    subject = erp()
    if customer == "known":  # the racers' customer has bought before
        reference, order = subject.order("earlier", customer="race")
        assert not isinstance(
            subject.connector.place_orders([(reference, order)])[reference], Exception
        )
    return subject


@RACES
def test_the_suite_catches_a_connector_that_promises_safe_concurrent_places_falsely(
    erp: Variant, customer: str, caught: str
) -> None:
    subject = racing_subject(erp, customer)
    subject.concurrent_places_are_safe = True  # what Tryton's connector cannot keep
    with pytest.raises(AssertionError, match=caught):
        CONTRACT.check_two_workers_placing_one_order_at_once_make_one_sale(subject)


@RACES
def test_the_suite_catches_an_engine_that_runs_two_jobs_of_one_order_at_once(
    erp: Variant, sqlite_store: Store, customer: str, caught: str
) -> None:
    contract = ContractOnARacingEngine()
    with pytest.raises(AssertionError, match=caught):
        contract.test_two_deliveries_of_one_order_make_one_sale_as_the_engine_runs_them_in_turn(
            racing_subject(erp, customer), sqlite_store
        )
