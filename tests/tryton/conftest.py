"""The Tryton fixtures for this directory (the root conftest may also load them as a plugin;
both share one server, see tests/tryton_fixtures.py)."""

from tests.tryton_fixtures import *
