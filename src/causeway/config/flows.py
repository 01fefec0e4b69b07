"""causeway.yaml `flows:`: what every flow's settings have, and the section that holds them.

Each flow's own settings model lives with its declaration (flows/<name>/declaration.py);
the `flows:` section has one key per declared flow, built from the declarations by
flows_section (config/models.py does, from flows/registry.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from pydantic import Field, create_model

from causeway.config.base import ScheduleSetting, Strict, Threshold
from causeway.engine.schedule import REALTIME, Schedule


class FlowSettings(Strict):
    """What every flow has: on or off, and when it runs (engine/schedule.py)."""

    enabled: bool = True
    schedule: ScheduleSetting | None = Field(
        default=None, description="realtime, 'every 3m', 'at 06:00, 18:00', or manual"
    )
    alert_after: Threshold = Field(
        default=3600.0,
        description="alert when the flow has work or failures and no success for this long; off",
    )
    cursor_alert_after: Threshold = Field(
        default=3 * 86400.0,
        description="alert when the flow's polling cursor has not moved, or its poll not "
        "completed, for this long; off",
    )

    def effective_schedule(self) -> Schedule:
        return self.schedule or self.default_schedule()

    def default_schedule(self) -> Schedule:
        return Schedule(REALTIME)


class RfmThresholds(Strict):
    """Where the RFM segments start (customers/crm_contact.py, docs/flows/customers-to-crm.md)."""

    recent_days: int = Field(default=90, ge=1, description="last order within: recent")
    lapsing_days: int = Field(
        default=180, ge=1, description="no order for longer than this: at risk; twice it: lost"
    )
    frequent_orders: int = Field(default=3, ge=2, description="this many orders or more: frequent")
    high_value: Decimal = Field(
        default=Decimal("500"), ge=0, description="lifetime value at or above this: high value"
    )


class Flows(Strict):
    """causeway.yaml's `flows:`: one optional key per declared flow (see flows_section)."""

    def configured(self) -> dict[str, FlowSettings]:
        """Flow name (as written in causeway.yaml) -> its settings, for enabled flows."""
        result = {}
        for field_name, field in type(self).model_fields.items():
            settings = getattr(self, field_name)
            if settings is not None and settings.enabled:
                result[field.alias or field_name] = settings
        return result

    def settings(self, name: str) -> FlowSettings | None:
        """A flow's settings, enabled or not; None when causeway.yaml leaves it out."""
        value: FlowSettings | None = getattr(self, _field_name(name), None)
        return value

    def put(self, name: str, settings: FlowSettings | None) -> None:
        setattr(self, _field_name(name), settings)


def _field_name(flow: str) -> str:
    return flow.replace("-", "_")


class Declared(Protocol):
    """What the section needs of a flow declaration (flows/declaration.py)."""

    @property
    def name(self) -> str: ...
    @property
    def settings(self) -> type[FlowSettings]: ...


def flows_section(declarations: Iterable[Declared]) -> type[Flows]:
    """The `flows:` model: each declared flow's key, with its settings model, optional."""
    fields: dict[str, Any] = {
        _field_name(d.name): (d.settings | None, Field(default=None, alias=d.name))
        for d in declarations
    }
    return create_model("Flows", __base__=Flows, **fields)
