"""The page frame every report shares, checked on real PDFs (pypdf and pdftotext)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab import rl_config
from reportlab.platypus import PageBreak, Paragraph

from hescb_desktop.domain.errors import MarkingError
from hescb_desktop.reports.document import MarkedDocument, heading, table_of_contents
from hescb_desktop.reports.selftest import TITLE, build_selftest_pdf
from hescb_desktop.reports.styles import stylesheet
from hescb_desktop.reports.text import para_text

INFO = {"version": "0.1.0", "database": "<in-memory> & friends"}


def pdftotext_binary() -> str:
    """poppler-utils is a test dependency (`make setup` installs it): missing is a failure."""
    found = shutil.which("pdftotext")
    assert found is not None, "pdftotext is missing: apt-get install poppler-utils"
    return found


@pytest.fixture(autouse=True)
def invariant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rl_config, "invariant", 1)


def pdftotext(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(
        [pdftotext_binary(), "-layout", "-enc", "UTF-8", *pages, str(pdf), "-"],
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_selftest_pdf_is_byte_identical_under_invariant(tmp_path: Path) -> None:
    build_selftest_pdf(tmp_path / "a.pdf", INFO)
    build_selftest_pdf(tmp_path / "b.pdf", INFO)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_selftest_pdf_is_one_page_with_its_title(tmp_path: Path) -> None:
    pdf = tmp_path / "selftest.pdf"
    build_selftest_pdf(pdf, INFO)
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    assert reader.metadata is not None
    assert reader.metadata.title == TITLE
    assert [item.title for item in reader.outline] == [TITLE]


def test_selftest_pdf_text_prints_as_typed(tmp_path: Path) -> None:
    pdf = tmp_path / "selftest.pdf"
    build_selftest_pdf(pdf, INFO)
    text = pdftotext(pdf)
    rows = lines(text)
    assert rows[0] == "OFFICIAL"
    assert rows[-1] == "OFFICIAL"
    assert "Page 1 of 1" in text
    assert "<in-memory> & friends" in text
    assert "Sample text: <b> & &nbsp; 😀 " in text
    assert "Zażółć" in text
    # Right-to-left text: every letter is drawn (ReportLab lays it out left to right without
    # the optional rlbidi package, so the order is not asserted).
    assert all(letter in text for letter in "שלום")


def test_every_page_has_the_marking_and_page_n_of_m(tmp_path: Path) -> None:
    pdf = tmp_path / "three.pdf"
    styles = stylesheet()
    story = []
    for n in range(1, 4):
        story += [heading(f"Section {n} <draft>", styles["Heading1"], level=0)]
        story += [Paragraph(para_text(f"Body of section {n} & more."), styles["Normal"])]
        story += [PageBreak()] if n < 3 else []
    doc = MarkedDocument(pdf, marking="official-sensitive", title="Three pages")
    assert doc.render(story) == 3
    for page in (1, 2, 3):
        rows = lines(pdftotext(pdf, page))
        assert rows[0] == rows[-1] == "OFFICIAL-SENSITIVE"
        assert f"Page {page} of 3" in rows
        assert f"Section {page} <draft>" in rows
    outline = PdfReader(pdf).outline
    assert [item.title for item in outline] == [
        "Section 1 <draft>",
        "Section 2 <draft>",
        "Section 3 <draft>",
    ]


def test_a_table_of_contents_gets_the_page_of_each_heading(tmp_path: Path) -> None:
    pdf = tmp_path / "toc.pdf"
    styles = stylesheet()
    story = [table_of_contents()]
    for n in range(1, 4):
        story += [PageBreak(), heading(f"Part {n} & co", styles["Heading1"])]
    MarkedDocument(pdf, marking="OFFICIAL", title="Contents").render(story)
    contents = lines(pdftotext(pdf, 1))
    for n in range(1, 4):
        assert any(
            row.startswith(f"Part {n} & co") and row.endswith(str(n + 1)) for row in contents
        )
    assert "Page 1 of 4" in contents


@pytest.mark.parametrize("marking", ["SECRET", "TOP SECRET", "Not protectively marked", ""])
def test_a_document_refuses_markings_it_must_not_carry(tmp_path: Path, marking: str) -> None:
    with pytest.raises(MarkingError):
        MarkedDocument(tmp_path / "x.pdf", marking=marking, title="x")
    assert not (tmp_path / "x.pdf").exists()
