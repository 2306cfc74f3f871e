"""`hescb-desktop selftest`: the database (read only), a one-page PDF read back, optionally Qt."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import Engine

from hescb_desktop import __version__
from hescb_desktop.cli.base import (
    EXIT_FAILED,
    EXIT_OK,
    PROG,
    database_path,
    has_database,
    one_line,
    refuse_file_as_data_dir,
    say,
)
from hescb_desktop.cli.database import refuse_foreign
from hescb_desktop.reports.selftest import SAMPLE_TEXT, TITLE, build_selftest_pdf
from hescb_desktop.services.context import memory_context
from hescb_desktop.storage.database import (
    LEFT_AS_IT_WAS,
    current_revision,
    head_revision,
    open_database,
)
from hescb_desktop.storage.engine import integrity_problems

SHOWN = 20  # findings listed one a line before the verdict


class SelftestError(Exception):
    """A check did not pass: exit status 1."""


def cmd_selftest(args: argparse.Namespace, data_dir: Path) -> int:
    refuse_file_as_data_dir(data_dir)
    try:
        details = [check_database(data_dir)]
        details.append(check_pdf({"version": __version__, "database": details[0]}))
        details.append(check_crypto())
        if args.qt:
            details.append(check_qt())
    except Exception as exc:  # any failure is the self-test's verdict, not a crash
        say(f"selftest: FAILED: {one_line(exc)}")
        return EXIT_FAILED
    print(f"selftest: ok ({'; '.join(details)})")
    return EXIT_OK


def check_crypto() -> str:
    """What the share's trust needs from `cryptography` in this build: an Ed25519 signature
    checked, and a content key sealed to a PC (HPKE) and a value under it read back."""
    from hescb_desktop.storage import sealed_values
    from hescb_desktop.sync import sealing
    from hescb_desktop.sync.signing import Purpose, new_key, public_bytes, sign, verify

    key = new_key()
    signature = sign(key, Purpose.SEGMENT, b"selftest")
    if not verify(public_bytes(key), Purpose.SEGMENT, b"selftest", signature):
        raise SelftestError("an Ed25519 signature made here does not verify")
    context = sealing.KeyContext("selftest", "selftest", "k1", "selftest")
    content = sealing.new_content_key()
    sealed = sealing.seal_key(content, sealing.box_public(key), context)
    if sealing.open_key(sealed, sealing.box_key(key), context) != content:
        raise SelftestError("a content key sealed here does not open")
    where = sealed_values.FieldContext("selftest", "t", "r", "c", "selftest", "k1")
    plain = json.dumps(SAMPLE_TEXT)
    if sealed_values.open_json(content, sealed_values.seal_json(content, plain, where), where) != (
        plain
    ):
        raise SelftestError("a value encrypted here does not decrypt")
    return "signing and sealing ok"


def check_data_dir(data_dir: Path) -> str:
    """The data dir can hold a database: a writable folder, or one that can be made (then
    nothing is made). Its database, if any, is a file. What was found, for the report."""
    path = database_path(data_dir)
    if data_dir.is_dir():
        try:
            with tempfile.TemporaryFile(dir=data_dir, prefix=".selftest-"):
                pass
        except OSError as exc:
            raise SelftestError(f"data dir {data_dir} is not writable: {one_line(exc)}") from exc
        if path.exists() and not path.is_file():
            raise SelftestError(f"{path} is not a database file (it is a folder or a device)")
        return "is writable"
    parent = next((p for p in data_dir.parents if p.exists()), None)
    if parent is None or not parent.is_dir():
        raise SelftestError(f"data dir {data_dir} cannot be created: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise SelftestError(f"data dir {data_dir} cannot be created in {parent} (not writable)")
    return "can be created"


def check_database(data_dir: Path) -> str:
    """Full integrity check of the data dir's database (read only); with no database there yet,
    of a fresh in-memory one, and the report says so."""
    state = check_data_dir(data_dir)
    path = database_path(data_dir)
    if has_database(path) and refuse_foreign(path).ours:
        where, engine = str(path), open_database(path, create=False, migrate=False)
    else:
        empty = f"{path.name} is empty; " if path.is_file() else ""
        where = f"no database in {data_dir} yet ({empty}the folder {state}): a new in-memory one"
        engine = memory_context().engine
    try:
        problems = integrity_problems(engine, quick=False)
        revision = current_revision(engine)
        if problems:
            raise SelftestError(
                f"{where} is damaged: it failed its integrity check ({problems[0]}). "
                f"{LEFT_AS_IT_WAS}"
            )
        journal = check_journal(engine) if revision == head_revision() else "journal not checked"
    finally:
        engine.dispose()
    upgrade = "" if revision == head_revision() else f", upgraded to {head_revision()} on open"
    return f"{where}: schema {revision}{upgrade}, integrity ok, {journal}"


def check_journal(engine: Engine) -> str:
    """The synced tables against the change log replayed as the merge decides, and each signed
    range of the change log against what was signed (`services.audit`). Each finding is one line
    on stderr naming the table, row and field (or the PC and changes), at most SHOWN of them."""
    from hescb_desktop.services.audit import journal_problems

    disagreeing, rewritten = journal_problems(engine)
    lines = [d.line() for d in disagreeing] + [r.line() for r in rewritten]
    for line in lines[:SHOWN]:
        say(f"selftest: {line}")
    if len(lines) > SHOWN:
        say(f"selftest: ... and {len(lines) - SHOWN} more")
    if rewritten:
        raise SelftestError(
            f"the change log was changed after it was signed ({len(rewritten)} signed "
            f"range{'s' if len(rewritten) != 1 else ''}; first: {rewritten[0].line()})"
        )
    if disagreeing:
        count = len(disagreeing)
        raise SelftestError(
            f"the tables disagree with the change log in {count} place{'s' if count != 1 else ''}"
            f" (first: {disagreeing[0].line()}): the database was changed outside the app, or"
            " holds values a newer app sent before this one could apply them"
        )
    return "tables agree with the change log"


def check_pdf(info: dict[str, str]) -> str:
    """Build the one-page PDF in a temp dir and read it back."""
    info = {**info, "python": platform.python_version(), "platform": platform.platform()}
    with tempfile.TemporaryDirectory(prefix="hescb-selftest-") as tmp:
        pdf = Path(tmp) / "selftest.pdf"
        build_selftest_pdf(pdf, info)
        size = pdf.stat().st_size
        reader = PdfReader(pdf)
        pages = len(reader.pages)
        text = reader.pages[0].extract_text() if pages else ""
    if pages != 1:
        raise SelftestError(f"the self-test PDF has {pages} pages, not 1")
    for expected in (TITLE, "OFFICIAL", "Page 1 of 1", SAMPLE_TEXT.split()[-1]):
        if expected not in text:
            raise SelftestError(f"the self-test PDF does not read back {expected!r}")
    return f"PDF 1 page, {size} bytes, text readable"


def check_qt() -> str:
    """Start Qt (offscreen when there is no display) and check it finds fonts."""
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QFontDatabase, QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([PROG])
    app.processEvents()
    families = len(QFontDatabase.families())
    if not families:
        raise SelftestError("Qt finds no fonts: install some (e.g. fonts-dejavu-core)")
    platform_name = QGuiApplication.platformName()
    return f"Qt {qVersion()} on {platform_name}, {families} font families, {check_pdf_preview()}"


def check_pdf_preview() -> str:
    """QtPdf (the in-app preview of packs and minutes) opens and draws the self-test PDF."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor
    from PySide6.QtPdf import QPdfDocument

    with tempfile.TemporaryDirectory(prefix="hescb-selftest-") as tmp:
        pdf = Path(tmp) / "selftest.pdf"
        build_selftest_pdf(pdf, {"version": __version__})
        document = QPdfDocument()
        error = document.load(str(pdf))
        pages = document.pageCount()
        image = document.render(0, QSize(120, 170)) if pages else None
        document.close()
    if error != QPdfDocument.Error.None_ or pages != 1 or image is None or image.isNull():
        raise SelftestError(f"QtPdf cannot open the self-test PDF ({error.name}, {pages} pages)")
    white = QColor("white")
    inked = sum(
        image.pixelColor(x, y) != white
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
    )
    if not inked:
        raise SelftestError("QtPdf draws the self-test PDF blank")
    return "PDF preview ok"
