"""`causeway warehouse backfill-orders` over a real run: a Shopify store and a WooCommerce
store selling into the real Tryton, one order cancelled in the store. Their order facts
are taken away (a hub that placed them before migration 0020 has none) and the backfill
rebuilds them from the inbox, equal to what the flows stored; once more, it writes
nothing; an order whose records were pruned is skipped, and a corrupt record is reported
without stopping the others."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from causeway.cli import app
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine.schema import inbox, links, order_fact_lines, order_facts
from causeway.hub import Hub
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit
from causeway_sandbox.woocommerce.server import WooSandboxServer
from tests.e2e.conftest import buy
from tests.e2e.harness import serving, settle, sold_on_both_stores, two_stores_config
from tests.e2e.test_cancellations_and_returns import checkout
from tests.tryton_fixtures import connect

pytestmark = pytest.mark.tryton

D = Decimal
TOPICS = ["orders/create", "orders/updated", "orders/paid", "orders/cancelled"]
runner = CliRunner()


@dataclass
class Run:
    hub: Hub
    shop: httpx.Client
    woo: httpx.Client
    erp: TrytonConnector
    a: str
    b: str
    shop_prefix: str
    woo_prefix: str
    config: Path  # causeway.yaml of the same hub, for the command line
    tag: str

    def settle(self, done: Any) -> None:
        self.woo.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
        settle(self.hub, self.shop, done, timeout=90)

    def sale(self, reference: str) -> dict[str, Any] | None:
        found = self.erp.rpc.search_read(
            "sale.sale", [("reference", "=", reference)], ["id", "state"]
        )
        return found[0] if found else None

    def backfill(self, *options: str) -> str:
        result = runner.invoke(
            app, ["warehouse", "backfill-orders", *options, "--config", str(self.config)]
        )
        assert result.exit_code == 0, result.output
        return result.output


@pytest.fixture
def run(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    woo: WooSandboxServer,
    store: httpx.Client,
) -> Iterator[Run]:
    tag = uuid.uuid4().hex[:6].upper()
    a, b = f"BFA-{tag}", f"BFB-{tag}"
    sold_on_both_stores(shop, store, {a: "20.00", b: "50.00"})
    shop_prefix, woo_prefix = f"s{tag.lower()}-", f"w{tag.lower()}-"
    config = two_stores_config(tmp_path, tryton_server, sandbox.url, woo, shop_prefix, woo_prefix)
    # The Shopify channel's sales go to a customer group of this test's own.
    group = f"Retail {tag}"
    config["flows"]["orders-to-erp"]["channels"][0]["customer_group"] = group
    config["flows"]["cancellations"] = {
        "target": "erp",
        "channels": [{"system": "shop"}, {"system": "woo"}],
    }
    path = tmp_path / "causeway.yaml"
    path.write_text(yaml.safe_dump(json.loads(json.dumps(config, default=str))))
    with connect(tryton_server) as erp:
        kit = TrytonTestKit(erp)
        erp.rpc.create("party.category", [{"name": group}])
        kit.ensure_product(a, f"Mug {tag}", D("20.00"), D("8.00"), D(100))
        kit.ensure_product(b, f"Jacket {tag}", D("50.00"), D("30.00"), D(100))
        with serving(config, shop, TOPICS) as (hub, server):
            hub.connectors["woo"].subscribe_webhooks(
                f"{server.url}/webhooks/woo", hub.flows.webhook_topics("woo")
            )
            yield Run(hub, shop, store, erp, a, b, shop_prefix, woo_prefix, path, tag)


Rows = dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]


def facts(run: Run) -> Rows:
    """hub id -> its order_facts row and its order_fact_lines rows, changed_at left out."""
    with run.hub.store.read() as conn:
        headers = [dict(r._mapping) for r in conn.execute(select(order_facts))]
        lines = [
            dict(r._mapping)
            for r in conn.execute(
                select(order_fact_lines).order_by(order_fact_lines.c.hub_id, "line_no")
            )
        ]
    found: Rows = {}
    for header in headers:
        header.pop("changed_at")
        found[header["hub_id"]] = (header, [x for x in lines if x["hub_id"] == header["hub_id"]])
    return found


def forget_facts(run: Run) -> None:
    """What a hub that placed its orders before migration 0020 looks like."""
    with run.hub.store.transaction() as conn:
        conn.execute(delete(order_fact_lines))
        conn.execute(delete(order_facts))


def hub_id_of(run: Run, system: str, external_id: object) -> str:
    with run.hub.store.read() as conn:
        return str(
            conn.execute(
                select(links.c.hub_id).where(
                    links.c.system == system,
                    links.c.entity_type == "order",
                    links.c.external_id == str(external_id),
                )
            ).scalar_one()
        )


def records_of(system: str, external_id: object) -> Any:
    return (inbox.c.source == system) & (inbox.c.entity_key == f"order:{external_id}")


def test_backfill_rebuilds_the_facts_the_flows_stored_and_skips_what_it_cannot(run: Run) -> None:
    s1 = checkout(run.shop, [(run.a, 2)])
    s2 = checkout(run.shop, [(run.a, 1), (run.b, 1)])
    w1 = buy(run.woo, (run.a, 3))
    w2 = buy(run.woo, (run.b, 2))
    refs = {
        "s1": f"{run.shop_prefix}{s1['name'].lstrip('#')}",
        "s2": f"{run.shop_prefix}{s2['name'].lstrip('#')}",
        "w1": f"{run.woo_prefix}{w1['number']}",
        "w2": f"{run.woo_prefix}{w2['number']}",
    }
    run.settle(lambda: all(run.sale(ref) for ref in refs.values()))
    # The merchant cancels S2 in Shopify (refund and restock): the hub cancels its sale.
    cancel = {"reason": "customer", "refund": True, "restock": True}
    run.shop.post(f"/_sandbox/orders/{s2['id']}/cancel", json=cancel).raise_for_status()

    def cancelled() -> bool:
        sale = run.sale(refs["s2"])
        return sale is not None and sale["state"] in ("done", "cancelled")

    run.settle(cancelled)
    assert run.hub.jobs.dead() == []
    original = facts(run)
    assert len(original) == 4
    hub_s2 = hub_id_of(run, "shop", s2["id"])
    assert original[hub_s2][0]["state"] == "cancelled"
    assert original[hub_s2][0]["cancelled_at"] is not None
    assert {h["customer_group"] for h, _ in original.values()} == {f"Retail {run.tag}", None}

    forget_facts(run)

    # A dry run counts the four and writes nothing.
    dry = run.backfill("--dry-run")
    assert "dry run: nothing written; 4 orders without facts, 4 would be backfilled" in dry
    assert facts(run) == {}

    out = run.backfill()
    assert "4 orders without facts, 4 backfilled" in out, out
    assert facts(run) == original

    # Once more: nothing is without facts, nothing is written.
    again = run.backfill()
    assert "0 orders without facts, 0 backfilled" in again, again
    assert facts(run) == original

    # Retention pruned W1's records; W2's newest record is corrupt.
    hub_w1, hub_w2 = hub_id_of(run, "woo", w1["id"]), hub_id_of(run, "woo", w2["id"])
    with run.hub.store.transaction() as conn:
        conn.execute(
            update(inbox)
            .where(records_of("woo", w1["id"]))
            .values(body=b"", headers="{}", pruned_at=1.0)
        )
        newest = conn.execute(
            select(inbox.c.id).where(records_of("woo", w2["id"])).order_by(inbox.c.id.desc())
        ).first()
        assert newest is not None
        conn.execute(update(inbox).where(inbox.c.id == newest.id).values(body=b"{not json"))
    forget_facts(run)

    out = run.backfill()
    assert "4 orders without facts, 2 backfilled" in out, out
    assert "woo: 1 orders' records were pruned by retention" in out
    assert "cannot be rebuilt" in out
    assert "woo: unreadable (" in out and f"order {w2['id']} (inbox record {newest.id})" in out
    rebuilt = facts(run)
    assert set(rebuilt) == set(original) - {hub_w1, hub_w2}
    assert rebuilt == {hub: original[hub] for hub in rebuilt}
