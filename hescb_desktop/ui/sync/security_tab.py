"""The sync page's Security tab: what this PC refused to trust on the share, and the changes the
rules refused on merge (issue 15 points 4 and 5). Read-only: nothing here was merged, and
nothing is dropped: each stays listed with its reason."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from hescb_desktop.services import sync as sync_service
from hescb_desktop.services import trust as trust_service
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.trust import FindingRow, RefusedRow
from hescb_desktop.ui.sync.values import LONDON, field_label, format_value
from hescb_desktop.ui.widgets.card import Card
from hescb_desktop.ui.widgets.empty_state import EmptyState
from hescb_desktop.ui.widgets.labels import counted
from hescb_desktop.ui.widgets.row_model import SORT_ROLE, RowTableModel
from hescb_desktop.ui.widgets.tables import make_table
from hescb_desktop.ui.workspace import Workspace


def _tr(text: str) -> str:
    return QCoreApplication.translate("SecurityTab", text)


def when_text(at: datetime) -> str:
    """24 Nov 2026 10:42 (Europe/London)."""
    return f"{at.astimezone(LONDON):%-d %b %Y %H:%M}"


F_PC, F_PERSON, F_ITEM, F_REASON, F_FIRST, F_LAST = range(6)


class FindingsModel(RowTableModel):
    def headers(self) -> list[str]:
        return [_tr("PC"), _tr("Enrolled for"), _tr("File"), _tr("Reason"), _tr("First seen"),
                _tr("Last seen")]  # fmt: skip

    def cell(self, row: FindingRow, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return [
                row.pc,
                row.person or _tr("(not enrolled)"),
                row.item,
                row.reason,
                when_text(row.first_seen),
                when_text(row.last_seen),
            ][column]
        if role == SORT_ROLE:
            if column == F_FIRST:
                return row.first_seen.isoformat()
            if column == F_LAST:
                return row.last_seen.isoformat()
            return self.cell(row, column, Qt.ItemDataRole.DisplayRole)
        return None


R_WHEN, R_PERSON, R_PC, R_RECORD, R_FIELD, R_VALUE, R_REASON = range(7)


class RefusedModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.records: dict[tuple[str, str], str] = {}
        self.values: dict[tuple[str, int], str] = {}  # (device, seq) -> the value as read

    def headers(self) -> list[str]:
        return [_tr("When"), _tr("Who"), _tr("PC"), _tr("Record"), _tr("Field"), _tr("Value"),
                _tr("Reason")]  # fmt: skip

    def cell(self, row: RefusedRow, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return [
                when_text(row.at),
                row.person,
                row.pc,
                self.records.get((row.table, row.row_id), row.row_id),
                field_label(row.column, row.table),
                self.values.get((row.device_id, row.seq), row.value),
                row.reason,
            ][column]
        if role == SORT_ROLE:
            if column == R_WHEN:
                return row.at.isoformat()
            return self.cell(row, column, Qt.ItemDataRole.DisplayRole)
        return None


def value_text(ctx: ServiceContext, row: RefusedRow) -> str:
    """The refused value as a person reads it: a name for a reference, a date, "(empty)"."""
    try:
        value = json.loads(row.value)
    except ValueError:
        return row.value
    named = sync_service.describe_value(ctx, row.table, row.column, value)
    return named or format_value(value)


class SecurityTab(QWidget):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.findings = FindingsModel(self)
        self.refused = RefusedModel(self)
        self._setup_ui()

    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(14)
        self.findings_card = Card(_tr("Refused on the share"))
        self.findings_table = make_table(self.findings, stretch=F_REASON)
        self.findings_view = EmptyState(self.findings_table)
        self.findings_card.body.addWidget(self.findings_view, 1)
        layout.addWidget(self.findings_card, 1)
        self.refused_card = Card(_tr("Changes refused by the rules"))
        self.refused_table = make_table(self.refused, stretch=R_REASON)
        header = self.refused_table.horizontalHeader()
        for column, width in ((R_RECORD, 220), (R_VALUE, 150)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        self.refused_view = EmptyState(self.refused_table)
        self.refused_card.body.addWidget(self.refused_view, 1)
        layout.addWidget(self.refused_card, 1)

    def refresh(self) -> None:
        ctx = self.workspace.ctx
        self._say_empty(ctx.identity.protected)
        found = trust_service.security_findings(ctx)
        refused = trust_service.refused_changes(ctx)
        records = {}
        for row in refused:
            key = (row.table, row.row_id)
            if key not in records:
                records[key] = sync_service.describe_record(ctx, *key)
        self.refused.records = records
        self.refused.values = {(r.device_id, r.seq): value_text(ctx, r) for r in refused}
        self.findings.set_rows(found)
        self.refused.set_rows(refused)
        self.findings_card.set_note(counted(len(found), _tr("%n refused"), _tr("%n refused")))
        self.refused_card.set_note(counted(len(refused), _tr("%n change"), _tr("%n changes")))

    def _say_empty(self, protected: bool) -> None:
        """What an empty list means: on a board not protected, nothing could be checked."""
        if not protected:
            self.findings_view.set_message(
                _tr(
                    "This board is not protected: changes on the share are not signed, so this "
                    "PC cannot check who made them. A secretariat member can protect it under "
                    "People and PCs."
                )
            )
            self.refused_view.set_message(
                _tr("The rules are checked on merge once the board is protected.")
            )
            return
        self.findings_view.set_message(
            _tr(
                "Nothing refused: every change on the share verified (signed by an enrolled PC "
                "that has not been revoked)."
            )
        )
        self.refused_view.set_message(
            _tr("No change refused: everyone's changes were within their role when they made them.")
        )

    @property
    def count(self) -> int:
        return self.findings.rowCount() + self.refused.rowCount()
