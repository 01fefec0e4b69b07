"""What every vendor sandbox has besides the vendor's API: the harness a test holds and
the fault knobs of its control API.

`VendorSandboxServer` serves a sandbox's app in a thread (localserver.BackgroundServer)
and calls its control API under `/_sandbox/` with one reused client. `fault_routes`
gives a sandbox `GET /_sandbox/faults` (the knobs in force and the seed) and a partial
update of them (`"seed"` re-seeds every generator; a knob out of range is 422 naming it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import httpx
from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ValidationError

from causeway_sandbox.localserver import BackgroundServer


class VendorSandboxServer(BackgroundServer):
    """A sandbox app on 127.0.0.1 with a client for its control API."""

    def __init__(self, app: Any, *, port: int = 0, name: str) -> None:
        super().__init__(app, port=port, name=name)
        self._client: httpx.Client | None = None

    def control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Call the control API (`path` relative to /_sandbox/), raising on HTTP errors."""
        if self._client is None:  # one client for all calls: each new one costs ~20 ms
            self._client = httpx.Client(timeout=30.0, trust_env=False)
        response = self._client.request(method, f"{self.url}/_sandbox/{path.lstrip('/')}", **kwargs)
        response.raise_for_status()
        return response

    def stop(self, timeout: float = 10.0) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        super().stop(timeout)


@dataclass(frozen=True)
class InjectedResponse:
    """A complete HTTP answer that replaces the real one."""

    status: int
    body: str
    media_type: str
    headers: dict[str, str]


K = TypeVar("K", bound=BaseModel)


class SeededKnobs(Generic[K]):
    """The knobs in force and the seed their generators draw from, changed under one lock.

    A sandbox's injector subclasses it and says, in `_reseed`, which generators a new
    seed restarts (one per concern, so traffic on one never shifts the draws of another).
    """

    def __init__(self, faults: K, seed: int) -> None:
        self._lock = threading.Lock()
        self._faults: K = faults.model_copy()
        self._seed = seed
        self._reseed(seed)

    def _reseed(self, seed: int) -> None:
        raise NotImplementedError

    @property
    def settings(self) -> K:
        """A copy of the knobs in force (a copy, so callers cannot change them behind us)."""
        with self._lock:
            return self._faults.model_copy()

    @property
    def seed(self) -> int:
        return self._seed

    def update(self, changes: dict[str, Any]) -> K:
        """A partial update (ValidationError if a knob is wrong); `seed` in it restarts
        every generator from that seed."""
        with self._lock:
            changes = dict(changes)
            seed = changes.pop("seed", None)
            self._faults = type(self._faults).model_validate(
                {**self._faults.model_dump(), **changes}
            )
            if seed is not None:
                self._seed = int(seed)
                self._reseed(self._seed)
            return self._faults.model_copy()


class FaultKnobs(Protocol):
    """A sandbox's fault injector, as far as its control API sees it."""

    @property
    def settings(self) -> BaseModel: ...

    @property
    def seed(self) -> int: ...

    def update(self, changes: dict[str, Any]) -> BaseModel: ...


def fault_routes(faults_of: Callable[[Request], FaultKnobs], *, write: str = "PUT") -> APIRouter:
    """`GET /_sandbox/faults` and `<write> /_sandbox/faults` for the injector `faults_of` finds."""
    router = APIRouter(prefix="/_sandbox", tags=["sandbox control (not part of the vendor)"])

    @router.get("/faults")
    def get_faults(request: Request) -> dict[str, Any]:
        faults = faults_of(request)
        return {**faults.settings.model_dump(), "seed": faults.seed}

    @router.api_route("/faults", methods=[write])
    async def change_faults(request: Request) -> dict[str, Any]:
        faults = faults_of(request)
        try:
            changes = await request.json()
        except ValueError:
            changes = None
        if not isinstance(changes, dict):
            raise HTTPException(422, "send a JSON object of knobs")
        try:
            updated = faults.update(changes)
        except ValidationError as exc:
            # No context: a model validator's ValueError in it would not serialise.
            raise HTTPException(422, exc.errors(include_url=False, include_context=False)) from exc
        return {**updated.model_dump(), "seed": faults.seed}

    return router
