"""`hescb-desktop chase --out DIR [--today] [--days]` (issue 18, points 6 and 7): the drafts,
invitations and chase list written, one line per kind of file and the summary; every refusal
one line on stderr and exit 2, never a traceback. In this process (fast), and once as a real
subprocess."""

from __future__ import annotations

import email
import email.policy
import os
import stat
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from io import BytesIO
from pathlib import Path

import icalendar
import pytest
from pypdf import PdfReader

from hescb_desktop.cli import main as cli_main
from hescb_desktop.domain.timezones import LONDON
from hescb_desktop.services import actions, crud, meetings
from hescb_desktop.services.context import open_context
from hescb_desktop.services.entities import PEOPLE

TODAY = date(2026, 12, 7)
SIAN = "Siân Ó Dálaigh"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A board with two people chased (one without an address) and one meeting next week."""
    folder = tmp_path / "data"
    ctx = open_context(folder)
    try:
        sian = crud.create(
            ctx.uow(), PEOPLE, {"name": SIAN, "email": "sian@herts.example"}
        ).value.id
        ravi = crud.create(ctx.uow(), PEOPLE, {"name": "CON"}).value.id  # a reserved name
        for text, owner, days in (
            ("Circulate the drone protocol – £40k", sian, -3),
            ("Report on joint training", sian, 2),
            ("Book the fire HQ", ravi, 5),
            ("Estates business case", ravi, 40),
        ):
            actions.new_action(
                ctx.uow(),
                description=text,
                owner_id=owner,
                due=TODAY + timedelta(days=days),
                raised_on=date(2026, 10, 1),
            )
        start = datetime.combine(TODAY + timedelta(days=3), time(10), LONDON)
        meetings.create_meeting(
            ctx.uow(),
            title="Board meeting",
            start=start,
            end=start + timedelta(hours=2),
            chair_id=sian,
            clerk_id=sian,
        )
    finally:
        ctx.close()
    return folder


def _chase(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli_main([*map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def _refused(code: int, err: str, *words: str) -> None:
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("hescb-desktop: error: ")
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0]


def test_chase_writes_the_drafts_invitations_and_list(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "new"  # made, parents too
    code, stdout, err = _chase(
        capsys, "--data-dir", data, "chase", "--out", out, "--today", TODAY.isoformat()
    )
    assert code == 0, err
    assert stdout.splitlines() == [
        f"chase: 2 draft e-mails in {out} (1 without an e-mail address: To left empty)",
        f"chase: 1 meeting invitation in {out / 'invitations'}",
        f"chase: chase list {out / 'chase-list.pdf'}",
        "chase: 1 action overdue, 2 due this week",
    ]
    assert {p.name for p in out.glob("*.eml")} == {"_CON.eml", f"{SIAN}.eml"}
    msg = email.message_from_bytes((out / f"{SIAN}.eml").read_bytes(), policy=email.policy.default)
    assert msg["X-Unsent"] == "1"
    assert msg["To"].addresses[0].display_name == SIAN
    assert msg["Subject"] == "HESCB: 1 action overdue, 1 due this week"
    body = msg.get_body(("plain",))
    assert body is not None
    assert "Circulate the drone protocol – £40k" in body.get_content()
    assert "due Fri 4 December 2026 (overdue by 3 days)" in body.get_content()
    (ics,) = (out / "invitations").glob("*.ics")
    assert ics.name == "HESCB-2026-12-10.ics"
    cal = icalendar.Calendar.from_ical(ics.read_bytes())
    assert str(cal["METHOD"]) == "REQUEST"
    (event,) = cal.walk("VEVENT")
    attendee = event["ATTENDEE"]
    assert attendee.params["CN"] == SIAN
    pdf = PdfReader(BytesIO((out / "chase-list.pdf").read_bytes()))
    text = " ".join(" ".join((p.extract_text() or "") for p in pdf.pages).split())
    assert "1 action overdue, 2 due this week" in text
    assert "no e-mail address" in text


def test_days_chooses_the_meetings(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, _ = _chase(
        capsys, "--data-dir", data, "chase", "--out", tmp_path / "o", "--today", "2026-12-07",
        "--days", "2",
    )  # fmt: skip
    assert code == 0
    assert "chase: 0 meeting invitations in" in stdout


def test_nothing_due_says_so(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, _ = _chase(
        capsys, "--data-dir", data, "chase", "--out", tmp_path / "o", "--today", "2025-01-01"
    )
    assert code == 0
    assert stdout.splitlines()[0].startswith("chase: 0 draft e-mails")
    assert stdout.splitlines()[-1] == "chase: nothing due this week"
    assert (tmp_path / "o" / "chase-list.pdf").is_file()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--today", "7/12/2026"), ("--today", "not a date")),
        (("--days", "-1"), ("--days",)),
        (("--days", "many"), ("--days",)),
    ],
)
def test_bad_arguments_are_one_line(
    data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    words: tuple[str, ...],
) -> None:
    code, _, err = _chase(capsys, "--data-dir", data, "chase", "--out", tmp_path / "o", *args)
    _refused(code, err, *words)
    assert not (tmp_path / "o").exists()


def test_a_file_as_out_is_refused(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "a-file"
    target.write_text("keep")
    code, _, err = _chase(capsys, "--data-dir", data, "chase", "--out", target)
    _refused(code, err, "is a file")
    assert target.read_text() == "keep"


def test_the_data_folder_is_never_written(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(p.name for p in data.iterdir())
    for out in (data, data / "drafts"):
        code, _, err = _chase(capsys, "--data-dir", data, "chase", "--out", out)
        _refused(code, err, "data folder")
    assert sorted(p.name for p in data.iterdir()) == before


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_folder_that_cannot_be_written_is_refused(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        code, _, err = _chase(capsys, "--data-dir", data, "chase", "--out", locked / "o")
        _refused(code, err, "cannot write")
    finally:
        locked.chmod(stat.S_IRWXU)


def test_a_folder_under_a_file_is_refused(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-file").write_text("keep")
    code, _, err = _chase(capsys, "--data-dir", data, "chase", "--out", tmp_path / "a-file" / "o")
    _refused(code, err, "cannot write")


def test_no_database_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _chase(capsys, "--data-dir", tmp_path / "none", "chase", "--out", tmp_path)
    _refused(code, err, "no database")


def test_help_says_which_meetings(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = _chase(capsys, "chase", "--help")
    assert code == 0
    flat = " ".join(stdout.split())
    assert "--out DIR" in flat
    assert "not yet held" in flat
    assert "Nothing is sent" in flat


@pytest.mark.slow
def test_as_a_real_process_a_file_as_out_is_one_line(data: Path, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("keep")
    env = {k: v for k, v in os.environ.items() if k != "HESCB_DATA_DIR"}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "hescb_desktop", "--data-dir", str(data), "chase", "--out",
         str(target)],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
