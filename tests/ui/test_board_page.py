"""The planning board page under pytest-qt: the card model, drag and drop between and within
columns (real drop events on the views), undo and redo, filters, swimlanes, the objective
dialog's refusals and warnings, the stages editor, the opportunities register and the outputs."""

from __future__ import annotations

import csv
import io
import warnings
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QTableWidget, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from hescb_desktop.domain.board import BoardCard
from hescb_desktop.domain.enums import OpportunityOutcome, Rag
from hescb_desktop.services import board, crud, opportunities, planning
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import OBJECTIVES
from hescb_desktop.ui.board.board_page import BoardPage
from hescb_desktop.ui.board.board_view import CardListView
from hescb_desktop.ui.board.card_model import CardListModel
from hescb_desktop.ui.board.objective_dialog import ObjectiveDialog
from hescb_desktop.ui.board.opportunities_view import OpportunityTableModel, RaiseDialog
from hescb_desktop.ui.board.stages_dialog import StagesDialog
from hescb_desktop.ui.workspace import Workspace


@pytest.fixture
def page(qtbot: QtBot, workspace: Workspace) -> BoardPage:
    p = BoardPage(workspace)
    qtbot.addWidget(p)
    p.resize(1500, 900)
    p.show()
    qtbot.waitExposed(p)
    return p


def titles(view: CardListView) -> list[str]:
    return [c.title for c in view.card_model.cards()]


def stage_of(page: BoardPage, title: str) -> tuple[str, float]:
    row = next(
        o
        for o in crud.list_all(page.workspace.ctx.uow(write=False), OBJECTIVES)
        if o.title == title
    )
    return row.stage, row.position


class History:
    """The Edit menu's undo history, used as a person does: each step waited for (undo and
    redo run off the GUI thread, as every edit does)."""

    def __init__(self, page: BoardPage) -> None:
        self.workspace = page.workspace

    def undo(self) -> None:
        self.workspace.history.undo()
        assert self.workspace.runner.settle()

    def redo(self) -> None:
        self.workspace.history.redo()
        assert self.workspace.runner.settle()

    def count(self) -> int:
        return self.workspace.history.count

    def undoText(self) -> str:
        return self.workspace.history.undo_label

    def canRedo(self) -> bool:
        return self.workspace.history.can_redo()


def settled(widget: QWidget) -> None:
    """Wait for the edit a gesture started (saved off the GUI thread) and its refresh."""
    while widget is not None and not isinstance(widget, BoardPage):
        widget = widget.parentWidget()
    assert widget is not None and widget.workspace.runner.settle()


def drop(source: CardListView, row: int, target: CardListView, at_row: int | None) -> None:
    """A real drag over the target view (enter, move) and the drop: above card `at_row`, or
    below the last card."""
    mime = source.card_model.mimeData([source.card_model.index(row)])
    if at_row is None:
        rect = target.visualRect(target.card_model.index(target.card_model.rowCount() - 1))
        pos = QPoint(rect.center().x(), rect.bottom() + 20) if rect.isValid() else QPoint(40, 20)
    else:
        rect = target.visualRect(target.card_model.index(at_row))
        pos = QPoint(rect.center().x(), rect.top() + 2)
    move, left, none = (
        Qt.DropAction.MoveAction,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with warnings.catch_warnings():  # PySide6 marks the QPoint constructors deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        for kind in (QDragEnterEvent, QDragMoveEvent):
            over = kind(pos, move, mime, left, none)
            QApplication.sendEvent(target.viewport(), over)
            assert over.isAccepted()
    event = QDropEvent(QPointF(pos), move, mime, left, none)
    event.setAccepted(False)  # as a drop arrives: the view accepts it if it takes it
    QApplication.sendEvent(target.viewport(), event)
    assert event.isAccepted()
    settled(target)


# ------------------------------------------------------------------ the model
def test_card_model_passes_the_model_tester(qtmodeltester: ModelTester, page: BoardPage) -> None:
    model = page.board_view.view_for("In delivery").card_model
    assert model.rowCount() == 3  # two objectives and a workstream
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)
    model.set_rows([])
    qtmodeltester.check(model, force_py=True)
    register = OpportunityTableModel()
    qtmodeltester.check(register, force_py=True)


def test_card_model_neighbours() -> None:
    model = CardListModel("S")
    cards = [
        BoardCard(
            i,
            i,
            "S",
            n,
            "",
            "",
            "",
            "",
            (),
            "",
            None,
            None,
            None,
            None,
            None,
            False,
            "",
            None,
            None,
            "",
            None,
            0,
            0,
            __import__("hescb_desktop.domain.enums", fromlist=["Marking"]).Marking.OFFICIAL,
        )
        for n, i in enumerate("abc")
    ]
    model.set_rows(cards)
    assert model.neighbours("x", 0) == (None, "a")
    assert model.neighbours("x", 3) == ("c", None)
    assert model.neighbours("a", 3) == ("c", None)  # a dragged to the bottom of its column
    assert model.neighbours("c", 0) == (None, "a")
    assert model.neighbours("a", 2) == ("b", "c")


# ------------------------------------------------------------------ drag and drop + undo
def test_drag_between_columns_persists_and_undoes(page: BoardPage) -> None:
    source, target = page.board_view.view_for("In delivery"), page.board_view.view_for("Scoping")
    moving = titles(source)[0]
    before = stage_of(page, moving)
    drop(source, 0, target, 0)
    assert stage_of(page, moving)[0] == "Scoping"
    assert titles(page.board_view.view_for("Scoping"))[0] == moving  # refreshed from the DB
    assert moving not in titles(page.board_view.view_for("In delivery"))
    assert page.undo_button.isEnabled()
    History(page).undo()
    assert stage_of(page, moving) == before
    assert moving in titles(page.board_view.view_for("In delivery"))
    History(page).redo()
    assert stage_of(page, moving)[0] == "Scoping"


def test_drag_within_a_column_reorders(page: BoardPage) -> None:
    view = page.board_view.view_for("In delivery")
    first, *rest = titles(view)
    drop(view, 0, view, None)  # the top card to the bottom
    assert titles(page.board_view.view_for("In delivery")) == [*rest, first]
    count = History(page).count()
    last = len(rest)
    drop(
        page.board_view.view_for("In delivery"), last, page.board_view.view_for("In delivery"), None
    )
    assert History(page).count() == count  # dropped where it was: nothing to undo


def test_drop_on_an_empty_column(page: BoardPage) -> None:
    board.add_stage(page.workspace.ctx.uow(), "On hold")
    page.refresh()
    source = page.board_view.view_for("Proposed")
    moving = titles(source)[0]
    drop(source, 0, page.board_view.view_for("On hold"), None)
    assert stage_of(page, moving)[0] == "On hold"


# ------------------------------------------------------------------ filters and lanes
def test_filters_and_search(page: BoardPage) -> None:
    total = len(page.data.cards)
    page.organisation.setCurrentIndex(page.organisation.findData("HC"))
    shown = sum(v.card_model.rowCount() for v in page.board_view.cells.values())
    assert shown == 2 and page.count.text() == f"2 of {total} cards"
    page.organisation.setCurrentIndex(0)
    page.rag.setCurrentIndex(page.rag.findData(Rag.RED.value))
    assert titles(page.board_view.view_for("In delivery")) == ["Joint missing-person procedures"]
    page.rag.setCurrentIndex(0)
    page.search.setText("drone")
    assert titles(page.board_view.view_for("Embedding")) == ["Shared drone unit"]
    assert sum(v.card_model.rowCount() for v in page.board_view.cells.values()) == 1


def test_workstreams_shown_as_cards_and_hidden_on_request(page: BoardPage) -> None:
    view = page.board_view.view_for("In delivery")
    assert "Estates workstream" in titles(view)
    card = next(c for c in view.card_model.cards() if c.title == "Estates workstream")
    assert card.is_workstream
    page.workstreams.setChecked(False)
    assert "Estates workstream" not in titles(page.board_view.view_for("In delivery"))
    assert len(titles(page.board_view.view_for("In delivery"))) == 2


def test_swimlanes_by_lead(page: BoardPage) -> None:
    page.lanes.setCurrentIndex(2)
    lanes = {lane for lane, _ in page.board_view.cells}
    assert lanes == {"HC", "HCC", "HFRS", "OPCC", "No lead"}
    assert titles(page.board_view.view_for("In delivery", "HC")) == [
        "Joint headquarters facility",
        "Joint missing-person procedures",
    ]


# ------------------------------------------------------------------ the objective dialog
def _dialog(qtbot: QtBot, page: BoardPage, title: str) -> ObjectiveDialog:
    card = next(c for c in page.data.cards if c.title == title)
    errors: list[str] = []
    dialog = ObjectiveDialog(page.workspace, card.id, errors.append, page)
    qtbot.addWidget(dialog)
    return dialog


def test_rag_override_needs_a_reason_and_undoes(qtbot: QtBot, page: BoardPage) -> None:
    dialog = _dialog(qtbot, page, "Joint missing-person procedures")  # time is red
    dialog.override.setChecked(True)
    dialog.override_rag.setCurrentIndex(1)  # green
    dialog._on_save_rag_clicked()
    assert "reason" in dialog.rag_message.text()
    assert stage_of(page, "Joint missing-person procedures")  # still there
    assert (
        next(
            c
            for c in board.load_board(page.workspace.ctx.uow(write=False), date.today()).cards
            if c.title == "Joint missing-person procedures"
        ).rag
        is Rag.RED
    )
    dialog.override_reason.setText("Board accepted the revised timetable")
    dialog._on_save_rag_clicked()
    assert dialog.rag_message.text() == "Saved."
    card = next(c for c in page.data.cards if c.title == "Joint missing-person procedures")
    assert card.rag is Rag.GREEN and card.overridden  # the board refreshed too
    assert dialog.history.rowCount() >= 2
    History(page).undo()
    card = next(c for c in page.data.cards if c.title == "Joint missing-person procedures")
    assert card.rag is Rag.RED and not card.overridden


def test_details_edit_and_milestone_warning(qtbot: QtBot, page: BoardPage) -> None:
    dialog = _dialog(qtbot, page, "Shared drone unit")
    target = date.today() + timedelta(days=30)
    dialog.target.setDate(target)
    dialog.title.setText("Shared drone unit <phase 2> & more")
    dialog._on_save_details_clicked()
    assert dialog.details_message.text() == "Saved."
    assert any(c.title == "Shared drone unit <phase 2> & more" for c in page.data.cards)
    milestones = dialog.lists[0]
    milestones.title.setText("Late handover")
    milestones.due.setDate(target + timedelta(days=10))
    milestones._on_add_clicked()
    assert "after the objective's target date" in milestones.message.text()
    assert milestones.table.rowCount() == 1
    card = next(c for c in page.data.cards if c.title.startswith("Shared drone unit"))
    assert card.next_milestone == "Late handover"
    History(page).undo()  # the milestone added
    assert milestones.table.rowCount() == 0
    History(page).undo()  # the title and target edit
    assert any(c.title == "Shared drone unit" for c in page.data.cards)


def test_dependency_cycle_refused_in_the_dialog(qtbot: QtBot, page: BoardPage) -> None:
    a = _dialog(qtbot, page, "Shared drone unit")
    deps = a.lists[1]
    deps.choice.setCurrentIndex(deps.choice.findText("Joint headquarters facility"))
    deps._on_add_clicked()
    assert deps.depends.rowCount() == 1
    b = _dialog(qtbot, page, "Joint headquarters facility")
    back = b.lists[1]
    back.choice.setCurrentIndex(back.choice.findText("Shared drone unit"))
    back._on_add_clicked()
    assert "cycle" in back.message.text()
    assert back.depends.rowCount() == 0 and back.needed.count() == 1


# ------------------------------------------------------------------ stages, register, outputs
def test_stages_editor_refuses_deleting_a_stage_with_cards(qtbot: QtBot, page: BoardPage) -> None:
    dialog = StagesDialog(page.workspace, page)
    qtbot.addWidget(dialog)
    dialog.list.setCurrentRow(2)  # In delivery
    dialog._on_delete_clicked()
    settled(page)
    assert "still holds 3 cards" in dialog.message.text()
    assert dialog.list.count() == 5
    dialog.name.setText("Delivery")
    dialog._on_rename_clicked()
    settled(page)
    assert "Delivery" in page.board_view.headers
    assert "Joint missing-person procedures" in titles(page.board_view.view_for("Delivery"))
    assert len(titles(page.board_view.view_for("Delivery"))) == 3
    dialog._shift(-1)
    settled(page)
    assert [dialog.list.item(n).text() for n in range(3)] == ["Proposed", "Delivery", "Scoping"]
    assert list(page.board_view.headers)[:3] == ["Proposed", "Delivery", "Scoping"]


def test_opportunity_raised_and_adopted_appears_on_the_board(
    page: BoardPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        RaiseDialog,
        "ask",
        classmethod(
            lambda cls, ws, parent: {
                "title": "Shared fleet workshop",
                "raised_on": "2026-02-03",
                "assessment": "Saves money",
            }
        ),
    )
    page.tabs.setCurrentWidget(page.opportunities)  # the register, as the user sees it
    view = page.opportunities
    view._on_raise_clicked()
    settled(page)
    assert view.model.rowCount() == 1
    view.table.setCurrentIndex(view.model.index(0, 0))
    view._on_adopt_clicked()
    settled(page)
    assert titles(page.board_view.view_for("Proposed"))[-1] == "Shared fleet workshop"
    (row,) = opportunities.register(page.workspace.ctx.uow(write=False))
    assert row.opportunity.outcome is OpportunityOutcome.ADOPTED
    assert "Became objective" in view.model.index(0, 4).data()


def test_csv_and_pdf_of_what_the_filters_show(page: BoardPage, tmp_path: Path) -> None:
    page.organisation.setCurrentIndex(page.organisation.findData("HC"))
    page.export_csv(tmp_path / "board.csv")
    raw = (tmp_path / "board.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfTitle,Stage,")  # UTF-8 with a BOM, for Excel
    assert b"\r\n" in raw and b"\r\r" not in raw  # CRLF written as bytes, not doubled
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [r[0] for r in rows[1:]] == [
        "Joint headquarters facility",
        "Joint missing-person procedures",
    ]
    assert page.save_pdf(tmp_path / "board.pdf") == ""
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(tmp_path / "board.pdf").pages
    )
    assert "Joint headquarters facility" in text and "Shared drone unit" not in text
    assert "Filtered: HC" in text


def test_large_text_makes_cards_bigger(page: BoardPage) -> None:
    view = page.board_view.view_for("In delivery")
    small = view.sizeHintForRow(0)
    page.large.setChecked(True)
    big = page.board_view.view_for("In delivery").sizeHintForRow(0)
    assert big > small * 1.2


def test_move_to_stage_from_the_menu_goes_to_the_bottom(page: BoardPage) -> None:
    card = next(c for c in page.data.cards if c.title == "Shared drone unit")
    page.board_view.move_requested.emit(card.id, "Closed")
    settled(page)
    assert titles(page.board_view.view_for("Closed"))[-1] == "Shared drone unit"
    History(page).undo()
    assert "Shared drone unit" in titles(page.board_view.view_for("Embedding"))


def test_an_empty_board_shows_its_stages_and_an_empty_roadmap(
    qtbot: QtBot, empty_ctx: ServiceContext
) -> None:
    page = BoardPage(Workspace(empty_ctx))
    qtbot.addWidget(page)
    page.show()
    assert list(page.board_view.headers) == [
        "Proposed",
        "Scoping",
        "In delivery",
        "Embedding",
        "Closed",
    ]
    assert page.count.text() == "0 of 0 cards"
    page.tabs.setCurrentIndex(1)
    assert page.roadmap_view.canvas.roadmap is not None
    assert page.roadmap_view.canvas.roadmap.rows == ()
    page.tabs.setCurrentIndex(2)
    assert page.opportunities.model.rowCount() == 0


def test_stage_names_stay_over_their_columns_when_scrolled(qtbot: QtBot, page: BoardPage) -> None:
    page.resize(1100, 900)  # a laptop's width: the board's five columns fit it...
    page.large.setChecked(True)  # ...but not when large: it scrolls sideways
    view = page.board_view
    qtbot.waitUntil(lambda: view.horizontalScrollBar().maximum() > 0)
    label = view.headers["Scoping"]
    column = view.view_for("Scoping").parentWidget()
    before = label.x()
    assert abs(before - column.x()) < 10  # over its column
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().maximum())
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    shift = view.horizontalScrollBar().value()
    assert shift > 0 and label.x() == before - shift  # moved with the columns
    assert label.isVisible() and label.y() == 0  # and never scrolled out of view


# ------------------------------------------------------------------ undo in the dialog's lists
def _ids(t: QTableWidget) -> list[str]:
    return [t.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(t.rowCount())]


def test_adding_a_milestone_undoes_and_redoes(qtbot: QtBot, page: BoardPage) -> None:
    dialog = _dialog(qtbot, page, "Shared drone unit")
    milestones = dialog.lists[0]
    before = milestones.table.rowCount()
    stack = History(page)
    count = stack.count()
    milestones.title.setText("Pilots trained <all> & signed off")
    milestones._on_add_clicked()
    assert milestones.table.rowCount() == before + 1
    (added,) = _ids(milestones.table)
    assert stack.count() == count + 1 and stack.undoText() == "Add milestone"
    stack.undo()
    assert milestones.table.rowCount() == before  # the dialog shows the undo at once
    objective = dialog.objective_id
    assert (
        planning.objective_detail(page.workspace.ctx.uow(write=False), objective).milestones == ()
    )
    stack.redo()
    (back,) = planning.objective_detail(page.workspace.ctx.uow(write=False), objective).milestones
    assert back.id == added and back.title == "Pilots trained <all> & signed off"
    assert _ids(milestones.table) == [added]
    milestones.table.setCurrentCell(0, 0)
    milestones._on_done_clicked()
    assert milestones.table.item(0, 3).text() != ""
    stack.undo()
    assert milestones.table.item(0, 3).text() == ""
    assert (
        not planning.objective_detail(page.workspace.ctx.uow(write=False), objective)
        .milestones[0]
        .done
    )


def test_a_refused_addition_is_not_pushed(qtbot: QtBot, page: BoardPage) -> None:
    dialog = _dialog(qtbot, page, "Shared drone unit")
    risks = dialog.lists[2]
    count = History(page).count()
    risks._on_add_clicked()  # no description
    assert risks.message.text() and risks.table.rowCount() == 0
    assert History(page).count() == count


def test_removing_a_dependency_undoes_and_redoes(qtbot: QtBot, page: BoardPage) -> None:
    dialog = _dialog(qtbot, page, "Shared drone unit")
    deps = dialog.lists[1]
    deps.choice.setCurrentIndex(deps.choice.findText("Joint headquarters facility"))
    deps._on_add_clicked()
    (dep_id,) = _ids(deps.depends)
    deps.depends.setCurrentCell(0, 0)
    deps._on_remove_clicked()
    assert deps.depends.rowCount() == 0
    stack = History(page)
    assert stack.undoText() == "Remove dependency"
    stack.undo()
    assert _ids(deps.depends) == [dep_id]  # the same row back, not a copy
    detail = planning.objective_detail(page.workspace.ctx.uow(write=False), dialog.objective_id)
    assert [(d.id, t) for d, t in detail.depends_on] == [(dep_id, "Joint headquarters facility")]
    stack.redo()
    assert deps.depends.rowCount() == 0
    stack.undo()
    stack.undo()  # the addition too
    assert deps.depends.rowCount() == 0
    stack.redo()
    assert _ids(deps.depends) == [dep_id]


def test_editing_a_risk_undoes_and_redoes(qtbot: QtBot, page: BoardPage) -> None:
    dialog = _dialog(qtbot, page, "Shared drone unit")
    risks = dialog.lists[2]
    risks.description.setText("Airspace permission delayed")
    risks.likelihood.setValue(2)
    risks.impact.setValue(3)
    risks._on_add_clicked()
    (risk_id,) = _ids(risks.table)
    risks.table.setCurrentCell(0, 0)  # fills the form
    assert risks.description.text() == "Airspace permission delayed"
    risks.likelihood.setValue(5)
    risks.mitigation.setText("Early talks with the CAA — «NATS»")
    risks._on_save_clicked()
    stack = History(page)
    assert stack.undoText() == "Edit risk"
    assert [risks.table.item(0, c).text() for c in (1, 3)] == ["5", "15"]

    def risk() -> tuple[int, int, str]:
        uow = page.workspace.ctx.uow(write=False)
        (r,) = planning.objective_detail(uow, dialog.objective_id).risks
        assert r.id == risk_id
        return r.likelihood, r.impact, r.mitigation

    assert risk() == (5, 3, "Early talks with the CAA — «NATS»")
    stack.undo()
    assert risk() == (2, 3, "")
    assert [risks.table.item(0, c).text() for c in (1, 3)] == ["2", "6"]
    stack.redo()
    assert risk() == (5, 3, "Early talks with the CAA — «NATS»")
    risks.table.setCurrentCell(0, 0)
    risks._on_save_clicked()
    assert risks.message.text() == "Nothing changed."
    assert stack.undoText() == "Edit risk" and stack.canRedo() is False
