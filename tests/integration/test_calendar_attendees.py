"""iCalendar ATTENDEE and ORGANIZER: matched to the board's people on import (address first,
then CN name), nobody invented, unmatched ones reported; re-import idempotent and removals
tombstoned; written on export and kept by export then import; change capture complete."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import inspect, select

from hescb_desktop.domain.calendar import EventDraft
from hescb_desktop.domain.recurrence import LONDON
from hescb_desktop.services import calendar as cal
from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.ical import export_ics, import_ics
from hescb_desktop.storage.capture import implied_null
from hescb_desktop.storage.codec import decode
from hescb_desktop.storage.journal import ChangeLog
from hescb_desktop.storage.models import Event, EventAttendee

ICS = Path(__file__).parent.parent / "data" / "ics"
BRIEFING = "Chief officers' briefing"
MOVED = "Chief officers' briefing (moved for the PCC)"


@pytest.fixture
def ctx(tmp_path: Path) -> ServiceContext:
    context = open_context(tmp_path / "board")
    yield context  # type: ignore[misc]
    context.close()


def add_people(ctx: ServiceContext) -> dict[str, str]:
    """The board's people; the files write their addresses in other cases and their names in
    other forms ("Morgan, Alex")."""
    rows = {
        "Alex Morgan": "alex.morgan@herts.pnn.police.uk",
        "Zoë Łukasz": "Zoe.Lukasz@HertsFire.gov.uk",
        "Tom Haldane": "tom.haldane@herts.pnn.police.uk",
        "SAM LEE": "",  # no address on the board: matched by the CN name
        "Priya Shah": "priya.shah@hertfordshire.gov.uk",
    }
    return {
        name: crud.create(ctx.uow(), E.PEOPLE, {"name": name, "email": email}).value.id
        for name, email in rows.items()
    }


def event_id(ctx: ServiceContext, summary: str) -> str:
    events = crud.list_all(ctx.uow(write=False), E.EVENTS)
    (row,) = [e for e in events if e.summary == summary and not e.cancelled]  # not EXDATE rows
    return row.id


def attendees(ctx: ServiceContext, summary: str) -> list[str]:
    """Names of the live attendees, one per row (a duplicate row would show twice)."""
    eid = event_id(ctx, summary)
    names = {p.id: p.name for p in crud.list_all(ctx.uow(write=False), E.PEOPLE)}
    rows = crud.list_all(ctx.uow(write=False), E.EVENT_ATTENDEES)
    return sorted(names[r.person_id] for r in rows if r.event_id == eid)


def owner(ctx: ServiceContext, summary: str) -> str | None:
    oid = crud.get(ctx.uow(write=False), E.EVENTS, event_id(ctx, summary)).owner_id
    return None if oid is None else crud.get(ctx.uow(write=False), E.PEOPLE, oid).name


def test_outlook_and_google_attendees_matched_by_address_then_name(ctx: ServiceContext) -> None:
    add_people(ctx)
    people_before = len(crud.list_all(ctx.uow(write=False), E.PEOPLE))
    outlook = import_ics(ctx.uow(), (ICS / "outlook.ics").read_bytes())
    google = import_ics(ctx.uow(), (ICS / "google.ics").read_bytes())
    # Outlook: "Morgan, Alex" by address (another case), Zoë by address; the organiser owns it
    assert attendees(ctx, BRIEFING) == ["Alex Morgan", "Zoë Łukasz"]
    assert owner(ctx, BRIEFING) == "Tom Haldane"
    # the moved occurrence keeps its own invitation
    assert attendees(ctx, MOVED) == ["Alex Morgan"] and owner(ctx, MOVED) == "Tom Haldane"
    # Google: Zoë by address (CN is the address), Sam by CN (no address on the board)
    assert attendees(ctx, "Drone unit demonstration") == ["SAM LEE", "Zoë Łukasz"]
    assert owner(ctx, "Drone unit demonstration") is None  # a Google calendar, not a person
    assert attendees(ctx, "Morning huddle") == ["Tom Haldane", "Zoë Łukasz"]
    assert owner(ctx, "Morning huddle") == "Zoë Łukasz"
    assert attendees(ctx, "Annual leave") == []
    # nobody invented; who matched no one is listed, with the event and its line
    assert len(crud.list_all(ctx.uow(write=False), E.PEOPLE)) == people_before
    lines = [str(u) for u in outlook.unmatched]
    assert any(
        f": {BRIEFING}: attendee Chris Okafor <chris.okafor@hertfordshire.gov.uk> not matched"
        in line
        for line in lines
    )
    assert any(
        "Executive suite Boardroom <exec.boardroom@herts.pnn.police.uk> not matched: "
        "a room or resource" in line
        for line in lines
    )
    assert any(f": {MOVED}: attendee PCC office <office@" in line for line in lines)
    assert len(lines) == 3 and outlook.summary.endswith("3 attendees not matched to a person")
    (cal_organiser,) = google.unmatched
    assert "organiser HFRS chief officers <c_8f2e" in str(cal_organiser)
    assert outlook.problems == google.problems == ()


def test_ambiguous_name_or_address_is_not_guessed(ctx: ServiceContext) -> None:
    for _ in range(2):
        crud.create(ctx.uow(), E.PEOPLE, {"name": "Sam Lee", "email": ""})
    report = import_ics(ctx.uow(), (ICS / "google.ics").read_bytes())
    assert attendees(ctx, "Drone unit demonstration") == []
    assert any(
        "Sam Lee <sam.lee.hfrs@gmail.com> not matched: 2 people have that name" in str(u)
        for u in report.unmatched
    )


def test_reimport_is_idempotent_and_removed_attendees_are_tombstoned(ctx: ServiceContext) -> None:
    ids = add_people(ctx)
    data = (ICS / "outlook.ics").read_bytes()
    import_ics(ctx.uow(), data)
    rows_before = crud.list_all(ctx.uow(write=False), E.EVENT_ATTENDEES, include_deleted=True)
    again = import_ics(ctx.uow(), data)
    assert (again.created, again.updated) == (0, 0)
    assert crud.list_all(ctx.uow(write=False), E.EVENT_ATTENDEES, include_deleted=True) == (
        rows_before
    )
    # Zoë taken off the invitation in Outlook: tombstoned, not deleted
    without = data.replace(
        "ATTENDEE;CN=Zoë Łukasz;RSVP=TRUE:mailto:zoe.lukasz@hertsfire.gov.uk\r\n".encode(), b""
    )
    assert without != data
    third = import_ics(ctx.uow(), without)
    assert (third.created, third.updated) == (0, 1)
    assert attendees(ctx, BRIEFING) == ["Alex Morgan"]
    gone = [
        r
        for r in crud.list_all(ctx.uow(write=False), E.EVENT_ATTENDEES, include_deleted=True)
        if r.person_id == ids["Zoë Łukasz"] and r.event_id == event_id(ctx, BRIEFING)
    ]
    assert [r.deleted for r in gone] == [True]
    # and back on: one live row again
    import_ics(ctx.uow(), data)
    assert attendees(ctx, BRIEFING) == ["Alex Morgan", "Zoë Łukasz"]
    # an owner the event already has is kept, whoever the file names as organiser
    draft = cal.event_details(ctx.uow(write=False), event_id(ctx, BRIEFING)).draft
    cal.update_event(ctx.uow(), event_id(ctx, BRIEFING), _with_owner(draft, ids["Priya Shah"]))
    import_ics(ctx.uow(), data)
    assert owner(ctx, BRIEFING) == "Priya Shah"


def _with_owner(draft: EventDraft, person_id: str) -> EventDraft:
    from dataclasses import replace

    return replace(draft, owner_id=person_id)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), LONDON)


def test_export_writes_organizer_and_attendees_and_import_keeps_them(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    ids = add_people(ctx)
    import_ics(ctx.uow(), (ICS / "outlook.ics").read_bytes())
    made = cal.create_event(
        ctx.uow(),
        EventDraft(
            "Board <HESCB> & friends",
            at(date(2026, 1, 6), 14),
            at(date(2026, 1, 6), 16),
            rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=3",
            calendar="Board meetings",
            owner_id=ids["Zoë Łukasz"],
            attendee_ids=(ids["SAM LEE"], ids["Priya Shah"], ids["Tom Haldane"]),
        ),
    ).value
    exported = export_ics(ctx.uow(write=False))
    (board,) = [
        e
        for e in icalendar.Calendar.from_ical(exported).walk("VEVENT")
        if str(e["SUMMARY"]) == "Board <HESCB> & friends"
    ]
    organiser = board["ORGANIZER"]
    assert str(organiser) == "mailto:Zoe.Lukasz@HertsFire.gov.uk"
    assert organiser.params["CN"] == "Zoë Łukasz"
    written = [(str(a), a.params["CN"]) for a in board["ATTENDEE"]]
    assert written == [
        ("mailto:priya.shah@hertfordshire.gov.uk", "Priya Shah"),
        (f"urn:uuid:{ids['SAM LEE']}", "SAM LEE"),  # no address: this board's id
        ("mailto:tom.haldane@herts.pnn.police.uk", "Tom Haldane"),
    ]

    def shape(c: ServiceContext) -> list[tuple[str, str | None, list[str]]]:
        events = crud.list_all(c.uow(write=False), E.EVENTS)
        return sorted(
            (e.summary, owner(c, e.summary), attendees(c, e.summary))
            for e in events
            if not e.cancelled
        )

    original = shape(ctx)
    assert ("Board <HESCB> & friends", "Zoë Łukasz", ["Priya Shah", "SAM LEE", "Tom Haldane"]) in (
        original
    )
    # another board with the same people (their own ids): by address, and Sam by name
    other = open_context(tmp_path / "other")
    try:
        add_people(other)
        report = import_ics(other.uow(), exported)
        assert report.problems == () and report.unmatched == ()
        assert shape(other) == original
    finally:
        other.close()
    # our own file back: nothing changes
    rows = crud.list_all(ctx.uow(write=False), E.EVENT_ATTENDEES, include_deleted=True)
    again = import_ics(ctx.uow(), exported)
    assert (again.created, again.updated) == (0, 0) and again.unmatched == ()
    assert crud.list_all(ctx.uow(write=False), E.EVENT_ATTENDEES, include_deleted=True) == rows
    assert shape(ctx) == original
    assert made.id == event_id(ctx, "Board <HESCB> & friends")


def test_attendee_rows_and_tombstones_are_logged_for_sync(ctx: ServiceContext) -> None:
    """The bulk path's attendee rows and the session's tombstones both reach change_log: every
    column of every row, with its current value."""
    add_people(ctx)
    data = (ICS / "outlook.ics").read_bytes()
    import_ics(ctx.uow(), data)
    import_ics(ctx.uow(), data.replace(b'ATTENDEE;CN="Morgan, Alex"', b'X-GONE;CN="Morgan"'))
    columns = {
        a.key: a.columns[0].type for a in inspect(EventAttendee).column_attrs if a.key != "id"
    }
    with ctx.uow(write=False) as uow:
        rows = [
            {"id": r.id, "deleted": r.deleted, **{k: getattr(r, k) for k in columns}}
            for r in uow.session.scalars(select(EventAttendee))
        ]
        log = uow.session.execute(
            select(ChangeLog.row_id, ChangeLog.column_name, ChangeLog.value)
            .where(ChangeLog.table_name == "event_attendees")
            .order_by(ChangeLog.seq)
        ).all()
        owners = {e.id: e.owner_id for e in uow.session.scalars(select(Event))}
        events_log = {
            (r.row_id, r.column_name): r.value
            for r in uow.session.execute(
                select(ChangeLog.row_id, ChangeLog.column_name, ChangeLog.value)
                .where(ChangeLog.table_name == "events")
                .order_by(ChangeLog.seq)
            )
        }
    assert len(rows) == 3 and sum(r["deleted"] for r in rows) == 2  # Alex off both events
    latest = {(r.row_id, r.column_name): r.value for r in log}
    for row in rows:
        for key, kind in columns.items():
            if (row["id"], key) not in latest:  # an empty field a peer's insert leaves NULL
                assert row[key] is None and implied_null(inspect(EventAttendee).c[key]), key
                continue
            assert decode(latest[(row["id"], key)], kind) == row[key], key
    assert any(owners.values())  # organisers matched: their owner_id is logged
    for eid, oid in owners.items():
        if (eid, "owner_id") not in events_log:  # no organiser matched: NULL, not logged
            assert oid is None
            continue
        assert decode(events_log[(eid, "owner_id")], inspect(Event).c.owner_id.type) == oid
