"""Preview, print and save a PDF inside the app (QtPdf; no web engine).

`PdfPreview` is a widget (a QPdfView over PDF bytes); `print_pdf` asks the Qt print dialog
(page ranges; duplex where the printer offers it) and prints; `print_document` prints without
asking (tests print to a PDF file through it); `PdfPreviewDialog` puts them together for any
page that makes a PDF (the minutes from the Meetings page, a single paper, the calendar's week
and month); `preview_document` has services.documents make the PDF on the thread pool behind a
busy dialog first.

A printer draws each page as an image (QtPdf renders pages only to images); "Print to file"
(a QPrinter in PdfFormat) gets the chosen pages of the PDF itself instead, so the file keeps its
text, links and embedded fonts.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfPageRenderer
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.enums import Marking
from hescb_desktop.domain.errors import DomainError
from hescb_desktop.services.documents import Document
from hescb_desktop.ui.widgets.marking_banner import MarkingBanner
from hescb_desktop.ui.widgets.screen_fit import fitted_size

MAX_PRINT_DPI = 300


class PdfPreview(QPdfView):
    """A scrolling, multi-page view of PDF bytes, fitted to the width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]  # the stub wants a parent; Qt does not
        # No Qt parent: a document that loaded from a buffer and dies as the view's child
        # crashes Qt (6.12); this one lives as long as the Python wrapper, after the view.
        self.pdf = QPdfDocument()
        # QPdfView renders pages on a thread of its own that reads the document without holding
        # it: a document closed, reloaded or deleted while a page is drawn there crashes the
        # process (seen once in CI, a worker killed in the month preview). Pages are drawn on
        # the GUI thread instead: a few milliseconds each, and only the pages in view.
        for renderer in self.findChildren(QPdfPageRenderer):
            renderer.setRenderMode(QPdfPageRenderer.RenderMode.SingleThreaded)
        self._buffer: QBuffer | None = None
        self.data = b""
        self.setDocument(self.pdf)
        self.setPageMode(QPdfView.PageMode.MultiPage)
        self.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def load(self, data: bytes) -> bool:
        """Show `data`; False if Qt cannot read it."""
        self.pdf.close()
        self.data = data
        buffer = QBuffer(self.pdf)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf.load(buffer)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer
        return bool(self.pdf.status() == QPdfDocument.Status.Ready)

    def clear(self) -> None:
        self.pdf.close()
        self.data = b""

    @property
    def page_count(self) -> int:
        return int(self.pdf.pageCount())


def _page_range(printer: QPrinter, count: int) -> tuple[int, int]:
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        return max(1, printer.fromPage()), min(count, printer.toPage() or count)
    return 1, count


def _write_pages(data: bytes, printer: QPrinter, first: int, last: int) -> int:
    """Print to file: the chosen pages of the PDF itself (text, links and fonts kept)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    if first == 1 and last == len(reader.pages):  # the whole document: outline and all
        Path(printer.outputFileName()).write_bytes(data)
        return last
    writer = PdfWriter()
    for number in range(first, last + 1):
        writer.add_page(reader.pages[number - 1])
    if reader.metadata:
        writer.add_metadata({k: str(v) for k, v in reader.metadata.items()})
    with open(printer.outputFileName(), "wb") as out:
        writer.write(out)
    return last - first + 1


def print_document(document: QPdfDocument, printer: QPrinter, source: bytes = b"") -> int:
    """Print the pages the printer's range asks for (all by default); returns pages printed.

    Each page is drawn as an image at the printer's resolution (at most 300 dpi), fitted to the
    printable area with its proportions kept. Printing to a PDF file with the document's bytes
    at hand (`source`) writes those pages of the PDF itself instead (no images)."""
    count = document.pageCount()
    first, last = _page_range(printer, count)
    if (
        source
        and printer.outputFormat() == QPrinter.OutputFormat.PdfFormat
        and printer.outputFileName()
        and first <= last
    ):
        return _write_pages(source, printer, first, last)
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    printed = 0
    try:
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        scale = printer.resolution() / dpi
        for number in range(first, last + 1):
            if printed:
                printer.newPage()
            size = document.pagePointSize(number - 1)
            pixels = QSize(round(size.width() / 72 * dpi), round(size.height() / 72 * dpi))
            image = document.render(number - 1, pixels)
            area = painter.viewport()
            fit = min(
                area.width() / (pixels.width() * scale), area.height() / (pixels.height() * scale)
            )
            w, h = round(pixels.width() * scale * fit), round(pixels.height() * scale * fit)
            painter.drawImage(QRect((area.width() - w) // 2, (area.height() - h) // 2, w, h), image)
            printed += 1
    finally:
        painter.end()
    return printed


def print_pdf(
    document: QPdfDocument, title: str, parent: QWidget | None = None, source: bytes = b""
) -> int:
    """Ask the print dialog (printer, page range, copies, duplex where offered) and print;
    returns the pages printed (0 when cancelled). `source`: the PDF's bytes, for print to file."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setFromTo(1, max(1, document.pageCount()))
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(parent.tr("Print %1").replace("%1", title) if parent else title)
    dialog.setMinMax(1, max(1, document.pageCount()))
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, True)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return 0
    try:
        return print_document(document, printer, source)
    except OSError as exc:
        QMessageBox.warning(
            parent, title, f"Cannot write {printer.outputFileName()}: {exc.strerror or exc}"
        )
        return 0


def save_pdf(data: bytes, suggested: str, parent: QWidget | None = None) -> Path | None:
    """Ask where to save `data`; returns the path written, None if cancelled or it failed."""
    name, _ = QFileDialog.getSaveFileName(
        parent, parent.tr("Save PDF") if parent else "Save PDF", suggested, "PDF (*.pdf)"
    )
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() != ".pdf":
        path = path.with_suffix(path.suffix + ".pdf") if path.suffix else path.with_suffix(".pdf")
    try:
        path.write_bytes(data)
    except OSError as exc:
        QMessageBox.warning(parent, "Save PDF", f"Cannot write {path}: {exc.strerror or exc}")
        return None
    return path


class PdfPreviewDialog(QDialog):
    """A PDF previewed in the app, with Print… and Save… (e.g. minutes from the Meetings page)."""

    def __init__(
        self,
        data: bytes,
        title: str,
        filename: str,
        parent: QWidget | None = None,
        marking: Marking | str | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.banner = MarkingBanner(marking or Marking.OFFICIAL)
        self.banner.setVisible(marking is not None)  # the marking of what is previewed
        self.filename = filename
        self.preview = PdfPreview(self)
        self.preview.load(data)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.print_button = self.buttons.addButton(
            self.tr("Print…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.save_button = self.buttons.addButton(
            self.tr("Save PDF…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.print_button.clicked.connect(self._print)
        self.save_button.clicked.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.buttons)
        self.resize(fitted_size(QSize(820, 900), self))
        self.setWindowModality(Qt.WindowModality.WindowModal)

    def _print(self) -> None:
        print_pdf(self.preview.pdf, self.windowTitle(), self, self.preview.data)

    def _save(self) -> None:
        save_pdf(self.preview.data, self.filename, self)


def page_image(document: QPdfDocument, index: int, width: int = 400) -> QImage:
    """One page as an image `width` pixels wide (for thumbnails and tests)."""
    size = document.pagePointSize(index)
    height = round(width * size.height() / max(size.width(), 1))
    return document.render(index, QSize(width, height))


def preview_document(
    build: Callable[[], Document],
    title: str,
    parent: QWidget,
    *,
    busy: str = "",
    refusal: QMessageBox.Icon = QMessageBox.Icon.Warning,
) -> PdfPreviewDialog | None:
    """Make a document with `build()` (a services.documents function) on the thread pool behind
    a busy dialog titled `title`, then preview it (Print…, Save PDF…) under its own title, file
    name and marking. A refusal (a DomainError) is said in a message box with the `refusal`
    icon, any other failure in a warning (both as plain text). Returns the open dialog."""
    from hescb_desktop.ui.widgets.busy_dialog import BusyDialog

    def work(_progress: object) -> Document | DomainError:
        try:
            return build()
        except DomainError as exc:  # said as a refusal, not as a failure
            return exc

    result, error = BusyDialog.run(title, busy or parent.tr("Building the PDF…"), work, parent)
    if isinstance(result, DomainError):
        error = str(result)
    if error or not isinstance(result, Document):
        icon = refusal if isinstance(result, DomainError) else QMessageBox.Icon.Warning
        box = QMessageBox(icon, title, error or "No PDF was built.")
        box.setParent(parent, box.windowFlags())
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()
        return None
    dialog = PdfPreviewDialog(result.data, result.title, result.filename, parent, result.marking)
    dialog.open()
    return dialog
