"""`actions list|add|update` and `meetings` as real subprocesses, bad input included."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_cli import assert_refused, run

from hescb_desktop.paths import DB_FILENAME
from hescb_desktop.services import crud, meetings
from hescb_desktop.services.context import open_context
from hescb_desktop.services.entities import ORGANISATIONS, PEOPLE

pytestmark = pytest.mark.slow
LONDON = ZoneInfo("Europe/London")
TODAY = date.today()


@pytest.fixture
def board(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    assert run("--data-dir", data, "init").returncode == 0
    ctx = open_context(data)
    org = crud.create(ctx.uow(), ORGANISATIONS, {"code": "HFRS", "name": "Fire"}).value.id
    crud.create(ctx.uow(), PEOPLE, {"name": "Sam Patel", "organisation_id": org})
    crud.create(ctx.uow(), PEOPLE, {"name": "Zoë Łukasz", "organisation_id": org})
    start = datetime.combine(TODAY, datetime.min.time(), LONDON).replace(hour=10)
    meetings.create_meeting(ctx.uow(), title="Board", start=start, end=start + timedelta(hours=2))
    ctx.close()
    return data


def actions(data: Path, *args: str) -> list[dict[str, object]]:
    result = run("--data-dir", data, "actions", "list", "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def db_hash(data: Path) -> str:
    return hashlib.sha256((data / DB_FILENAME).read_bytes()).hexdigest()


def test_add_update_close_and_list(board: Path) -> None:
    text = "Circulate <protocol> & fleet plan 🚒 — مرحبا"
    due = (TODAY + timedelta(days=5)).isoformat()
    added = run(
        "--data-dir",
        board,
        "actions",
        "add",
        "--description",
        text,
        "--owner",
        "sam patel",
        "--due",
        due,
    )
    assert added.returncode == 0, added.stderr
    ref = added.stdout.strip()
    assert ref == f"HESCB/{TODAY.year}/001"
    [row] = actions(board)
    assert (row["description"], row["owner"], row["organisation"]) == (text, "Sam Patel", "HFRS")
    assert row["due_date"] == due and row["status"] == "open"

    later = (TODAY + timedelta(days=20)).isoformat()
    revised = run(
        "--data-dir", board, "actions", "update", ref, "--due", later, "--reason", "Supplier late"
    )
    assert revised.returncode == 0, revised.stderr
    [row] = actions(board)
    assert (row["due_date"], row["revised_due_date"]) == (due, later)
    assert row["revision_reason"] == "Supplier late"

    proposed = run(
        "--data-dir",
        board,
        "actions",
        "update",
        ref,
        "--status",
        "complete",
        "--note",
        "Sent to all chiefs",
    )
    assert proposed.returncode == 0 and "Complete (proposed for closure)" in proposed.stdout
    meeting_ref = f"HESCB/{TODAY.isoformat()}"
    listed = run("--data-dir", board, "meetings", "--json")
    assert json.loads(listed.stdout)[0]["ref"] == meeting_ref
    closed = run(
        "--data-dir",
        board,
        "actions",
        "update",
        ref,
        "--status",
        "closed",
        "--meeting",
        meeting_ref,
    )
    assert closed.returncode == 0, closed.stderr
    assert actions(board, "--status", "closed")[0]["reference"] == ref
    assert actions(board, "--status", "open") == []


def test_list_filters_and_formats(board: Path) -> None:
    for text, owner, days in (("late one", "Sam Patel", -3), ("later", "Zoë Łukasz", 9)):
        due = (TODAY + timedelta(days=days)).isoformat()
        # the CLI raises actions today: one raised a month ago (now overdue) is made directly
        ctx = open_context(board)
        from hescb_desktop.services import actions as svc

        people = {p.name: p.id for p in crud.list_all(ctx.uow(write=False), PEOPLE)}
        svc.new_action(
            ctx.uow(),
            description=text,
            owner_id=people[owner],
            due=date.fromisoformat(due),
            raised_on=TODAY - timedelta(days=30),
        )
        ctx.close()
    assert [r["description"] for r in actions(board, "--overdue")] == ["late one"]
    assert [r["description"] for r in actions(board, "--owner", "zoë łukasz")] == ["later"]
    plain = run("--data-dir", board, "actions", "list")
    assert plain.stdout.splitlines()[0].startswith(f"HESCB/{TODAY.year}/001\t")
    raw = run("--data-dir", board, "actions", "list", "--csv")
    assert raw.stdout.startswith("\ufeffReference,Date raised")
    rows = list(csv.DictReader(io.StringIO(raw.stdout.lstrip("\ufeff"))))
    assert rows[1]["Owner"] == "Zoë Łukasz"
    assert rows[1]["Due date (agreed)"] == (TODAY + timedelta(days=9)).isoformat()
    text = run("--data-dir", board, "meetings")
    assert text.returncode == 0 and text.stdout.startswith(
        f"HESCB/{TODAY.isoformat()}\t10:00-12:00"
    )


def test_bad_input_is_one_line_exit_2_and_changes_nothing(board: Path) -> None:
    due = (TODAY + timedelta(days=5)).isoformat()
    ok = run(
        "--data-dir",
        board,
        "actions",
        "add",
        "--description",
        "x",
        "--owner",
        "Sam Patel",
        "--due",
        due,
    )
    ref = ok.stdout.strip()
    before = db_hash(board)
    base = ("--data-dir", board, "actions")
    cases = [
        (
            (*base, "add", "--description", "  ", "--owner", "Sam Patel", "--due", due),
            "description is empty",
        ),
        ((*base, "add", "--description", "x", "--owner", "Nobody", "--due", due), "unknown owner"),
        (
            (*base, "add", "--description", "x", "--owner", "Sam Patel", "--due", "2001-01-01"),
            "before the date raised",
        ),
        (
            (*base, "add", "--description", "x", "--owner", "Sam Patel", "--due", "31/12/2026"),
            "is not a date",
        ),
        (
            (
                *base,
                "add",
                "--description",
                "x",
                "--owner",
                "Sam Patel",
                "--due",
                due,
                "--meeting",
                "HESCB/1999-01-01",
            ),
            "no meeting",
        ),
        ((*base, "update", ref, "--status", "closed"), "only an action proposed complete"),
        ((*base, "update", ref, "--due", due), "needs --reason"),
        ((*base, "update", ref, "--status", "finished"), "unknown action status"),
        ((*base, "update", "HESCB/2026/999", "--note", "x"), "no action"),
        ((*base, "update", "nonsense", "--note", "x"), "not an action reference"),
        ((*base, "update", ref), "nothing to change"),
        ((*base, "list", "--status", "bogus"), "unknown action status"),
        ((*base, "list", "--json", "--csv"), "not allowed with"),
        (("--data-dir", board, "meetings", "--bogus"), "unrecognized"),
    ]
    for args, words in cases:
        assert_refused(run(*args), words)
    assert db_hash(board) == before
    # closing outside a meeting, once proposed complete
    run(*base, "update", ref, "--status", "complete")
    before = db_hash(board)
    assert_refused(run(*base, "update", ref, "--status", "closed"), "agreed at a meeting")
    assert db_hash(board) == before


def test_no_database_is_refused(tmp_path: Path) -> None:
    assert_refused(run("--data-dir", tmp_path / "none", "actions", "list"), "init")
    assert_refused(run("--data-dir", tmp_path / "none", "meetings"), "init")
