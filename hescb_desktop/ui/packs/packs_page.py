"""Board packs (preview): the papers on record, newest first.

Writing papers, and building packs, minutes and the action log as marked, numbered PDFs with
preview and printing, arrive with issue 7.
"""

from __future__ import annotations

from hescb_desktop.domain.enums import Marking
from hescb_desktop.services import crud
from hescb_desktop.services.entities import MEETINGS, PAPERS
from hescb_desktop.ui.packs.paper_table_model import COL_TITLE, PaperTableModel, paper_rows
from hescb_desktop.ui.sync.history_dialog import install_history
from hescb_desktop.ui.widgets.card import Card
from hescb_desktop.ui.widgets.empty_state import EmptyState
from hescb_desktop.ui.widgets.labels import counted
from hescb_desktop.ui.widgets.page import Page
from hescb_desktop.ui.widgets.page_header import ComingNotice
from hescb_desktop.ui.widgets.tables import make_table
from hescb_desktop.ui.workspace import Workspace


class PacksPage(Page):
    tables = ("papers", "meetings")

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(
            workspace,
            self.tr("Board packs"),
            self.tr("Papers for the board and the packs that carry them to the table."),
        )
        self.model = PaperTableModel(self)
        self._setup_ui()
        self.refresh()

    def _setup_ui(self) -> None:
        self.content.addWidget(
            ComingNotice(
                self.tr(
                    "Papers are listed here; writing them, and building board packs, minutes and "
                    "the action log as marked, page-numbered PDFs to preview and print, arrive "
                    "with issue 7."
                )
            )
        )
        self.card = Card(self.tr("Papers"))
        table = make_table(self.model, stretch=COL_TITLE)
        install_history(table, self.workspace, "papers", double_click=True)
        self.view = EmptyState(table)
        self.view.set_message(self.tr("No papers yet."))
        self.card.body.addWidget(self.view, 1)
        self.content.addWidget(self.card, 1)

    def refresh(self) -> None:
        ctx = self.workspace.ctx
        meetings = {m.id: m for m in crud.list_all(ctx.uow(write=False), MEETINGS)}
        rows = paper_rows(crud.list_all(ctx.uow(write=False), PAPERS), meetings)
        self.model.set_rows(rows)
        sensitive = sum(1 for r in rows if r.marking is Marking.OFFICIAL_SENSITIVE)
        note = counted(len(rows), self.tr("%n paper"), self.tr("%n papers"))
        if sensitive:
            note += " · " + self.tr("%1 OFFICIAL-SENSITIVE").replace("%1", str(sensitive))
        self.card.set_note(note)
