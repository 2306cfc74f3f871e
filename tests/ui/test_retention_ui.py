"""The sync page's Retention tab (issue 16, point 5): the schedule, changed by the secretariat
through its dialog, the records due for disposal, disposing of them (or of one record) through
the confirmation, off the GUI thread, and the certificates.

Real windows on the PCs of a real protected board (tests/trusted_office.py: real SQLite files,
keys and a share folder): the secretariat's root PC, an officer's and a viewer's. Each dialog is
driven as a person would, its way out first (nothing changed), then the way through.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest
from dateutil.relativedelta import relativedelta
from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel, QMessageBox, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from trusted_office import TrustedOffice

from hescb_desktop.domain.dto import ActionDTO
from hescb_desktop.domain.enums import ActionStatus
from hescb_desktop.services import actions, retention
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.results import Result
from hescb_desktop.services.settings import load_settings, save_settings
from hescb_desktop.ui.main_window import CONFLICTS, MainWindow
from hescb_desktop.ui.operations import Runner
from hescb_desktop.ui.sync.conflicts_page import ConflictsPage
from hescb_desktop.ui.sync.dispose_dialogs import ConfirmDisposalDialog, RecordDialog
from hescb_desktop.ui.sync.retention_dialog import PeriodDialog
from hescb_desktop.ui.sync.retention_models import (
    C_BY,
    C_MADE_ON,
    C_REASON,
    C_RECORDS,
    C_RULE,
    D_DUE,
    D_KIND,
    D_REFERENCE,
    D_SINCE,
    D_TITLE,
    S_KEPT,
    S_KIND,
    S_SET_BY,
    counts_text,
    day_text,
    made_on_text,
)
from hescb_desktop.ui.sync.retention_tab import RetentionTab
from hescb_desktop.ui.workspace import Workspace

ROUND_MS = 20_000
SECRETARIAT_ONLY = "Only the secretariat may edit retention rules."
VIEWER = "A viewer reads only: ask the secretariat."
DISPOSE_MS = 20_000
D = TypeVar("D", bound=QWidget)


# ---------------------------------------------------------------------- helpers
def as_pc(name: str) -> None:
    """The OS account of PC `name` (the office's PCs each have their own)."""
    os.environ["HESCB_TEST_ACCOUNT"] = f"acct-{name}"


def when_shown(kind: type[D], act: Callable[[D], None]) -> list[D]:
    """Run `act` on the next visible top-level `kind` (a modal dialog blocks in exec())."""
    seen: list[D] = []

    def poll() -> None:
        found = next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()),
            None,
        )
        if found is None:
            QTimer.singleShot(20, poll)
            return
        seen.append(found)
        try:
            act(found)
        except BaseException:
            if isinstance(found, QDialog) and found.isVisible():
                found.reject()  # the test goes on, and fails with this exception
            raise

    QTimer.singleShot(20, poll)
    return seen


def window_on(qtbot: QtBot, ctx: ServiceContext, share: Path, state: QSettings) -> MainWindow:
    save_settings(
        ctx.uow(),
        replace(load_settings(ctx.uow()), share_folder=str(share), first_run_choice="empty"),
    )
    win = MainWindow(Workspace(ctx), state)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.sync.controller.round_finished, timeout=ROUND_MS):
        win.show()
    return win


def retention_tab(win: MainWindow) -> RetentionTab:
    win.show_page(CONFLICTS)
    page = win.pages[CONFLICTS]
    assert isinstance(page, ConflictsPage)
    page.show_tab(ConflictsPage.RETENTION_TAB)
    assert page.tabs.tabText(ConflictsPage.RETENTION_TAB) == "&Retention"
    return page.retention


def row_of(tab: RetentionTab, label: str) -> int:
    model = tab.schedule
    return next(n for n in range(model.rowCount()) if model.index(n, S_KIND).data() == label)


def shown(tab: RetentionTab, label: str, column: int) -> str:
    return str(tab.schedule.index(row_of(tab, label), column).data())


def kept(ctx: ServiceContext, kind: str) -> int | None:
    return next(r.keep_years for r in retention.schedule(ctx) if r.kind == kind)


def ok(dialog: PeriodDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def close_an_action(ctx: ServiceContext, text: str, completed: date) -> Result[ActionDTO]:
    """An action raised a year before it was completed, and closed (as the services record it)."""
    owner = ctx.identity.person_id
    return actions.raise_action(
        ctx.uow(),
        {
            "description": text,
            "owner_id": owner,
            "raised_on": completed - relativedelta(years=1),
            "status": ActionStatus.CLOSED,
            "completed_on": completed,
        },
    )


# ---------------------------------------------------------------------- fixtures
@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TrustedOffice]:
    monkeypatch.setenv("HESCB_TEST_ACCOUNT", "acct-root")  # restored after the test
    (tmp_path / "office").mkdir()
    o = TrustedOffice(tmp_path / "office")
    o.add("officer", "Olu Officer", "officer")
    o.add("viewer", "Vic Viewer", "viewer")
    o.settle()
    as_pc("root")
    yield o
    o.close()


@pytest.fixture
def root_window(
    qtbot: QtBot, office: TrustedOffice, window_state: QSettings
) -> Iterator[MainWindow]:
    """The secretariat's window, on the board's root PC."""
    as_pc("root")
    win = window_on(qtbot, office.pc("root"), office.share.folder, window_state)
    yield win
    win.close()


# ---------------------------------------------------------------------- the schedule
def test_the_secretariat_keeps_closed_actions_for_three_years(
    qtbot: QtBot, office: TrustedOffice, root_window: MainWindow
) -> None:
    ctx = office.pc("root")
    tab = retention_tab(root_window)
    assert shown(tab, "Closed actions", S_KEPT) == "6 years"
    assert shown(tab, "Closed actions", S_SET_BY) == "Default"
    assert shown(tab, "Approved minutes", S_KEPT) == "Permanently"
    assert not tab.change_button.isEnabled()  # nothing chosen yet
    assert not tab.read_only_note.isVisible()
    tab.schedule_table.selectRow(row_of(tab, "Closed actions"))
    assert tab.change_button.isEnabled()

    def cancel(dialog: PeriodDialog) -> None:
        assert dialog.years.value() == 6 and not dialog.permanent.isChecked()
        dialog.years.setValue(3)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()

    when_shown(PeriodDialog, cancel)
    tab.change_button.click()
    assert kept(ctx, "closed-actions") == 6 and shown(tab, "Closed actions", S_KEPT) == "6 years"

    said: list[str] = []

    def three(dialog: PeriodDialog) -> None:
        said.append(dialog.windowTitle())
        dialog.years.setValue(3)
        assert dialog.years.text() == "3 years"
        ok(dialog)

    seen = when_shown(PeriodDialog, three)
    tab.change_button.click()
    assert said == ["How long to keep closed actions"] and not seen[0].isVisible()
    assert kept(ctx, "closed-actions") == 3
    assert shown(tab, "Closed actions", S_KEPT) == "3 years"
    assert shown(tab, "Closed actions", S_SET_BY) == "Sally Secretariat"
    chosen = tab.selected_rule()  # still chosen after the reload
    assert chosen is not None and chosen.kind == "closed-actions"
    # an operation like any other edit: Edit › Undo takes it back, Redo sets it again
    history = root_window.workspace.history
    assert history.undo_text() == "Undo Keep closed actions for 3 years"
    history.undo()
    assert root_window.workspace.runner.settle()
    assert kept(ctx, "closed-actions") == 6 and shown(tab, "Closed actions", S_KEPT) == "6 years"
    assert history.redo_text() == "Redo Keep closed actions for 3 years"
    history.redo()
    assert root_window.workspace.runner.settle()
    assert kept(ctx, "closed-actions") == 3 and shown(tab, "Closed actions", S_KEPT) == "3 years"
    office.sync("root")
    office.sync("officer")
    assert kept(office.pc("officer"), "closed-actions") == 3  # the board's, on every PC
    as_pc("root")


def test_keep_permanently_by_double_clicking_a_kind(
    qtbot: QtBot, office: TrustedOffice, root_window: MainWindow
) -> None:
    tab = retention_tab(root_window)
    row = row_of(tab, "Calendar items")
    assert shown(tab, "Calendar items", S_KEPT) == "2 years"
    spin: list[bool] = []

    def permanently(dialog: PeriodDialog) -> None:
        dialog.permanent.setChecked(True)
        spin.append(dialog.years.isEnabled())
        ok(dialog)

    when_shown(PeriodDialog, permanently)
    where = tab.schedule_table.visualRect(tab.schedule.index(row, S_KIND)).center()
    viewport = tab.schedule_table.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=where)  # a double-click's first
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=where)
    qtbot.waitUntil(lambda: shown(tab, "Calendar items", S_KEPT) == "Permanently")
    assert spin == [False]  # no years to choose once kept permanently
    assert kept(office.pc("root"), "calendar-items") is None


@pytest.mark.parametrize(
    ("pc", "name", "why", "why_dispose"),
    [
        (
            "officer",
            "Olu Officer",
            SECRETARIAT_ONLY,
            "Only the secretariat may dispose of records.",
        ),
        ("viewer", "Vic Viewer", VIEWER, VIEWER),
    ],
    ids=["officer", "viewer"],
)
def test_others_read_the_schedule_and_are_told_why_they_cannot_change_it(
    qtbot: QtBot,
    office: TrustedOffice,
    window_state: QSettings,
    monkeypatch: pytest.MonkeyPatch,
    pc: str,
    name: str,
    why: str,
    why_dispose: str,
) -> None:
    seven_years_ago = date.today() - relativedelta(years=7)
    close_an_action(office.pc("root"), "Replace the fire doors at Hertford", seven_years_ago)
    office.sync("root")
    as_pc(pc)
    ctx = office.pc(pc)
    assert ctx.identity.name == name
    win = window_on(qtbot, ctx, office.share.folder, window_state)
    try:
        tab = retention_tab(win)
        assert shown(tab, "Closed actions", S_KEPT) == "6 years"
        asked: list[str] = []
        monkeypatch.setattr(PeriodDialog, "ask", lambda *a, **k: asked.append("asked"))
        tab.schedule_table.selectRow(row_of(tab, "Closed actions"))
        assert not tab.change_button.isEnabled()
        assert tab.change_button.toolTip() == why
        assert tab.read_only_note.isVisible() and tab.read_only_note.text() == why
        tab.schedule_table.doubleClicked.emit(tab.schedule.index(0, S_KIND))
        assert asked == []  # a double-click opens nothing either
        # something is due (synced from the root PC), and still they may not dispose of it
        assert tab.count == 1
        for button in (tab.dispose_button, tab.dispose_one_button):
            assert not button.isEnabled() and button.toolTip() == why_dispose
        assert tab.dispose_note.isVisible() and tab.dispose_note.text() == why_dispose
        monkeypatch.setattr(ConfirmDisposalDialog, "ask", lambda *a, **k: asked.append("asked"))
        monkeypatch.setattr(RecordDialog, "ask", lambda *a, **k: asked.append("asked"))
        tab.dispose_due()  # called anyway (a shortcut, a modified window): nothing opens
        tab.dispose_one()
        assert asked == [] and retention.certificates(ctx) == []
    finally:
        win.close()
        as_pc("root")


def test_a_refused_change_is_said_in_the_dialog_and_changes_nothing(
    qtbot: QtBot, office: TrustedOffice
) -> None:
    """The service refuses whatever the window shows: an officer's PC with the dialog open (its
    role changed since, or a modified app) is told why, inline, and the dialog stays open."""
    as_pc("officer")
    ctx = office.pc("officer")
    rule = next(r for r in retention.schedule(ctx) if r.kind == "closed-actions")
    dialog = PeriodDialog(Runner(lambda: ctx), rule)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.error.isVisible()
    dialog.years.setValue(1)
    assert dialog.years.text() == "1 year"
    ok(dialog)
    assert dialog.runner.settle()
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text() == f"{SECRETARIAT_ONLY} The period was not changed."
    assert dialog.years.value() == 1 and dialog.saved is None  # nothing typed lost
    assert kept(ctx, "closed-actions") == 6
    dialog.years.lineEdit().setText("0")  # out of range: the spin box keeps to 1 to 100 years
    assert 1 <= dialog.years.value() <= 100
    dialog.reject()
    as_pc("root")


# ---------------------------------------------------------------------- due for disposal
def test_due_lists_an_action_closed_seven_years_ago_and_not_a_recent_one(
    qtbot: QtBot, office: TrustedOffice, root_window: MainWindow, qtmodeltester: ModelTester
) -> None:
    ctx = office.pc("root")
    tab = retention_tab(root_window)
    assert tab.due_view.is_empty and tab.due_card.note_label.text() == "Nothing is due for disposal"
    assert not tab.dispose_button.isEnabled()  # nothing to dispose of
    assert tab.dispose_one_button.isEnabled() and not tab.dispose_note.isVisible()
    today = root_window.workspace.today()
    long_ago = today - relativedelta(years=7)
    old = close_an_action(ctx, "Replace the fire doors at Hertford", long_ago)
    recent = close_an_action(ctx, "Book the room for the awayday", today - relativedelta(years=1))
    root_window.workspace.announce(recent.changes)  # as the actions page tells every page
    qtbot.waitUntil(lambda: tab.due.rowCount() == 1)
    cells = [tab.due.index(0, c).data() for c in (D_KIND, D_REFERENCE, D_TITLE, D_SINCE, D_DUE)]
    assert cells == [
        "Closed actions",
        old.value.reference,
        "Replace the fire doors at Hertford",
        day_text(long_ago),
        day_text(long_ago + relativedelta(years=6)),
    ]
    assert recent.value.id not in [r.id for r in tab.due.rows()]
    assert tab.due_card.note_label.text() == "1 record is due for disposal"
    assert tab.dispose_button.isEnabled()
    qtmodeltester.check(tab.due)
    qtmodeltester.check(tab.schedule)

    def one_year(dialog: PeriodDialog) -> None:  # the recent one's period has run out too
        dialog.years.setValue(1)
        ok(dialog)

    tab.schedule_table.selectRow(row_of(tab, "Closed actions"))
    when_shown(PeriodDialog, one_year)
    tab.change_button.click()
    qtbot.waitUntil(lambda: tab.due.rowCount() == 2)
    assert tab.due_card.note_label.text() == "2 records are due for disposal"


def test_dates_read_without_a_leading_zero() -> None:
    assert day_text(date(2026, 12, 3)) == "3 Dec 2026"
    assert RetentionTab.due_text(0) == "Nothing is due for disposal"
    assert RetentionTab.due_text(1) == "1 record is due for disposal"
    assert RetentionTab.due_text(3) == "3 records are due for disposal"


# ---------------------------------------------------------------------- disposal
def description(office: TrustedOffice, action_id: str) -> tuple[str, int]:
    """An action's description and whether it is deleted, as the root PC's database holds it."""
    rows = office.rows("root", f"SELECT description, deleted FROM actions WHERE id = '{action_id}'")
    return rows[0][0], rows[0][1]


def texts(dialog: QWidget) -> str:
    return "\n".join(label.text() for label in dialog.findChildren(QLabel))


def certificate_cells(tab: RetentionTab, row: int = 0) -> list[str]:
    columns = (C_MADE_ON, C_BY, C_RULE, C_RECORDS, C_REASON)
    return [str(tab.certificates.index(row, c).data()) for c in columns]


def an_action_due(
    root_window: MainWindow, office: TrustedOffice, qtbot: QtBot, text: str
) -> Result[ActionDTO]:
    """A closed action whose six years have run out, listed by the tab."""
    tab = retention_tab(root_window)
    today = root_window.workspace.today()
    made = close_an_action(office.pc("root"), text, today - relativedelta(years=7))
    root_window.workspace.announce(made.changes)
    qtbot.waitUntil(lambda: made.value.id in [r.id for r in tab.due.rows()])
    return made


def test_the_secretariat_disposes_of_a_due_closed_action_once_confirmed(
    qtbot: QtBot, office: TrustedOffice, root_window: MainWindow, qtmodeltester: ModelTester
) -> None:
    tab = retention_tab(root_window)
    assert tab.certificates_view.is_empty
    assert tab.certificates_card.note_label.text() == "0 certificates"
    old = an_action_due(root_window, office, qtbot, "Replace the fire doors at Hertford")
    assert tab.dispose_button.isEnabled() and not tab.dispose_note.isVisible()
    said: list[str] = []

    def cancel(dialog: ConfirmDisposalDialog) -> None:
        said.append(texts(dialog))
        assert dialog.dispose_button.text() == "Dispose of 1 record"
        assert dialog.cancel_button.isDefault() and not dialog.dispose_button.isDefault()
        assert dialog.reason.text() == "the retention schedule"
        dialog.reason.setText("typed, then thought better of it")
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # Enter is Cancel

    seen = when_shown(ConfirmDisposalDialog, cancel)
    tab.dispose_button.click()
    assert seen and not seen[0].isVisible() and tab.run is None
    assert description(office, old.value.id) == ("Replace the fire doors at Hertford", 0)
    assert retention.certificates(office.pc("root")) == [] and tab.count == 1
    wording = said[0]
    for words in (
        "Dispose of 1 closed action, due under the retention schedule (closed actions: kept 6 "
        "years)?",
        "from every other PC and from the shared folder",
        "It cannot be brought back.",
        "Copies printed or saved outside the app (printed packs, PDFs, exports) are not touched",
        "A disposal certificate (who, when, under which rule, why, and how many records) is "
        "kept for ever.",
    ):
        assert words in wording

    def confirm(dialog: ConfirmDisposalDialog) -> None:
        dialog.reason.setText("Annual review of the schedule")
        dialog.dispose_button.click()

    when_shown(ConfirmDisposalDialog, confirm)
    with qtbot.waitSignal(tab.disposed, timeout=DISPOSE_MS) as done:
        tab.dispose_button.click()
        # the click came back with the disposal still to report: it runs off the GUI thread,
        # behind a busy dialog, and nothing can be started twice meanwhile
        assert tab.run is not None and tab.run.busy.isVisible()
        assert not tab.dispose_button.isEnabled() and not tab.dispose_one_button.isEnabled()
    made = done.args[0] if done.args else None
    assert isinstance(made, retention.Certificate)
    assert description(office, old.value.id) == ("", 1)
    assert tab.run is None and tab.count == 0 and not tab.dispose_button.isEnabled()
    assert tab.due_card.note_label.text() == "Nothing is due for disposal"
    assert certificate_cells(tab) == [
        made_on_text(made.made_at),
        "Sally Secretariat",
        "closed actions: 6 years",
        "1 closed action",
        "Annual review of the schedule",
    ]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}", certificate_cells(tab)[0])
    chosen = tab.selected_certificate()
    assert chosen is not None and chosen.id == made.id
    assert tab.certificates_card.note_label.text() == "1 certificate"
    qtmodeltester.check(tab.certificates)


def test_a_disposal_whose_list_changed_meanwhile_disposes_of_nothing(
    qtbot: QtBot, office: TrustedOffice, root_window: MainWindow
) -> None:
    """What was confirmed is what goes: a record that fell due after the confirmation opened (a
    sync brought it) stops the run, the error is said in a dialog, and nothing is lost."""
    tab = retention_tab(root_window)
    ctx = office.pc("root")
    first = an_action_due(root_window, office, qtbot, "Replace the fire doors at Hertford")
    later: list[Result[ActionDTO]] = []

    def meanwhile(dialog: ConfirmDisposalDialog) -> None:
        today = root_window.workspace.today()
        later.append(close_an_action(ctx, "Renew the radio masts", today - relativedelta(years=8)))
        dialog.reason.setText("Annual review")
        dialog.dispose_button.click()

    warned: list[str] = []

    def read(box: QMessageBox) -> None:
        warned.append(box.text())
        box.accept()

    when_shown(ConfirmDisposalDialog, meanwhile)
    when_shown(QMessageBox, read)
    tab.dispose_button.click()
    qtbot.waitUntil(lambda: bool(warned) and tab.run is None, timeout=DISPOSE_MS)
    assert warned == [
        "The records due for disposal changed since you confirmed (a sync brought changes): "
        "look at the list again. Nothing was disposed of."
    ]
    assert retention.certificates(ctx) == []
    assert description(office, first.value.id) == ("Replace the fire doors at Hertford", 0)
    assert description(office, later[0].value.id) == ("Renew the radio masts", 0)
    assert tab.count == 2  # the list as it is now
    offered: list[str] = []

    def again(dialog: ConfirmDisposalDialog) -> None:
        offered.append(dialog.reason.text())
        assert dialog.dispose_button.text() == "Dispose of 2 records"
        dialog.reject()

    when_shown(ConfirmDisposalDialog, again)
    tab.dispose_button.click()
    assert offered == ["Annual review"]  # the reason typed is not lost either


def test_one_record_needs_a_reason_and_a_record_that_exists(
    qtbot: QtBot, office: TrustedOffice, root_window: MainWindow
) -> None:
    tab = retention_tab(root_window)
    ctx = office.pc("root")
    typo = close_an_action(ctx, "Call Mrs Smith on 07700 900123 about her son", date.today())
    reference = typo.value.reference
    assert typo.value.id not in [r.id for r in tab.due.rows()]  # not due: closed today
    steps: list[str] = []

    def confirm_then_cancel(dialog: ConfirmDisposalDialog) -> None:
        steps.append(texts(dialog))
        assert dialog.dispose_button.text() == "Dispose of 1 record"
        assert dialog.reason.isReadOnly() and dialog.cancel_button.isDefault()
        dialog.cancel_button.click()  # back to the record dialog

    def confirm(dialog: ConfirmDisposalDialog) -> None:
        dialog.dispose_button.click()

    def drive(dialog: RecordDialog) -> None:
        dialog.reference.setText(reference)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert dialog.isVisible() and dialog.error.isVisible()
        assert dialog.error.text() == "Say why this record is disposed of now."
        dialog.reference.setText("HESCB/2099/999")
        dialog.reason.setText("Personal data entered by mistake")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert dialog.isVisible() and dialog.error.text() == (
            "No record 'HESCB/2099/999': give an action's, paper's or minute's reference, or an id."
        )
        dialog.reference.setText(reference)
        when_shown(ConfirmDisposalDialog, confirm_then_cancel)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert dialog.isVisible() and not dialog.error.isVisible()
        assert dialog.reference.text() == reference  # nothing typed lost
        assert dialog.reason.text() == "Personal data entered by mistake"
        assert retention.certificates(ctx) == []
        when_shown(ConfirmDisposalDialog, confirm)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    def cancel(dialog: RecordDialog) -> None:
        dialog.reference.setText(reference)
        dialog.reason.setText("Personal data entered by mistake")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()

    when_shown(RecordDialog, cancel)
    tab.dispose_one_button.click()
    assert tab.run is None and retention.certificates(ctx) == []
    assert description(office, typo.value.id)[0].startswith("Call Mrs Smith")

    seen = when_shown(RecordDialog, drive)
    with qtbot.waitSignal(tab.disposed, timeout=DISPOSE_MS) as done:
        tab.dispose_one_button.click()
        assert tab.run is not None  # still running off the GUI thread
    assert seen and not seen[0].isVisible()
    assert f"Dispose of the action {reference} now, on the secretariat's decision?" in steps[0]
    assert "Its text, with its updates and attached files, will be removed" in steps[0]
    assert "kept for ever" in steps[0]
    assert description(office, typo.value.id) == ("", 1)
    made = done.args[0] if done.args else None
    assert isinstance(made, retention.Certificate)
    assert certificate_cells(tab)[1:] == [
        "Sally Secretariat",
        f"one record: action {reference}",
        "1 action",
        "Personal data entered by mistake",
    ]
    chosen = tab.selected_certificate()
    assert chosen is not None and chosen.id == made.id


def test_a_certificate_says_how_many_of_each_kind() -> None:
    assert counts_text({"closed actions": 2, "calendar items": 5}) == (
        "2 closed actions, 5 calendar items"
    )
    assert counts_text({"closed actions": 1, "board papers": 1}) == "1 closed action, 1 board paper"
    assert counts_text({"action": 1}) == "1 action"
    assert counts_text({"calendar item": 2}) == "2 calendar items"
    assert RetentionTab.due_text(2) == "2 records are due for disposal"


# ---------------------------------------------------------------------- it fits
@pytest.mark.parametrize("size", [QSize(1366, 768), QSize(1920, 1080)], ids=["1366", "1920"])
def test_the_tab_fits_the_window_without_scrolling_sideways(
    root_window: MainWindow, size: QSize
) -> None:
    tab = retention_tab(root_window)
    root_window.resize(size)
    for _ in range(4):
        QApplication.processEvents()
    table = tab.schedule_table
    header = table.horizontalHeader()
    used = sum(header.sectionSize(c) for c in range(header.count()))
    assert used <= table.viewport().width() + 1
    assert not table.horizontalScrollBar().isVisible()
    for row in range(tab.schedule.rowCount()):  # every row whole: wrapped, not cut
        assert table.rowViewportPosition(row) + table.rowHeight(row) <= table.viewport().height()
    # below it, the due list and the certificates share the rest (a row of each in sight at
    # least), full width: no scrolling sideways
    rows = 1 if size.height() < 1000 else 5
    for view in (tab.due_table, tab.certificates_table):
        assert view.viewport().height() >= rows * view.verticalHeader().defaultSectionSize()
        assert not view.horizontalScrollBar().isVisible()
    for button in (tab.dispose_button, tab.dispose_one_button):  # whole, inside the window
        corner = button.mapTo(root_window, button.rect().bottomRight())
        assert button.isVisible() and root_window.rect().contains(corner)
