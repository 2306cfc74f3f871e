"""Autogenerate an Alembic migration from the models: `python scripts/new_migration.py "message"`.

Generated files must not import app code: UTCDateTime is rewritten to sa.DateTime().
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from hescb_desktop.storage.database import MIGRATIONS, alembic_config, upgrade


def main(message: str) -> None:
    cfg = alembic_config()
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'head.sqlite'}")
        upgrade(engine)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message=message, autogenerate=True)
        engine.dispose()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text()
        fixed = text.replace("hescb_desktop.storage.base.UTCDateTime()", "sa.DateTime()")
        if fixed != text:
            path.write_text(fixed)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/new_migration.py MESSAGE")
    main(sys.argv[1])
