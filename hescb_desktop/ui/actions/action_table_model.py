"""The action log as a table with the DOMAIN.md columns.

Colours: an open or in-progress action past its due date is red, one due within 7 days amber.
An action "Complete (proposed)" is not painted late: the owner has done it and it waits for the
meeting to agree closure; it shows in green-grey italics with "awaiting closure" in its tooltip.
Status and latest update are edited in place: the page's `commit` callback sends the change
through the action services (so it is kept in the history with who and when) and refuses bad
input without changing anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QColor, QFont

from hescb_desktop.domain.dto import ActionDTO, OrganisationDTO, PersonDTO
from hescb_desktop.domain.enums import ActionStatus
from hescb_desktop.services.action_log import LOG_ORDER, ActionLogEntry
from hescb_desktop.ui.widgets.due import OVERDUE, SOON, urgency_background, urgency_text_colour
from hescb_desktop.ui.widgets.labels import format_date, status_label
from hescb_desktop.ui.widgets.palette import partner_colour
from hescb_desktop.ui.widgets.row_model import ROW_ROLE, SORT_ROLE, Index, RowTableModel
from hescb_desktop.ui.widgets.swatch import colour_dot

(
    COL_REFERENCE,
    COL_RAISED,
    COL_MEETING,
    COL_DESCRIPTION,
    COL_OWNER,
    COL_ORGANISATION,
    COL_DUE,
    COL_REVISED,
    COL_STATUS,
    COL_COMPLETED,
    COL_UPDATE,
) = range(11)
EDITABLE = frozenset({COL_STATUS, COL_UPDATE})
PROPOSED_TEXT = "#4f6b5a"
ActionLogRow = ActionLogEntry  # the rows this model shows
OPEN = frozenset(set(ActionStatus) - {ActionStatus.CLOSED})


def action_log_rows(
    actions: Iterable[ActionDTO],
    people: Mapping[str, PersonDTO],
    organisations: Mapping[str, OrganisationDTO],
) -> list[ActionLogEntry]:
    """Rows from action DTOs (newest reference first); the page reads them with one query
    (services.action_log) instead."""
    rows = []
    for a in actions:
        owner = people.get(a.owner_id or "")
        org = organisations.get(a.organisation_id or "") or organisations.get(
            owner.organisation_id or "" if owner else ""
        )
        rows.append(
            ActionLogEntry(
                a.id,
                a.reference,
                a.ref_body,
                a.ref_year,
                a.ref_number,
                a.raised_on,
                a.meeting_id,
                "",
                "",
                a.description,
                a.owner_id,
                owner.name if owner else "",
                org.code if org else "",
                a.due_date,
                a.revised_due_date,
                a.revision_reason,
                a.status,
                a.completed_on,
                a.latest_update,
            )
        )
    return sorted(rows, key=lambda r: r.ref_key, reverse=True)


def haystack_of(row: ActionLogEntry, labels: Mapping[ActionStatus, str]) -> str:
    """The lower-cased text the filter box searches (pure Python: built off the GUI thread
    for the closed actions)."""
    return (
        f"{row.reference}\x1f{row.description}\x1f{row.owner}\x1f{row.organisation_code}"
        f"\x1f{row.meeting}\x1f{row.minute}\x1f{labels[row.status]}\x1f{row.latest_update}"
    ).casefold()


def status_labels() -> dict[ActionStatus, str]:
    return {s: status_label(s) for s in ActionStatus}


def level(row: ActionLogEntry, today: date) -> str:
    if row.overdue(today):
        return OVERDUE
    return SOON if row.due_soon(today) else ""


class ActionTableModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.today = date.today()
        # (row, column, value) -> accepted; set by the page (None: read-only table)
        self.commit: Callable[[ActionLogEntry, int, Any], bool] | None = None
        # whether the person at the keyboard may edit this row (the rules; None: every row)
        self.editable: Callable[[ActionLogEntry], bool] | None = None
        self._all: list[ActionLogEntry] = []  # every action loaded; _rows: the ones shown
        self._hay: list[str] | None = None  # lower-cased text of each row of _all, for search
        self._hay_by_id: dict[str, str] = {}  # the same by action id (survives sorts and merges)
        self._sorted: tuple[int, Qt.SortOrder] | None = None  # the user's sort, if any
        self._headers = self._make_headers()

    def headers(self) -> list[str]:
        return self._headers

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    # ---------------------------------------------------------------- all rows and shown rows
    def set_rows(self, rows: Iterable[Any]) -> None:
        """Load every action; all are shown until `show_only` narrows them (the filter)."""
        self._all = list(rows)
        self._hay = None
        self._hay_by_id = {}
        if self._sorted is not None:
            column, order = self._sorted
            self._all.sort(key=sort_key(column), reverse=order == Qt.SortOrder.DescendingOrder)
        super().set_rows(self._all)

    def add_rows(self, rows: list[ActionLogEntry], hays: dict[str, str]) -> None:
        """More actions (the closed ones, read in the background, in the log's order) with
        their search texts by id, put in the order shown. The caller shows them (`show_only`,
        through the filter)."""
        self._hay_by_id.update(hays)
        self._all.extend(rows)
        if self._sorted is None:
            self._all.sort(key=LOG_ORDER, reverse=True)  # two sorted runs: one linear merge
        else:
            column, order = self._sorted
            self._all.sort(key=sort_key(column), reverse=order == Qt.SortOrder.DescendingOrder)
        self._hay = None

    def live_rows(self) -> list[ActionLogEntry]:
        """Every action loaded (not a copy: the filter reads all 50,000 on each keystroke)."""
        return self._all

    def rows_shown(self) -> list[ActionLogEntry]:
        return self._rows

    def show_only(self, rows: list[ActionLogEntry]) -> None:
        """Show just `rows` (in their order): one reset, however many rows change."""
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def haystacks(self) -> list[str]:
        """One lower-cased text per loaded row (built once per load), for the text filter."""
        if self._hay is None:
            by_id = self._hay_by_id
            missing = [r for r in self._all if r.id not in by_id]
            if missing:
                labels = status_labels()
                by_id.update((r.id, haystack_of(r, labels)) for r in missing)
            self._hay = [by_id[r.id] for r in self._all]
        return self._hay

    def _make_headers(self) -> list[str]:
        return [
            self.tr("Reference"),
            self.tr("Raised"),
            self.tr("Meeting / minute"),
            self.tr("Action"),
            self.tr("Owner"),
            self.tr("Organisation"),
            self.tr("Due (agreed)"),
            self.tr("Revised due"),
            self.tr("Status"),
            self.tr("Completed"),
            self.tr("Latest update"),
        ]

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() in EDITABLE and self._may_edit(index.row()):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def _may_edit(self, row: int) -> bool:
        if self.commit is None:
            return False
        return self.editable is None or self.editable(self.row_at(row))

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            role != Qt.ItemDataRole.EditRole
            or not index.isValid()
            or index.column() not in EDITABLE
            or self.commit is None
        ):
            return False
        return self.commit(self.row_at(index.row()), index.column(), value)

    def cell(self, row: ActionLogEntry, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.EditRole:
            if column == COL_STATUS:
                return row.status.value
            if column == COL_UPDATE:
                return ""  # a new update is typed afresh; the old one stays in the history
            return self._text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.status is ActionStatus.COMPLETE:
                return QColor(PROPOSED_TEXT)
            return urgency_text_colour(level(row, self.today))
        if role == Qt.ItemDataRole.BackgroundRole:
            return urgency_background(level(row, self.today))
        if role == Qt.ItemDataRole.FontRole and row.status is ActionStatus.COMPLETE:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and column == COL_ORGANISATION:
            return (
                colour_dot(partner_colour(row.organisation_code)) if row.organisation_code else None
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        return None

    def _tooltip(self, row: ActionLogEntry, column: int) -> str | None:
        if column == COL_DESCRIPTION:
            return row.description + (f"\n\n{row.latest_update}" if row.latest_update else "")
        if column == COL_REVISED and row.revised_due_date:
            return self.tr("Revised: %1").replace("%1", row.revision_reason)
        if column == COL_STATUS and row.status is ActionStatus.COMPLETE:
            return self.tr(
                "Proposed complete on %1: awaiting the meeting's agreement to close"
            ).replace("%1", format_date(row.completed_on))
        if column in (COL_DUE, COL_REVISED) and level(row, self.today) == OVERDUE:
            days = (self.today - row.due).days if row.due else 0
            return self.tr("Overdue by %1 days").replace("%1", str(days))
        return None

    def _text(self, row: ActionLogEntry, column: int) -> str:
        if column == COL_REFERENCE:
            return row.reference
        if column == COL_RAISED:
            return format_date(row.raised_on)
        if column == COL_MEETING:
            return f"{row.meeting} · {row.minute}" if row.minute else row.meeting
        if column == COL_DESCRIPTION:
            return row.description.splitlines()[0] if row.description else ""
        if column == COL_OWNER:
            return row.owner
        if column == COL_ORGANISATION:
            return row.organisation_code
        if column == COL_DUE:
            return format_date(row.due_date)
        if column == COL_REVISED:
            return format_date(row.revised_due_date)
        if column == COL_STATUS:
            return status_label(row.status) + self._urgency_word(row)
        if column == COL_COMPLETED:
            return format_date(row.completed_on)
        return row.latest_update.splitlines()[0] if row.latest_update else ""

    def _urgency_word(self, row: ActionLogEntry) -> str:
        """Said in words, not by colour alone (issue 14): "Open · overdue"."""
        urgency = level(row, self.today)
        if urgency == OVERDUE:
            return " · " + self.tr("overdue")
        return " · " + self.tr("due soon") if urgency == SOON else ""

    def _sort_key(self, row: ActionLogEntry, column: int) -> Any:
        return sort_key(column)(row)

    # ---------------------------------------------------------------- fast sorting
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows themselves (one Python sort: fast on 50,000 actions)."""
        if not 0 <= column < self.columnCount():
            self._sorted = None  # no sort indicator: the log's own order
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        ids = [self._rows[i.row()].id for i in old]
        key, reverse = sort_key(column), order == Qt.SortOrder.DescendingOrder
        self._sorted = (column, order)
        if self._rows is not self._all:
            self._rows.sort(key=key, reverse=reverse)
        self._all.sort(key=key, reverse=reverse)
        self._hay = None
        where = {r.id: n for n, r in enumerate(self._rows)}
        self.changePersistentIndexList(
            old, [self.index(where[i], o.column()) for i, o in zip(ids, old, strict=True)]
        )
        self.layoutChanged.emit()


def sort_key(column: int) -> Callable[[ActionLogEntry], Any]:
    if column == COL_REFERENCE:
        return lambda r: (r.ref_body, r.ref_year, r.ref_number)
    if column == COL_RAISED:
        return lambda r: r.raised_on.isoformat()
    if column == COL_DUE:
        return lambda r: r.due_date.isoformat() if r.due_date else "9999"
    if column == COL_REVISED:
        return lambda r: r.revised_due_date.isoformat() if r.revised_due_date else "9999"
    if column == COL_COMPLETED:
        return lambda r: r.completed_on.isoformat() if r.completed_on else "9999"
    if column == COL_STATUS:
        order = {s: n for n, s in enumerate(ActionStatus)}
        return lambda r: f"{order[r.status]}"
    attr = {
        COL_MEETING: "meeting",
        COL_DESCRIPTION: "description",
        COL_OWNER: "owner",
        COL_ORGANISATION: "organisation_code",
        COL_UPDATE: "latest_update",
    }[column]
    return lambda r: getattr(r, attr).casefold()


__all__ = ["ROW_ROLE", "ActionLogRow", "ActionTableModel", "action_log_rows"]
