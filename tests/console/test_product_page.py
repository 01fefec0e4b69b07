"""Page 6, Product / SKU: one SKU across the ERP (read live), the hub's record of what
each channel was told and shown, and what orders not in the ERP hold."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from causeway.hub import Hub
from tests.console.conftest import client_with_key, console_hub
from tests.entity_records import PRODUCT_FLOWS, SKU, FakeErp, lamp_published


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    hub = console_hub(tmp_path, PRODUCT_FLOWS)
    hub.connectors["erp"] = FakeErp(
        {None: ("40", "35"), "WH-EU": ("12", "10")}, {None: "30.00", "EUR Retail": "27.50"}
    )
    lamp_published(hub.store)
    yield hub
    hub.store.dispose()


def test_a_viewer_sees_stock_what_channels_were_told_listings_and_prices(hub: Hub) -> None:
    answer = client_with_key(hub, "read").get(f"/console/products/{SKU}")
    assert answer.status_code == 200
    page = answer.text
    assert "Desk lamp" in page
    assert "<td>40</td><td>35</td>" in page  # on hand, forecast in the ERP's own warehouse
    assert "<td>12</td><td>10</td>" in page  # WH-EU, which woo sells from
    assert "<td>33</td>" in page  # what shop was last told
    assert "never published" in page  # woo was never told
    assert "on sale" in page and "30.00" in page and "27.50" in page and "EUR Retail" in page
    assert "every order for it that the hub received is in the ERP" in page


def test_an_erp_that_does_not_answer_is_said_and_the_rest_still_shows(hub: Hub) -> None:
    hub.connectors["erp"] = FakeErp(down=True)
    answer = client_with_key(hub, "read").get(f"/console/products/{SKU}")
    assert answer.status_code == 200
    assert "erp did not answer: Tryton did not answer: connection refused" in answer.text
    assert "<td>33</td>" in answer.text


def test_an_unknown_sku_is_a_readable_404_page(hub: Hub) -> None:
    hub.connectors["erp"] = FakeErp({})
    answer = client_with_key(hub, "read").get("/console/products/NO-SUCH-SKU")
    assert answer.status_code == 404
    assert "Neither the hub nor the ERP knows a product with SKU NO-SUCH-SKU" in answer.text
