"""`copies` run as real subprocesses on a real board (issue 16, point 3): the register as lines
and JSON, issue writing one PDF a copy, return and destroy, the register PDF; every refusal one
line on stderr and exit 2, with nothing recorded and nothing written."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pack_data import Board, build_board
from pypdf import PdfReader
from test_cli import assert_refused, run

from hescb_desktop.services.context import open_context

pytestmark = pytest.mark.slow
LONDON = ZoneInfo("Europe/London")
KEYS = {
    "id",
    "meeting",
    "part",
    "number",
    "of_total",
    "issued_to",
    "issued_at",
    "returned_at",
    "destroyed_at",
    "state",
}


@pytest.fixture
def board(tmp_path: Path) -> tuple[Path, Board]:
    data = tmp_path / "data"
    ctx = open_context(data)
    try:
        built = build_board(ctx, hostile=False)
    finally:
        ctx.close()
    return data, built


def listed(data: Path, *args: str) -> list[dict[str, object]]:
    result = run("--data-dir", data, "copies", *args, "--json")
    assert result.returncode == 0, result.stderr
    value = json.loads(result.stdout)
    assert isinstance(value, list)
    return value


def text_of(path: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_issue_list_return_destroy_and_print_the_register(
    board: tuple[Path, Board], tmp_path: Path
) -> None:
    data, _ = board
    out = tmp_path / "copies"
    out.mkdir()
    assert run("--data-dir", data, "copies").stdout == ""
    assert listed(data) == []
    result = run(
        "--data-dir", data, "copies", "issue", "HESCB/2026-03-12", "--part", "2",
        "--to", "Alex Chair, ACC R. Shah", "-o", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    names = [
        "HESCB-2026-03-12-Part-II-copy-01-of-02-Alex-Chair.pdf",
        "HESCB-2026-03-12-Part-II-copy-02-of-02-ACC-R-Shah.pdf",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    pages = len(PdfReader(out / names[1]).pages)
    assert lines == [
        f"copy 1 of 2 (Alex Chair): {out / names[0]} ({pages} pages)",
        f"copy 2 of 2 (ACC R. Shah): {out / names[1]} ({pages} pages)",
    ]
    for page in range(1, pages + 1):
        assert "Copy 2 of 2 – issued to ACC R. Shah" in text_of(out / names[1], page)
    # a second issue numbers on, with the new total
    result = run(
        "--data-dir", data, "copies", "issue", "2026-03-12", "--part", "2",
        "--to", "Ms K. Patel", "--to", "Sam Officer", "-o", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        "copy 3 of 4 (Ms K. Patel)",
        "copy 4 of 4 (Sam Officer)",
    ]
    items = listed(data, "HESCB/2026-03-12")
    assert all(set(item) == KEYS for item in items)
    assert [(i["number"], i["of_total"], i["part"], i["state"]) for i in items] == [
        (1, 2, "II", "issued"),
        (2, 2, "II", "issued"),
        (3, 4, "II", "issued"),
        (4, 4, "II", "issued"),
    ]
    assert items[1]["meeting"] == "HESCB/2026-03-12" and items[1]["issued_to"] == "ACC R. Shah"
    assert str(items[0]["issued_at"]).endswith("Z") and items[0]["returned_at"] is None

    result = run("--data-dir", data, "copies", "return", "HESCB/2026-03-12 II #2")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "copies: HESCB/2026-03-12 II #2 (ACC R. Shah) returned\n"
    result = run("--data-dir", data, "copies", "destroy", "HESCB/2026-03-12", "II", "2")
    assert result.returncode == 0, result.stderr
    copy_id = str(items[0]["id"])
    # --at is London time (a minute ahead: after the issue, within the clock's slack)
    at = (datetime.now(LONDON) + timedelta(minutes=1)).replace(second=0, microsecond=0)
    result = run("--data-dir", data, "copies", "destroy", copy_id, "--at", f"{at:%Y-%m-%d %H:%M}")
    assert result.returncode == 0, result.stderr
    items = listed(data)
    assert [i["state"] for i in items] == ["destroyed", "destroyed", "issued", "issued"]
    assert items[0]["destroyed_at"] == f"{at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
    assert items[1]["returned_at"] is not None and items[1]["destroyed_at"] is not None

    lines = run("--data-dir", data, "copies").stdout.splitlines()
    assert [line.split("\t")[:4] for line in lines] == [
        ["HESCB/2026-03-12 II #1", "1 of 2", "Alex Chair", "destroyed"],
        ["HESCB/2026-03-12 II #2", "2 of 2", "ACC R. Shah", "destroyed"],
        ["HESCB/2026-03-12 II #3", "3 of 4", "Ms K. Patel", "issued"],
        ["HESCB/2026-03-12 II #4", "4 of 4", "Sam Officer", "issued"],
    ]
    assert all(len(line.split("\t")) == 7 for line in lines)

    register = tmp_path / "register.pdf"
    result = run("--data-dir", data, "copies", "register", "2026-03-12", "-o", register)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"copies register: {register} (1 pages)\n"
    text = text_of(register, 1).replace("\xa0", " ")
    for name in ("Alex Chair", "ACC R. Shah", "Ms K. Patel", "Sam Officer"):
        assert name in text
    assert text.count("destroyed") >= 2 and "OFFICIAL-SENSITIVE" in text


def test_refusals_are_one_line_and_change_nothing(
    board: tuple[Path, Board], tmp_path: Path
) -> None:
    data, _ = board
    out = tmp_path / "copies"
    out.mkdir()
    result = run(
        "--data-dir", data, "copies", "issue", "2026-03-12", "--part", "2", "--to", "Alex Chair",
        "-o", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    run("--data-dir", data, "copies", "destroy", "2026-03-12 II 1")
    before, files = listed(data), sorted(out.iterdir())
    issue = ("copies", "issue", "2026-03-12")
    cases = [
        ((*issue, "--part", "1", "--to", "X", "-o", out), "no paper marked OFFICIAL-SENSITIVE"),
        ((*issue, "--part", "2", "--to", "A, a", "-o", out), "named twice"),
        ((*issue, "--part", "2", "--to", "A, ,B", "-o", out), "empty name"),
        ((*issue, "--to", "A", "-o", out), "--part"),
        ((*issue, "--part", "2", "-o", out), "--to"),
        ((*issue, "--part", "2", "--to", "A"), "-o DIR"),
        ((*issue, "--part", "2", "--to", "A", "-o", out / "no"), "does not exist"),
        ((*issue, "--part", "3", "--to", "A", "-o", out), "invalid choice"),
        (("copies", "issue", "2026-03-13", "--part", "2", "--to", "A", "-o", out), "no meeting"),
        (("copies", "return", "2026-03-12 II #1"), "a destroyed copy cannot be returned"),
        (("copies", "destroy", "2026-03-12 II #1"), "already destroyed"),
        (("copies", "return", "2026-03-12 II #7"), "no copy 7"),
        (("copies", "return"), "needs a COPY"),
        (("copies", "return", "2026-03-12 II #1", "--at", "soon"), "not a date"),
        (("copies", "return", "2026-03-12 II 1", "--json"), "does not take --json"),
        (("copies", "--part", "2"), "does not take --part"),
        (("copies", "2026-03-12", "2026-01-15"), "one MEETING_REF"),
        (("copies", "<b>&nbsp;"), "not a meeting reference"),
        (("copies", "register", "-o", tmp_path / "nowhere" / "r.pdf"), "does not exist"),
        (("copies", "register"), "-o FILE"),
    ]
    for args, words in cases:
        assert_refused(run("--data-dir", data, *args), words)
    assert listed(data) == before
    assert sorted(out.iterdir()) == files  # no PDF, no staged file left behind
