"""A meeting's deadlines and each body's rule (issue 18, points 2 and 7): the rule is board data
the secretariat sets, it syncs, every PC counts the same dates; `deadlines` on the command line
(scriptable and stable) with clean errors; the table arrives by migration 0020."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from schema_history import downgrade
from test_cli import assert_refused, run
from trusted_office import TrustedOffice

from hescb_desktop.domain.deadlines import DeadlineRule
from hescb_desktop.domain.permissions import NotAllowedError
from hescb_desktop.services import crud, deadlines, meetings
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.storage.database import current_revision, head_revision, open_database
from hescb_desktop.storage.models import DeadlineRule as RuleRow

pytestmark = pytest.mark.slow


def meeting(ctx: ServiceContext, body: str, start: datetime) -> str:
    made = meetings.create_meeting(
        ctx.uow(), title=f"{body} meeting", start=start, end=start + timedelta(hours=2),
        body=body, standard_agenda=False,
    )  # fmt: skip
    return made.value.id


# 10:00 London: Tue 12 May 2026 (BST, 09:00 UTC) and Thu 28 May 2026 (after the Spring bank
# holiday, Mon 25 May)
HESCB_MAY = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)
JESG_MAY = datetime(2026, 5, 28, 9, 0, tzinfo=UTC)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[TrustedOffice]:
    board = TrustedOffice(tmp_path)
    root = board.pc("root")
    crud.create(root.uow(), E.PEOPLE, {"name": "Olive Officer"})
    board.sync("root")
    board.add("officer", "Olive Officer", "officer")
    board.settle()
    yield board
    board.close()


def as_pc(name: str) -> None:
    os.environ["HESCB_TEST_ACCOUNT"] = f"acct-{name}"


def test_a_rule_set_on_one_pc_syncs_and_every_pc_counts_the_same_dates(
    office: TrustedOffice,
) -> None:
    as_pc("root")
    root = office.pc("root")
    jesg = meeting(root, "JESG", JESG_MAY)
    found = deadlines.deadlines_for(root.uow(write=False), meetings.get_meeting(root.uow(), jesg))
    assert found.rule.default
    # Thu 28 May: Wed 27, Tue 26, (Mon 25 holiday), Fri 22, Thu 21, Wed 20: despatch Tue 19 May
    assert found.deadlines.despatch == date(2026, 5, 19)
    done = deadlines.set_rule(root.uow(), "jesg", clear_days_are_working_days=False)
    assert done.changes.touches("deadline_rules") and done.changes.tx is not None
    assert done.changes.kinds == {"meeting"}  # pages showing meetings refresh
    assert (done.value.body, done.value.default) == ("JESG", False)  # named as its meetings
    assert done.value.set_by == "Sally Secretariat"
    office.settle()
    as_pc("officer")
    officer = office.pc("officer")
    seen = deadlines.rule_for(officer.uow(write=False), "JESG")
    assert seen.rule == DeadlineRule("JESG", clear_days_are_working_days=False)
    assert not seen.default and seen.set_by == "Sally Secretariat"
    there = deadlines.deadlines_for(
        officer.uow(write=False), meetings.get_meeting(officer.uow(), jesg)
    )
    # in calendar days: 28 - 6 = Fri 22 May (clear 23, 24, 25, 26, 27)
    assert there.deadlines.despatch == date(2026, 5, 22)
    with pytest.raises(NotAllowedError, match="secretariat may edit meetings"):
        deadlines.set_rule(officer.uow(), "JESG", despatch_clear_days=10)
    # a modified app writing a rule as the officer: refused by every PC on merge
    with office.modified_app("officer") as uow:
        row = uow.session.get(RuleRow, deadlines.rule_id("JESG"))
        assert row is not None
        row.despatch_clear_days = 1
        uow.commit()
    office.settle()
    as_pc("root")
    assert deadlines.rule_for(root.uow(write=False), "JESG").rule.despatch_clear_days == 5
    assert any(r[0] == "deadline_rules" for r in office.refused("root"))
    # two PCs setting the same body's rule meet in one row (its id comes from the body)
    assert office.rows("root", "SELECT count(*) FROM deadline_rules") == [(1,)]


def test_the_gui_undo_takes_a_rule_back(tmp_path: Path) -> None:
    from hescb_desktop.services.undo import undo

    ctx = open_context(tmp_path / "pc")
    try:
        done = deadlines.set_rule(ctx.uow(), "HESCB", final_working_days=5)
        assert deadlines.rule_for(ctx.uow(write=False), "HESCB").rule.final_working_days == 5
        assert done.changes.tx is not None
        undo(ctx.uow(), done.changes.tx, label="set the deadline rule")
        again = deadlines.rule_for(ctx.uow(write=False), "HESCB")
        assert again.default and again.rule == DeadlineRule("HESCB")
        rules = deadlines.rules(ctx.uow(write=False))
        assert [r.body for r in rules] == ["HESCB"]
    finally:
        ctx.close()


@pytest.fixture
def board(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    ctx = open_context(data)
    try:
        meeting(ctx, "HESCB", HESCB_MAY)
        meeting(ctx, "JESG", JESG_MAY)
    finally:
        ctx.close()
    return data


def test_the_deadlines_command(board: Path) -> None:
    data = board
    text = run("--data-dir", data, "deadlines", "HESCB/2026-05-12", "--on", "2026-04-20")
    assert text.returncode == 0, text.stderr
    lines = [line.split("\t") for line in text.stdout.splitlines()]
    assert lines[0][:3] == ["meeting", "HESCB/2026-05-12", "2026-05-12"]
    assert lines[1][:2] == ["rule", "HESCB"] and lines[1][-1] == "default"
    # Tue 12 May 2026, counted by hand in tests/unit/test_deadlines.py; from Mon 20 Apr
    assert [line[:4] for line in lines[2:]] == [
        ["key_decision_notice", "2026-04-13", "-7", "missed"],
        ["drafts", "2026-04-14", "-6", "missed"],
        ["final_papers", "2026-04-28", "8", "open"],
        ["despatch", "2026-05-01", "11", "open"],
    ]
    got = run("--data-dir", data, "deadlines", "next", "--on", "2026-05-13", "--json")
    assert got.returncode == 0, got.stderr
    said = json.loads(got.stdout)
    assert set(said) == {"meeting", "on", "rule", "deadlines"}
    assert set(said["meeting"]) == {"id", "reference", "title", "body", "date", "start"}
    assert (said["meeting"]["reference"], said["meeting"]["date"]) == (
        "JESG/2026-05-28",
        "2026-05-28",
    )
    assert set(said["rule"]) == {
        "body", "despatch_clear_days", "clear_days_are_working_days", "final_working_days",
        "draft_working_days", "key_decision_clear_days", "default", "set_by", "set_at",
    }  # fmt: skip
    assert [set(d) for d in said["deadlines"]] == [
        {"name", "label", "date", "days_left", "missed"}
    ] * 4
    despatch = said["deadlines"][-1]
    assert (despatch["name"], despatch["date"], despatch["days_left"], despatch["missed"]) == (
        "despatch", "2026-05-19", 6, False
    )  # fmt: skip
    # the secretariat's rule, in calendar days: despatch Fri 22 May for Thu 28 May
    done = run(
        "--data-dir", data, "deadlines", "set-rule", "JESG", "--calendar-days",
        "--final-working-days", "2", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rule = json.loads(done.stdout)
    assert (rule["clear_days_are_working_days"], rule["final_working_days"]) == (False, 2)
    after = run("--data-dir", data, "deadlines", "JESG/2026-05-28", "--on", "2026-05-28")
    assert "despatch\t2026-05-22\t-6\tmissed\t" in after.stdout
    assert "\nrule\tJESG\t5 clear calendar days;" in after.stdout
    listed = run("--data-dir", data, "deadlines", "rules")
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["HESCB", "JESG"]
    assert listed.stdout.splitlines()[1].split("\t")[-1].startswith("set by ")
    # bad input: one line on stderr, exit 2, nothing changed
    assert_refused(
        run("--data-dir", data, "deadlines", "next", "--on", "2026-05-29"),
        "there is no meeting on or after 2026-05-29",
    )
    assert_refused(run("--data-dir", data, "deadlines", "HESCB/2026-05-13"), "no meeting on")
    assert_refused(run("--data-dir", data, "deadlines", "2026-13-01"), "not a real date")
    assert_refused(run("--data-dir", data, "deadlines", "the board"), "not a meeting reference")
    assert_refused(run("--data-dir", data, "deadlines"), "which meeting?")
    assert_refused(
        run("--data-dir", data, "deadlines", "next", "--final-working-days", "2"),
        "does not take --final-working-days",
    )
    assert_refused(
        run("--data-dir", data, "deadlines", "set-rule", "JESG", "--despatch-clear-days", "0"),
        "1 to 60",
    )
    assert_refused(run("--data-dir", data, "deadlines", "set-rule", "JESG"), "nothing to set")
    assert_refused(run("--data-dir", data, "deadlines", "next", "--on", "2026-02-30"), "not a date")
    again = run("--data-dir", data, "deadlines", "rules", "--json")
    kept = json.loads(again.stdout)["rules"][1]
    assert (kept["despatch_clear_days"], kept["clear_days_are_working_days"]) == (5, False)
    helped = run("--data-dir", data, "deadlines", "--help")
    assert "key_decision_notice" in helped.stdout and "set-rule BODY" in helped.stdout


def test_migration_0020_adds_the_table_to_a_board_from_0019(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ctx = open_context(data)
    meeting(ctx, "HESCB", HESCB_MAY)
    path = ctx.db_path
    ctx.close()
    assert path is not None
    copy = tmp_path / "old" / "hescb.sqlite"
    copy.parent.mkdir()
    shutil.copy2(path, copy)
    downgrade(copy, "0019")
    conn = sqlite3.connect(copy)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "deadline_rules" not in tables and "meetings" in tables
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0019",)]
    finally:
        conn.close()
    engine = open_database(copy)
    try:
        assert current_revision(engine) == head_revision() >= "0020"
    finally:
        engine.dispose()
    upgraded = open_context(copy.parent)
    try:
        deadlines.set_rule(upgraded.uow(), "HESCB", despatch_clear_days=10)
        assert deadlines.rule_for(upgraded.uow(write=False), "HESCB").rule.despatch_clear_days == 10
        assert len(meetings.list_meetings(upgraded.uow(write=False))) == 1
    finally:
        upgraded.close()
