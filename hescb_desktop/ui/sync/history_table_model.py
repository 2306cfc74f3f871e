"""One record's history as a table: when, who (the person's name), their role, which PC, which
field, the value it took, and whether its signed journal still checks ("verified")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from hescb_desktop.domain.audit import FAILED, NOT_SIGNED, UNPUBLISHED, VERIFIED
from hescb_desktop.services.sync import HistoryRow
from hescb_desktop.ui.sync.values import LONDON, field_label, first_line, format_value, is_empty
from hescb_desktop.ui.widgets.row_model import SORT_ROLE, RowTableModel

COL_WHEN, COL_WHO, COL_ROLE, COL_PC, COL_FIELD, COL_VALUE, COL_VERIFIED = range(7)
# Written by the app with every change: who and when are already in their own columns.
BOOKKEEPING = frozenset(
    {"created_at", "created_by", "updated_at", "updated_by", "deleted_at", "deleted_by"}
)

REFERENCE_PARTS = frozenset({"ref_body", "ref_year", "ref_number"})
FAILED_INK = "#b42318"  # a change whose signed journal does not check


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    user: str
    device: str
    field: str
    value: str
    stamped_at: datetime | None = None  # its PC's own time, when that clock was far ahead
    role: str = ""
    verified: str = ""


def history_entries(
    rows: Iterable[HistoryRow], describe: Callable[[str, Any], str | None], table: str = ""
) -> list[HistoryEntry]:
    """Newest first, without bookkeeping fields or the empty fields of the record's creation,
    each field named as its form names it (`table`'s labels).

    `describe(column, value)` names what a reference points at (an owner's name for owner_id).
    A reference's parts (its body, year and number) are left out where the reference itself
    changed in the same change: "HESCB/2026/006" says them.
    """
    rows = list(rows)
    created = min(((r.at, r.device) for r in rows), default=None)
    with_reference = {(r.at, r.device) for r in rows if r.column == "reference"}
    rows = [
        r for r in rows if not (r.column in REFERENCE_PARTS and (r.at, r.device) in with_reference)
    ]
    entries = [
        HistoryEntry(
            r.at,
            r.user,
            r.device,
            field_label(r.column, table),
            describe(r.column, r.value) or format_value(r.value),
            r.stamped_at,
            r.role,
            r.verified,
        )
        for r in rows
        if r.column not in BOOKKEEPING and not ((r.at, r.device) == created and is_empty(r.value))
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)


class HistoryTableModel(RowTableModel):
    def headers(self) -> list[str]:
        return [
            self.tr("When"),
            self.tr("Who"),
            self.tr("Role"),
            self.tr("PC"),
            self.tr("Field"),
            self.tr("Value"),
            self.tr("Verified"),
        ]

    def cell(self, row: HistoryEntry, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_VALUE:
            return row.value
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_VERIFIED:
            return self._meaning(row.verified)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_VERIFIED:
            return QColor(FAILED_INK) if row.verified == FAILED else None
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_WHEN:
            text = f"{row.at.astimezone(LONDON):%A %d %B %Y, %H:%M:%S}"
            if row.stamped_at is not None:
                text += "\n" + self.tr(
                    "Its PC's clock said %1: that clock was far ahead, so the change is dated "
                    "by the share's time."
                ).replace("%1", f"{row.stamped_at.astimezone(LONDON):%A %d %B %Y, %H:%M:%S}")
            return text
        if role == SORT_ROLE:
            return row.at.isoformat() if column == COL_WHEN else self._text(row, column).casefold()
        return None

    def _text(self, row: HistoryEntry, column: int) -> str:
        if column == COL_WHEN:
            when = f"{row.at.astimezone(LONDON):%d %b %Y, %H:%M}"
            if row.stamped_at is None:
                return when
            own = f"{row.stamped_at.astimezone(LONDON):%d %b %Y, %H:%M}"
            return self.tr("%1 (its PC said %2)").replace("%1", when).replace("%2", own)
        if column == COL_WHO:
            return row.user
        if column == COL_ROLE:
            return row.role
        if column == COL_PC:
            return row.device
        if column == COL_FIELD:
            return row.field
        if column == COL_VERIFIED:
            return row.verified
        return first_line(row.value)

    def _meaning(self, verified: str) -> str:
        meanings = {
            VERIFIED: self.tr("Its PC's signed journal still matches this PC's change log."),
            NOT_SIGNED: self.tr("Sent before the board's journal was signed."),
            UNPUBLISHED: self.tr("Made on this PC and not yet sent."),
            FAILED: self.tr(
                "The change log no longer matches what its PC signed: the database was changed "
                "outside the app. Run the self-test and tell the secretariat."
            ),
        }
        return meanings.get(verified, "")
