"""The packs page's papers: their table and buttons, and writing one (new or edit, saved as one
operation, the dialog offered again when refused), attaching a PDF as the paper or an appendix,
restricting one to its readers and previewing one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QFileDialog, QPushButton

from hescb_desktop.domain.dto import MeetingDTO
from hescb_desktop.domain.enums import Part
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import crud, documents, papers
from hescb_desktop.services.entities import PAPERS
from hescb_desktop.services.operations import Uow
from hescb_desktop.services.restrict import why_not_restrict
from hescb_desktop.services.results import Result
from hescb_desktop.ui.packs.paper_dialog import PaperDialog
from hescb_desktop.ui.packs.paper_table_model import COL_TITLE, PaperTableModel
from hescb_desktop.ui.packs.texts import meeting_label
from hescb_desktop.ui.sync.history_dialog import install_history
from hescb_desktop.ui.widgets.card import Card
from hescb_desktop.ui.widgets.empty_state import EmptyState
from hescb_desktop.ui.widgets.flow_layout import flow_row, group
from hescb_desktop.ui.widgets.pdf_view import PdfPreviewDialog, preview_document
from hescb_desktop.ui.widgets.permission import gate, sentence
from hescb_desktop.ui.widgets.row_model import ROW_ROLE
from hescb_desktop.ui.widgets.tables import make_table

if TYPE_CHECKING:
    from hescb_desktop.ui.packs.packs_page import PacksPage


class PapersPanel(QObject):
    """The Papers card (`card`) and what its buttons do, for the page's chosen meeting."""

    def __init__(self, page: PacksPage) -> None:
        super().__init__(page)
        self.page = page
        self.workspace = page.workspace
        self.model = PaperTableModel(page)
        self.paper_preview: PdfPreviewDialog | None = None
        self._setup_ui()

    def _setup_ui(self) -> None:
        self.card = Card(self.tr("Papers"))
        table = make_table(self.model, stretch=COL_TITLE)
        install_history(table, self.workspace, "papers", double_click=False)
        table.doubleClicked.connect(lambda _index: self.edit_paper())
        self.table = table
        self.view = EmptyState(table)
        self.view.set_message(self.tr("No papers yet."))
        self.new_button = QPushButton(self.tr("New paper…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.attach_button = QPushButton(self.tr("Attach appendix PDF…"))
        self.attach_paper_button = QPushButton(self.tr("Attach PDF as the paper…"))
        self.preview_button = QPushButton(self.tr("Preview paper…"))
        self.restrict_button = QPushButton(self.tr("Restrict…"))
        self.restrict_button.setToolTip(
            self.tr("Make the paper readable only by the people you choose")
        )
        self.restrict_button.clicked.connect(self.restrict_paper)
        self.new_button.clicked.connect(self.new_paper)
        self.view.set_action(self.tr("New paper…"), self.new_paper)
        table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._on_selection_changed)
        self.edit_button.clicked.connect(self.edit_paper)
        self.attach_button.clicked.connect(lambda: self.attach(role="appendix"))
        self.attach_paper_button.clicked.connect(lambda: self.attach(role="paper"))
        self.preview_button.clicked.connect(self.preview_paper)
        buttons, _ = flow_row(
            group(self.new_button, self.edit_button),
            group(self.attach_paper_button, self.attach_button),
            group(self.preview_button, self.restrict_button),
        )
        self.card.body.addWidget(buttons)
        self.card.body.addWidget(self.view, 1)
        self._on_selection_changed()

    @Slot()
    def _on_selection_changed(self) -> None:
        """Buttons that act on a paper wait for one to be chosen (issue 14)."""
        chosen = self.table.selectionModel().hasSelection()
        self.preview_button.setEnabled(chosen)
        index = self.table.currentIndex()
        row = self.table.model().data(index, ROW_ROLE) if index.isValid() else None
        ws = self.workspace
        # a paper is its proposer's to change (or the secretariat's); anyone may propose one
        why = ws.why_not(Operation.EDIT, Kind.PAPER, row.created_by if row else None)
        for b in (self.edit_button, self.attach_paper_button, self.attach_button):
            gate(b, why if chosen else "", enabled=chosen)
        mine = ws.identity.person_id or None
        gate(self.new_button, ws.why_not(Operation.CREATE, Kind.PAPER, mine))
        owners = {row.created_by} if row is not None and row.created_by else set()
        restrict = why_not_restrict(ws.identity, "paper", owners)
        gate(self.restrict_button, sentence(restrict) if restrict else "", enabled=chosen)

    def selected_paper_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        row = self.table.model().data(index, ROW_ROLE)
        return row.id if row is not None else None

    @Slot()
    def restrict_paper(self) -> None:
        """A paper restricted to its readers (a Part II report: the meeting's members and the
        secretariat by default)."""
        paper_id = self.selected_paper_id()
        if paper_id is None:
            return
        from hescb_desktop.domain.permissions import Role
        from hescb_desktop.services import meetings as meeting_service
        from hescb_desktop.ui.widgets.restrict_dialog import restrict_record

        paper = self.workspace.ctx.read(crud.get, PAPERS, paper_id)
        members: set[str] = set()
        if paper.meeting_id and paper.part is Part.PART_II:
            members = self.workspace.ctx.read(meeting_service.body_members, paper.meeting_id)
        restrict_record(
            self.workspace,
            paper_id,
            self.page,
            default_people=sorted(members),
            default_roles=(Role.SECRETARIAT,),
        )

    def _meeting_choices(self) -> list[tuple[str, MeetingDTO]]:
        return [(meeting_label(m), m) for m in self.page.meetings]

    @Slot()
    def new_paper(self) -> None:
        meeting_id = self.page.meeting_id
        dialog = PaperDialog(self._meeting_choices(), None, self.page, meeting_id=meeting_id)
        self._save_paper(dialog, None)

    @Slot()
    def edit_paper(self) -> None:
        paper_id = self.selected_paper_id()
        if paper_id is None:
            return
        paper = self.workspace.ctx.read(crud.get, PAPERS, paper_id)
        dialog = PaperDialog(self._meeting_choices(), paper, self.page)
        self._save_paper(dialog, paper_id)

    def _save_paper(self, dialog: PaperDialog, paper_id: str | None) -> None:
        """OK saves (an operation, waited for); refused, the dialog opens again as typed."""
        while dialog.exec():
            values = dialog.values()
            title = str(values.get("title", ""))
            if paper_id is None:
                label = self.tr("New paper '%1'").replace("%1", title)
            else:
                label = self.tr("Edit paper '%1'").replace("%1", title)
            outcome = self.workspace.runner.write_and_wait(
                _paper_saved(paper_id, values), label=label, parent=self.page
            )
            if outcome.ok:
                return  # the page refreshes from the change set, once
            dialog.show_error(outcome.refusal)

    def attach(self, *, role: str, path: Path | None = None) -> bool:
        """Attach a PDF to the selected paper (asks for the file unless given)."""
        paper_id = self.selected_paper_id()
        if paper_id is None:
            self.page.warn_user(self.tr("Attach PDF"), self.tr("Choose a paper first."))
            return False
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self.page, self.tr("Attach PDF"), "", self.tr("PDF (*.pdf);;All files (*)")
            )
            if not name:
                return False
            path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.page.warn_user(self.tr("Attach PDF"), f"{path.name}: {exc.strerror or exc}")
            return False
        return self.page.run(
            self.tr("Attach %1").replace("%1", path.name),
            lambda uow: papers.attach_file(uow, paper_id, path.name, data, role=role),
            wait=True,
        )

    @Slot()
    def preview_paper(self) -> None:
        paper_id = self.selected_paper_id()
        if paper_id is None:
            return
        ctx = self.workspace.ctx
        self.paper_preview = preview_document(
            lambda: documents.paper(ctx, paper_id),
            self.tr("Paper"),
            self.page,
            busy=self.tr("Building the paper…"),
        )


def _paper_saved(paper_id: str | None, values: dict[str, Any]) -> Callable[[Uow], Result[Any]]:
    """A new paper (no id) or an edit of one, as one operation."""
    if paper_id is None:
        return lambda uow: papers.create_paper(uow, values)
    return lambda uow: papers.update_paper(uow, paper_id, values)
