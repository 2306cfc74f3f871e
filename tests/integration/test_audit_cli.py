"""`audit` and `selftest` as real subprocesses on a real data dir (issue 15, point 6)."""

from __future__ import annotations

import csv
import io
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from audit_helpers import sign_own_range as _sign_own_range
from pypdf import PdfReader
from test_cli import assert_refused, run

from hescb_desktop.domain.audit import CSV_HEADER
from hescb_desktop.services import actions, crud
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import open_context
from hescb_desktop.storage.capture import Actor
from hescb_desktop.storage.uow import UnitOfWork

pytestmark = pytest.mark.slow
TODAY = datetime.now(UTC).date()


@pytest.fixture
def board(tmp_path: Path) -> tuple[Path, str, str]:
    """A data dir with a person and an action that person raised (the record's user is the
    person's id, as on an upgraded board); returns (data dir, action id, device id)."""
    data = tmp_path / "data"
    ctx = open_context(data)
    try:
        crud.create(ctx.uow(), E.PEOPLE, {"name": "Zofia Łukasik-Ząbek", "role": "مدير"})
        person = crud.create(ctx.uow(), E.PEOPLE, {"name": "Priya Shah"}).value.id
        uow = UnitOfWork(ctx.engine, Actor(ctx.device_id, person), ctx.clock)
        row = actions.raise_action(uow, {"description": "Agree <the> estates & plan",
                                         "raised_on": TODAY}).value.id  # fmt: skip
        return data, row, ctx.device_id
    finally:
        ctx.close()


def _audit(data: Path, *extra: str | Path) -> subprocess.CompletedProcess[str]:
    day = TODAY.isoformat()
    return run("--data-dir", data, "audit", "--from", day, "--to", day, *extra)


def test_audit_prints_each_change_with_person_pc_record_and_status(
    board: tuple[Path, str, str],
) -> None:
    data, row, device = board
    result = _audit(data)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Time", "(UTC)", "Person", "Role", "PC", "Record", "Field",
                                "New", "value", "Verified"]  # fmt: skip
    described = [line for line in lines if " description " in line]
    assert len(described) == 1
    assert "Priya Shah" in described[0]  # the person's name, not their id
    assert f"{device.replace('-', '')[-8:]} (this PC)" in described[0]
    assert f"actions {row.replace('-', '')[-8:]} HESCB/" in described[0]
    assert "Agree <the> estates & plan" in described[0]
    assert described[0].rstrip().endswith("unpublished")
    assert lines[-1].endswith(" changes")


def test_audit_csv_has_a_header_row_and_every_change(board: tuple[Path, str, str]) -> None:
    data, row, _ = board
    result = _audit(data, "--csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    assert tuple(rows[0]) == CSV_HEADER
    with sqlite3.connect(data / "hescb.sqlite") as conn:
        (count,) = conn.execute("SELECT count(*) FROM change_log").fetchone()
    conn.close()
    assert len(rows) == count + 1
    mine = [r for r in rows if r[5] == row and r[7] == "description"]
    assert mine == [[mine[0][0], "Priya Shah", "", mine[0][3], "actions", row, mine[0][6],
                     "description", "Agree <the> estates & plan", "unpublished"]]  # fmt: skip
    assert datetime.fromisoformat(mine[0][0]).date() == TODAY


def test_a_range_without_changes_is_empty_not_an_error(board: tuple[Path, str, str]) -> None:
    data, _, _ = board
    result = run("--data-dir", data, "audit", "--from", "2020-01-01", "--to", "2020-01-31",
                 "--csv")  # fmt: skip
    assert result.returncode == 0
    assert result.stdout.removeprefix("\ufeff").splitlines() == [",".join(CSV_HEADER)]


def test_audit_pdf_reads_back_and_renders(board: tuple[Path, str, str], tmp_path: Path) -> None:
    data, _, _ = board
    out = tmp_path / "trail.pdf"
    result = _audit(data, "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"audit: {out} written, ")
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert f"Audit trail, {TODAY:%d %B %Y}" in text
    assert "Priya Shah" in text and "Agree <the> estates & plan" in text
    assert "Zofia Łukasik-Ząbek" in text  # not ASCII: a Paragraph in the DejaVu font
    assert "OFFICIAL" in text and "unpublished: " in text
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", out, png], check=True)
    assert next(tmp_path.glob("page*.png")).stat().st_size > 5000


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (("--from", "2026-13-01", "--to", "2026-12-01"), ("--from", "2026-13-01", "not a date")),
        (("--from", "2026-12-01", "--to", "yesterday"), ("--to", "'yesterday'", "not a date")),
        (("--from", "2026-12-05", "--to", "2026-12-01"), ("--from 2026-12-05 is after --to")),
        (("--from", "2026-12-01"), ("--to",)),
        (("--from", "2026-12-01", "--to", "2026-12-02", "-o", "x.txt"), ("x.txt", ".pdf or .csv")),
    ],
)
def test_audit_refuses_bad_input_with_one_line(
    board: tuple[Path, str, str], extra: tuple[str, ...], words: tuple[str, ...]
) -> None:
    data, _, _ = board
    assert_refused(run("--data-dir", data, "audit", *extra), *words)


def test_audit_without_a_database_is_refused(tmp_path: Path) -> None:
    result = run("--data-dir", tmp_path / "none", "audit", "--from", "2026-12-01",
                 "--to", "2026-12-02")  # fmt: skip
    assert_refused(result, "no database", "init")
    assert not (tmp_path / "none").exists()


# ---------------------------------------------------------------------- selftest
def test_selftest_fails_naming_a_field_edited_in_the_file(board: tuple[Path, str, str]) -> None:
    data, row, _ = board
    assert run("--data-dir", data, "selftest").returncode == 0
    with sqlite3.connect(data / "hescb.sqlite") as conn:
        conn.execute("UPDATE actions SET description = 'Forged' WHERE id = ?", (row,))
    conn.close()
    result = run("--data-dir", data, "selftest")
    assert result.returncode == 1
    assert (
        f'selftest: actions row {row}, field description: the table holds "Forged" but the '
        'change log says "Agree <the> estates & plan"'
    ) in result.stderr.splitlines()
    assert "selftest: FAILED: the tables disagree with the change log in 1 place" in result.stderr
    assert "Traceback" not in result.stderr


def test_selftest_fails_when_a_signed_change_is_rewritten_as_the_chief_constable(
    board: tuple[Path, str, str],
) -> None:
    data, row, _ = board
    ctx = open_context(data)
    try:
        _sign_own_range(ctx)
    finally:
        ctx.close()
    assert run("--data-dir", data, "selftest").returncode == 0
    with sqlite3.connect(data / "hescb.sqlite") as conn:
        conn.execute("UPDATE actions SET created_by = 'Chief Constable', updated_by ="
                     " 'Chief Constable' WHERE id = ?", (row,))  # fmt: skip
        conn.execute("UPDATE change_log SET user = 'Chief Constable' WHERE row_id = ?", (row,))
        conn.execute("UPDATE change_log SET value = '\"Chief Constable\"' WHERE row_id = ? AND"
                     " column_name IN ('created_by', 'updated_by')", (row,))  # fmt: skip
    conn.close()
    result = run("--data-dir", data, "selftest")
    assert result.returncode == 1, result
    assert "the change log was rewritten after signing" in result.stderr
    assert "selftest: FAILED: the change log was changed after it was signed" in result.stderr
    trail = _audit(data, "--csv")
    rows = list(csv.reader(io.StringIO(trail.stdout.removeprefix("\ufeff"))))
    assert {r[-1] for r in rows[1:]} == {"FAILED"}  # the one signed range covers them all
    pdf = data.parent / "failed.pdf"
    assert _audit(data, "-o", pdf).returncode == 0
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "FAILED: " in text and "Chief Constable" in text
