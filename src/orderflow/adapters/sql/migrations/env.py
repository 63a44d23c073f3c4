"""Alembic environment for orderflow's own migrations.

It runs only on a connection handed over in ``config.attributes["connection"]`` (see
:func:`orderflow.adapters.sql.migrate.upgrade`), records versions in ``orderflow_alembic_version``
and looks only at orderflow's tables, so it never touches a host application's schema.
"""

from __future__ import annotations

from alembic import context

from orderflow.adapters.sql.schema import VERSION_TABLE, include_name, metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "orderflow's migrations run through orderflow.adapters.sql.upgrade(), "
            "which passes the connection; offline (SQL script) mode is not supported"
        )
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
