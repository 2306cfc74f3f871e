"""The rules inside the app (issue 15, point 2): every write path a person reaches is refused,
with the reason in words and nothing written, when their role does not allow it. A real SQLite
file; the board made protected by writing this PC's identity as the trust layer does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from hescb_desktop.domain.calendar import EventDraft
from hescb_desktop.domain.enums import ActionStatus, MinutesStatus, Part
from hescb_desktop.domain.errors import NotFoundError
from hescb_desktop.domain.permissions import Identity, NotAllowedError, Role
from hescb_desktop.services import (
    actions,
    board,
    boardpacks,
    crud,
    ical,
    meetings,
    minutes,
    opportunities,
    papers,
    planning,
)
from hescb_desktop.services import calendar as cal
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.actions import ActionChange
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import ORGANISATIONS, PEOPLE, RESOURCES
from hescb_desktop.storage.identity import write_identity
from hescb_desktop.storage.models import Action, Minute

LONDON = ZoneInfo("Europe/London")
D1, D2 = date(2026, 3, 12), date(2026, 6, 11)


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


@dataclass
class Board:
    ids: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.ids[key]


def be(ctx: ServiceContext, role: Role | None, person: str = "", acts_for: str = "") -> None:
    """This PC's person from now on (None: the board is not protected)."""
    if role is None:
        write_identity(ctx.engine, "", None)
        return
    who = Identity(person, person, role, "tester", frozenset({acts_for} - {""}))
    write_identity(ctx.engine, "root-fp", who)


def changes(ctx: ServiceContext) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM change_log")).scalar_one())


@pytest.fixture
def bd(ctx: ServiceContext) -> Board:
    """A board made before it was protected: people, two meetings with minutes, actions owned
    by the principal and by someone else, their diaries, a paper."""
    ids: dict[str, str] = {}
    ids["org"] = crud.create(ctx.uow(), ORGANISATIONS, {"code": "HFRS", "name": "Fire"}).value.id
    for name in ("secretary", "officer", "principal", "other", "viewer"):
        ids[name] = crud.create(ctx.uow(), PEOPLE, {"name": name.title()}).value.id
    ids["room"] = crud.create(ctx.uow(), RESOURCES, {"name": "Room", "kind": "room"}).value.id
    for key, day in (("m1", D1), ("m2", D2)):
        ids[key] = meetings.create_meeting(
            ctx.uow(), title="Board", start=at(day, 10), end=at(day, 12)
        ).value.id
    ids["minute"] = minutes.start_minutes(ctx.uow(), ids["m1"]).value[3].id
    minutes.start_minutes(ctx.uow(), ids["m2"])
    for key, owner in (("a_principal", "principal"), ("a_other", "other")):
        ids[key] = actions.new_action(
            ctx.uow(), description=f"{owner}'s action", owner_id=ids[owner], due=D2, raised_on=D1
        ).value.id
    for key, owner in (("e_officer", "officer"), ("e_other", "other")):
        draft = EventDraft(f"{owner}'s diary", at(D1, 14), at(D1, 15), owner_id=ids[owner])
        ids[key] = cal.create_event(ctx.uow(), draft).value.id
    ids["paper"] = papers.create_paper(ctx.uow(), {"title": "Estates", "meeting_id": ids["m1"]})
    ids["paper"] = ids["paper"].value.id  # the secretariat's (made before protection)
    ids["item"] = meetings.agenda(ctx.uow(write=False), ids["m1"])[4].item.id
    return Board(ids)


def _draft(b: Board, owner: str) -> EventDraft:
    return EventDraft("New", at(D1, 16), at(D1, 17), owner_id=b[owner])


# every write a person reaches, by service: (name, call)
WRITES: list[tuple[str, Callable[[ServiceContext, Board], Any]]] = [
    ("raise an action", lambda c, b: actions.new_action(
        c.uow(), description="x", owner_id=b["viewer"], due=None)),
    ("progress an action", lambda c, b: actions.update_action(
        c.uow(), b["a_principal"], ActionChange(status=ActionStatus.IN_PROGRESS))),
    ("add an action update", lambda c, b: actions.add_update(c.uow(), b["a_other"], "note")),
    ("create an event", lambda c, b: cal.create_event(c.uow(), _draft(b, "viewer"))),
    ("edit an event", lambda c, b: cal.update_event(c.uow(), b["e_other"], _draft(b, "other"))),
    ("delete an event", lambda c, b: cal.delete_event(c.uow(), b["e_other"])),
    ("create a meeting", lambda c, b: meetings.create_meeting(
        c.uow(), title="x", start=at(D2, 9), end=at(D2, 10))),
    ("edit a meeting", lambda c, b: meetings.update_meeting(c.uow(), b["m1"], {"title": "y"})),
    ("add an agenda item", lambda c, b: meetings.add_item(c.uow(), b["m2"], {"title": "x"})),
    ("edit an agenda item", lambda c, b: meetings.update_item(c.uow(), b["item"], {"title": "y"})),
    ("remove an agenda item", lambda c, b: meetings.remove_item(c.uow(), b["item"])),
    ("record attendance", lambda c, b: meetings.set_attendance(
        c.uow(), b["m1"], b["viewer"], None)),
    ("write a minute", lambda c, b: minutes.set_summary(c.uow(), b["minute"], "x")),
    ("add a decision", lambda c, b: minutes.add_decision(c.uow(), b["minute"], "That x")),
    ("approve minutes", lambda c, b: minutes.approve_minutes(
        c.uow(), b["m1"], at_meeting_id=b["m2"])),
    ("propose a paper", lambda c, b: papers.create_paper(c.uow(), {"title": "x"})),
    ("edit a paper", lambda c, b: papers.update_paper(c.uow(), b["paper"], {"title": "y"})),
    ("set pack options", lambda c, b: boardpacks.set_pack_options(
        c.uow(), b["m1"], Part.PART_I, distribution="x")),
    ("publish a pack", lambda c, b: boardpacks.publish_pack(c.uow(), b["m1"])),
    ("create an objective", lambda c, b: planning.create_objective(c.uow(), "x")),
    ("add a board stage", lambda c, b: board.add_stage(c.uow(), "x")),
    ("raise an opportunity", lambda c, b: opportunities.raise_opportunity(
        c.uow(), {"title": "x"})),
    ("add a person", lambda c, b: crud.create(c.uow(), PEOPLE, {"name": "x"})),
    ("rename an organisation", lambda c, b: crud.update(
        c.uow(), ORGANISATIONS, b["org"], {"name": "y"})),
    ("resolve a conflict", lambda c, b: sync_service.resolve_conflict(c, "x", use_other=False)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "write"), WRITES, ids=[w[0] for w in WRITES])
def test_a_viewer_is_refused_everywhere_and_nothing_is_written(
    ctx: ServiceContext, bd: Board, name: str, write: Callable[[ServiceContext, Board], Any]
) -> None:
    be(ctx, Role.VIEWER, bd["viewer"])
    before = changes(ctx)
    with pytest.raises(NotAllowedError, match=r"^A viewer reads only: ask the secretariat\.$"):
        write(ctx, bd)
    assert changes(ctx) == before


def test_an_account_the_board_does_not_know_is_told_to_ask(ctx: ServiceContext, bd: Board) -> None:
    write_identity(ctx.engine, "root-fp", Identity("", "", Role.VIEWER, "HERTS\\jbloggs"))
    with pytest.raises(NotAllowedError, match=r"does not know the account 'HERTS\\\\jbloggs'"):
        papers.create_paper(ctx.uow(), {"title": "x"})


def test_the_backstop_refuses_a_write_no_service_asked_about(
    ctx: ServiceContext, bd: Board
) -> None:
    """A write path that forgot to ask is still refused at the flush, field by field, as every
    other PC would refuse it on merge."""
    be(ctx, Role.OFFICER, bd["officer"], acts_for=bd["principal"])
    before = changes(ctx)
    with (
        pytest.raises(NotAllowedError, match=r"(?i)only the secretariat may approve minutes"),
        ctx.uow() as uow,
    ):
        minute = uow.session.get(Minute, bd["minute"])
        assert minute is not None
        minute.status = MinutesStatus.APPROVED
        uow.session.flush()
    with pytest.raises(NotAllowedError, match=r"(?i)progress only on actions"), ctx.uow() as uow:
        action = uow.session.get(Action, bd["a_other"])
        assert action is not None
        action.latest_update = "done, honestly"
        uow.commit()
    assert changes(ctx) == before


def test_an_officer_progresses_their_own_and_their_principals_actions_only(
    ctx: ServiceContext, bd: Board
) -> None:
    be(ctx, Role.OFFICER, bd["officer"], acts_for=bd["principal"])
    change = ActionChange(status=ActionStatus.COMPLETE, note="Done")
    assert actions.update_action(ctx.uow(), bd["a_principal"], change).value.status is (
        ActionStatus.COMPLETE
    )
    actions.add_update(ctx.uow(), bd["a_principal"], "Signed off by the CFO")
    before = changes(ctx)
    with pytest.raises(NotAllowedError, match=r"(?i)an officer records progress only on actions"):
        actions.update_action(ctx.uow(), bd["a_other"], change)
    with pytest.raises(NotAllowedError, match=r"(?i)progress only on actions"):
        actions.add_update(ctx.uow(), bd["a_other"], "note")
    with pytest.raises(NotAllowedError, match=r"(?i)only the secretariat may create actions"):
        actions.new_action(ctx.uow(), description="x", owner_id=bd["officer"], due=None)
    # closing is the board's: the meeting that agreed it is an edit of the action
    closing = ActionChange(status=ActionStatus.CLOSED, at_meeting_id=bd["m2"])
    with pytest.raises(NotAllowedError, match=r"(?i)only the secretariat may edit actions"):
        actions.update_action(ctx.uow(), bd["a_principal"], closing)
    assert changes(ctx) == before
    # the record says who: the officer, by their person id (shown by name: user_names)
    with ctx.engine.connect() as conn:
        who = conn.exec_driver_sql(
            "SELECT created_by FROM action_updates WHERE action_id = ? ORDER BY created_at DESC",
            (bd["a_principal"],),
        ).scalar()
    assert who == bd["officer"]
    history = actions.history(ctx.uow(write=False), bd["a_principal"])
    assert history[-1].created_by == "Officer"


def test_an_officer_may_not_approve_minutes_or_run_meetings(ctx: ServiceContext, bd: Board) -> None:
    be(ctx, Role.OFFICER, bd["officer"])
    before = changes(ctx)
    with pytest.raises(NotAllowedError, match=r"^Only the secretariat may approve minutes\.$"):
        minutes.approve_minutes(ctx.uow(), bd["m1"], at_meeting_id=bd["m2"])
    with pytest.raises(NotAllowedError, match=r"(?i)only the secretariat may edit minutes"):
        minutes.set_summary(ctx.uow(), bd["minute"], "x")
    with pytest.raises(NotAllowedError, match=r"(?i)only the secretariat may publish board packs"):
        boardpacks.publish_pack(ctx.uow(), bd["m1"])
    with pytest.raises(NotAllowedError, match=r"(?i)only the secretariat may create meetings"):
        meetings.create_meeting(ctx.uow(), title="x", start=at(D2, 9), end=at(D2, 10))
    with pytest.raises(NotAllowedError, match=r"(?i)only the secretariat may create directory"):
        crud.create(ctx.uow(), PEOPLE, {"name": "x"})
    with pytest.raises(NotAllowedError, match=r"(?i)only the secretariat may administer direct"):
        crud.update(ctx.uow(), PEOPLE, bd["officer"], {"email": "me@herts.police.uk"})
    assert changes(ctx) == before


def test_an_officer_proposes_papers_and_items_and_keeps_only_their_own(
    ctx: ServiceContext, bd: Board
) -> None:
    be(ctx, Role.OFFICER, bd["officer"])
    mine = papers.create_paper(ctx.uow(), {"title": "Fleet", "meeting_id": bd["m2"]}).value
    assert mine.created_by == bd["officer"]
    assert papers.update_paper(ctx.uow(), mine.id, {"summary": "s"}).value.summary == "s"
    with pytest.raises(NotAllowedError, match=r"(?i)an officer proposes papers"):
        papers.update_paper(ctx.uow(), bd["paper"], {"title": "mine now"})
    # an item proposed goes last: the others' positions are the secretariat's
    before = [s.item.position for s in meetings.agenda(ctx.uow(write=False), bd["m2"])]
    item = meetings.add_item(ctx.uow(), bd["m2"], {"title": "Fleet"}, position=2).value
    after = meetings.agenda(ctx.uow(write=False), bd["m2"])
    assert [s.item.position for s in after[:-1]] == before
    assert after[-1].item.id == item.id and item.position == len(before) + 1
    meetings.update_item(ctx.uow(), item.id, {"minutes_allocated": 15})
    meetings.remove_item(ctx.uow(), item.id)
    with pytest.raises(NotAllowedError, match=r"(?i)an officer proposes agenda items"):
        meetings.update_item(ctx.uow(), bd["item"], {"title": "y"})


def test_an_officer_keeps_their_own_diary(ctx: ServiceContext, bd: Board) -> None:
    be(ctx, Role.OFFICER, bd["officer"], acts_for=bd["principal"])
    for_principal = cal.create_event(ctx.uow(), _draft(bd, "principal")).value
    assert for_principal.owner_id == bd["principal"] and for_principal.created_by == bd["officer"]
    unowned = EventDraft("Mine", at(D2, 9), at(D2, 10), attendee_ids=(bd["other"],))
    assert cal.create_event(ctx.uow(), unowned).value.owner_id == bd["officer"]
    cal.update_event(ctx.uow(), bd["e_officer"], _draft(bd, "officer"))
    cal.delete_event(ctx.uow(), bd["e_officer"])
    with pytest.raises(NotAllowedError, match=r"(?i)an officer changes only calendar items"):
        cal.create_event(ctx.uow(), _draft(bd, "other"))
    with pytest.raises(NotAllowedError, match=r"(?i)calendar items that they or their principal"):
        cal.delete_event(ctx.uow(), bd["e_other"])


def test_the_secretariat_may_do_everything(ctx: ServiceContext, bd: Board) -> None:
    be(ctx, Role.SECRETARIAT, bd["secretary"])
    for name, write in WRITES:
        if name == "resolve a conflict":
            with pytest.raises(NotFoundError, match="no open conflict"):  # allowed: none is there
                write(ctx, bd)
            continue
        if name == "publish a pack":
            continue  # below, after the minutes are approved (a pack of a meeting to come)
        write(ctx, bd)
    assert minutes.minutes_of(ctx.uow(write=False), bd["m1"])[0].minute.status is (
        MinutesStatus.APPROVED
    )
    assert boardpacks.publish_pack(ctx.uow(), bd["m2"]).value.status == "published"


def test_an_unprotected_board_lets_everyone_do_everything_as_before(
    ctx: ServiceContext, bd: Board
) -> None:
    be(ctx, None)
    minutes.approve_minutes(ctx.uow(), bd["m1"], at_meeting_id=bd["m2"])
    actions.add_update(ctx.uow(), bd["a_other"], "note")


SERIES = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:weekly@test\r
DTSTAMP:20260301T090000Z\r
DTSTART:20260302T090000Z\r
DTEND:20260302T100000Z\r
RRULE:FREQ=WEEKLY;COUNT=4\r
EXDATE:20260309T090000Z\r
SUMMARY:Weekly brief\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_an_officers_import_is_their_diary_and_a_viewers_is_refused(
    ctx: ServiceContext, bd: Board
) -> None:
    """The bulk path of an .ics import is checked like every flush (storage.bulk)."""
    be(ctx, Role.VIEWER, bd["viewer"])
    with pytest.raises(NotAllowedError, match="viewer reads only"):
        ical.import_ics(ctx.uow(), SERIES)
    be(ctx, Role.OFFICER, bd["officer"])
    assert ical.import_ics(ctx.uow(), SERIES).created == 1
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT owner_id, master_id FROM events WHERE ics_uid = 'weekly@test'")
        ).all()
    assert len(rows) == 2  # the series and its cancelled occurrence
    assert {r.owner_id for r in rows if r.master_id is None} == {bd["officer"]}
