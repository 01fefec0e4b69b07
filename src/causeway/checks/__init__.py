"""`causeway check`: is every configured system reachable, are the credentials accepted,
does each system have what the enabled flows need? One module per kind of system,
each using that system's own connector; `run_checks` puts them together.
The CLI (cli/check.py) only prints."""

from causeway.checks.result import Check
from causeway.checks.run import run_checks

__all__ = ["Check", "run_checks"]
