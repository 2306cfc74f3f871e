"""`pack`, `minutes`, `paper`, `actions-report`, `highlight-report`, `attach`, `publish-pack`
run as real subprocesses on a real board; bad input is one line and exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from pack_data import CORRUPT_PDF, Board, attached_pdf, build_board
from pypdf import PdfReader
from test_cli import assert_refused, run, sha

from hescb_desktop.paths import DB_FILENAME
from hescb_desktop.services.context import open_context

pytestmark = pytest.mark.slow


@pytest.fixture
def board(tmp_path: Path) -> tuple[Path, Board]:
    data = tmp_path / "data"
    ctx = open_context(data)
    try:
        built = build_board(ctx, hostile=False)
    finally:
        ctx.close()
    return data, built


def pages(path: Path) -> int:
    return len(PdfReader(path).pages)


def test_every_document_command_writes_its_pdf(board: tuple[Path, Board], tmp_path: Path) -> None:
    data, _ = board
    outputs = {
        "pack": ("pack", "2026-03-12", "-o"),
        "pack2": ("pack", "HESCB@2026-03-12", "--part", "2", "-o"),
        "minutes": ("minutes", "2026-01-15", "-o"),
        "paper": ("paper", "HESCB 1/26", "-o"),
        "actions": ("actions-report", "-o"),
        "highlight": ("highlight-report", "--since", "2026-01-15", "-o"),
    }
    for name, args in outputs.items():
        out = tmp_path / f"{name}.pdf"
        result = run("--data-dir", data, *args, out)
        assert result.returncode == 0, result.stderr
        assert out.is_file() and pages(out) >= 1
        assert f"({pages(out)} pages)" in result.stdout
    assert pages(tmp_path / "pack.pdf") > pages(tmp_path / "pack2.pdf")
    assert (
        "pack (draft)"
        in run("--data-dir", data, "pack", "2026-03-12", "-o", tmp_path / "x.pdf").stdout
    )


def test_a_meeting_is_named_as_the_meetings_command_prints_it(
    board: tuple[Path, Board], tmp_path: Path
) -> None:
    """`meetings` prints BODY/YYYY-MM-DD (the form the action commands take): the document
    commands take that form too, in any case, and BODY@YYYY-MM-DD as before."""
    data, _ = board
    listed = run("--data-dir", data, "meetings")
    assert listed.returncode == 0, listed.stderr
    refs = [line.split("\t")[0] for line in listed.stdout.splitlines()]
    assert "HESCB/2026-03-12" in refs
    for ref in ("HESCB/2026-03-12", "hescb/2026-03-12", "HESCB@2026-03-12"):
        out = tmp_path / "pack.pdf"
        result = run("--data-dir", data, "pack", ref, "-o", out)
        assert result.returncode == 0, (ref, result.stderr)
        assert pages(out) >= 1
        out.unlink()


def test_attach_and_publish(board: tuple[Path, Board], tmp_path: Path) -> None:
    data, _ = board
    appendix = tmp_path / "extra.pdf"
    appendix.write_bytes(attached_pdf("EXTRA", 2))
    result = run("--data-dir", data, "attach", "2/26", appendix)
    assert result.returncode == 0, result.stderr
    assert "extra.pdf (2 pages) to HESCB 2/26" in result.stdout
    bad = tmp_path / "minutes.docx"
    bad.write_bytes(b"PK\x03\x04 not a pdf")
    assert_refused(run("--data-dir", data, "attach", "2/26", bad), "minutes.docx is not a PDF")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(CORRUPT_PDF)
    assert_refused(run("--data-dir", data, "attach", "2/26", broken), "broken.pdf is corrupt")
    result = run("--data-dir", data, "publish-pack", "2026-03-12")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "final.pdf"
    result = run("--data-dir", data, "pack", "2026-03-12", "-o", out)
    assert result.returncode == 0 and "(draft)" not in result.stdout
    assert_refused(run("--data-dir", data, "publish-pack", "2026-03-12"), "already published")
    assert_refused(
        run("--data-dir", data, "publish-pack", "2026-03-12", "--supplement"), "no late papers"
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("pack", "2026-03-13"), ("no meeting on 13 March 2026",)),
        (("pack", "JESG/2026-03-12"), ("no meeting on 12 March 2026",)),
        (("pack", "2026-02-30"), ("not a real date",)),
        (("pack", "<b>&nbsp;"), ("not a meeting reference",)),
        (("pack", "2026-03-12", "--supplement", "3"), ("no supplement 3",)),
        (("pack", "2026-03-12", "--marking", "SECRET"), ("SECRET",)),
        (("minutes", "2026-03-12"), ("no minutes",)),
        (("paper", "HESCB 99/26"), ("no paper with the reference HESCB 99/26",)),
        (("paper", "banana"), ("not a reference",)),
        (("highlight-report", "--since", "yesterday"), ("not a date",)),
    ],
)
def test_bad_input_is_refused(
    board: tuple[Path, Board], tmp_path: Path, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    data, _ = board
    before = sha(data / DB_FILENAME)
    out = tmp_path / "out.pdf"
    assert_refused(run("--data-dir", data, *args, "-o", out), *words)
    assert not out.exists()
    assert sha(data / DB_FILENAME) == before


def test_output_problems_are_refused(board: tuple[Path, Board], tmp_path: Path) -> None:
    data, _ = board
    assert_refused(run("--data-dir", data, "pack", "next", "-o", tmp_path), "is a folder")
    assert_refused(
        run("--data-dir", data, "pack", "next", "-o", tmp_path / "nope" / "x.pdf"), "does not exist"
    )
    assert_refused(
        run("--data-dir", tmp_path / "empty", "actions-report", "-o", tmp_path / "a.pdf"),
        "no database",
    )
