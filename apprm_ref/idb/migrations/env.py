"""Alembic environment of the IDB: runs on the connection :mod:`apprm_ref.idb.migrate`
hands it (``config.attributes["connection"]``), or on ``sqlalchemy.url`` for the
``alembic`` command line. The lab store's own tables (``lab_world``, ``lab_session_ids``)
are the store's, created when a lab opens, and are left out of comparisons."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import engine_from_config, pool

from apprm_ref.idb.migrate import include_object
from apprm_ref.idb.models import Base


def run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        render_as_batch=True,  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


config = context.config
conn = config.attributes.get("connection")
if conn is not None:
    run(conn)
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        run(connection)
