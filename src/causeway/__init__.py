"""Causeway: an open-source commerce integration hub."""

__version__ = "0.1.0"
