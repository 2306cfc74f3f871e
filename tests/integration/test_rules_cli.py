"""The rules on the command line (issue 15, point 2): a change the person may not make is one
line on stderr, exit 2, and nothing is written. Real subprocesses on a real data folder whose
database says who this PC's person is (as the trust layer writes it)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from test_cli import assert_refused, run

from hescb_desktop.domain.permissions import Identity, Role
from hescb_desktop.services import actions, crud, meetings
from hescb_desktop.services.context import open_context
from hescb_desktop.services.entities import PEOPLE
from hescb_desktop.storage.identity import write_identity

pytestmark = pytest.mark.slow
LONDON = ZoneInfo("Europe/London")
TODAY = date.today()
ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:rules-1@test\r
DTSTAMP:20260301T090000Z\r
DTSTART:20260312T140000Z\r
DTEND:20260312T150000Z\r
SUMMARY:Diary\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture
def board(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    data = tmp_path / "data"
    assert run("--data-dir", data, "init").returncode == 0
    ctx = open_context(data)
    ids = {n: crud.create(ctx.uow(), PEOPLE, {"name": n}).value.id for n in ("Officer", "Other")}
    start = datetime.combine(TODAY, datetime.min.time(), LONDON).replace(hour=10)
    meetings.create_meeting(ctx.uow(), title="Board", start=start, end=start + timedelta(hours=2))
    for name in ("Officer", "Other"):
        ids[f"ref {name}"] = actions.new_action(
            ctx.uow(), description=f"{name}'s", owner_id=ids[name], due=None
        ).value.reference
    ctx.close()
    return data, ids


def be(data: Path, role: Role, person: str) -> None:
    ctx = open_context(data)
    write_identity(ctx.engine, "root-fp", Identity(person, "", role, "tester"))
    ctx.close()


def changes(data: Path) -> int:
    ctx = open_context(data)
    with ctx.engine.connect() as conn:
        count = int(conn.execute(text("SELECT count(*) FROM change_log")).scalar_one())
    ctx.close()
    return count


def test_an_officer_is_refused_in_one_line_and_nothing_is_written(
    board: tuple[Path, dict[str, str]],
) -> None:
    data, ids = board
    be(data, Role.OFFICER, ids["Officer"])
    before = changes(data)
    meeting = json.loads(run("--data-dir", data, "meetings", "--json").stdout)[0]["ref"]
    refusals = {
        ("actions", "add", "--description", "x", "--owner", "Officer", "--due", "2030-01-01"): (
            "Only the secretariat may create actions."
        ),
        ("actions", "update", ids["ref Other"], "--status", "in_progress"): (
            "An officer records progress only on actions that they or their principal own"
        ),
        ("publish-pack", meeting): "Only the secretariat may publish board packs.",
    }
    for args, words in refusals.items():
        assert_refused(run("--data-dir", data, *args), words)
    assert changes(data) == before
    # their own action: allowed, and recorded as them
    done = run("--data-dir", data, "actions", "update", ids["ref Officer"], "--note", "On it")
    assert done.returncode == 0, done.stderr
    assert changes(data) > before


def test_a_viewer_may_not_import_a_diary(
    board: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    data, ids = board
    be(data, Role.VIEWER, ids["Other"])
    ics = tmp_path / "diary.ics"
    ics.write_text(ICS, encoding="utf-8")
    before = changes(data)
    assert_refused(run("--data-dir", data, "import-ics", ics), "A viewer reads only")
    assert changes(data) == before
    # reading is still everyone's
    assert run("--data-dir", data, "actions", "list", "--json").returncode == 0
