"""The command line's small defects of issue 14 (point 11), each run as a user would: a real
`python -m hescb_desktop` process on a real data dir, and the PDFs it writes read back."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from board_pcs import pc_fingerprint
from pack_data import build_board
from pypdf import PdfReader
from test_cli import assert_refused

from hescb_desktop.paths import DB_FILENAME
from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import open_context
from hescb_desktop.storage.identity import os_account

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CONTROLS = ("\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b")


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m hescb_desktop ARGS` in `cwd`, its output kept exactly as written."""
    env = {k: v for k, v in os.environ.items() if k != "HESCB_DATA_DIR"}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    # run in another folder (cwd), the app is still this checkout's
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "hescb_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@pytest.fixture
def board(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    ctx = open_context(data)
    try:
        build_board(ctx, hostile=False)
    finally:
        ctx.close()
    return data


def _set(data: Path, spec: crud.EntitySpec, where: dict[str, str], values: dict) -> None:  # type: ignore[type-arg]
    ctx = open_context(data)
    try:
        rows = [r for r in crud.list_all(ctx.uow(write=False), spec) if _matches(r, where)]
        assert rows, where
        for row in rows:
            crud.update(ctx.uow(), spec, row.id, values)
    finally:
        ctx.close()


def _matches(row: object, where: dict[str, str]) -> bool:
    return all(getattr(row, k) == v for k, v in where.items())


# ---------------------------------------------------------------- a table row of 80 cells
def wide_table(columns: int) -> str:
    head = "| " + " | ".join(f"H{i}" for i in range(1, columns + 1)) + " |"
    rows = ["| " + " | ".join(f"r{r}c{i}" for i in range(1, columns + 1)) + " |" for r in (1, 2)]
    return "\n".join([head, *rows])


def test_a_table_of_80_columns_prints_in_paper_minutes_and_pack(
    board: Path, tmp_path: Path
) -> None:
    """ReportLab failed with "negative available width" and stopped the whole pack: the table
    now prints in column groups, every cell readable, the first column repeated."""
    table = "Costs by site:\n" + wide_table(80) + "\nAfter the table."
    _set(board, E.PAPERS, {"reference": "HESCB 1/26"}, {"body_text": table})
    _set(board, E.MINUTES, {"reference": "3/26"}, {"summary": table})
    for name, args in {
        "paper": ("paper", "HESCB 1/26"),
        "minutes": ("minutes", "2026-01-15"),
        "pack": ("pack", "2026-03-12"),
    }.items():
        out = tmp_path / f"{name}.pdf"
        result = run("--data-dir", board, *args, "-o", out)
        assert result.returncode == 0, (name, result.stderr)
        assert "Traceback" not in result.stderr
        text = pdf_text(out)
        words = set(text.split())
        assert {f"H{i}" for i in range(1, 81)} <= words, name
        assert {"r1c1", "r2c80", "r1c40"} <= words, name
        assert "Columns 1–" in text and "of 80" in text and "After the table." in text
        assert text.count("H1 ") >= 8  # column 1 heads every group


def test_a_table_that_fits_keeps_one_table(tmp_path: Path) -> None:
    from hescb_desktop.reports.frame import board_styles
    from hescb_desktop.reports.markup import flowables

    styles = board_styles()
    for columns in (3, 8, 10):
        story = flowables(wide_table(columns), styles, 481)
        assert [type(f).__name__ for f in story] == ["Table"], columns
    assert [type(f).__name__ for f in flowables(wide_table(11), styles, 481)][:2] == [
        "Paragraph",
        "Table",
    ]


# ---------------------------------------------------------------- dates near year 1 and 9999
@pytest.mark.parametrize(
    "args",
    [
        ("events", "--from", "0001-01-01", "--to", "0001-01-05"),
        ("events", "--from", "9999-12-25", "--to", "9999-12-31"),
        ("export-ics", "--from", "9999-12-25", "--to", "9999-12-31"),
        ("export-ics", "--from", "0001-01-01"),
        ("export-ics", "--to", "9999-12-31"),
    ],
)
def test_dates_out_of_the_calendars_range_are_one_line(board: Path, args: tuple[str, ...]) -> None:
    assert_refused(run("--data-dir", board, *args), "out of range", "1900-01-01")


def test_an_ics_event_in_year_1_is_listed_not_a_traceback(board: Path, tmp_path: Path) -> None:
    ics = tmp_path / "edge.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:00010101\r\nRRULE:FREQ=YEARLY\r\n"
        "SUMMARY:Year one\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20260310T100000Z\r\nSUMMARY:Normal\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    result = run("--data-dir", board, "import-ics", ics)
    assert result.returncode == 0, result.stderr
    assert "1 event added" in result.stdout
    assert result.stderr.splitlines() == [
        "import-ics: skipped line 4: Year one: a date is too near year 1 or 9999 to be used"
    ]


# ---------------------------------------------------------------- a 100,000-character word
def test_a_100000_character_word_prints_cut_and_fast(board: Path, tmp_path: Path) -> None:
    """It made the action log 64 pages and 29 s (a pack two minutes). Now one field prints its
    first 10,000 characters and says how many more there are; a long word is broken only at
    line ends (no space put into it)."""
    letters = "".join(chr(ord("a") + i % 26) for i in range(100_000))
    added = run(
        "--data-dir", board, "actions", "add", "--description", f"Check {letters} now",
        "--owner", "Sam Officer", "--due", "2027-12-01",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    out = tmp_path / "actions.pdf"
    result = run("--data-dir", board, "actions-report", "-o", out)
    assert result.returncode == 0, result.stderr
    pages = len(PdfReader(out).pages)
    assert pages <= 12, pages  # 64 before
    done = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True)
    text = done.stdout.decode()
    assert "… [90,010 more characters not printed: see the app]" in " ".join(text.split())
    # the word's lines, joined over the page breaks: its first 10,000 characters, no space
    joined = "".join(ln for ln in text.splitlines() if ln and set(ln) <= set(letters))
    assert letters[100:9_900] in joined


def test_a_long_word_under_the_limit_prints_whole_without_spaces(
    board: Path, tmp_path: Path
) -> None:
    word = "".join(chr(ord("a") + i % 26) for i in range(3_000))
    _set(board, E.PAPERS, {"reference": "HESCB 1/26"}, {"body_text": f"Link: {word} end"})
    out = tmp_path / "paper.pdf"
    assert run("--data-dir", board, "paper", "HESCB 1/26", "-o", out).returncode == 0
    done = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True)
    lines = done.stdout.decode().splitlines()
    # the word's lines (over a page break: the page's furniture is between them)
    pieces = [ln for ln in lines if ln.startswith("Link: ") or (ln and set(ln) <= set(word + " "))]
    assert "".join(pieces) == f"Link: {word} end"  # no space put into the word
    assert len(pieces) >= 3_000 // 90


# ---------------------------------------------------------------- control characters
def test_control_characters_are_refused_at_input(board: Path) -> None:
    for bad in ("\x07", "\x1b[31m", "\x7f", "\x9b"):
        result = run(
            "--data-dir", board, "actions", "add", "--description", f"bell {bad} here",
            "--owner", "Sam Officer", "--due", "2027-12-01",
        )  # fmt: skip
        assert_refused(result, "control character")


def test_stored_control_characters_never_reach_the_terminal_or_an_ics(
    board: Path, tmp_path: Path
) -> None:
    """Old data or another PC may hold them: stripped on output, kept (escaped) in JSON."""
    ics = tmp_path / "one.ics"
    ics.write_text(calendar(("u1", "Plain event")), encoding="utf-8")
    assert run("--data-dir", board, "import-ics", ics).returncode == 0
    hostile = "Red " + "".join(CONTROLS) + "[2Jalert"
    with sqlite3.connect(board / DB_FILENAME) as conn:
        conn.execute("UPDATE actions SET description = ?", (hostile,))
        conn.execute("UPDATE events SET summary = ?, description = ?", (hostile, hostile))
    conn.close()
    outputs = {
        "actions": run("--data-dir", board, "actions", "list"),
        "events": run("--data-dir", board, "events", "--from", "2026-01-01", "--to", "2026-12-31"),
        "ics": run("--data-dir", board, "export-ics"),
        "meetings": run("--data-dir", board, "meetings"),
    }
    for name, result in outputs.items():
        assert result.returncode == 0, (name, result.stderr)
        for char in CONTROLS:
            assert char not in result.stdout + result.stderr, (name, char)
    assert "Red [2Jalert" in " ".join(outputs["actions"].stdout.split())
    assert "SUMMARY:Red [2Jalert" in outputs["ics"].stdout
    exported = tmp_path / "out.ics"
    assert run("--data-dir", board, "export-ics", "-o", exported).returncode == 0
    assert not any(char.encode() in exported.read_bytes() for char in CONTROLS)
    pdf = tmp_path / "actions.pdf"
    assert run("--data-dir", board, "actions-report", "-o", pdf).returncode == 0
    printed = pdf_text(pdf)
    assert "Red [2Jalert" in printed and "\ufffd" not in printed
    assert not any(char in printed for char in CONTROLS)
    listed = run("--data-dir", board, "actions", "list", "--json")
    assert not any(char in listed.stdout for char in CONTROLS)
    assert {a["description"] for a in json.loads(listed.stdout)} == {hostile}  # data kept


# ---------------------------------------------------------------- .ics files from elsewhere
def calendar(*events: tuple[str, str]) -> str:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:20260310T100000Z\r\nSUMMARY:{title}\r\nEND:VEVENT\r\n"
        for uid, title in events
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n{body}END:VCALENDAR\r\n"


def test_an_ics_that_is_not_utf8_is_imported_with_a_warning(board: Path, tmp_path: Path) -> None:
    ics = tmp_path / "legacy.ics"
    ics.write_bytes(calendar(("u1", "Café meeting"), ("u2", "Plain")).encode("cp1252"))
    result = run("--data-dir", board, "import-ics", ics)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "import-ics: warning: legacy.ics: the file is not UTF-8 (line 7): it was read as "
        "Windows-1252, so check its accented letters and symbols"
    ]
    assert "2 events added" in result.stdout
    listed = run("--data-dir", board, "events", "--from", "2026-03-10", "--to", "2026-03-10")
    assert "Café meeting" in listed.stdout


def test_a_huge_title_is_quoted_short(board: Path, tmp_path: Path) -> None:
    ics = tmp_path / "huge.ics"
    ics.write_text(calendar(("u1", "T" * 100_000)), encoding="utf-8")
    result = run("--data-dir", board, "import-ics", ics)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and len(lines[0]) < 200, len(result.stderr)
    assert "T" * 79 + "…" in lines[0] and "longer than 500 characters" in lines[0]


def test_a_bad_calendar_name_is_reported_once(board: Path, tmp_path: Path) -> None:
    ics = tmp_path / "five.ics"
    ics.write_text(calendar(*[(f"u{i}", f"Event {i}") for i in range(5)]), encoding="utf-8")
    result = run("--data-dir", board, "import-ics", ics, "--calendar", "C" * 121)
    assert_refused(result, "longer than 120 characters")
    assert "C" * 80 not in result.stderr


# ---------------------------------------------------------------- selftest
def test_selftest_says_it_found_no_database(tmp_path: Path) -> None:
    data = tmp_path / "empty"
    data.mkdir()
    result = run("--data-dir", data, "selftest")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        f"selftest: ok (no database in {data} yet (the folder is writable): a new in-memory one"
    )
    assert list(data.iterdir()) == []


def test_selftest_fails_when_the_database_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / DB_FILENAME).mkdir()
    result = run("--data-dir", tmp_path, "selftest")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"selftest: FAILED: {tmp_path / DB_FILENAME} is not a database file "
        "(it is a folder or a device)"
    ]


def test_selftest_fails_when_the_data_dir_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    result = run("--data-dir", tmp_path / "a-file" / "data", "selftest")
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert "cannot be created" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- a relative --share
def test_a_relative_share_is_remembered_absolute(tmp_path: Path) -> None:
    """`join --share share` run in one folder, then `sync` (no --share) from another folder:
    the change goes to the same share, not to a `share` folder under the second one."""
    share, office, new_pc, elsewhere = (tmp_path / n for n in ("share", "office", "new", "cd"))
    share.mkdir()
    elsewhere.mkdir()
    (elsewhere / "share").mkdir()  # the folder a relative path would wrongly point at
    assert run("--data-dir", office, "init").returncode == 0
    assert run("--data-dir", office, "--share", share, "sync").returncode == 0
    root = pc_fingerprint(office)
    joined = run(
        "--data-dir", new_pc, "--share", "share", "join", "--trust-root", root, cwd=tmp_path
    )
    assert joined.returncode == 0, joined.stderr
    status = run("--data-dir", new_pc, "sync-status", cwd=elsewhere)
    assert f"share: {share}\n" in status.stdout, status.stdout
    # enrolled (the same person's second PC): its request goes to the remembered share too
    asked = run("--data-dir", new_pc, "enrol-request", cwd=elsewhere)
    assert asked.returncode == 0, asked.stderr
    assert list((elsewhere / "share").iterdir()) == []
    fp = asked.stdout.strip().splitlines()[-1]
    approved = run(
        "--data-dir", office, "--share", share, "enrol-approve", fp,
        "--person", os_account(), "--role", "secretariat",
    )  # fmt: skip
    assert approved.returncode == 0, approved.stderr
    assert run("--data-dir", new_pc, "sync", cwd=elsewhere).returncode == 0  # now enrolled
    ctx = open_context(new_pc)
    crud.create(ctx.uow(), E.PEOPLE, {"name": "Priya Shah"})
    ctx.close()
    synced = run("--data-dir", new_pc, "sync", cwd=elsewhere)
    assert synced.returncode == 0, synced.stderr
    assert list((elsewhere / "share").iterdir()) == []
    assert run("--data-dir", office, "--share", share, "sync").returncode == 0
    ctx = open_context(office)
    assert "Priya Shah" in {p.name for p in crud.list_all(ctx.uow(write=False), E.PEOPLE)}
    ctx.close()


def test_a_huge_argument_is_quoted_short_in_its_error(board: Path, tmp_path: Path) -> None:
    huge = "N" * 100_000
    owner = run(
        "--data-dir", board, "actions", "add", "--description", "x", "--owner", huge,
        "--due", "2027-12-01",
    )  # fmt: skip
    assert_refused(owner, "unknown owner 'NNN", "…'", "give the name of a person")
    meeting = run("--data-dir", board, "pack", huge, "-o", tmp_path / "p.pdf")  # a service's own
    assert_refused(meeting, "is not a meeting reference")
    for result in (owner, meeting):
        assert len(result.stderr) < 500, len(result.stderr)
