"""Home: today's events, my open actions and the board's RAG summary, from one service call."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QGridLayout, QWidget

from hescb_desktop.domain.permissions import Kind
from hescb_desktop.services.home import HomeSummary, home_summary
from hescb_desktop.ui.home import event_table_model as ev
from hescb_desktop.ui.home import my_actions_model as ma
from hescb_desktop.ui.home import objective_rag_model as ob
from hescb_desktop.ui.home.chase_banner import ChaseBanner
from hescb_desktop.ui.home.rag_tiles import RagTiles
from hescb_desktop.ui.sync.history_dialog import install_history
from hescb_desktop.ui.widgets.card import Card
from hescb_desktop.ui.widgets.empty_state import EmptyState
from hescb_desktop.ui.widgets.labels import counted
from hescb_desktop.ui.widgets.page import Page, shown
from hescb_desktop.ui.widgets.tables import ColumnLayout, make_table, view_state
from hescb_desktop.ui.workspace import Workspace


class HomePage(Page):
    shows = shown(Kind.CALENDAR_ITEM, Kind.ACTION, Kind.PLAN, Kind.DIRECTORY)

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace, self.tr("Home"))
        self.events_model = ev.EventTableModel(self)
        self.actions_model = ma.MyActionsModel(self)
        self.objectives_model = ob.ObjectiveRagModel(self)
        self.rag_tiles = RagTiles()
        self.summary: HomeSummary | None = None
        self._setup_ui()
        workspace.settings_changed.connect(self._on_workspace_settings_changed)
        self.refresh()

    def _setup_ui(self) -> None:
        self.chase_banner = ChaseBanner(self.workspace)
        self.content.addWidget(self.chase_banner)
        self.today_card = Card(self.tr("Today"))
        events_table = make_table(self.events_model, stretch=ev.COL_SUMMARY)
        # the colour dot shows whose event it is, the tooltip where: the title gets the width
        events_table.setColumnHidden(ev.COL_ORGANISATION, True)
        events_table.setColumnHidden(ev.COL_LOCATION, True)
        install_history(events_table, self.workspace, "events", double_click=True)
        self.events_view = EmptyState(events_table)
        self.today_card.body.addWidget(self.events_view)
        self.actions_card = Card(self.tr("My open actions"))
        actions_table = make_table(self.actions_model, stretch=ma.COL_DESCRIPTION)
        # the action's text wraps onto two lines and takes the width the others leave
        # (never under 160 px: the table scrolls sideways first); a cut one shows whole in
        # its tooltip, and widths the user sets are kept
        actions_table.setWordWrap(True)
        actions_table.verticalHeader().setDefaultSectionSize(
            2 * actions_table.fontMetrics().lineSpacing() + 10
        )
        self.actions_columns = ColumnLayout(
            actions_table,
            view_state(self.workspace.data_dir),
            "home/actions-columns",
            widths={ma.COL_REFERENCE: 125, ma.COL_DUE: 95, ma.COL_STATUS: 135},
            flexible=(ma.COL_DESCRIPTION,),
        )
        self.actions_history = install_history(
            actions_table, self.workspace, "actions", double_click=True
        )
        self.actions_view = EmptyState(actions_table)
        self.actions_card.body.addWidget(self.actions_view)
        self.rag_card = Card(self.tr("Board RAG summary"))
        objectives_table = make_table(self.objectives_model, stretch=ob.COL_TITLE)
        install_history(objectives_table, self.workspace, "objectives", double_click=True)
        self.objectives_view = EmptyState(objectives_table)
        self.rag_card.body.addWidget(self.rag_tiles)
        self.rag_card.body.addWidget(self.objectives_view, 1)
        grid = QGridLayout()
        grid.setSpacing(14)
        grid.addWidget(self.today_card, 0, 0)
        grid.addWidget(self.actions_card, 0, 1)
        grid.addWidget(self.rag_card, 1, 0, 1, 2)
        grid.setColumnStretch(0, 4)
        grid.setColumnStretch(1, 6)
        grid.setRowStretch(0, 1)
        grid.setRowStretch(1, 1)
        holder = QWidget()
        holder.setLayout(grid)
        self.content.addWidget(holder, 1)

    def refresh(self) -> None:
        today = self.workspace.today()
        summary = self.workspace.ctx.read(home_summary, today, self.workspace.me)
        self.summary = summary
        self.header.title_label.setText(self._greeting())
        self.header.set_subtitle(f"{today:%A %d %B %Y}")
        self._show_events(summary)
        self._show_actions(summary)
        self._show_objectives(summary)
        self.chase_banner.refresh()

    @Slot()
    def _on_workspace_settings_changed(self) -> None:
        self.refresh()

    def _greeting(self) -> str:
        hour = datetime.now().hour
        if hour < 12:
            text = self.tr("Good morning")
        elif hour < 18:
            text = self.tr("Good afternoon")
        else:
            text = self.tr("Good evening")
        me = self.workspace.me
        return f"{text}, {me}" if me else text

    def _show_events(self, summary: HomeSummary) -> None:
        self.events_model.set_rows(summary.events)
        self.today_card.set_note(
            counted(len(summary.events), self.tr("%n event"), self.tr("%n events"))
        )
        self.events_view.set_message(self.tr("Nothing in the diary today."))

    def _show_actions(self, summary: HomeSummary) -> None:
        self.actions_model.set_today(summary.today)
        # by the due date shown (a revised one where agreed), soonest first, undated last
        self.actions_model.set_rows(
            sorted(summary.my_actions, key=lambda a: (a.due is None, a.due or summary.today))
        )
        overdue = sum(1 for a in summary.my_actions if a.overdue(summary.today))
        note = self.tr("%1 open").replace("%1", str(len(summary.my_actions)))
        if overdue:
            note += " · " + self.tr("%1 overdue").replace("%1", str(overdue))
        self.actions_card.set_note(note if self.workspace.me else "")
        if self.workspace.me:
            message = self.tr("No open actions for %1.").replace("%1", self.workspace.me)
        elif self.workspace.who.protected:
            message = self.tr("The actions you own show here once the board knows your account.")
        else:
            message = self.tr(
                "The actions you own show here once the secretariat has upgraded this board."
            )
        self.actions_view.set_message(message)

    def _show_objectives(self, summary: HomeSummary) -> None:
        self.rag_tiles.set_counts(summary.rag_counts)
        self.objectives_model.set_rows(summary.objectives)
        n = len(summary.objectives)
        self.rag_card.set_note(
            counted(n, self.tr("%n open objective"), self.tr("%n open objectives"))
        )
        self.objectives_view.set_message(self.tr("No objectives on the planning board yet."))
