"""The history pages when the ERP does not answer: a page that says so (503), not a crash;
the rest of the portal is unaffected."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.portal.conftest import add_company, add_member, customer_client, portal_hub


@pytest.mark.parametrize(
    "path",
    [
        *("/portal/orders", "/portal/orders/12", "/portal/invoices", "/portal/invoices/12.pdf"),
        *("/portal/statement", "/portal/statement.pdf", "/portal/statement.csv"),
    ],
)
def test_a_history_page_says_the_erp_is_not_answering(tmp_path: Path, path: str) -> None:
    hub = portal_hub(tmp_path)  # its ERP is at an address nothing listens on
    member = add_member(hub, add_company(hub, 4, "Acme Retail Ltd"), "buyer@acme.example")
    with customer_client(hub, member) as client:
        answer = client.get(path)
        assert answer.status_code == 503
        assert "not answering right now" in answer.text
        assert client.get("/portal").status_code == 200
