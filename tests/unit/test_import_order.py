"""The config's model is built from the flows' declarations, and flows use the config's
parts: whichever module a process imports first, nothing is imported half-built."""

from __future__ import annotations

import subprocess
import sys

# Each imported first, as a fresh process would: the ends of the config <-> flows loop.
FIRST = [
    "causeway.config.models",
    "causeway.flows.registry",
    "causeway.flows.privacy_requests",  # flow -> privacy -> the whole config's type
    "causeway.connectors.files.connector",  # connector -> config.systems
]

SCRIPT = """
import importlib, sys
for module in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "causeway" or m.startswith("causeway.")]:
        del sys.modules[loaded]
    importlib.import_module(module)
    from causeway.config import CausewayConfig, parse_config
"""


def test_any_module_imports_first() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, *FIRST], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
