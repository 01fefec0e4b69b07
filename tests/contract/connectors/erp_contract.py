"""The contract every ERP connector keeps: one channel order becomes one ERP sale, whatever happens.

The hub places an order with the ERP, then writes its link (store order -> ERP sale).
Between the two it can crash, the ERP's answer can be lost on the way, a webhook and
the reconciling poll can both deliver the order. None of that may make a second sale.
A connector keeps that promise by searching its natural key (the sale reference the hub
gives each order) before it creates, and by reporting a write whose outcome it does not
know as retryable, so that the retry searches again.

`ErpContract` holds the scenarios as tests; a connector's own module provides the fixture
`subject` (an `ErpSubject`) and inherits them (docs/connectors/writing-a-connector.md):

    class TestTrytonKeepsTheErpContract(ErpContract): ...

Concurrency: two places of one order at the very same moment make one sale only if the
connector says so (`concurrent_places_are_safe`). A connector that searches, then
creates, cannot: both racers search before either creates. It relies instead on the
precondition the engine provides, which the last test checks with the connector: jobs
of one order share an ordering key, and the job queue never runs two of them at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from functools import partial
from typing import Any, Protocol

from causeway.engine.inbox import InboxRecord
from causeway.engine.jobs import JobQueue
from causeway.engine.store import Store
from causeway.errors import RetryableError
from causeway.flows.orders_to_erp import NAME as ORDERS_TO_ERP
from causeway.flows.orders_to_erp import POLL_TOPIC, order_job
from causeway.model import Order
from tests.contract.connectors.wire import Wire, WireCall

__all__ = ["ErpContract", "ErpOrders", "ErpSubject", "PlacedOrder"]

# How long the first writer of a rendezvous waits for a second: long enough for a second
# worker to claim, search and reach its write, short enough not to slow the suite.
RACE_PATIENCE = 1.5


class PlacedOrder(Protocol):
    """What an ERP connector reports for an order it placed or found."""

    @property
    def sale_id(self) -> Any: ...
    @property
    def state(self) -> str: ...


class ErpOrders(Protocol):
    """The port operation under test: place orders by natural key, one result per key.

    (When the neutral ports land, this becomes an import of the ERP port.)
    """

    def place_orders(self, orders: Sequence[tuple[str, Order]]) -> Mapping[str, Any]: ...


class ErpSubject(Protocol):
    """One ERP connector and what the suite needs around it.

    `connector` talks to the ERP through `wire`, so that the suite can lose its answers.
    The rest is the ERP's side of the story, told without the connector's own logic.
    """

    @property
    def connector(self) -> ErpOrders: ...
    @property
    def wire(self) -> Wire: ...
    @property
    def sale_writes(self) -> Sequence[WireCall]:
        """The remote writes that placing one new order makes, in the order it makes them
        (Tryton: create, quote, confirm). The suite loses the answer of each in turn."""
        ...

    @property
    def finished_states(self) -> frozenset[str]:
        """States of a sale the ERP goes on to fulfil (Tryton: confirmed, processing)."""
        ...

    @property
    def concurrent_places_are_safe(self) -> bool:
        """True only if two places of one order at the same moment make one sale."""
        ...

    def order(self, key: str) -> tuple[str, Order]:
        """A new order of this test's own the ERP can accept, with its sale reference."""
        ...

    def sales_in_erp(self, reference: str) -> list[str]:
        """Ids of every sale the ERP holds under `reference`, in any state, read directly."""
        ...

    def connect(self) -> AbstractContextManager[ErpOrders]:
        """Another connector to the same ERP through the same wire (another worker's)."""
        ...


def place(connector: ErpOrders, reference: str, order: Order) -> Any:
    """The result of placing one order: what it placed, or the error."""
    return connector.place_orders([(reference, order)])[reference]


def placed(result: Any, what: str) -> PlacedOrder:
    assert not isinstance(result, BaseException), f"{what} failed: {result!r}"
    return result  # type: ignore[no-any-return]


def one_sale(subject: ErpSubject, reference: str) -> str:
    found = subject.sales_in_erp(reference)
    assert len(found) == 1, f"the ERP holds {len(found)} sales for {reference}: {found}"
    return found[0]


class ErpContract:
    """Exactly-once placing, as scenarios; inherit it and provide the `subject` fixture."""

    def test_placing_an_order_again_after_a_crash_before_the_link_returns_the_first_sale(
        self, subject: ErpSubject
    ) -> None:
        # The hub placed the order, then crashed before writing its link: the job runs
        # again and places the same order as if for the first time.
        reference, order = subject.order("again")
        first = placed(place(subject.connector, reference, order), "the first place")
        retry = placed(place(subject.connector, reference, order), "the retry")

        assert str(retry.sale_id) == str(first.sale_id), "the retry must return the first sale"
        assert one_sale(subject, reference) == str(first.sale_id)

    def test_a_batch_with_a_placed_and_a_new_order_creates_only_the_new_ones_sale(
        self, subject: ErpSubject
    ) -> None:
        # A batch failed after its first order landed; the retry carries both.
        done_reference, done = subject.order("done")
        new_reference, new = subject.order("new")
        first = placed(place(subject.connector, done_reference, done), "the first place")

        results = subject.connector.place_orders([(done_reference, done), (new_reference, new)])

        again = placed(results[done_reference], "the placed order in the retried batch")
        fresh = placed(results[new_reference], "the new order in the retried batch")
        assert str(again.sale_id) == str(first.sale_id), "the retry must return the first sale"
        assert one_sale(subject, done_reference) == str(first.sale_id)
        assert one_sale(subject, new_reference) == str(fresh.sale_id)

    def test_an_order_twice_in_one_batch_makes_one_sale(self, subject: ErpSubject) -> None:
        # A webhook and the poll's copy of one order, handed over together.
        reference, order = subject.order("pair")
        results = subject.connector.place_orders([(reference, order), (reference, order)])
        sale = placed(results[reference], "the order given twice")
        assert one_sale(subject, reference) == str(sale.sale_id)

    def test_a_write_whose_answer_was_lost_is_retried_into_the_sale_it_made(
        self, subject: ErpSubject
    ) -> None:
        # The ERP did the write, then the connection broke before its answer arrived: the
        # connector cannot know whether the sale exists. It must say so (retryable), and
        # the retry must find the sale that write made and finish it; never make another.
        for step, write in enumerate(subject.sale_writes):
            reference, order = subject.order(f"lost{step}")
            subject.wire.lose_answer(write)
            outcome = place(subject.connector, reference, order)

            assert subject.wire.lost[-1:] == [write.name], (
                f"placing an order never made the write {write}: fix `sale_writes`"
            )
            landed = one_sale(subject, reference)  # the write reached the ERP
            if isinstance(outcome, BaseException):
                assert isinstance(outcome, RetryableError), (
                    f"after the answer to {write} was lost the outcome is unknown, which is "
                    f"retryable, not {type(outcome).__name__}: {outcome}"
                )
            else:
                assert str(outcome.sale_id) == landed, f"after losing {write}: another sale"
            retry = placed(place(subject.connector, reference, order), f"the retry after {write}")
            assert str(retry.sale_id) == landed, f"after losing {write}, the retry made a sale"
            assert one_sale(subject, reference) == landed, f"after losing {write}: two sales"
            assert retry.state in subject.finished_states, (
                f"after losing {write}, the retry left the sale {retry.state}"
            )

    # Not collected here: only a connector that promises it (`concurrent_places_are_safe`)
    # runs it, through ConcurrentPlacesContract. One that searches, then creates, relies on
    # the engine never running two jobs of one order at once, which every connector's
    # test_two_deliveries_of_one_order_make_one_sale_as_the_engine_runs_them_in_turn checks.
    def check_two_workers_placing_one_order_at_once_make_one_sale(
        self, subject: ErpSubject
    ) -> None:
        reference, order = subject.order("race")
        # Both searches happen before either write, every time.
        subject.wire.rendezvous(subject.sale_writes[0], patience=RACE_PATIENCE)
        results: list[Any] = []
        with subject.connect() as other:
            racers = [subject.connector, other]
            start = threading.Barrier(len(racers))

            def race(connector: ErpOrders) -> None:
                start.wait()
                results.append(place(connector, reference, order))

            run_together([partial(race, connector) for connector in racers])
        sales = {str(placed(r, "a racing place").sale_id) for r in results}
        assert len(sales) == 1, f"two workers at once got different sales: {sales}"
        assert one_sale(subject, reference) in sales

    def job_queue(self, store: Store) -> JobQueue:
        """The queue the engine runs order jobs from (a negative check swaps it)."""
        return JobQueue(store)

    def test_two_deliveries_of_one_order_make_one_sale_as_the_engine_runs_them_in_turn(
        self, subject: ErpSubject, store: Store
    ) -> None:
        # The webhook and the reconciling poll both delivered the order; two workers are
        # free. The engine's precondition: jobs of one order never run at once.
        reference, order = subject.order("race")
        queue = self.job_queue(store)
        deliveries = [
            InboxRecord("shop", f"{kind}-{reference}", topic, f"order:{order.external_id}", b"{}")
            for kind, topic in (("webhook", "orders/create"), ("poll", POLL_TOPIC))
        ]
        queue.enqueue(*(order_job("shop", d, n) for n, d in enumerate(deliveries, start=1)))
        meeting = subject.wire.rendezvous(subject.sale_writes[0], patience=RACE_PATIENCE)
        results: list[Any] = []

        def worker(name: str, connector: ErpOrders) -> None:
            deadline = time.monotonic() + 60
            while queue.unfinished([ORDERS_TO_ERP]) and time.monotonic() < deadline:
                # One job per claim: as parallel as two workers can be.
                claimed = queue.claim(name, [ORDERS_TO_ERP], limit=1, lease_seconds=60)
                if not claimed:
                    time.sleep(0.01)
                    continue
                for job in claimed:
                    results.append(place(connector, reference, order))
                    queue.complete(job, name)

        with subject.connect() as other:
            run_together([partial(worker, "one", subject.connector), partial(worker, "two", other)])
        assert len(results) == 2, f"the two jobs did not both run: {results}"
        assert not meeting.met, "two workers wrote the sale of one order at the same moment"
        sales = {str(placed(r, "a delivery's place").sale_id) for r in results}
        assert len(sales) == 1, f"two deliveries of one order made different sales: {sales}"
        assert one_sale(subject, reference) in sales


def run_together(actions: Sequence[Callable[[], None]]) -> None:
    """Run each action in its own thread; re-raise the first failure."""
    failures: list[BaseException] = []

    def guarded(action: Callable[[], None]) -> None:
        try:
            action()
        except BaseException as exc:  # reported by the test's thread below
            failures.append(exc)

    threads = [threading.Thread(target=guarded, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if failures:
        raise failures[0]


class ConcurrentPlacesContract(ErpContract):
    """For an ERP connector whose place_orders is safe to race with itself."""

    def test_two_workers_placing_one_order_at_once_make_one_sale(self, subject: ErpSubject) -> None:
        assert subject.concurrent_places_are_safe, "only for a connector that promises it"
        self.check_two_workers_placing_one_order_at_once_make_one_sale(subject)
