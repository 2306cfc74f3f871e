"""Filter the action log: text (any column), status, owner, organisation, meeting, due this
week, overdue and "my actions".

The proxy holds the filter and works it out, but on 50,000 actions Qt's way (a Python
`filterAcceptsRow` called per row, then a remapping of every row) costs a few hundred
milliseconds a keystroke. So the proxy decides in one Python pass over the rows (against a
lower-cased text of each row, built once per load) and hands the source model the rows to show
(one reset); Qt's own filtering, left at "accept all", then runs in C++. Sorting is done by the
source model too (one list sort), so the proxy never sorts or filters row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt

from hescb_desktop.domain.enums import ActionStatus
from hescb_desktop.services.action_log import OPEN, ActionLogEntry
from hescb_desktop.ui.actions.action_table_model import ActionTableModel
from hescb_desktop.ui.widgets.labels import format_date, status_label

OPEN_STATUSES = "open"  # the status filter's "all but closed"


@dataclass(frozen=True)
class ActionFilter:
    text: str = ""
    status: str = ""  # "" all, "open" all but closed, else an ActionStatus value
    owner: str = ""  # owner name ("" any)
    organisation: str = ""  # organisation code
    meeting_id: str = ""
    due_this_week: bool = False
    overdue: bool = False
    mine: str = ""  # the user's name when "my actions" is on


def haystack(row: ActionLogEntry) -> str:  # one row (tests); the model builds them all
    return "\x1f".join(
        (
            row.reference,
            row.description,
            row.owner,
            row.organisation_code,
            row.meeting,
            row.minute,
            status_label(row.status),
            row.latest_update,
            format_date(row.due),
        )
    ).casefold()


def accepts(f: ActionFilter, today: date) -> object:
    """The filter as one predicate over (row, its haystack)."""
    needle = f.text.strip().casefold()
    week_end = today + timedelta(days=6 - today.weekday())

    def ok(row: ActionLogEntry, hay: str) -> bool:
        if needle and needle not in hay:
            return False
        if f.status:
            if f.status == OPEN_STATUSES:
                if row.status not in OPEN:
                    return False
            elif row.status.value != f.status:
                return False
        if f.owner and row.owner != f.owner:
            return False
        if f.mine and row.owner.casefold() != f.mine.casefold():
            return False
        if f.organisation and row.organisation_code != f.organisation:
            return False
        if f.meeting_id and row.meeting_id != f.meeting_id:
            return False
        if f.overdue and not row.overdue(today):
            return False
        if f.due_this_week:
            due = row.due
            if due is None or not row.open or not today <= due <= week_end:
                return False
        return True

    return ok


class ActionFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.filter = ActionFilter()
        self.today = date.today()
        self._model: ActionTableModel | None = None
        self.setDynamicSortFilter(False)

    def setSourceModel(self, model: ActionTableModel) -> None:  # type: ignore[override]
        super().setSourceModel(model)
        self._model = model

    @property
    def open_only(self) -> bool:
        return self.filter.status == OPEN_STATUSES

    def set_open_only(self, open_only: bool) -> None:
        self.set_filter(replace(self.filter, status=OPEN_STATUSES if open_only else ""))

    def set_text(self, text: str) -> None:
        self.set_filter(replace(self.filter, text=text))

    def set_filter(self, new: ActionFilter) -> None:
        self.filter = new
        self.refilter()

    def refilter(self) -> None:
        """Work the filter out over every loaded row and show the rows that pass."""
        model = self._model
        if model is None:
            return
        rows = model.live_rows()
        if self.filter == ActionFilter():
            model.show_only(list(rows))
            return
        ok = accepts(self.filter, self.today)
        if self.filter.text.strip():
            hay = model.haystacks()
            shown = [r for r, h in zip(rows, hay, strict=True) if ok(r, h)]  # type: ignore[operator]
        else:
            shown = [r for r in rows if ok(r, "")]  # type: ignore[operator]
        model.show_only(shown)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The source sorts its rows; the proxy keeps their order (it never sorts itself)."""
        self.sourceModel().sort(column, order)


__all__ = ["ActionFilter", "ActionFilterProxy", "ActionStatus"]
