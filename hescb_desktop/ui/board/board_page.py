"""The planning board page: the board (stage columns, optional swimlanes, drag and drop), the
roadmap and the collaboration opportunities register, with one set of filters, undo and redo
for moves and edits, and the board's outputs (PDF, CSV).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QWidget,
)

from hescb_desktop.domain.board import BoardCard, BoardFilter, Lanes, lay_out
from hescb_desktop.domain.csv_text import excel_csv_bytes
from hescb_desktop.domain.enums import Rag
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import board, board_report, documents, planning
from hescb_desktop.services.board import Board
from hescb_desktop.ui.board import commands
from hescb_desktop.ui.board.board_view import BoardView
from hescb_desktop.ui.board.objective_dialog import ObjectiveDialog
from hescb_desktop.ui.board.opportunities_view import OpportunitiesView
from hescb_desktop.ui.board.roadmap_view import RoadmapView
from hescb_desktop.ui.board.stages_dialog import StagesDialog
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog
from hescb_desktop.ui.widgets.flow_layout import flow_row, group
from hescb_desktop.ui.widgets.labels import rag_label
from hescb_desktop.ui.widgets.page import Page, shown
from hescb_desktop.ui.widgets.permission import gate
from hescb_desktop.ui.workspace import Workspace

PRESENTATION_SCALE = 1.35
UNRATED = "unrated"


class BoardPage(Page):
    shows = shown(Kind.PLAN, Kind.DIRECTORY, Kind.ACTION)

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(
            workspace,
            self.tr("Planning board"),
            self.tr("The joint programme: every objective by stage, lead partner and RAG."),
        )
        self.data = Board((), ())
        self._links = board_report.RoadmapLinks((), ())
        self._stale_tabs: set[int] = set()
        self._setup_ui()
        self.refresh()

    # ------------------------------------------------------------ building
    def _setup_ui(self) -> None:
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search objectives"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_filter_changed)
        self.organisation, self.theme = (
            self._combo(self.tr("All organisations")),
            self._combo(self.tr("All themes")),
        )
        self.rag, self.stage = self._combo(self.tr("Any RAG")), self._combo(self.tr("All stages"))
        self.officer = self._combo(self.tr("Any SRO"))
        for rag in (Rag.RED, Rag.AMBER, Rag.GREEN):
            self.rag.addItem(rag_label(rag), rag.value)
        self.rag.addItem(rag_label(None), UNRATED)
        self.lanes = QComboBox()
        for text, lanes in (
            (self.tr("No swimlanes"), Lanes.NONE),
            (self.tr("Swimlanes by theme"), Lanes.THEME),
            (self.tr("Swimlanes by lead organisation"), Lanes.LEAD),
        ):
            self.lanes.addItem(text, lanes.value)
        self.lanes.currentIndexChanged.connect(self._on_filter_changed)
        self.workstreams = QCheckBox(self.tr("Workstreams"))
        self.workstreams.setChecked(True)
        self.workstreams.setToolTip(self.tr("Show each objective's workstreams as cards too"))
        self.workstreams.toggled.connect(self._on_filter_changed)
        self.large = QCheckBox(self.tr("Large text (meeting room)"))
        self.large.toggled.connect(self._on_large_toggled)
        self.search.setMinimumWidth(220)
        filters, _ = flow_row(
            self.search, self.organisation, self.theme, self.rag, self.stage, self.officer
        )
        self.content.addWidget(filters)
        self.content.addWidget(self._buttons())
        self.board_view = BoardView()
        self.board_view.card_dropped.connect(self._on_card_dropped)
        self.board_view.move_requested.connect(self._on_move_requested)
        self.board_view.card_activated.connect(self.open_objective)
        self.roadmap_view = RoadmapView()
        self.roadmap_view.canvas.row_activated.connect(self.open_objective)
        self.opportunities = OpportunitiesView(self.workspace)
        self.opportunities.objective_opened.connect(self.open_objective)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.board_view, self.tr("Board"))
        self.tabs.addTab(self.roadmap_view, self.tr("Roadmap"))
        self.tabs.addTab(self.opportunities, self.tr("Opportunities register"))
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.content.addWidget(self.tabs, 1)

    def _buttons(self) -> QWidget:
        """The view switches, the count, then the buttons: groups that fold onto more rows on
        a narrow window."""
        self.count = QLabel()
        edits: list[QWidget | None] = []
        history = self.workspace.history  # the Edit menu's: one history for every page
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.clicked.connect(lambda: history.undo(self))
        self.redo_button = QPushButton(self.tr("Redo"))
        self.redo_button.clicked.connect(lambda: history.redo(self))

        def update() -> None:
            self.undo_button.setEnabled(history.can_undo())
            self.redo_button.setEnabled(history.can_redo())
            self.undo_button.setToolTip(history.undo_text())
            self.redo_button.setToolTip(history.redo_text())

        history.changed.connect(update)
        update()
        edits += [self.undo_button, self.redo_button]
        papers: list[QWidget | None] = []
        for text, slot in (
            (self.tr("New objective…"), self._on_new_clicked),
            (self.tr("Stages…"), self._on_stages_clicked),
            (self.tr("Export CSV…"), self._on_csv_clicked),
            (self.tr("Save PDF…"), self._on_pdf_clicked),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            (edits if len(edits) < 4 else papers).append(button)
            if slot == self._on_new_clicked:
                self.new_objective_button = button
            elif slot == self._on_stages_clicked:
                self.stages_button = button
        row, _ = flow_row(
            group(self.lanes, self.workstreams, self.large),
            self.count,
            None,
            group(*edits),
            group(*papers),
        )
        return row

    def _combo(self, everything: str) -> QComboBox:
        combo = QComboBox()
        combo.addItem(everything, "")
        combo.setMinimumContentsLength(10)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.currentIndexChanged.connect(self._on_filter_changed)
        return combo

    # ------------------------------------------------------------ data
    def refresh(self) -> None:
        ws = self.workspace
        gate(self.new_objective_button, ws.why_not(Operation.CREATE, Kind.PLAN))
        gate(self.stages_button, ws.why_not(Operation.ADMINISTER, Kind.PLAN))
        self.board_view.refuse_moves(ws.why_not(Operation.EDIT, Kind.PLAN))
        today = self.workspace.today()
        read = self.workspace.ctx.read
        self.data = read(board.load_board, today)
        self._links = read(board_report.roadmap_links)
        self.board_view.delegate.today = today
        self._fill_choices()
        self._stale_tabs = {1, 2}  # the roadmap and the register: built when shown
        self.relayout()

    def _fill_choices(self) -> None:
        cards = self.data.cards
        codes = {c.lead_code for c in cards} | {p for c in cards for p in c.partner_codes}
        self._refill(self.organisation, sorted(codes - {""}))
        self._refill(self.theme, sorted({c.theme for c in cards} - {""}))
        stages = list(self.data.stage_names)
        stages += sorted({c.stage for c in cards} - set(stages))
        self._refill(self.stage, stages)
        self._refill(self.officer, sorted({c.sro for c in cards} - {""}))

    def _refill(self, combo: QComboBox, values: list[str]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for value in values:
            combo.addItem(value, value)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def board_filter(self) -> BoardFilter:
        rag = self.rag.currentData()
        return BoardFilter(
            text=self.search.text(),
            organisation=self.organisation.currentData() or "",
            theme=self.theme.currentData() or "",
            rag=Rag(rag) if rag and rag != UNRATED else None,
            unrated=rag == UNRATED,
            stage=self.stage.currentData() or "",
            officer=self.officer.currentData() or "",
            objectives_only=not self.workstreams.isChecked(),
        )

    def relayout(self) -> None:
        """Filter and lay the board out again (the benchmark times this)."""
        chosen = self.board_filter()
        layout = lay_out(
            self.data.cards, self.data.stage_names, Lanes(self.lanes.currentData()), chosen
        )
        self.board_view.show_layout(layout)
        shown = sum(layout.count(s) for s in layout.stages)
        self.count.setText(
            self.tr("%1 of %2 cards")
            .replace("%1", str(shown))
            .replace("%2", str(len(self.data.cards)))
        )
        self._stale_tabs.add(1)
        self._show_tab(self.tabs.currentIndex())

    def _show_tab(self, index: int) -> None:
        """Build the roadmap or the register only when it is shown (and stale)."""
        if index not in self._stale_tabs:
            return
        self._stale_tabs.discard(index)
        if index == 1:
            chosen = self.board_filter()
            cards = [c for c in self.data.cards if chosen.matches(c)]
            roadmap = board_report.roadmap_from(
                cards, self._links, self.data.stage_names, self.workspace.today()
            )
            self.roadmap_view.set_roadmap(roadmap, self.board_view.delegate.scale)
        elif index == 2:
            self.opportunities.refresh()

    @Slot(int)
    def _on_tabs_current_changed(self, index: int) -> None:
        self._show_tab(index)

    # ------------------------------------------------------------ reacting
    @Slot()
    def _on_filter_changed(self) -> None:
        self.relayout()

    @Slot(bool)
    def _on_large_toggled(self, on: bool) -> None:
        self.board_view.set_scale(PRESENTATION_SCALE if on else 1.0)
        self.relayout()

    def card(self, card_id: str) -> BoardCard | None:
        return next((c for c in self.data.cards if c.id == card_id), None)

    @Slot(str, str, object, object)
    def _on_card_dropped(
        self, card_id: str, stage: str, after: str | None, before: str | None
    ) -> None:
        card = self.card(card_id)
        if card is None or self._unchanged(card, stage, after, before):
            return
        self.workspace.runner.write(
            commands.move_card(card.id, stage, after, before),
            label=self.tr("Move '%1' to %2").replace("%1", card.title).replace("%2", stage),
            parent=self,
            on_refused=self.show_error,
        )

    @Slot(str, str)
    def _on_move_requested(self, card_id: str, stage: str) -> None:
        self._on_card_dropped(card_id, stage, None, None)

    def _unchanged(
        self, card: BoardCard, stage: str, after: str | None, before: str | None
    ) -> bool:
        if stage != card.stage:
            return False
        column = sorted((c for c in self.data.cards if c.stage == stage), key=BoardCard.sort_key)
        ids = [c.id for c in column]
        n = ids.index(card.id)
        return (ids[n - 1] if n else None) == after and (
            ids[n + 1] if n + 1 < len(ids) else None
        ) == before

    @Slot(str)
    def open_objective(self, objective_id: str) -> None:
        ObjectiveDialog.ask(self.workspace, objective_id, self.show_error, self)

    def show_error(self, message: str) -> None:
        QMessageBox.warning(self, self.tr("Planning board"), message)

    @Slot()
    def _on_new_clicked(self) -> None:
        title, ok = QInputDialog.getText(self, self.tr("New objective"), self.tr("Title"))
        if not ok:
            return
        self.workspace.runner.write(
            lambda uow: planning.create_objective(uow, title),
            label=self.tr("New objective '%1'").replace("%1", title),
            parent=self,
            on_done=lambda objective: self.open_objective(objective.id),
            on_refused=self.show_error,
        )

    def new_item(self) -> bool:  # Ctrl+N
        self._on_new_clicked()
        return True

    def print_page(self) -> bool:  # Ctrl+P: the board and roadmap as PDF
        self._on_pdf_clicked()
        return True

    @Slot()
    def _on_stages_clicked(self) -> None:
        StagesDialog.ask(self.workspace, self)

    @Slot()
    def _on_csv_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export the board as CSV"), "board.csv", self.tr("CSV (*.csv)")
        )
        if name:
            self.export_csv(Path(name))

    def export_csv(self, path: Path) -> None:
        """The objectives the filters show, in board order."""
        shown = [c for c in self.data.cards if self.board_filter().matches(c)]
        try:
            path.write_bytes(excel_csv_bytes(board.board_csv(shown, self.data.stage_names)))
        except OSError as exc:
            self.show_error(str(exc))

    @Slot()
    def _on_pdf_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the board and roadmap as PDF"), "board.pdf", self.tr("PDF (*.pdf)")
        )
        if name:
            self.save_pdf(Path(name))

    def save_pdf(self, path: Path) -> str:
        """Board and roadmap of what the filters show, written off the GUI thread; returns
        why it failed ("" when written)."""
        chosen = self.board_filter()
        ctx, today, note = self.workspace.ctx, self.workspace.today(), self._filter_note(chosen)

        def work(_progress: object) -> None:
            path.write_bytes(documents.board(ctx, today, chosen, note=note).data)

        _, error = BusyDialog.run(
            self.tr("Planning board"), self.tr("Writing the PDF…"), work, self
        )
        if error:
            self.show_error(error)
        return error

    def _filter_note(self, chosen: BoardFilter) -> str:
        if not chosen.active:
            return ""
        parts = [
            combo.currentText()
            for combo in (self.organisation, self.theme, self.rag, self.stage, self.officer)
            if combo.currentIndex() > 0
        ]
        if chosen.text.strip():
            parts.append(f'"{chosen.text.strip()}"')
        return "Filtered: " + ", ".join(parts)
