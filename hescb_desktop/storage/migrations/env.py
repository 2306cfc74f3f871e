"""Alembic environment: run programmatically by storage.database with a live connection."""

from alembic import context

from hescb_desktop.storage import journal, models  # noqa: F401  (register every table)
from hescb_desktop.storage.base import Base

config = context.config
connection = config.attributes.get("connection")


def run() -> None:
    if connection is None:
        url = config.get_main_option("sqlalchemy.url") or "sqlite://"
        context.configure(
            url=url, target_metadata=Base.metadata, render_as_batch=True, literal_binds=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
