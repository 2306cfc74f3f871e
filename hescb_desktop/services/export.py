"""The whole database as JSON: every synced table, tombstones included, in a stable order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select

from hescb_desktop import __version__
from hescb_desktop.services.entities import ALL
from hescb_desktop.storage.codec import to_jsonable
from hescb_desktop.storage.database import current_revision
from hescb_desktop.storage.uow import UnitOfWork


def export_all(uow: UnitOfWork) -> dict[str, Any]:
    """{"format": ..., "tables": {table: [row, ...]}} with rows ordered by id, keys sorted."""
    tables: dict[str, list[dict[str, Any]]] = {}
    with uow:
        schema = current_revision(uow.session.get_bind())  # type: ignore[arg-type]
        for spec in sorted(ALL, key=lambda s: s.table):
            keys = sorted(a.key for a in inspect(spec.model).column_attrs)
            rows = uow.session.scalars(select(spec.model).order_by(spec.model.id))
            tables[spec.table] = [{k: to_jsonable(getattr(r, k)) for k in keys} for r in rows]
    return {
        "format": "hescb-export/1",
        "app_version": __version__,
        "schema": schema,
        "tables": tables,
    }
