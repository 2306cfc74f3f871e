"""The public edition (issue 16, point 4) of the demo's meetings: no Part II text anywhere in the
PDF (pdftotext's text layer, pypdf's metadata and bookmarks) nor in the accessible HTML; each
exempt item's stub gives its public title and ground; the HTML's structure is the accessible one;
the command line's `public-edition` (a contract) writes both files and refuses bad input cleanly."""

from __future__ import annotations

import html
import subprocess
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from test_cli import assert_refused, run

from hescb_desktop.domain.enums import Part
from hescb_desktop.services import boardpacks, crud, meetings, minutes, public_edition
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.demo import build_demo
from hescb_desktop.services.entities import AGENDA_ITEMS
from hescb_desktop.storage.models import Action, AgendaItem, Decision, Minute, Paper

pytestmark = pytest.mark.slow

TODAY = date(2026, 12, 3)
HELD = "HESCB/2026-10-15"  # the demo's meeting held with a Part II report, minutes drafted


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("public-demo")
    ctx = open_context(folder)
    try:
        build_demo(ctx, "small", lambda _pct, _msg: None, today=TODAY)
    finally:
        ctx.close()
    return folder


@pytest.fixture
def demo(demo_dir: Path, tmp_path: Path) -> Iterator[ServiceContext]:
    """A copy of the demo board per test (some tests change it)."""
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(demo_dir, folder)
    ctx = open_context(folder, create=False)
    yield ctx
    ctx.close()


def part_two_texts(ctx: ServiceContext) -> set[str]:
    """Every Part II title and text the board holds (the standard "Exclusion of press and
    public" heading is public)."""
    found: set[str] = set()
    with ctx.uow(write=False) as uow:
        s = uow.session
        for item in s.scalars(select(AgendaItem).where(AgendaItem.part == Part.PART_II)):
            if not item.title.startswith("Exclusion of press"):
                found.add(item.title)
        for paper in s.scalars(select(Paper).where(Paper.part == Part.PART_II)):
            found |= {paper.title, paper.summary, paper.recommendations, paper.body_text}
        ids = []
        for minute in s.scalars(select(Minute).where(Minute.part == Part.PART_II)):
            found.add(minute.summary)
            ids.append(minute.id)
        found |= {d.text for d in s.scalars(select(Decision).where(Decision.minute_id.in_(ids)))}
        found |= {a.description for a in s.scalars(select(Action).where(Action.minute_id.in_(ids)))}
    return {t for t in found if len(t.strip()) >= public_edition.MIN_SECRET}


def flat(text: str) -> str:
    return " ".join(text.split()).casefold()


def pdf_words(data: bytes, path: Path) -> str:
    """Everything a reader of the file can get at: the text layer (pdftotext, both modes),
    the document information and the bookmarks."""
    path.write_bytes(data)
    text = ""
    for mode in ("-raw", "-layout"):
        text += subprocess.run(
            ["pdftotext", mode, str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    reader = PdfReader(BytesIO(data))
    meta = " ".join(str(v) for v in (reader.metadata or {}).values())

    def titles(outline: list[object]) -> list[str]:
        out: list[str] = []
        for entry in outline:
            out += titles(entry) if isinstance(entry, list) else [str(entry.title)]  # type: ignore[attr-defined]
        return out

    return flat(f"{text} {meta} {' '.join(titles(reader.outline))}")


def html_words(page: str) -> str:
    return flat(html.unescape(page))


def meeting_id(ctx: ServiceContext, ref: str) -> str:
    return boardpacks.resolve_meeting(ctx.uow(write=False), ref, today=TODAY).id


def test_the_demos_public_editions_carry_no_part_two_text(
    demo: ServiceContext, tmp_path: Path
) -> None:
    secrets = part_two_texts(demo)
    assert len(secrets) > 10  # the demo has Part II reports, minutes and resolutions
    mid = meeting_id(demo, HELD)
    titles = [e.public_title for e in public_edition.exempt_items(demo.uow(write=False), mid)]
    assert "Part II item 15: commercial matter" in titles
    # the ordinary Part I pack lists the Part II item by its own title: the check can fail
    plain = boardpacks.pack_content(demo.uow(write=False), mid, Part.PART_I)
    from hescb_desktop.reports.pack import build_pack_pdf

    plain_words = pdf_words(build_pack_pdf(plain, author="t"), tmp_path / "plain.pdf")
    assert any(flat(s) in plain_words for s in secrets)
    for document in public_edition.DOCUMENTS:
        edition = public_edition.build(demo.uow(write=False), mid, document)
        words = pdf_words(public_edition.render_pdf(edition), tmp_path / f"{document}.pdf")
        page = html_words(public_edition.render_html(edition))
        for where in (words, page):
            leaks = [s[:60] for s in secrets if flat(s) in where]
            assert leaks == [], (document, leaks)
            assert "part ii item 15: commercial matter" in where
            assert "paragraph 3 of part 1 of schedule 12a to the local government act 1972" in where
        assert "public edition" in words
        assert edition.warnings == ()


def test_every_demo_meeting_has_a_clean_public_pack(demo: ServiceContext, tmp_path: Path) -> None:
    secrets = [flat(s) for s in part_two_texts(demo)]
    for meeting in meetings.list_meetings(demo.uow(write=False)):
        if meeting.body != "HESCB" or meeting.start_utc.date() > TODAY:
            continue
        edition = public_edition.build(demo.uow(write=False), meeting.id, "pack")
        page = html_words(public_edition.render_html(edition))
        assert [s for s in secrets if s in page] == [], meeting.start_utc


def test_a_part_one_text_quoting_part_two_refuses_the_edition(demo: ServiceContext) -> None:
    """The check after the scrub: a Part I minute that quotes a Part II report's summary
    stops the edition, saying where, rather than publishing it."""
    mid = meeting_id(demo, HELD)
    with demo.uow(write=False) as uow:
        secret = next(
            p.summary
            for p in uow.session.scalars(select(Paper).where(Paper.part == Part.PART_II))
            if p.meeting_id == mid
        )
        minute = next(
            m
            for m in uow.session.scalars(select(Minute).where(Minute.meeting_id == mid))
            if m.part is Part.PART_I
        )
        minute_id = minute.id
    minutes.set_summary(demo.uow(), minute_id, "As the exempt report said: " + secret)
    with pytest.raises(public_edition.ExemptTextError, match="exempt text"):
        public_edition.build(demo.uow(write=False), mid, "minutes")


def test_an_item_without_a_ground_is_a_warning_and_a_plain_stub(demo: ServiceContext) -> None:
    mid = meeting_id(demo, HELD)
    item = next(
        i
        for i in crud.list_all(demo.uow(write=False), AGENDA_ITEMS)
        if i.meeting_id == mid and i.public_title
    )
    meetings.update_item(
        demo.uow(), item.id, {"public_title": "", "exempt_paragraph": None, "exempt_reason": ""}
    )
    edition = public_edition.build(demo.uow(write=False), mid, "agenda")
    assert len(edition.warnings) == 1 and f"item {item.position}" in edition.warnings[0]
    page = html_words(public_edition.render_html(edition))
    assert f"part ii item {item.position}: exempt item" in page
    assert flat(item.title) not in page
    # a police item: a reason recorded, no paragraph
    meetings.update_item(
        demo.uow(), item.id, {"exempt_reason": "Operationally sensitive: tactics of a live case"}
    )
    page = html_words(
        public_edition.render_html(public_edition.build(demo.uow(write=False), mid, "agenda"))
    )
    assert "reason recorded: operationally sensitive: tactics of a live case." in page


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.headings: list[int] = []
        self.tables = 0
        self.th_without_scope = 0
        self.th = 0
        self.captions = 0
        self.images = 0
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang") or ""
        elif len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        elif tag == "table":
            self.tables += 1
        elif tag == "th":
            self.th += 1
            self.th_without_scope += "scope" not in found
        elif tag == "caption":
            self.captions += 1
        elif tag == "img":
            self.images += 1
        elif tag == "script":
            self.scripts += 1


def test_the_html_is_built_to_be_accessible(demo: ServiceContext) -> None:
    mid = meeting_id(demo, HELD)
    for document in public_edition.DOCUMENTS:
        page = public_edition.render_html(
            public_edition.build(demo.uow(write=False), mid, document)
        )
        assert page.startswith("<!DOCTYPE html>")
        found = _Structure()
        found.feed(page)
        assert found.lang == "en-GB"
        assert found.headings.count(1) == 1 and found.headings[0] == 1, document
        # headings go down one level at a time (up any number)
        for before, after in zip(found.headings, found.headings[1:], strict=False):
            assert after <= before + 1, (document, found.headings)
        assert found.tables >= 1 and found.th >= found.tables
        assert found.th_without_scope == 0
        assert found.captions == found.tables
        assert found.images == 0 and found.scripts == 0


def test_typed_markup_is_escaped_in_the_html(demo: ServiceContext) -> None:
    mid = meeting_id(demo, HELD)
    with demo.uow(write=False) as uow:
        minute_id = next(
            m.id
            for m in uow.session.scalars(select(Minute).where(Minute.meeting_id == mid))
            if m.part is Part.PART_I
        )
    minutes.set_summary(demo.uow(), minute_id, '<script>alert("x")</script> & **bold** _it_')
    page = public_edition.render_html(public_edition.build(demo.uow(write=False), mid, "minutes"))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in page
    assert "<strong>bold</strong> <em>it</em>" in page


def test_the_public_edition_command(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "public.pdf"
    result = run("--data-dir", demo_dir, "public-edition", HELD, "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"public edition (pack): {out} ({len(PdfReader(out).pages)} pages)",
        f"accessible HTML: {tmp_path / 'public.html'}",
    ]
    assert (tmp_path / "public.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    agenda = tmp_path / "agenda.pdf"
    result = run(
        "--data-dir", demo_dir, "public-edition", HELD, "--document", "agenda", "-o", agenda
    )
    assert result.returncode == 0, result.stderr
    assert "agenda (public edition)" in flat(PdfReader(agenda).metadata.title or "")  # type: ignore[union-attr]
    # bad input: one line, exit 2, nothing written
    assert_refused(
        run("--data-dir", demo_dir, "public-edition", "nonsense", "-o", tmp_path / "n.pdf"),
        "nonsense",
    )
    assert_refused(
        run("--data-dir", demo_dir, "public-edition", HELD, "-o", tmp_path / "x.html"), ".html"
    )
    assert_refused(
        run(
            "--data-dir",
            demo_dir,
            "public-edition",
            "2026-12-10",
            "--document",
            "minutes",
            "-o",
            tmp_path / "m.pdf",
        ),
        "no minutes",
    )
    assert_refused(
        run("--data-dir", demo_dir, "public-edition", HELD, "-o", tmp_path / "nowhere" / "x.pdf"),
        "does not exist",
    )
    assert not any(
        (tmp_path / n).exists() for n in ("n.pdf", "x.html", "m.pdf", "m.html", "n.html")
    )
    bad = run("--data-dir", demo_dir, "public-edition", HELD, "--document", "papers", "-o", out)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
