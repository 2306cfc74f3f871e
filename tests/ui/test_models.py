"""Every Qt model passes pytest-qt's model tester, full and empty, and shows what it should."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from board_data import ME, BoardFacts
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from pytestqt.modeltest import ModelTester

from hescb_desktop.domain.enums import ActionStatus, Rag
from hescb_desktop.services import board, crud
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import (
    ACTIONS,
    MEETINGS,
    ORGANISATIONS,
    PAPERS,
    PEOPLE,
    RESOURCES,
)
from hescb_desktop.services.home import ActionRow, HomeSummary, home_summary
from hescb_desktop.ui.actions.action_filter import ActionFilterProxy
from hescb_desktop.ui.actions.action_table_model import (
    COL_DUE,
    ActionTableModel,
    action_log_rows,
)
from hescb_desktop.ui.board.card_model import CardListModel
from hescb_desktop.ui.home.event_table_model import EventTableModel
from hescb_desktop.ui.home.my_actions_model import MyActionsModel
from hescb_desktop.ui.home.objective_rag_model import COL_RAG, ObjectiveRagModel
from hescb_desktop.ui.meetings.meeting_table_model import MeetingTableModel, meeting_rows
from hescb_desktop.ui.packs.paper_table_model import PaperTableModel, paper_rows
from hescb_desktop.ui.widgets.palette import OVERDUE_TEXT, rag_colour


@pytest.fixture
def summary(ctx: ServiceContext, board: BoardFacts, today: date) -> HomeSummary:
    return home_summary(ctx.uow(write=False), today, ME)


def _by_id(ctx: ServiceContext, spec: Any) -> dict[str, Any]:
    return {row.id: row for row in crud.list_all(ctx.uow(write=False), spec)}


def _models(ctx: ServiceContext, summary: HomeSummary) -> list[QAbstractItemModel]:
    events = EventTableModel()
    events.set_rows(summary.events)
    mine = MyActionsModel()
    mine.set_rows(summary.my_actions)
    rag = ObjectiveRagModel()
    rag.set_rows(summary.objectives)
    people, orgs = _by_id(ctx, PEOPLE), _by_id(ctx, ORGANISATIONS)
    log = ActionTableModel()
    log.set_rows(action_log_rows(crud.list_all(ctx.uow(write=False), ACTIONS), people, orgs))
    proxy = ActionFilterProxy()
    proxy.setSourceModel(log)
    proxy.set_open_only(True)
    meetings = MeetingTableModel()
    meetings.set_rows(
        meeting_rows(crud.list_all(ctx.uow(write=False), MEETINGS), _by_id(ctx, RESOURCES))
    )
    papers = PaperTableModel()
    papers.set_rows(paper_rows(crud.list_all(ctx.uow(write=False), PAPERS), _by_id(ctx, MEETINGS)))
    cards = CardListModel("In delivery")
    loaded = board.load_board(ctx.uow(write=False), date.today())
    cards.set_rows([c for c in loaded.cards if c.stage == "In delivery"])
    return [events, mine, rag, log, proxy, meetings, papers, cards]


def test_every_model_passes_the_model_tester(
    qtmodeltester: ModelTester, ctx: ServiceContext, summary: HomeSummary
) -> None:
    for model in _models(ctx, summary):
        assert model.rowCount() > 0, type(model).__name__
        qtmodeltester.check(model)  # Qt's own QAbstractItemModelTester
        qtmodeltester.check(model, force_py=True)  # pytest-qt's, which also checks data types


def test_every_model_passes_the_model_tester_when_empty(
    qtmodeltester: ModelTester, ctx: ServiceContext, summary: HomeSummary
) -> None:
    for model in _models(ctx, summary):
        source = model.sourceModel() if isinstance(model, ActionFilterProxy) else model
        source.set_rows([])  # type: ignore[attr-defined]
        assert model.rowCount() == 0
        qtmodeltester.check(model, force_py=True)


def test_models_are_flat_and_quiet_about_roles_they_do_not_serve(
    ctx: ServiceContext, summary: HomeSummary
) -> None:
    for model in _models(ctx, summary):
        first = model.index(0, 0)
        assert model.rowCount(first) == 0
        assert model.data(first, Qt.ItemDataRole.WhatsThisRole) is None
        assert model.data(first, Qt.ItemDataRole.CheckStateRole) is None
        assert model.data(QModelIndex()) is None


def test_table_headers_are_the_translated_column_names(summary: HomeSummary) -> None:
    model = MyActionsModel()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Reference", "Action", "Due", "Status"]
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.headerData(9, Qt.Orientation.Horizontal) is None


def _action(due: date | None, status: ActionStatus = ActionStatus.OPEN) -> ActionRow:
    return ActionRow("id", "HESCB/2026/001", "Do it\nin detail", ME, due, status)


def test_my_actions_overdue_rows_are_red_and_due_soon_amber() -> None:
    today = date(2026, 3, 10)
    model = MyActionsModel()
    model.set_today(today)
    model.set_rows(
        [
            _action(today - timedelta(days=1)),
            _action(today + timedelta(days=7)),
            _action(today + timedelta(days=8)),
            _action(None),
        ]
    )
    colours = [model.data(model.index(r, 0), Qt.ItemDataRole.ForegroundRole) for r in range(4)]
    assert colours[0] == QColor(OVERDUE_TEXT)
    assert colours[1] is not None and colours[1] != colours[0]
    assert colours[2] is None and colours[3] is None
    assert model.data(model.index(0, 1)) == "Do it"
    assert model.data(model.index(0, 2), Qt.ItemDataRole.ToolTipRole) == "Overdue by 1 day"
    assert model.data(model.index(1, 2), Qt.ItemDataRole.ToolTipRole) == "Due in 7 days"
    assert model.data(model.index(0, 2)) == "09 Mar 2026"


def test_my_actions_waiting_for_the_board_are_never_painted_late() -> None:
    """Proposed complete (awaiting closure) or deferred: not late, as on the Actions page."""
    today = date(2026, 3, 10)
    model = MyActionsModel()
    model.set_today(today)
    late, soon = today - timedelta(days=3), today + timedelta(days=2)
    model.set_rows(
        [
            _action(late, ActionStatus.COMPLETE),
            _action(late, ActionStatus.DEFERRED),
            _action(soon, ActionStatus.COMPLETE),
            _action(late, ActionStatus.IN_PROGRESS),
        ]
    )
    roles = (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole)
    painted = [[model.data(model.index(r, 0), role) for role in roles] for r in range(4)]
    assert painted[:3] == [[None, None]] * 3
    assert painted[3][0] == QColor(OVERDUE_TEXT)


def test_objective_rag_column_shows_the_rating_and_its_colour(summary: HomeSummary) -> None:
    model = ObjectiveRagModel()
    model.set_rows(summary.objectives)
    labels = {model.data(model.index(r, COL_RAG)) for r in range(model.rowCount())}
    assert labels == {"Red", "Amber", "Green", "Not rated"}
    red = next(r for r in range(model.rowCount()) if model.row_at(r).rag is Rag.RED)
    icon = model.data(model.index(red, COL_RAG), Qt.ItemDataRole.DecorationRole)
    assert icon.pixmap(12, 12).toImage().pixelColor(6, 6) == rag_colour(Rag.RED)


def test_action_log_filters_open_actions_and_text(ctx: ServiceContext, board: BoardFacts) -> None:
    people, orgs = _by_id(ctx, PEOPLE), _by_id(ctx, ORGANISATIONS)
    model = ActionTableModel()
    model.set_rows(action_log_rows(crud.list_all(ctx.uow(write=False), ACTIONS), people, orgs))
    proxy = ActionFilterProxy()
    proxy.setSourceModel(model)
    assert proxy.rowCount() == board.all_actions
    proxy.set_open_only(True)
    assert proxy.rowCount() == board.open_actions
    proxy.set_text("sam patel")
    assert proxy.rowCount() == 1
    proxy.set_text("")
    proxy.sort(COL_DUE, Qt.SortOrder.AscendingOrder)
    dues = [proxy.index(r, COL_DUE).data(Qt.ItemDataRole.UserRole + 1) for r in range(4)]
    assert dues == sorted(dues)


def test_meeting_rows_are_newest_first_in_london_time(
    ctx: ServiceContext, board: BoardFacts
) -> None:
    rows = meeting_rows(crud.list_all(ctx.uow(write=False), MEETINGS), _by_id(ctx, RESOURCES))
    assert len(rows) == board.meetings
    assert rows[0].start > rows[1].start
    assert all(isinstance(r.start, datetime) and r.start.hour == 10 for r in rows)
    assert rows[0].venue == "Executive suite boardroom"
