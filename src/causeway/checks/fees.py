"""What channel-fees books marketplace fees on in the ERP: the marketplace's party (made at
the first booking when the ERP has none: said, not failed) and the expense account, which
must exist (docs/connectors/amazon.md, "Fees")."""

from __future__ import annotations

from causeway.checks.result import Check, failed, passed
from causeway.config import CausewayConfig
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.errors import PermanentError, RetryableError
from causeway.flows.channel_fees import NAME
from causeway.flows.channel_fees.declaration import ChannelFeesFlow


def check_fees(config: CausewayConfig, name: str, erp: TrytonConnector) -> list[Check]:
    """The fees party and expense account in ERP `name`, when channel-fees books there."""
    flow = config.flows.configured().get(NAME)
    if not isinstance(flow, ChannelFeesFlow) or flow.target != name:
        return []
    found = []
    try:
        exists = erp.channel_fees.party_exists(flow.party)
        found.append(
            passed(
                name,
                f"party {flow.party!r} for marketplace fees"
                + ("" if exists else " (none yet: made at the first booking)"),
            )
        )
    except RetryableError as exc:
        found.append(failed(name, f"party {flow.party!r} for marketplace fees", str(exc)))
    account = flow.fees_account or "the default expense account"
    what = f"expense account {account!r} for marketplace fees ({NAME})"
    try:
        erp.channel_fees.expense_account(flow.fees_account)
        found.append(passed(name, what))
    except (PermanentError, RetryableError) as exc:
        found.append(failed(name, what, str(exc)))
    return found
