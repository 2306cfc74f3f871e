"""Export the audit trail (issue 15, point 6): a date range, CSV or PDF, and a file; written on
the thread pool behind the busy dialog, as the other exports are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate, Slot
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.csv_text import excel_csv_bytes
from hescb_desktop.services import audit
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.ui.widgets.busy_dialog import BusyDialog

PDF, CSV = "pdf", "csv"


@dataclass(frozen=True)
class AuditExport:
    start: date
    end: date
    kind: str  # PDF or CSV
    path: Path


class AuditExportDialog(QDialog):
    """Which days (UTC), which format, which file. Problems are said inline; nothing typed is
    lost while they are put right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        today = datetime.now(UTC).date()
        self.start = QDateEdit(_qdate(today - timedelta(days=30)))
        self.end = QDateEdit(_qdate(today))
        self.pdf = QRadioButton(self.tr("PDF, for the board's auditors"))
        self.csv = QRadioButton(self.tr("CSV (a spreadsheet)"))
        self.path = QLineEdit()
        self.browse = QPushButton(self.tr("Choose…"))
        self.error = QLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self._setup_ui()

    @classmethod
    def ask(cls, parent: QWidget | None) -> AuditExport | None:
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice()

    def _setup_ui(self) -> None:
        self.setWindowTitle(self.tr("Export audit trail"))
        self.setMinimumWidth(520)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
        self.pdf.setChecked(True)
        self.path.setPlaceholderText(self.tr("The file to write"))
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        note = QLabel(
            self.tr(
                "Every change dated on these days (UTC): who made it, their role, the PC and "
                "whether its signed journal still checks."
            )
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("From"), self.start)
        form.addRow(self.tr("To"), self.end)
        kinds = QVBoxLayout()
        kinds.addWidget(self.pdf)
        kinds.addWidget(self.csv)
        form.addRow(self.tr("Format"), kinds)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.browse)
        form.addRow(self.tr("File"), file_row)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.browse.clicked.connect(self._on_browse_clicked)
        self.pdf.toggled.connect(self._on_kind_toggled)
        self.buttons.accepted.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.reject)

    def kind(self) -> str:
        return PDF if self.pdf.isChecked() else CSV

    def days(self) -> tuple[date, date]:
        return _day(self.start.date()), _day(self.end.date())

    def choice(self) -> AuditExport:
        start, end = self.days()
        return AuditExport(start, end, self.kind(), Path(self.path.text().strip()))

    def problem(self) -> str:
        start, end = self.days()
        if start > end:
            return self.tr("The first day is after the last day.")
        name = self.path.text().strip()
        if not name:
            return self.tr("Choose the file to write.")
        path = Path(name)
        if path.is_dir():
            return self.tr("%1 is a folder: give a file name.").replace("%1", name)
        if not path.parent.is_dir():
            return self.tr("The folder %1 does not exist.").replace("%1", str(path.parent))
        return ""

    @Slot()
    def _on_save_clicked(self) -> None:
        problem = self.problem()
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        if not problem:
            self.accept()

    @Slot(bool)
    def _on_kind_toggled(self, _checked: bool) -> None:
        name = self.path.text().strip()
        if name:
            self.path.setText(str(Path(name).with_suffix(f".{self.kind()}")))

    @Slot()
    def _on_browse_clicked(self) -> None:
        suggested = self.path.text().strip() or f"hescb-audit-{self.days()[0].isoformat()}"
        filters = self.tr("PDF files (*.pdf)") if self.kind() == PDF else self.tr("CSV (*.csv)")
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.windowTitle(),
            str(Path(suggested).with_suffix(f".{self.kind()}")),
            filters,
        )
        if name:
            self.path.setText(name)


def export_audit(ctx: ServiceContext, parent: QWidget | None) -> Path | None:
    """Ask, then write the trail on the thread pool; the file written, or None."""
    choice = AuditExportDialog.ask(parent)
    if choice is None:
        return None
    return write_export(ctx, choice, parent)


def write_export(ctx: ServiceContext, choice: AuditExport, parent: QWidget | None) -> Path | None:
    work = _work(ctx, choice)
    title = QCoreApplication.translate("AuditExportDialog", "Export audit trail")
    label = f"{choice.path.name}…"
    result, error = BusyDialog.run(title, label, work, parent)
    if error or not isinstance(result, int):
        QMessageBox.warning(parent, title, f"{choice.path.name}: {error}")
        return None
    return choice.path


def _work(
    ctx: ServiceContext, choice: AuditExport
) -> Callable[[Callable[[int, str], None]], object]:
    engine, author = ctx.engine, ctx.user

    def work(progress: Callable[[int, str], None]) -> object:
        progress(5, "Reading the change log…")
        entries = audit.trail_for_days(engine, choice.start, choice.end)
        if choice.kind == PDF:
            progress(30, f"Laying out {len(entries):,} changes…")
            data = audit.trail_pdf(engine, entries, choice.start, choice.end, author)
        else:
            data = excel_csv_bytes(audit.audit_csv(entries))
        choice.path.write_bytes(data)
        return len(entries)

    return work


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
