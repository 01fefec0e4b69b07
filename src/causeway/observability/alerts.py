"""Alerts for silent failure: pure decisions from the store's facts, the config and now.

Six kinds, the first three with a threshold in causeway.yaml (docs/monitoring.md):

- flow_failing (`flows.<name>.alert_after`, default 1h): the flow has work or
  failures and has not succeeded for longer than the threshold. That is: its last
  run failed and its last success (or, never having succeeded, the hub's first
  start) is older than the threshold; or a job has been due for longer than the
  threshold without finishing; or a scheduled run is overdue by more than the
  threshold (the scheduler is not running). A flow with nothing to do is quiet,
  not failing: a real-time flow without traffic never fires; nor does a paused flow
  (an operator stopped it: `causeway status` and the console show it paused), whose
  parked jobs still fire dead_jobs.
- cursor_stalled (`flows.<name>.cursor_alert_after`, default 3d): a flow that polls
  by itself has a cursor whose poll has not completed, or whose watermark has not
  moved, for longer than the threshold.
- webhooks_quiet (`systems.<name>.webhooks_quiet_after`, default 24h): no webhook
  from a system the hub takes webhooks from, for longer than the threshold.
- amount_mismatch (no threshold): orders from a system whose ERP sale's amounts differ
  from what the channel charged (flows/orders_to_erp/amount_check.py), until a person accepts each.
- webhooks_disabled (no threshold): a system disabled the hub's webhooks after failed
  deliveries (WooCommerce does after 5, and never sends what it could not deliver).
  The hub switches them back on and the reconciling poll fetches what was missed; the
  alert says so, and holds until a delivery from that system arrives again.
- dead_jobs (no threshold): a flow has parked jobs. They wait for a person: nothing
  retries them until the cause is fixed and they are replayed, so the alert fires
  from the first one until the last is replayed.

Silence is measured from when the hub started watching at the earliest, so a
brand-new hub, cursor or subscription does not alert at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from causeway.config import CausewayConfig
from causeway.config.flows import FlowSettings
from causeway.engine import timeline
from causeway.engine.facts import WEBHOOKS, CursorFacts, Facts, FlowFacts
from causeway.engine.timeline import OpenFindings

FLOW_FAILING, CURSOR_STALLED, WEBHOOKS_QUIET = "flow_failing", "cursor_stalled", "webhooks_quiet"
# Named after the finding its orders carry (engine/timeline.py).
AMOUNT_MISMATCH = timeline.AMOUNT_MISMATCH
DEAD_JOBS = "dead_jobs"
WEBHOOKS_DISABLED = "webhooks_disabled"


@dataclass(frozen=True)
class Alert:
    kind: str
    subject: str
    message: str
    # Since when the condition holds (epoch seconds): the silence started then.
    since: float


def evaluate(config: CausewayConfig, facts: Facts) -> list[Alert]:
    """Every alert firing now, flows first, in a stable order."""
    found: list[Alert | None] = []
    flows = config.flows.configured()
    for name, settings in flows.items():
        found.append(flow_alert(name, settings, facts.flow(name), facts))
    for cursor in facts.cursors:
        watched = flows.get(cursor.flow or "")
        if watched is not None:
            found.append(cursor_alert(cursor, watched, facts))
    for name, system in config.systems.items():
        found.append(webhook_alert(name, getattr(system, "webhooks_quiet_after", None), facts))
    for name, topics in sorted(facts.disabled_webhooks.items()):
        found.append(disabled_webhooks_alert(name, topics, facts))
    found.extend(amount_alert(open_orders) for open_orders in facts.amount_mismatches)
    # Every flow's, configured or not: a flow turned off still holds its parked jobs.
    for name in sorted(facts.flows):
        found.append(dead_jobs_alert(name, facts.flows[name], facts))
    return [alert for alert in found if alert is not None]


def dead_jobs_alert(name: str, flow: FlowFacts, facts: Facts) -> Alert | None:
    if not flow.dead:
        return None
    since = flow.oldest_dead_at or facts.now
    message = (
        f"{flow.dead} job(s) parked, the first {_age(facts.now - since)} ago: read their "
        f"reasons in `causeway status`, fix the cause, then `causeway replay --all --flow {name}`"
    )
    return Alert(DEAD_JOBS, name, message, since)


def flow_alert(name: str, settings: FlowSettings, flow: FlowFacts, facts: Facts) -> Alert | None:
    limit = settings.alert_after
    if limit is None or name in facts.paused:
        return None
    now = facts.now
    reasons: list[tuple[float, str]] = []
    if flow.last_run_failed:
        since = flow.last_success_at or facts.hub_started_at or flow.last_started_at or now
        if now - since > limit:
            never = "never succeeded" if flow.last_success_at is None else "no success"
            failed = f"last run failed ({_short(flow.last_error)})"
            reasons.append((since, f"{failed}; {never} for {_age(now - since)}"))
    if flow.oldest_due_at is not None and now - flow.oldest_due_at > limit:
        reasons.append(
            (
                flow.oldest_due_at,
                f"{flow.due} job(s) due and not done, the oldest for "
                f"{_age(now - flow.oldest_due_at)}",
            )
        )
    overdue = [at for at in flow.next_runs if now - at > limit]
    if overdue and settings.effective_schedule().runs_by_itself:
        reasons.append(
            (
                min(overdue),
                f"its scheduled run is {_age(now - min(overdue))} overdue: is the hub running?",
            )
        )
    if not reasons:
        return None
    message = "; ".join(text for _, text in reasons) + f" (threshold {_age(limit)})"
    return Alert(FLOW_FAILING, name, message, min(since for since, _ in reasons))


def cursor_alert(cursor: CursorFacts, settings: FlowSettings, facts: Facts) -> Alert | None:
    limit = settings.cursor_alert_after
    if limit is None or not settings.effective_schedule().runs_by_itself:
        return None  # a manual flow polls only when asked
    now, start = facts.now, facts.hub_started_at or 0.0
    subject = f"{cursor.system}/{cursor.stream}"
    polled = max(cursor.moved_at if cursor.polled_at is None else cursor.polled_at, start)
    if now - polled > limit:
        message = (
            f"no poll of it by {cursor.flow} has completed for {_age(now - polled)} "
            f"(threshold {_age(limit)}): the poll is failing or not running"
        )
        return Alert(CURSOR_STALLED, subject, message, polled)
    moved = max(cursor.moved_at, start)
    if now - moved > limit:
        message = (
            f"its watermark ({cursor.value or 'not set yet'}) has not moved for "
            f"{_age(now - moved)} (threshold {_age(limit)}) although polls complete, the last "
            f"{_age(now - polled)} ago: {cursor.system} reports nothing newer"
        )
        return Alert(CURSOR_STALLED, subject, message, moved)
    return None


def webhook_alert(system: str, limit: float | None, facts: Facts) -> Alert | None:
    watched = facts.watching.get(f"{WEBHOOKS}{system}")
    if limit is None or watched is None:
        return None  # off, or the hub takes no webhooks from it
    last = facts.last_webhook_at.get(system)
    since = max(last or 0.0, watched)
    if facts.now - since <= limit:
        return None
    heard = f"the last {_age(facts.now - last)} ago" if last else "none yet"
    message = (
        f"no webhook from {system} for {_age(facts.now - since)} (threshold {_age(limit)}; "
        f"{heard}): check the webhook subscriptions and that {system} reaches the hub"
    )
    return Alert(WEBHOOKS_QUIET, system, message, since)


def disabled_webhooks_alert(system: str, found: dict[str, float], facts: Facts) -> Alert | None:
    """found: topic -> when the hub last found its webhook disabled."""
    last = facts.last_webhook_at.get(system)
    since_last = {topic: at for topic, at in found.items() if last is None or at >= last}
    if not since_last:
        return None  # deliveries arrive again
    first = min(since_last.values())
    message = (
        f"{system} disabled the hub's {', '.join(sorted(since_last))} webhook(s) after failed "
        f"deliveries, found {_age(facts.now - first)} ago: what changed while they were off "
        f"was not delivered, and the reconciling poll of orders-to-erp fetches it. The hub "
        f"switches them back on (`causeway check` shows their state); find why deliveries "
        f"failed (does {system} reach server.public_url? did the hub answer 2xx?). The alert "
        f"ends with the next delivery from {system}"
    )
    return Alert(WEBHOOKS_DISABLED, system, message, first)


def amount_alert(found: OpenFindings) -> Alert:
    """One alert per source system, however many orders: their count and the oldest few."""
    system = found.system
    examples = []
    for external_id, mismatch in found.oldest:
        channel, erp = mismatch.detail.get("channel", {}), mismatch.detail.get("erp", {})
        order = mismatch.detail.get("order") or external_id
        examples.append(
            f"{order} (id {external_id}): total {channel.get('total')} in {system}, "
            f"{erp.get('total')} in {mismatch.detail.get('target') or 'the ERP'}"
        )
    more = f" and {found.count - len(examples)} more" if found.count > len(examples) else ""
    message = (
        f"{found.count} order(s) from {system} whose ERP sale amounts differ from what "
        f"{system} charged: {'; '.join(examples)}{more}. Check each "
        f"(GET /api/orders/{system}/<id>), correct the sale in the ERP or the mapping, then "
        f"accept it: causeway orders accept-amounts {system} <id> --note TEXT"
    )
    return Alert(AMOUNT_MISMATCH, system, message, found.oldest_at)


def _short(error: str | None, limit: int = 160) -> str:
    text = (error or "no error text").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _age(seconds: float) -> str:
    """12s, 5m, 2h05m, 3d04h: what an operator reads at a glance."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 3600:
        return f"{minutes}m"
    if seconds < 86400:
        rest = minutes % 60
        return f"{hours}h{rest:02d}m" if rest else f"{hours}h"
    rest = hours % 24
    return f"{days}d{rest:02d}h" if rest else f"{days}d"
