"""Alembic environment: migrations run against the connection the Store hands over."""

from __future__ import annotations

from alembic import context

from causeway.engine.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` command line: build an engine from the ini url
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise SystemExit("alembic.ini has no sqlalchemy.url: set it to the hub store's URL")
    connection = create_engine(url).connect()

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
