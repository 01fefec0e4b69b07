"""Clickstream capture (docs/clickstream.md): the storefront events a store's pages send
to `POST /collect/{system}`, read (events.py) and held to each client's rate (rate_limit.py)."""
