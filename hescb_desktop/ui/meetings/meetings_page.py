"""Meetings (preview): the board's meetings, past and planned, newest first.

Agendas, attendance, declarations and the minutes editor arrive with issue 4.
"""

from __future__ import annotations

from datetime import datetime

from hescb_desktop.services import crud
from hescb_desktop.services.entities import MEETINGS, RESOURCES
from hescb_desktop.ui.meetings.meeting_table_model import (
    COL_TITLE,
    LONDON,
    MeetingRow,
    MeetingTableModel,
    meeting_rows,
)
from hescb_desktop.ui.sync.history_dialog import install_history
from hescb_desktop.ui.widgets.card import Card
from hescb_desktop.ui.widgets.empty_state import EmptyState
from hescb_desktop.ui.widgets.labels import counted, format_meeting_date
from hescb_desktop.ui.widgets.page import Page
from hescb_desktop.ui.widgets.page_header import ComingNotice
from hescb_desktop.ui.widgets.tables import make_table
from hescb_desktop.ui.workspace import Workspace


class MeetingsPage(Page):
    tables = ("meetings", "resources")

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(
            workspace,
            self.tr("Meetings"),
            self.tr("The board and its sub-groups: when they meet, where, and how far along."),
        )
        self.model = MeetingTableModel(self)
        self._setup_ui()
        self.refresh()

    def _setup_ui(self) -> None:
        self.content.addWidget(
            ComingNotice(
                self.tr(
                    "Read-only for now. Planning a meeting, the agenda builder in the standard "
                    "order, attendance, declarations of interest and the minutes editor arrive "
                    "with issue 4."
                )
            )
        )
        self.card = Card(self.tr("All meetings"))
        table = make_table(self.model, stretch=COL_TITLE, sortable=False)
        install_history(table, self.workspace, "meetings", double_click=True)
        self.view = EmptyState(table)
        self.view.set_message(self.tr("No meetings yet."))
        self.card.body.addWidget(self.view, 1)
        self.content.addWidget(self.card, 1)

    def refresh(self) -> None:
        ctx = self.workspace.ctx
        venues = {r.id: r for r in crud.list_all(ctx.uow(write=False), RESOURCES)}
        rows = meeting_rows(crud.list_all(ctx.uow(write=False), MEETINGS), venues)
        self.model.set_rows(rows)
        self.card.set_note(self._next_meeting_note(rows))

    def _next_meeting_note(self, rows: list[MeetingRow]) -> str:
        now = datetime.now(LONDON)
        upcoming = [r for r in rows if r.start >= now]
        if not upcoming:
            return counted(len(rows), self.tr("%n meeting"), self.tr("%n meetings"))
        nxt = min(upcoming, key=lambda r: r.start)
        return (
            self.tr("Next: %1 — %2")
            .replace("%1", nxt.title)
            .replace("%2", format_meeting_date(nxt.start))
        )
