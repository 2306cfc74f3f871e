"""First run: the three choices, the demo built off the GUI thread, and what each one records."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from hescb_desktop.services import crud
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import ORGANISATIONS
from hescb_desktop.services.settings import load_settings
from hescb_desktop.ui.first_run import DemoProgressDialog, apply_first_run
from hescb_desktop.ui.first_run_dialog import DEMO, EMPTY, JOIN, FirstRunChoice, FirstRunDialog
from hescb_desktop.ui.widgets.worker import ProgressFn


def _dialog(qtbot: QtBot) -> FirstRunDialog:
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_demo_and_empty_are_one_click(qtbot: QtBot) -> None:
    for attr, choice in (("demo_button", DEMO), ("empty_button", EMPTY)):
        dialog = _dialog(qtbot)
        getattr(dialog, attr).click()
        assert dialog.result() == QDialog.DialogCode.Accepted
        assert dialog.choice == FirstRunChoice(choice)


def test_join_explains_the_share_and_needs_an_existing_folder(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _dialog(qtbot)
    dialog.join_button.click()
    assert dialog.pages.currentIndex() == 1
    page_text = " ".join(
        label.text()
        for label in dialog.pages.currentWidget().findChildren(type(dialog.folder_error))
    )
    assert "never lives on the share" in page_text
    dialog.join_ok_button.click()
    assert dialog.folder_error.text() == "Choose the shared folder first."
    dialog.folder_edit.setText(str(tmp_path / "missing"))
    assert dialog.folder_error.isHidden()
    dialog.join_ok_button.click()
    assert "There is no folder" in dialog.folder_error.text()
    assert dialog.result() != QDialog.DialogCode.Accepted
    dialog.folder_edit.setText(str(tmp_path))
    dialog.join_ok_button.click()
    assert dialog.choice == FirstRunChoice(JOIN, str(tmp_path))


def test_join_back_returns_to_the_choices(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.join_button.click()
    dialog.back_button.click()
    assert dialog.pages.currentIndex() == 0
    assert dialog.isVisible()


def test_ask_returns_the_choice_or_none_when_closed(qtbot: QtBot) -> None:
    def click_empty() -> None:
        modal = QApplication.activeModalWidget()
        assert isinstance(modal, FirstRunDialog)
        modal.empty_button.click()

    QTimer.singleShot(0, click_empty)
    assert FirstRunDialog.ask() == FirstRunChoice(EMPTY)

    def close() -> None:
        modal = QApplication.activeModalWidget()
        assert isinstance(modal, FirstRunDialog)
        modal.reject()

    QTimer.singleShot(0, close)
    assert FirstRunDialog.ask() is None


def _never_called(
    ctx: ServiceContext, scale: str = "small", progress: ProgressFn | None = None
) -> None:
    raise AssertionError("the demo must not be built for this choice")


def test_start_empty_adds_the_four_partners_and_records_the_choice(
    empty_ctx: ServiceContext,
) -> None:
    assert apply_first_run(empty_ctx, FirstRunChoice(EMPTY), _never_called).error == ""
    codes = sorted(o.code for o in crud.list_all(empty_ctx.uow(write=False), ORGANISATIONS))
    assert codes == ["HC", "HCC", "HFRS", "OPCC"]
    assert load_settings(empty_ctx.uow(write=False)).first_run_choice == EMPTY


def test_joining_a_new_share_starts_the_board_with_the_partners_and_sends_them(
    qtbot: QtBot, empty_ctx: ServiceContext, tmp_path: Path
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    done = apply_first_run(empty_ctx, FirstRunChoice(JOIN, str(share)), _never_called)
    assert done.error == ""
    try:
        settings = load_settings(done.ctx.uow(write=False))
        assert (settings.first_run_choice, settings.share_folder) == (JOIN, str(share))
        codes = sorted(o.code for o in crud.list_all(done.ctx.uow(write=False), ORGANISATIONS))
        assert codes == ["HC", "HCC", "HFRS", "OPCC"]
        assert list(share.rglob("*.jsonl")), "the first PC sends the board it started"
    finally:
        if done.ctx is not empty_ctx:
            done.ctx.close()


def test_joining_a_missing_share_fails_and_records_nothing(
    qtbot: QtBot, empty_ctx: ServiceContext, tmp_path: Path
) -> None:
    done = apply_first_run(empty_ctx, FirstRunChoice(JOIN, str(tmp_path / "gone")), _never_called)
    assert "not available" in done.error
    assert done.error.endswith("nothing on this PC was changed")
    try:  # the same database, reopened as it was before the join
        assert done.ctx.db_path == empty_ctx.db_path
        assert done.ctx.device_id == empty_ctx.device_id
        assert load_settings(done.ctx.uow(write=False)).first_run_choice == ""
        assert crud.list_all(done.ctx.uow(write=False), ORGANISATIONS) == []
        assert not (tmp_path / "gone").exists()
    finally:
        if done.ctx is not empty_ctx:
            done.ctx.close()


def test_demo_is_built_off_the_gui_thread_while_the_gui_keeps_running(
    qtbot: QtBot, empty_ctx: ServiceContext
) -> None:
    gui_thread = threading.get_ident()
    seen: dict[str, object] = {}
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()

    def fake_build(
        ctx: ServiceContext, scale: str = "small", progress: ProgressFn | None = None
    ) -> None:
        assert progress is not None
        seen["thread"], seen["scale"] = threading.get_ident(), scale
        progress(10, "People of the four partners")
        time.sleep(0.4)  # the GUI thread must keep serving its timer meanwhile
        crud.create(ctx.uow(), ORGANISATIONS, {"code": "HC", "name": "Hertfordshire Constabulary"})
        progress(100, "Done")

    assert apply_first_run(empty_ctx, FirstRunChoice(DEMO), fake_build).error == ""
    timer.stop()
    assert seen["thread"] != gui_thread
    assert seen["scale"] == "small"
    assert len(ticks) >= 5, "the GUI thread was blocked while the demo was built"
    assert load_settings(empty_ctx.uow(write=False)).first_run_choice == DEMO
    assert len(crud.list_all(empty_ctx.uow(write=False), ORGANISATIONS)) == 1


def test_progress_reaches_the_dialog(qtbot: QtBot) -> None:
    def work(progress: ProgressFn) -> None:
        progress(42, "Meetings and minutes")
        time.sleep(0.2)

    dialog = DemoProgressDialog(work)
    qtbot.addWidget(dialog)
    labels: list[str] = []
    dialog.task.signals.progressed.connect(lambda _p, text: labels.append(dialog.labelText()))
    with qtbot.waitSignal(dialog.task.signals.succeeded, timeout=5000):
        dialog.start()
        dialog.open()
    assert labels == ["Meetings and minutes"]
    assert dialog.value() == 100
    assert not dialog.running


def test_a_failed_demo_build_is_reported_and_not_recorded(empty_ctx: ServiceContext) -> None:
    def broken(
        ctx: ServiceContext, scale: str = "small", progress: ProgressFn | None = None
    ) -> None:
        raise OSError("disk full")

    assert apply_first_run(empty_ctx, FirstRunChoice(DEMO), broken).error == "disk full"
    assert load_settings(empty_ctx.uow(write=False)).first_run_choice == ""


@pytest.mark.slow
def test_the_real_demo_builder_fills_an_empty_board(
    qtbot: QtBot, empty_ctx: ServiceContext
) -> None:
    from hescb_desktop.services.demo import build_demo

    assert apply_first_run(empty_ctx, FirstRunChoice(DEMO), build_demo).error == ""
    codes = {o.code for o in crud.list_all(empty_ctx.uow(write=False), ORGANISATIONS)}
    assert {"HC", "HFRS", "HCC", "OPCC"} <= codes
