"""The shopper: checkouts at a steady rate, and the merchant's later changes to some of them.

Every draw comes from the plan's seed. An order is paid at checkout, or later cancelled,
edited (a line reduced or removed; then perhaps paid), paid, or left unpaid; some orders
get a note, an `orders/updated` that changes no line. `Ledger` keeps what was done.
"""

from __future__ import annotations

import heapq
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.soak.plan import SoakPlan

PAY, EDIT, CANCEL, NOTE = "pay", "edit", "cancel", "note"


@dataclass
class Ledger:
    """What the shopper and the merchant did (the store itself is the truth at the end)."""

    placed: list[int] = field(default_factory=list)
    refused_checkouts: int = 0  # out of stock in the store: never became orders
    done: dict[str, int] = field(default_factory=lambda: {PAY: 0, EDIT: 0, CANCEL: 0, NOTE: 0})
    refused_changes: list[str] = field(default_factory=list)


def soak_skus(plan: SoakPlan) -> list[str]:
    return [f"SOAK-{n:03d}" for n in range(1, plan.skus + 1)]


class Shopper(threading.Thread):
    def __init__(self, plan: SoakPlan, shop_url: str) -> None:
        super().__init__(name="soak-shopper", daemon=True)
        self.plan = plan
        self.shop = httpx.Client(base_url=shop_url, timeout=30, trust_env=False)
        self.rng = random.Random(f"{plan.seed}:shopper")
        self.skus = soak_skus(plan)
        self.ledger = Ledger()
        self.started_at = time.monotonic()  # reset by the scenario just before start()
        self.error: BaseException | None = None
        self._follow_ups: list[tuple[float, int, int, str]] = []  # (due, seq, order id, action)
        self._seq = 0

    def run(self) -> None:
        try:
            self._shop()
        except BaseException as exc:  # reported by the scenario, never swallowed
            self.error = exc
        finally:
            self.shop.close()

    def _shop(self) -> None:
        interval = 1.0 / self.plan.rate
        for n in range(self.plan.orders):
            due = self.started_at + n * interval
            self._follow_up_until(due)
            self._checkout(n)
        self._follow_up_until(float("inf"))

    def _follow_up_until(self, moment: float) -> None:
        """Do the follow-ups due before `moment`, then wait for it."""
        while True:
            now = time.monotonic()
            if self._follow_ups and self._follow_ups[0][0] <= min(now, moment):
                _, _, order_id, action = heapq.heappop(self._follow_ups)
                self._change(order_id, action)
                continue
            if now >= moment or (moment == float("inf") and not self._follow_ups):
                return
            wake = min(moment, self._follow_ups[0][0] if self._follow_ups else moment)
            time.sleep(max(0.0, min(wake - now, 0.5)))

    def _later(self, order_id: int, action: str) -> None:
        low, high = self.plan.follow_up_seconds
        self._seq += 1
        due = time.monotonic() + self.rng.uniform(low, high)
        heapq.heappush(self._follow_ups, (due, self._seq, order_id, action))

    def _checkout(self, n: int) -> None:
        rng, plan = self.rng, self.plan
        customer = rng.randrange(plan.customers)
        lines = [
            {"sku": sku, "quantity": rng.randint(1, 3)}
            for sku in rng.sample(self.skus, rng.randint(1, 3))
        ]
        paid = rng.random() < plan.paid_share
        body: dict[str, Any] = {
            "email": f"soak{customer}@example.com",
            "first_name": "Soak",
            "last_name": f"Customer {customer}",
            "lines": lines,
            "tax_rate": "0.10",
            "shipping_price": "4.90" if n % 2 else "0.00",
            "financial_status": "paid" if paid else "pending",
        }
        response = self.shop.post("/_sandbox/orders", json=body)
        if response.status_code == 422 and "out of stock" in response.text:
            self.ledger.refused_checkouts += 1
            return
        response.raise_for_status()
        order = response.json()
        self.ledger.placed.append(order["id"])
        if rng.random() < plan.note_share:
            self._later(order["id"], NOTE)
        if not paid:
            self._plan_unpaid(order)

    def _plan_unpaid(self, order: dict[str, Any]) -> None:
        rng, plan = self.rng, self.plan
        units = sum(item["quantity"] for item in order["line_items"])
        if rng.random() < plan.cancel_share:
            self._later(order["id"], CANCEL)
        elif units > 1 and rng.random() < plan.edit_share:
            self._later(order["id"], EDIT)  # the edit may schedule the payment
        elif rng.random() < plan.pay_later_share:
            self._later(order["id"], PAY)

    def _change(self, order_id: int, action: str) -> None:
        if action == EDIT:
            response = self._edit(order_id)
            if response.is_success and self.rng.random() < self.plan.pay_after_edit_share:
                self._later(order_id, PAY)
        elif action == PAY:
            response = self.shop.post(f"/_sandbox/orders/{order_id}/pay", json={})
        elif action == CANCEL:
            body = {"reason": "customer", "refund": False, "restock": False}
            response = self.shop.post(f"/_sandbox/orders/{order_id}/cancel", json=body)
        else:
            response = self.shop.post(
                f"/_sandbox/orders/{order_id}/update", json={"note": "leave at the door"}
            )
        if response.is_success:
            self.ledger.done[action] += 1
        else:
            self.ledger.refused_changes.append(f"{action} {order_id}: {response.text[:200]}")

    def _edit(self, order_id: int) -> httpx.Response:
        """Reduce one line by one unit; a line of one unit is removed (never the last line:
        only orders of more than one unit are edited)."""
        order = self.shop.get(f"/_sandbox/orders/{order_id}").raise_for_status().json()["order"]
        live = [i for i in order["line_items"] if i["current_quantity"] > 0]
        item = self.rng.choice([i for i in live if i["current_quantity"] > 1 or len(live) > 1])
        lines = [{"sku": item["sku"], "quantity": item["current_quantity"] - 1}]
        return self.shop.post(f"/_sandbox/orders/{order_id}/edit", json={"lines": lines})
