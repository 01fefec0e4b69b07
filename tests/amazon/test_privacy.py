"""An erasure request takes the buyer out of the Amazon orders the hub stored, and leaves
what the order needs (ids, SKUs, amounts) and everybody else's orders alone."""

from __future__ import annotations

import copy
import json

import pytest

from causeway.privacy.person import ERASED, Person
from tests.amazon.conftest import vendor_orders

BUYERS = [o for o in vendor_orders() if o.get("buyer")]


@pytest.mark.parametrize("payload", BUYERS, ids=lambda o: o["orderId"])
def test_the_buyer_of_an_amazon_order_is_erased_from_it(payload: dict) -> None:
    buyer = payload["buyer"]
    person = Person(emails=[buyer["buyerEmail"]])
    person.learn_document(payload, "amazon")
    address = payload["recipient"]["deliveryAddress"]
    assert {buyer["buyerName"], address["name"], address["addressLine1"]} <= person.details

    erased = person.redact_json(copy.deepcopy(payload), owned=False)

    assert erased["buyer"]["buyerEmail"] is None
    assert erased["buyer"]["buyerName"] == ERASED
    delivered_to = erased["recipient"]["deliveryAddress"]
    for key in ("name", "addressLine1", "postalCode", "city"):
        assert delivered_to[key] == ERASED, key
    assert delivered_to.get("phone") is None
    assert delivered_to["countryCode"] == address["countryCode"]
    text = json.dumps(erased)
    assert buyer["buyerName"] not in text and address["addressLine1"] not in text
    # What the order is stays: its id, its items' SKUs and amounts.
    assert erased["orderId"] == payload["orderId"]
    assert erased["orderItems"] == payload["orderItems"]
    assert erased["proceeds"] == payload.get("proceeds")


def test_someone_elses_amazon_order_is_left_alone() -> None:
    payload = BUYERS[0]
    stranger = Person(emails=["someone-else@marketplace.amazon.com"])
    assert not stranger.is_about(payload)
    assert stranger.redact_json(copy.deepcopy(payload), owned=False) == payload
