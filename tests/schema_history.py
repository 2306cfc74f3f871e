"""Test helper: a board as an older app left it (its database taken back to an older schema)."""

from __future__ import annotations

from pathlib import Path

from hescb_desktop.storage.database import alembic_config
from hescb_desktop.storage.engine import make_engine


def downgrade(path: Path, revision: str) -> None:
    """Take the database at `path` back to `revision` with Alembic's own downgrades (foreign
    keys off while they copy and drop tables, as for an upgrade)."""
    from alembic import command

    engine = make_engine(path)
    try:
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")
            with conn.begin():
                cfg = alembic_config()
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, revision)
    finally:
        engine.dispose()
