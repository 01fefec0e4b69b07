"""What a soak run does: its size, its faults, and the chaos timetable drawn from its seed.

The timetable is drawn before anything starts and printed, so a run can be replayed with
the same seed: the same kills, restarts and storms at the same offsets, the same orders.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

KILL_HUB, RESTART_ERP, STORM_429, SLOW_API = "kill hub", "restart erp", "429 storm", "slow api"


@dataclass(frozen=True)
class ChaosEvent:
    at: float  # seconds after the first order
    action: str
    seconds: float  # how long the hub stays dead, the ERP down, the storm lasts
    hard: bool = False  # ERP restarts: SIGKILL instead of a clean stop

    def describe(self) -> str:
        how = " (SIGKILL)" if self.hard else ""
        return f"t={self.at:6.1f}s  {self.action}{how} for {self.seconds:.1f}s"


@dataclass(frozen=True)
class SoakPlan:
    orders: int = 2000
    rate: float = 10.0  # checkouts per second
    seed: int = 1
    skus: int = 20
    stock_per_sku: int = 1500
    safety_stock: int = 2
    customers: int = 60
    # What happens to each order after checkout (drawn once per order, in this order).
    # Paying is the ERP's slowest step (posting and paying an invoice takes seconds in
    # Tryton), so most orders stay unpaid, as orders awaiting a bank transfer do.
    paid_share: float = 0.05  # paid at checkout
    cancel_share: float = 0.08  # of the rest: cancelled a few seconds later
    edit_share: float = 0.15  # of the rest (more than one unit): a line reduced or removed
    pay_after_edit_share: float = 0.3  # of the edited: paid after the edit
    pay_later_share: float = 0.04  # of the rest: paid a few seconds later
    note_share: float = 0.1  # of all: an orders/updated that changes no line
    follow_up_seconds: tuple[float, float] = (1.0, 10.0)
    # Chaos.
    hub_kills: int = 4
    erp_restarts: int = 2
    storms_429: int = 3
    slow_spells: int = 2
    hub_down_seconds: tuple[float, float] = (0.5, 4.0)
    erp_down_seconds: tuple[float, float] = (1.0, 5.0)
    storm_seconds: tuple[float, float] = (2.0, 6.0)
    storm_rate_429: float = 0.8
    slow_latency_ms: int = 400
    # Faults on all the time.
    error_rate_5xx: float = 0.03
    rate_429: float = 0.02
    duplicate_rate: float = 0.1
    webhook_timeout_rate: float = 0.03
    out_of_order: bool = True
    # The hub.
    workers: int = 2
    batch_size: int = 25
    reconcile_every: str = "10s"
    stock_every: str = "3s"
    drain_timeout: float = 600.0
    workdir: Path | None = field(default=None, compare=False)

    @property
    def ordering_seconds(self) -> float:
        return self.orders / self.rate

    def chaos(self) -> list[ChaosEvent]:
        """The timetable: every event inside the ordering window, none in its first or
        last tenth, so each one lands while orders are flowing."""
        rng = random.Random(f"{self.seed}:chaos")
        span = self.ordering_seconds

        def at() -> float:
            return round(rng.uniform(0.1 * span, 0.9 * span), 1)

        def lasting(bounds: tuple[float, float]) -> float:
            return round(rng.uniform(*bounds), 1)

        events = [
            ChaosEvent(at(), KILL_HUB, lasting(self.hub_down_seconds))
            for _ in range(self.hub_kills)
        ]
        events += [
            ChaosEvent(at(), RESTART_ERP, lasting(self.erp_down_seconds), hard=i % 2 == 1)
            for i in range(self.erp_restarts)
        ]
        events += [
            ChaosEvent(at(), STORM_429, lasting(self.storm_seconds)) for _ in range(self.storms_429)
        ]
        events += [
            ChaosEvent(at(), SLOW_API, lasting(self.storm_seconds)) for _ in range(self.slow_spells)
        ]
        return sorted(events, key=lambda e: e.at)
