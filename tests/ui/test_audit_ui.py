"""The History view with person, role, PC and "verified", and "Export audit…" (issue 15, point 6),
in a real window."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

from audit_helpers import raw, sign_own_range
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from hescb_desktop.domain.audit import CSV_HEADER
from hescb_desktop.services import actions, crud
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import ACTIONS, PEOPLE
from hescb_desktop.storage.capture import Actor
from hescb_desktop.storage.uow import UnitOfWork
from hescb_desktop.ui.main_window import MainWindow
from hescb_desktop.ui.sync.audit_export import AuditExportDialog
from hescb_desktop.ui.sync.history_dialog import HistoryDialog
from hescb_desktop.ui.sync.history_table_model import (
    COL_FIELD,
    COL_PC,
    COL_ROLE,
    COL_VALUE,
    COL_VERIFIED,
    COL_WHO,
)

TODAY = datetime.now(UTC).date()


def _raised_by_a_person(ctx: ServiceContext) -> tuple[str, str]:
    """An action raised and edited by a person of the board (the record names their id, as on
    an upgraded board); returns (action id, person id)."""
    person = crud.create(ctx.uow(), PEOPLE, {"name": "Priya Shah"}).value.id
    uow = UnitOfWork(ctx.engine, Actor(ctx.device_id, person), ctx.clock)
    row = actions.raise_action(uow, {"description": "Audit the estates", "raised_on": TODAY})
    crud.update(ctx.uow(), ACTIONS, row.value.id, {"latest_update": "Asked for a venue"})
    return row.value.id, person


def _rows(dialog: HistoryDialog) -> list[list[str]]:
    model = dialog.model
    columns = (COL_WHO, COL_ROLE, COL_PC, COL_FIELD, COL_VALUE, COL_VERIFIED)
    return [[model.index(r, c).data() for c in columns] for r in range(model.rowCount())]


def _open(qtbot: QtBot, window: MainWindow, row: str) -> HistoryDialog:
    dialog = HistoryDialog(window.workspace, "actions", row, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_history_names_the_person_their_role_the_pc_and_whether_verified(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, tmp_path: Path
) -> None:
    row, _person = _raised_by_a_person(ctx)
    dialog = _open(qtbot, window, row)
    ModelTester(None).check(dialog.model)  # type: ignore[arg-type]
    headers = [dialog.model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert headers == ["When", "Who", "Role", "PC", "Field", "Value", "Verified"]
    rows = _rows(dialog)
    assert ["Priya Shah", "", "this PC", "Action", "Audit the estates", "unpublished"] in rows
    assert rows[0][2:] == ["this PC", "Latest update", "Asked for a venue", "unpublished"]
    dialog.grab().save(str(tmp_path / "history.png"))
    dialog.close()

    sign_own_range(ctx)  # this PC's journal sent and signed: every change verified
    dialog = _open(qtbot, window, row)
    assert {r[-1] for r in _rows(dialog)} == {"verified"}
    dialog.close()

    raw(ctx, "UPDATE change_log SET user = 'Chief Constable' WHERE row_id = ?", row)
    dialog = _open(qtbot, window, row)
    rows = _rows(dialog)
    assert {r[0] for r in rows} == {"Chief Constable"} and {r[-1] for r in rows} == {"FAILED"}
    failed = dialog.model.index(0, COL_VERIFIED)
    assert "changed outside the app" in failed.data(Qt.ItemDataRole.ToolTipRole)
    assert failed.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "6 of these changes FAILED their check" in dialog.note.text()
    dialog.grab().save(str(tmp_path / "history-failed.png"))


def _fill_export(
    qtbot: QtBot, path: Path, *, start: date, end: date, pdf: bool, shots: Path
) -> list[str]:
    """Drive the export dialog once it is shown (it is modal): first with the days reversed
    (refused inline), then as given. Returns the inline errors it showed."""
    errors: list[str] = []

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AuditExportDialog)
        dialog.start.setDate(QDate(end.year, end.month, end.day).addDays(1))
        dialog.end.setDate(QDate(end.year, end.month, end.day))
        dialog.path.setText(str(path))
        (dialog.pdf if pdf else dialog.csv).setChecked(True)
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
        assert dialog.isVisible()  # refused, nothing typed lost
        errors.append(dialog.error.text())
        assert dialog.path.text() == str(path)
        dialog.grab().save(str(shots / "export-dialog.png"))
        dialog.start.setDate(QDate(start.year, start.month, start.day))
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, drive)
    return errors


def test_export_audit_writes_the_pdf_and_the_csv_off_the_gui_thread(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, tmp_path: Path
) -> None:
    row, _ = _raised_by_a_person(ctx)
    dialog = _open(qtbot, window, row)
    pdf = tmp_path / "trail.pdf"
    errors = _fill_export(qtbot, pdf, start=TODAY, end=TODAY, pdf=True, shots=tmp_path)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.exported.isVisible(), timeout=60_000)
    assert errors == ["The first day is after the last day."]
    assert dialog.exported.text() == f"Audit trail written to {pdf}"
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert f"Audit trail, {TODAY:%d %B %Y}" in text
    assert "Priya Shah" in text and "Audit the estates" in text

    spreadsheet = tmp_path / "trail.csv"
    _fill_export(qtbot, spreadsheet, start=TODAY, end=TODAY, pdf=False, shots=tmp_path)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.exported.text().endswith(str(spreadsheet)), timeout=60_000)
    rows = list(csv.reader(io.StringIO(spreadsheet.read_text("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_HEADER
    assert any(r[1] == "Priya Shah" and r[7] == "description" for r in rows[1:])
    # the known board was made on another PC (its copy here is a new PC): sent, not signed
    assert {r[9] for r in rows[1:] if r[5] == row} == {"unpublished"}
    assert {r[9] for r in rows[1:]} == {"unpublished", "not signed"}


def test_history_on_a_protected_board_shows_the_role_and_the_pcs_name(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Two enrolled PCs, real signed segments: on the officer's PC the secretariat's change
    shows who made it, their role then, their PC by name, and verified."""
    from PySide6.QtCore import QSettings
    from trusted_office import TrustedOffice

    from hescb_desktop.ui.workspace import Workspace

    (tmp_path / "office").mkdir()
    office = TrustedOffice(tmp_path / "office")
    try:
        office.add("officer", "Olu Officer", "officer")
        office.settle()
        root = office.pc("root")
        person = crud.create(root.uow(), PEOPLE, {"name": "Dana Deputy"}).value.id
        office.settle()
        state = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
        window = MainWindow(Workspace(office.pc("officer")), state)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        dialog = HistoryDialog(window.workspace, "people", person, window)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        rows = _rows(dialog)
        assert rows and {tuple(r[:2]) for r in rows} == {("Sally Secretariat", "secretariat")}
        (pc,) = {r[2] for r in rows}
        assert pc.startswith(f"PC {root.device_id.replace('-', '')[-8:]} (") and pc.endswith(")")
        assert {r[-1] for r in rows} == {"verified"}
        dialog.grab().save(str(tmp_path / "history-protected.png"))
        dialog.close()
        window.close()
    finally:
        office.close()
