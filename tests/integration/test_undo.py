"""Undo and redo (issue 17, point 3): each kind of edit undone and redone ends with the board's
export as before and after it; undo over another PC's later change leaves that field and says
who changed it; the command line's undo takes back its own changes, newest first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sync_office import Office, content
from test_cli import assert_refused, run

from hescb_desktop.domain.calendar import EventDraft
from hescb_desktop.domain.enums import ActionStatus, Part, Rag, RagDimension
from hescb_desktop.services import (
    actions,
    board,
    boardpacks,
    calendar,
    crud,
    meetings,
    minutes,
    papers,
    planning,
)
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.results import Changes, Result
from hescb_desktop.services.settings import UserSettings, save_settings
from hescb_desktop.services.undo import NothingToUndoError, undo
from hescb_desktop.storage.undo_journal import origin_set

# who last touched a row, and when: an undo is a change like any other, so these say it was
# made (the audit trail keeps every value); everything else must be as it was
TOUCHED = frozenset({"updated_at", "updated_by"})
START = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)


@dataclass
class Board:
    ctx: ServiceContext
    person: str
    objective: str
    meeting: str
    action: str
    paper: str
    event: str
    minute: str = ""


def _board(ctx: ServiceContext) -> Board:
    org = crud.create(ctx.uow(), E.ORGANISATIONS, {"code": "HFRS", "name": "Fire"}).value.id
    person = crud.create(ctx.uow(), E.PEOPLE, {"name": "Sam Patel", "organisation_id": org})
    objective = planning.create_objective(ctx.uow(), "Joint drone unit").value.id
    meeting = meetings.create_meeting(
        ctx.uow(), title="Board", start=START, end=START + timedelta(hours=2)
    ).value.id
    action = actions.new_action(
        ctx.uow(), description="Fleet plan", owner_id=person.value.id, due=date(2027, 1, 5)
    ).value.id
    paper = papers.create_paper(ctx.uow(), {"title": "Drones", "meeting_id": meeting}).value.id
    draft = EventDraft("Site visit", START + timedelta(days=1), START + timedelta(days=1, hours=1))
    event = calendar.create_event(ctx.uow(), draft).value.id
    return Board(ctx, person.value.id, objective, meeting, action, paper, event)


Edit = Callable[[Board], Result[Any]]


def _start_minutes(b: Board) -> None:
    b.minute = minutes.start_minutes(b.ctx.uow(), b.meeting).value[0].id


def _propose_closure(b: Board) -> None:
    change = actions.ActionChange(status=ActionStatus.COMPLETE, note="Done")
    actions.update_action(b.ctx.uow(), b.action, change)


def _last_stage(b: Board) -> str:
    return board.list_stages(b.ctx.uow(write=False))[-1].name


# what an edit needs done first (its own transactions, not undone)
PREPARE: dict[str, Callable[[Board], None]] = {
    "minute edit": _start_minutes,
    "action close": _propose_closure,
}


EDITS: dict[str, Edit] = {
    "event create": lambda b: calendar.create_event(
        b.ctx.uow(), EventDraft("Call", START, START + timedelta(minutes=30))
    ),
    "event move": lambda b: calendar.update_event(
        b.ctx.uow(),
        b.event,
        EventDraft("Site visit", START + timedelta(days=2), START + timedelta(days=2, hours=1)),
    ),
    "event edit": lambda b: calendar.update_event(
        b.ctx.uow(),
        b.event,
        EventDraft(
            "Site visit (moved)",
            START + timedelta(days=1),
            START + timedelta(days=1, hours=1),
            location="HQ",
        ),
    ),
    "objective stage move": lambda b: board.move_card(b.ctx.uow(), b.objective, _last_stage(b)),
    "RAG change": lambda b: planning.set_rag(
        b.ctx.uow(), b.objective, {RagDimension.TIME: Rag.AMBER, RagDimension.COST: Rag.RED}
    ),
    "milestone add": lambda b: (
        planning.save_milestone(
            b.ctx.uow(),
            {"objective_id": b.objective, "title": "Trial", "due_date": date(2027, 2, 1)},
        ).value
    ),
    "meeting edit": lambda b: meetings.update_meeting(
        b.ctx.uow(), b.meeting, {"title": "Extraordinary board"}
    ),
    "minute edit": lambda b: minutes.set_summary(b.ctx.uow(), b.minute, "Agreed, with a caveat"),
    "action create": lambda b: actions.new_action(
        b.ctx.uow(), description="Another", owner_id=b.person, due=date(2027, 3, 1)
    ),
    "action progress": lambda b: actions.update_action(
        b.ctx.uow(),
        b.action,
        actions.ActionChange(status=ActionStatus.IN_PROGRESS, note="Drafted"),
    ),
    "action close": lambda b: actions.update_action(
        b.ctx.uow(),
        b.action,
        actions.ActionChange(status=ActionStatus.CLOSED, at_meeting_id=b.meeting),
    ),
    "paper edit": lambda b: papers.update_paper(b.ctx.uow(), b.paper, {"title": "Drone unit"}),
    "pack change": lambda b: boardpacks.set_pack_options(
        b.ctx.uow(), b.meeting, Part.PART_I, distribution="Chiefs only"
    ),
}


def _export(ctx: ServiceContext) -> dict[str, list[dict[str, Any]]]:
    """The export's live rows: a row an undo took back stays as its tombstone (nothing is ever
    removed by a user action), so it is compared as absent, as it was before it was made."""
    tables: dict[str, list[dict[str, Any]]] = content(ctx)  # type: ignore[assignment]
    return {
        t: [
            {k: v for k, v in row.items() if k not in TOUCHED} for row in rows if not row["deleted"]
        ]
        for t, rows in tables.items()
    }


def _tx(changes: Changes) -> Any:
    assert changes.tx is not None, "the edit made no transaction"
    return changes.tx


@pytest.fixture
def made(tmp_path: Path) -> Board:
    ctx = open_context(tmp_path / "pc")
    yield _board(ctx)  # type: ignore[misc]
    ctx.close()


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_undo_then_redo_of_each_edit_restores_the_export(made: Board, kind: str) -> None:
    ctx = made.ctx
    PREPARE.get(kind, lambda b: None)(made)
    before = _export(ctx)
    edit = _tx(EDITS[kind](made).changes)
    after = _export(ctx)
    assert after != before
    undone = undo(ctx.uow(), edit, label=kind)
    assert undone.value.left == ()
    assert _export(ctx) == before
    redone = undo(ctx.uow(), _tx(undone.changes), label=kind)
    assert redone.value.left == ()
    assert _export(ctx) == after


def test_undo_of_a_creation_tombstones_it_and_redo_brings_it_back(made: Board) -> None:
    ctx = made.ctx
    created = crud.create(ctx.uow(), E.PEOPLE, {"name": "Zoë Łukasz"})
    row = created.value.id
    undone = undo(ctx.uow(), _tx(created.changes), label="Add Zoë").value
    assert undone.removed == (("people", row),)
    with pytest.raises(Exception, match="no person"):
        crud.get(ctx.uow(write=False), E.PEOPLE, row)
    redone = undo(ctx.uow(), undone.tx, label="Add Zoë").value  # type: ignore[arg-type]
    assert redone.restored and not redone.left
    assert crud.get(ctx.uow(write=False), E.PEOPLE, row).name == "Zoë Łukasz"


def test_undo_over_another_pcs_later_change_leaves_it_and_says_who(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    save_settings(a.uow(), UserSettings(display_name="A. Person"))
    save_settings(b.uow(), UserSettings(display_name="B. Person"))
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam", "role": "CFO", "email": "s@x"}).value
    office.settle()
    edit = crud.update(a.uow(), E.PEOPLE, person.id, {"role": "DCFO", "email": "sam@x"})
    office.settle()
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "ACFO"})  # later, on B
    office.settle()
    outcome = undo(a.uow(), _tx(edit.changes), label="Edit Sam").value
    [left] = outcome.left
    assert (left.column, left.by) == ("role", "B. Person")
    assert (
        left.reason.startswith("changed since by B. Person on ") and "left as it is" in left.reason
    )
    assert outcome.restored == (("people", person.id, "email"),)
    now = crud.get(a.uow(write=False), E.PEOPLE, person.id)
    assert (now.role, now.email) == ("ACFO", "s@x")
    with pytest.raises(NothingToUndoError, match=r"changed since by B\. Person"):
        undo(a.uow(), _tx(edit.changes), label="Edit Sam")  # nothing of it left to undo


def test_settings_are_not_in_the_change_log(made: Board) -> None:
    uow = made.ctx.uow()
    save_settings(uow, UserSettings(display_name="Clerk"))
    assert uow.tx is None  # local_state: undone by saving the replaced values (services.undo)


# ------------------------------------------------------------------ the command line
def test_cli_undo_takes_back_its_own_changes_newest_first(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run("--data-dir", data, "init").returncode == 0
    ctx = open_context(data)
    org = crud.create(ctx.uow(), E.ORGANISATIONS, {"code": "HFRS", "name": "Fire"}).value.id
    crud.create(ctx.uow(), E.PEOPLE, {"name": "Sam Patel", "organisation_id": org})
    ctx.close()
    due = (date.today() + timedelta(days=9)).isoformat()
    added = run(
        "--data-dir",
        data,
        "actions",
        "add",
        "--description",
        "Plan",
        "--owner",
        "sam patel",
        "--due",
        due,
    )
    assert added.returncode == 0, added.stderr
    ref = added.stdout.strip()
    noted = run("--data-dir", data, "actions", "update", ref, "--note", "Drafted")
    assert noted.returncode == 0, noted.stderr
    ctx = open_context(data)
    with origin_set("gui", "Edit Sam"):  # a change made in the app: never the CLI's to undo
        gui_edit = crud.create(ctx.uow(), E.PEOPLE, {"name": "Olive"})
    ctx.close()

    first = run("--data-dir", data, "undo", "--json")
    assert first.returncode == 0, first.stderr
    assert '"label": "actions update ' in first.stdout
    second = run("--data-dir", data, "undo")
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("undone: actions add ")
    assert "removed\tactions\t" in second.stdout
    assert_refused(run("--data-dir", data, "undo"), "nothing to undo")
    ctx = open_context(data)
    assert crud.get(ctx.uow(write=False), E.PEOPLE, gui_edit.value.id).name == "Olive"
    ctx.close()
    redone = run("--data-dir", data, "undo", "--redo")
    assert redone.returncode == 0 and redone.stdout.startswith("redone: actions add ")
