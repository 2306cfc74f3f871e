"""The calendar page as a user drives it: drag to create, move and resize, the scope question for
a series, undo and redo, meetings kept showing, views and keys, .ics import, the printed week
and month (previewed in the app, printed through the real print dialog, saved)."""

from __future__ import annotations

import statistics
import subprocess
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from print_dialog import print_to_file
from pypdf import PdfReader
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from hescb_desktop.domain.calendar import EventDraft
from hescb_desktop.domain.enums import Marking
from hescb_desktop.domain.recurrence import LONDON
from hescb_desktop.services import calendar as cal
from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.ui.calendar.calendar_page import (
    AGENDA,
    DAY,
    MONTH,
    WEEK,
    WORK_WEEK,
    CalendarPage,
)
from hescb_desktop.ui.calendar.event_dialog import EventDialog
from hescb_desktop.ui.main_window import CALENDAR, MainWindow
from hescb_desktop.ui.widgets import pdf_view
from hescb_desktop.ui.widgets.pdf_view import PdfPreviewDialog, print_document
from hescb_desktop.ui.workspace import Workspace

MONDAY = date(2030, 3, 4)  # a quiet week, far from the sample board's own events
ICS = Path(__file__).parent.parent / "data" / "ics"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


@pytest.fixture
def page(qtbot: QtBot, ctx: ServiceContext) -> CalendarPage:
    workspace = Workspace(ctx, today=lambda: MONDAY + timedelta(days=2))
    widget = CalendarPage(workspace)
    widget.now = lambda: at(MONDAY + timedelta(days=2), 11, 20)
    qtbot.addWidget(widget)
    widget.resize(1300, 900)
    widget.show()
    qtbot.waitExposed(widget)
    widget.go_to(MONDAY, WORK_WEEK)
    return widget


def week(page: CalendarPage) -> list[cal.Occurrence]:
    return cal.occurrences(
        page.workspace.ctx.uow(write=False), *cal.window_of_days(MONDAY, MONDAY + timedelta(days=6))
    )


def drag(qtbot: QtBot, widget: QPointF | object, start: QPointF, end: QPointF) -> None:
    grid = widget
    a, b = start.toPoint(), end.toPoint()
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=a)  # type: ignore[arg-type]
    for n in range(1, 6):
        qtbot.mouseMove(
            grid, QPoint(a.x() + (b.x() - a.x()) * n // 5, a.y() + (b.y() - a.y()) * n // 5)
        )  # type: ignore[arg-type]
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=b)  # type: ignore[arg-type]
    page = grid.parentWidget()  # type: ignore[attr-defined]
    while page is not None and not isinstance(page, CalendarPage):
        page = page.parentWidget()
    assert page is not None and page.workspace.runner.settle()  # the edit is saved off the GUI


def undo(page: CalendarPage) -> None:
    """Edit > Undo, as a person uses it: waited for (it runs off the GUI thread)."""
    page.workspace.history.undo()
    assert page.workspace.runner.settle()


def redo(page: CalendarPage) -> None:
    page.workspace.history.redo()
    assert page.workspace.runner.settle()


def when_modal(qtbot: QtBot, act: Callable[[object], None]) -> None:
    """Run `act` on the next modal dialog once it is shown (dialogs block in exec())."""

    def poll() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(20, poll)
            return
        act(modal)

    QTimer.singleShot(20, poll)


def save_with_title(title: str) -> Callable[[object], None]:
    def act(dialog: object) -> None:
        assert isinstance(dialog, EventDialog)
        dialog.summary.setText(title)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    return act


def test_drag_in_the_grid_creates_an_event(qtbot: QtBot, page: CalendarPage) -> None:
    tuesday = MONDAY + timedelta(days=1)
    when_modal(qtbot, save_with_title("Drone unit: fire <scene> & search 😀"))
    drag(qtbot, page.grid, page.grid.point_at(tuesday, 10), page.grid.point_at(tuesday, 11, 30))
    (occ,) = [o for o in week(page) if o.summary.startswith("Drone unit")]
    assert (occ.start, occ.end) == (at(tuesday, 10), at(tuesday, 11, 30))
    assert occ.summary == "Drone unit: fire <scene> & search 😀"
    assert any(o.key == occ.key for o in page.grid.occurrences)  # shown at once
    undo(page)
    assert not [o for o in week(page) if o.summary.startswith("Drone unit")]
    redo(page)
    assert [o.start for o in week(page) if o.summary.startswith("Drone unit")] == [at(tuesday, 10)]


def test_drag_moves_and_resizes_an_event_with_undo(qtbot: QtBot, page: CalendarPage) -> None:
    cal.create_event(
        page.workspace.ctx.uow(), EventDraft("Budget review", at(MONDAY, 9), at(MONDAY, 10))
    )
    page.refresh()
    (occ,) = [o for o in page.grid.occurrences if o.summary == "Budget review"]
    start = page.grid.point_of(occ)
    target = QPointF(start.x() + page.grid.column_width, start.y() + page.grid.hour_height)
    drag(qtbot, page.grid, start, target)
    (moved,) = [o for o in week(page) if o.summary == "Budget review"]
    assert (moved.start, moved.end) == (
        at(MONDAY + timedelta(days=1), 10),
        at(MONDAY + timedelta(days=1), 11),
    )
    (shown,) = [o for o in page.grid.occurrences if o.summary == "Budget review"]
    rect = next(
        page.grid.rect_of(p)
        for p in page.grid.placed[shown.first_day]
        if p.occurrence.key == shown.key
    )
    edge = QPointF(rect.center().x(), rect.bottom() - 2)
    drag(qtbot, page.grid, edge, QPointF(edge.x(), edge.y() + page.grid.hour_height / 2))
    (resized,) = [o for o in week(page) if o.summary == "Budget review"]
    assert resized.end == at(MONDAY + timedelta(days=1), 11, 30)
    undo(page)
    undo(page)
    (back,) = [o for o in week(page) if o.summary == "Budget review"]
    assert (back.start, back.end) == (at(MONDAY, 9), at(MONDAY, 10))


def test_moving_one_occurrence_of_a_series_asks_and_keeps_the_rest(
    qtbot: QtBot, page: CalendarPage
) -> None:
    cal.create_event(
        page.workspace.ctx.uow(),
        EventDraft(
            "Daily huddle",
            at(MONDAY, 8, 30),
            at(MONDAY, 9),
            rrule="FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
        ),
    )
    page.refresh()
    wednesday = [o for o in page.grid.occurrences if o.summary == "Daily huddle"][2]

    def this_occurrence(box: object) -> None:
        assert isinstance(box, QMessageBox)
        (button,) = [b for b in box.findChildren(QPushButton) if b.text() == "This occurrence"]
        button.click()

    when_modal(qtbot, this_occurrence)
    start = page.grid.point_of(wednesday)
    drag(qtbot, page.grid, start, QPointF(start.x(), start.y() + 2 * page.grid.hour_height))
    huddles = [o for o in week(page) if o.summary == "Daily huddle"]
    assert [o.start.hour for o in huddles] == [8, 8, 10, 8, 8]
    assert huddles[2].series_id == wednesday.series_id


def test_meetings_keep_showing_and_cannot_be_dragged(qtbot: QtBot, page: CalendarPage) -> None:
    uow = page.workspace.ctx.uow
    meeting = crud.create(
        uow(),
        E.MEETINGS,
        {"title": "HESCB", "start_utc": at(MONDAY, 14), "end_utc": at(MONDAY, 16)},
    ).value
    crud.create(
        uow(),
        E.EVENTS,
        {
            "summary": "HESCB board meeting",
            "calendar": "Board meetings",
            "start_utc": at(MONDAY, 14),
            "end_utc": at(MONDAY, 16),
            "meeting_id": meeting.id,
        },
    )
    page.refresh()
    (occ,) = [o for o in page.grid.occurrences if o.meeting_id == meeting.id]
    assert occ.read_only
    start = page.grid.point_of(occ)
    drag(qtbot, page.grid, start, QPointF(start.x(), start.y() + page.grid.hour_height))
    (still,) = [o for o in week(page) if o.meeting_id == meeting.id]
    assert still.start == at(MONDAY, 14)
    page.hidden.add("Board meetings")
    page.refresh()
    assert not [o for o in page.grid.occurrences if o.meeting_id]


def test_views_and_keyboard(qtbot: QtBot, page: CalendarPage) -> None:
    cal.create_event(
        page.workspace.ctx.uow(),
        EventDraft("Away day", at(MONDAY, 0), at(MONDAY + timedelta(days=2), 0), all_day=True),
    )
    page.refresh()
    assert page.grid.banner and page.grid.banner[0][0].summary == "Away day"
    assert len(page.grid.days) == 5 and page.grid.days[0].weekday() == 0
    page.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_W)
    assert page.mode == WEEK and len(page.grid.days) == 7
    qtbot.keyClick(page, Qt.Key.Key_PageDown)
    assert page.grid.days[0] == MONDAY + timedelta(days=7)
    qtbot.keyClick(page, Qt.Key.Key_T)
    assert page.anchor == MONDAY + timedelta(days=2)
    qtbot.keyClick(page, Qt.Key.Key_D)
    assert page.mode == DAY and page.grid.days == [MONDAY + timedelta(days=2)]
    qtbot.keyClick(page, Qt.Key.Key_Left)
    assert page.grid.days == [MONDAY + timedelta(days=1)]
    qtbot.keyClick(page, Qt.Key.Key_M)
    assert page.mode == MONTH and page.month.days[0].weekday() == 0
    assert "Away day" in [o.summary for o in page.month.by_day[MONDAY]]
    qtbot.keyClick(page, Qt.Key.Key_A)
    assert page.mode == AGENDA and page.agenda.topLevelItemCount() >= 1
    page.search_box.setText("away")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    assert page.results.topLevelItem(0).text(1) == "Away day"


def test_a_clash_is_warned_in_the_dialog_before_saving(qtbot: QtBot, page: CalendarPage) -> None:
    uow = page.workspace.ctx.uow
    room = crud.create(uow(), E.RESOURCES, {"name": "Executive Boardroom", "kind": "room"}).value
    cal.create_event(
        uow(), EventDraft("Taken", at(MONDAY, 10), at(MONDAY, 11), resource_ids=(room.id,))
    )
    draft = EventDraft("Mine", at(MONDAY, 10, 30), at(MONDAY, 11, 30), resource_ids=(room.id,))
    dialog = EventDialog(draft, page._choices(), page._check(), page)
    qtbot.addWidget(dialog)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.result_draft is None
    assert "Executive Boardroom is already booked: Taken" in dialog.message.text()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()  # "Save anyway"
    assert dialog.result_draft is not None
    bad = EventDialog(replace_end(draft), page._choices(), page._check(), page)
    qtbot.addWidget(bad)
    bad.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert bad.result_draft is None and "end is before the start" in bad.message.text()


def replace_end(draft: EventDraft) -> EventDraft:
    return EventDraft(draft.summary, draft.start, draft.start - timedelta(hours=1))


def test_import_from_the_page_runs_off_the_gui_thread(qtbot: QtBot, page: CalendarPage) -> None:
    seen: list[str] = []

    def accept(box: object) -> None:
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.accept()
        else:
            when_modal(qtbot, accept)  # the busy dialog first, then the report

    when_modal(qtbot, accept)
    page.import_file(ICS / "broken-events.ics")
    assert seen and "4 events added" in seen[0] and "line 29: Absurd count" in seen[0]


def test_import_report_lists_attendees_matched_to_no_one_as_plain_text(
    qtbot: QtBot, page: CalendarPage, tmp_path: Path
) -> None:
    from hescb_desktop.services import crud
    from hescb_desktop.services.entities import PEOPLE

    crud.create(
        page.workspace.ctx.uow(),
        PEOPLE,
        {"name": "Alex Morgan", "email": "alex.morgan@herts.pnn.police.uk"},
    )
    seen: list[QMessageBox] = []

    def accept(box: object) -> None:
        if isinstance(box, QMessageBox):
            seen.append(box)
            box.grab().save(str(tmp_path / "import-report.png"))
            box.accept()
        else:
            when_modal(qtbot, accept)

    when_modal(qtbot, accept)
    page.import_file(ICS / "outlook.ics")
    (box,) = seen
    assert box.textFormat() == Qt.TextFormat.PlainText
    text = box.text()
    assert "4 events added, 0 updated, 6 attendees not matched to a person" in text
    assert "attendee Chris Okafor <chris.okafor@hertfordshire.gov.uk> not matched" in text
    assert "organiser Tom Haldane <tom.haldane@herts.pnn.police.uk> not matched" in text
    assert "Alex Morgan" not in text  # matched by address


def test_printed_week_is_a_diary_with_the_marking(page: CalendarPage, tmp_path: Path) -> None:
    uow = page.workspace.ctx.uow
    cal.create_event(
        uow(),
        EventDraft(
            "Chief officers' briefing", at(MONDAY, 9), at(MONDAY, 10), rrule="FREQ=WEEKLY;BYDAY=MO"
        ),
    )
    cal.create_event(
        uow(),
        EventDraft(
            "Gold group <Op Nightjar> & Żółć",
            at(MONDAY + timedelta(days=3), 13),
            at(MONDAY + timedelta(days=3), 15),
            marking=Marking.OFFICIAL_SENSITIVE,
        ),
    )
    page.refresh()
    out = tmp_path / "week.pdf"
    assert page.write_pdf(out, month=False) == 1
    text = PdfReader(out).pages[0].extract_text()
    assert "OFFICIAL-SENSITIVE" in text
    assert "Week 10 · 4 March – 10 March 2030" in text
    assert "09:00–10:00 Chief officers' briefing" in text
    assert "Gold group <Op Nightjar> & Żółć" in text
    assert text.index("Monday") < text.index("Thursday") < text.index("Sunday")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(out), str(tmp_path / "page")], check=True)
    png = tmp_path / "page-1.png"
    assert png.stat().st_size > 5000
    month = tmp_path / "month.pdf"
    assert page.write_pdf(month, month=True) == 1
    month_text = PdfReader(month).pages[0].extract_text()
    assert "March 2030" in month_text
    assert "09:00 Chief of…" in month_text  # one line per entry, cut to the box


def add_print_week_events(page: CalendarPage) -> None:
    uow = page.workspace.ctx.uow
    cal.create_event(
        uow(),
        EventDraft(
            "Chief officers' briefing", at(MONDAY, 9), at(MONDAY, 10), rrule="FREQ=WEEKLY;BYDAY=MO"
        ),
    )
    cal.create_event(
        uow(),
        EventDraft(
            "Gold group <Op Nightjar> & Żółć",
            at(MONDAY + timedelta(days=3), 13),
            at(MONDAY + timedelta(days=3), 15),
            marking=Marking.OFFICIAL_SENSITIVE,
        ),
    )
    page.refresh()


def shows_ink(dialog: PdfPreviewDialog) -> bool:
    """The preview shows a rendered page: dark pixels (text) in its viewport."""
    image = dialog.preview.viewport().grab().toImage()
    dark = 0
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            dark += image.pixelColor(x, y).lightness() < 100
    return dark > 50


def gray(pdf: Path, stem: Path) -> tuple[int, int, bytes]:
    """Page 1 rendered by poppler as 8-bit grey: (width, height, pixels)."""
    subprocess.run(["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", str(pdf), str(stem)])
    data = next(stem.parent.glob(stem.name + "*.pgm")).read_bytes()
    magic, width, height, _depth, pixels = data.split(maxsplit=4)
    assert magic == b"P5"
    return int(width), int(height), pixels


def test_print_week_previews_then_prints_through_the_print_dialog(
    qtbot: QtBot, page: CalendarPage, tmp_path: Path
) -> None:
    add_print_week_events(page)
    page.go_to(MONDAY + timedelta(days=2), WEEK)
    page.print_week_action.trigger()  # More ▸ Print week…: built off the GUI thread, previewed
    dialog = page.print_preview
    assert isinstance(dialog, PdfPreviewDialog) and dialog.isVisible()
    assert dialog.windowTitle() == "Calendar: Week 10 · 4 March – 10 March 2030"
    assert dialog.filename == "calendar-week-2030-03-04.pdf"
    assert dialog.preview.page_count == 1
    qtbot.waitUntil(lambda: shows_ink(dialog), timeout=5000)
    dialog.grab().save(str(tmp_path / "week-preview.png"))

    out = tmp_path / "week printed.pdf"
    seen = print_to_file(out)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 1
    reader = PdfReader(out)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert text.count("OFFICIAL-SENSITIVE") >= 2  # the highest marking, top and bottom
    assert "Page 1 of 1" in text
    assert "Week 10 · 4 March – 10 March 2030" in text
    assert "09:00–10:00 Chief officers' briefing" in text
    assert "13:00–15:00 Gold group <Op Nightjar> & Żółć" in text
    layout = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert layout.index("Monday") < layout.index("Thursday") < layout.index("Sunday")

    # a printer gets each page as an image: the same page, drawn at the printer's resolution
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "raster.pdf"))
    printer.setFullPage(True)
    assert print_document(dialog.preview.pdf, printer) == 1
    assert PdfReader(tmp_path / "raster.pdf").pages[0].extract_text().strip() == ""  # images
    w1, h1, source = gray(out, tmp_path / "source")
    w2, h2, printed = gray(tmp_path / "raster.pdf", tmp_path / "printed")
    assert abs(w1 - w2) <= 1 and abs(h1 - h2) <= 1  # both A4 (points round either way)
    width, height = min(w1, w2), min(h1, h2)
    assert sum(1 for b in source if b < 128) > 500  # a page with text on it, not a blank one

    def blocks(pixels: bytes, stride: int, n: int = 6) -> list[float]:
        """Mean grey of each n×n block (smooths out anti-aliasing)."""
        return [
            sum(pixels[(by + y) * stride + bx + x] for y in range(n) for x in range(n)) / n**2
            for by in range(0, height - n + 1, n)
            for bx in range(0, width - n + 1, n)
        ]

    # the printed image matches the page where it should (a blank page scores 0, a shift ~0.6)
    assert statistics.correlation(blocks(source, w1), blocks(printed, w2)) > 0.85
    dialog.close()


def test_print_month_previews_and_saves(
    qtbot: QtBot, page: CalendarPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_print_week_events(page)
    page.print_month_action.trigger()
    dialog = page.print_preview
    assert isinstance(dialog, PdfPreviewDialog) and dialog.isVisible()
    assert dialog.windowTitle() == "Calendar: March 2030"
    qtbot.waitUntil(lambda: shows_ink(dialog), timeout=5000)
    dialog.grab().save(str(tmp_path / "month-preview.png"))
    target = tmp_path / "my month"  # no suffix: .pdf is added
    monkeypatch.setattr(
        pdf_view.QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), "PDF (*.pdf)")
    )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = tmp_path / "my month.pdf"
    assert saved.read_bytes() == dialog.preview.data
    text = PdfReader(saved).pages[0].extract_text()
    assert "March 2030" in text and "Page 1 of 1" in text
    assert "09:00 Chief of…" in text
    dialog.close()


def test_file_menu_prints_the_calendar_week_and_month(qtbot: QtBot, window: MainWindow) -> None:
    labels = [a.text() for a in window.file_menu.actions()]
    week_at = labels.index("Print calendar week…")
    assert labels[week_at + 1] == "Print calendar month…"
    window.file_menu.actions()[week_at + 1].trigger()
    page = window.current_page()
    assert window.page(CALENDAR) is page and isinstance(page, CalendarPage)
    dialog = page.print_preview
    assert isinstance(dialog, PdfPreviewDialog) and dialog.isVisible()
    assert dialog.windowTitle() == f"Calendar: {page.anchor:%B %Y}"
    assert dialog.preview.page_count == 1
    dialog.close()
