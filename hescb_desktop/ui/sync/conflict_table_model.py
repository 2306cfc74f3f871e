"""Open conflicts as a table: the record, the field, the value kept and the other one, by whom."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor

from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.sync import ConflictRow
from hescb_desktop.ui.sync.values import LONDON, field_label, first_line, format_value
from hescb_desktop.ui.widgets.palette import OVERDUE_TEXT
from hescb_desktop.ui.widgets.row_model import SORT_ROLE, RowTableModel

COL_RECORD, COL_FIELD, COL_KEPT, COL_KEPT_BY, COL_OTHER, COL_OTHER_BY = range(6)
DELETED = "deleted"


@dataclass(frozen=True)
class ConflictView:
    """One open conflict as a person reads it (the service row plus names for its ids)."""

    id: str  # the conflict's id
    row: ConflictRow
    record: str
    field: str
    kept: str
    other: str
    kept_pc: str
    other_pc: str

    @property
    def deleted(self) -> bool:
        return self.row.kind == DELETED


def _tr(text: str) -> str:
    return QCoreApplication.translate("ConflictTableModel", text)


def conflict_views(ctx: ServiceContext) -> list[ConflictView]:
    """The open conflicts, newest first, each with its record and PCs named."""
    records: dict[tuple[str, str], str] = {}
    views = []
    for row in sync_service.list_conflicts(ctx):
        key = (row.table, row.row_id)
        if key not in records:
            records[key] = sync_service.describe_record(ctx, *key)

        def shown(value: Any, row: ConflictRow = row) -> str:
            return sync_service.describe_value(ctx, row.table, row.column, value) or format_value(
                value
            )

        kept = _tr("(record deleted)") if row.kind == DELETED else shown(row.kept_value)
        views.append(
            ConflictView(
                row.id,
                row,
                records[key],
                field_label(row.column, row.table),
                kept,
                shown(row.lost_value),
                pc_label(ctx.device_id, row.kept_device),
                pc_label(ctx.device_id, row.lost_device),
            )
        )
    return sorted(views, key=lambda v: v.row.lost_at, reverse=True)


def pc_label(me: str, device: str) -> str:
    """ "this PC", or "PC 1a2b3c4d": the last digits of its device id, as History shows them."""
    if device == me:
        return _tr("this PC")
    return _tr("PC %1").replace("%1", sync_service.short_id(device))


def _when(at: datetime) -> str:
    return f"{at.astimezone(LONDON):%d %b %H:%M}"


def by_text(user: str, at: datetime, pc: str) -> str:
    """Alice (HC) · 25 Nov 10:42 · PC 1a2b3c4d"""
    return " · ".join(p for p in (user or _tr("someone"), _when(at), pc) if p)


class ConflictTableModel(RowTableModel):
    def headers(self) -> list[str]:
        return [
            self.tr("Record"),
            self.tr("Field"),
            self.tr("Value kept"),
            self.tr("Kept from"),
            self.tr("Other value"),
            self.tr("Other from"),
        ]

    def cell(self, row: ConflictView, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_KEPT and row.deleted:
            return QColor(OVERDUE_TEXT)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        return None

    def _text(self, row: ConflictView, column: int) -> str:
        texts: dict[int, Callable[[], str]] = {
            COL_RECORD: lambda: row.record,
            COL_FIELD: lambda: row.field,
            COL_KEPT: lambda: first_line(row.kept),
            COL_KEPT_BY: lambda: by_text(row.row.kept_user, row.row.kept_at, row.kept_pc),
            COL_OTHER: lambda: first_line(row.other),
            COL_OTHER_BY: lambda: by_text(row.row.lost_user, row.row.lost_at, row.other_pc),
        }
        return texts[column]()

    def _tooltip(self, row: ConflictView, column: int) -> str | None:
        if column == COL_KEPT:
            return row.kept
        if column == COL_OTHER:
            return row.other
        if column in (COL_KEPT_BY, COL_OTHER_BY):
            kept = column == COL_KEPT_BY
            user = row.row.kept_user if kept else row.row.lost_user
            at = row.row.kept_at if kept else row.row.lost_at
            pc = row.kept_pc if kept else row.other_pc
            return f"{user}\n{at.astimezone(LONDON):%A %d %B %Y, %H:%M:%S}\n{pc}"
        if column == COL_RECORD and row.deleted:
            return self.tr(
                "Another PC deleted this record while this edit was made. It stays deleted "
                "unless you restore it."
            )
        return None

    def _sort_key(self, row: ConflictView, column: int) -> str:
        if column == COL_KEPT_BY:
            return row.row.kept_at.isoformat()
        if column == COL_OTHER_BY:
            return row.row.lost_at.isoformat()
        return self._text(row, column).casefold()
