"""The chaos thread: works through the plan's timetable while the shopper shops.

It SIGKILLs the hub and starts it again, stops (or SIGKILLs) Tryton and starts it on the
same database and port, and switches 429 storms and slow API spells on and off in the
store. Faults that are on all the time are set once, at the start, by the scenario.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from bench.soak.plan import KILL_HUB, RESTART_ERP, SLOW_API, STORM_429, ChaosEvent
from causeway_sandbox.localserver import HubProcess
from causeway_sandbox.tryton.server import TrytonServer


@dataclass
class ChaosLog:
    hub_kills: int = 0
    hub_restarts: int = 0
    erp_restarts: int = 0
    storms_429: int = 0
    slow_spells: int = 0
    lines: list[str] = field(default_factory=list)


class Chaos(threading.Thread):
    def __init__(
        self,
        events: list[ChaosEvent],
        *,
        hub: HubProcess,
        erp: TrytonServer,
        shop_url: str,
        base_faults: dict[str, float | int | bool],
        storm_rate_429: float,
        slow_latency_ms: int,
        started_at: Callable[[], float],
        say: Callable[[str], None] = print,
    ) -> None:
        super().__init__(name="soak-chaos", daemon=True)
        self.events = events
        self.hub = hub
        self.erp = erp
        self.faults_url = f"{shop_url}/_sandbox/faults"
        self.base_faults = base_faults
        self.storm_rate_429 = storm_rate_429
        self.slow_latency_ms = slow_latency_ms
        self.started_at = started_at
        self.say = say
        self.log = ChaosLog()
        self.error: BaseException | None = None
        self._lock = threading.Lock()  # a storm ending and another starting never interleave
        self._halt = threading.Event()
        self._spells: list[threading.Thread] = []

    def stop(self) -> None:
        """End the timetable and every spell (each puts its fault back to the base level)."""
        self._halt.set()
        self.join()
        for spell in self._spells:
            spell.join()

    def run(self) -> None:
        try:
            for event in self.events:
                wait = self.started_at() + event.at - time.monotonic()
                if wait > 0 and self._halt.wait(wait):
                    return
                self._do(event)
        except BaseException as exc:  # reported by the scenario
            self.error = exc

    def _note(self, text: str) -> None:
        line = f"[chaos {time.monotonic() - self.started_at():7.1f}s] {text}"
        self.log.lines.append(line)
        self.say(line)

    def _do(self, event: ChaosEvent) -> None:
        if event.action == KILL_HUB:
            self.hub.kill()
            self.log.hub_kills += 1
            self._note(f"hub SIGKILLed; back in {event.seconds:.1f}s")
            time.sleep(event.seconds)
            self.hub.start(timeout=60)
            self.log.hub_restarts += 1
            self._note("hub started again")
        elif event.action == RESTART_ERP:
            if event.hard:
                self.erp.kill()
            else:
                self.erp.stop()
            self._note(
                f"Tryton {'SIGKILLed' if event.hard else 'stopped'}; back in {event.seconds:.1f}s"
            )
            time.sleep(event.seconds)
            self.erp.start(fresh=False)
            self.log.erp_restarts += 1
            self._note("Tryton started again on the same database")
        elif event.action == STORM_429:
            # The store refuses rates adding up to more than 1.
            rate = min(self.storm_rate_429, 1.0 - float(self.base_faults["error_rate_5xx"]))
            self._spell(event, {"rate_429": rate}, "429 storm")
        elif event.action == SLOW_API:
            self._spell(event, {"latency_ms": self.slow_latency_ms}, "slow API")

    def _spell(self, event: ChaosEvent, faults: dict[str, float | int], name: str) -> None:
        """Switch a store fault on for the event's duration (in the background, so the
        timetable keeps going), then back to the base level."""

        def spell() -> None:
            try:
                with self._lock:
                    httpx.put(self.faults_url, json=faults, timeout=30).raise_for_status()
                self._note(f"{name} on for {event.seconds:.1f}s")
                self._halt.wait(event.seconds)
                with self._lock:
                    back = {k: self.base_faults[k] for k in faults}
                    httpx.put(self.faults_url, json=back, timeout=30).raise_for_status()
                self._note(f"{name} over")
                if event.action == STORM_429:
                    self.log.storms_429 += 1
                else:
                    self.log.slow_spells += 1
            except BaseException as exc:  # reported by the scenario
                self.error = exc

        thread = threading.Thread(target=spell, name=f"soak-{name}", daemon=True)
        self._spells.append(thread)
        thread.start()
