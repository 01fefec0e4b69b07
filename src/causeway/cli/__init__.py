"""`causeway ...`: the command line, one module per group of commands.

- setup.py: init, demo
- serve.py: run, worker
- status.py: status
- flows.py: flow run, replay, sync stock, sync files
- keys.py: keys create, keys list, keys revoke
- orders.py: orders accept-amounts
- problems.py: problems list, show, replay, resolve, assign, edit
- check.py: check
- privacy.py: prune, erase, privacy export
- users.py: users add, list, set-role, disable, enable, set-password
- portal.py: portal companies, add-company, invite
- warehouse.py: warehouse build, export, load, backfill-orders
"""

from __future__ import annotations

from causeway.cli import (  # noqa: F401  (registers the commands)
    check,
    flows,
    keys,
    mail,
    orders,
    portal,
    privacy,
    problems,
    serve,
    setup,
    status,
    users,
    warehouse,
)
from causeway.cli.common import ALERTING, app

__all__ = ["ALERTING", "app", "main"]


def main() -> None:  # pragma: no cover - `python -m causeway.cli`
    app()
