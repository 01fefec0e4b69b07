"""The Tryton connector keeps the ERP contract, against the real Tryton 8.2."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from causeway_sandbox.tryton.server import TrytonServer
from tests.contract.connectors.erp_contract import ErpContract
from tests.contract.connectors.tryton_erp import TrytonErp
from tests.contract.connectors.wire import Wire

pytestmark = pytest.mark.tryton


@pytest.fixture
def subject(tryton_server: TrytonServer, unique: str) -> Iterator[TrytonErp]:
    with Wire(tryton_server.url) as wire, TrytonErp(tryton_server, wire, unique) as erp:
        yield erp


class TestTrytonKeepsTheErpContract(ErpContract):
    pass
