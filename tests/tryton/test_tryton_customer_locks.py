"""Two workers' Tryton connectors placing orders at the same moment, sharing the hub's locks:
new customers are created once each, and none trips over Tryton's party code sequence."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from typing import Any

import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine.locks import StoreLocks
from causeway.engine.store import Store
from causeway_sandbox.tryton.server import TrytonServer
from tests.tryton.test_tryton_connector import make_order

pytestmark = pytest.mark.tryton

ROUNDS = 6


@pytest.fixture
def two_workers(
    tryton_server: TrytonServer, sqlite_store: Store
) -> Iterator[list[TrytonConnector]]:
    """Two connectors, as two worker processes of one hub hold them: one store's locks."""
    server = tryton_server
    with ExitStack() as stack:
        yield [
            stack.enter_context(
                TrytonConnector(
                    server.url,
                    server.database,
                    server.username,
                    server.password,
                    locks=StoreLocks(sqlite_store),
                )
            )
            for _ in range(2)
        ]


def at_once(actions: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run the actions in threads released together; their results in order."""
    start = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(i: int) -> None:
        start.wait()
        results[i] = actions[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def place(connector: TrytonConnector, reference: str, email: str) -> Any:
    order = make_order(reference, [("WID-001", 1, "10.00")], email=email)
    return connector.place_orders([(reference, order)])[reference]


def test_two_workers_placing_different_new_customers_at_once_both_place_their_sales(
    two_workers: list[TrytonConnector], unique: str
) -> None:
    outcomes = []
    for n in range(ROUNDS):
        outcomes += at_once(
            [
                lambda c=connector, i=i, n=n: place(
                    c, f"locks-{unique}-{n}-{i}", f"new{n}.{i}.{unique}@example.com"
                )
                for i, connector in enumerate(two_workers)
            ]
        )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert errors == [], "a worker tripped over the other's new party"
    assert len({o.party_id for o in outcomes}) == 2 * ROUNDS


def test_two_workers_placing_one_new_customers_orders_at_once_make_one_party(
    two_workers: list[TrytonConnector], unique: str
) -> None:
    for n in range(ROUNDS):
        email = f"Shared{n}.{unique}@Example.com"  # as one store capitalises it
        outcomes = at_once(
            [
                lambda c=connector, i=i, e=email, n=n: place(
                    c, f"one-{unique}-{n}-{i}", e.lower() if i else e
                )
                for i, connector in enumerate(two_workers)
            ]
        )
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert len({o.party_id for o in outcomes}) == 1, "the customer was created twice"
