"""Reminders without a mail server (issue 18, point 6): chase items, their summary, the .eml
drafts, the .ics invitations and the chase list, on a real SQLite file."""

from __future__ import annotations

import email
import email.policy
import json
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO
from pathlib import Path

import icalendar
import pytest
from pypdf import PdfReader

from hescb_desktop.domain.enums import ActionStatus, AttendanceRole, Marking
from hescb_desktop.domain.timezones import LONDON
from hescb_desktop.services import actions, crud, meetings
from hescb_desktop.services.chase import chase_plan, write_chase
from hescb_desktop.services.chase_mail import (
    ChasePerson,
    british_date,
    chase_draft,
    safe_file_name,
    unique_names,
)
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import ACTIONS, PEOPLE, RESOURCES
from hescb_desktop.services.invitations import Invitee, meeting_invitation, upcoming_invitations
from hescb_desktop.services.reminders import ChaseItem, chase_items, chase_summary
from hescb_desktop.storage.models import Readership, Restriction

TODAY = date(2026, 12, 7)  # a Monday
SIAN = "Siân Ó Dálaigh"
SECRET = "Xylophonist procurement"


def _item(n: int, overdue: bool, **extra: object) -> ChaseItem:
    due = TODAY - timedelta(days=2) if overdue else TODAY + timedelta(days=2)
    values: dict[str, object] = {
        "kind": "action",
        "reference": f"HESCB/2026/{n:03d}",
        "title": f"Action {n}",
        "due_on": due,
        "overdue": overdue,
        "person_id": "p",
    }
    values.update(extra)
    return ChaseItem(**values)  # type: ignore[arg-type]


def _person(ctx: ServiceContext, name: str, email_: str = "") -> str:
    return crud.create(ctx.uow(), PEOPLE, {"name": name, "email": email_}).value.id


def _action(ctx: ServiceContext, text: str, owner: str, due: date) -> str:
    done = actions.new_action(
        ctx.uow(), description=text, owner_id=owner, due=due, raised_on=date(2026, 10, 1)
    )
    return done.value.id


def _restrict(ctx: ServiceContext, action_id: str, readers: list[str]) -> None:
    """A restriction as the board keeps it (readership and restriction rows), made directly:
    what chase_items reads of it (the sealing is issue 16's and tested there)."""
    with ctx.uow() as uow:
        readership = Readership(
            label="Chief officers",
            people=json.dumps(readers),
            roles="[]",
            handling="",
            key_id="k1",
            key_check="x",
        )
        uow.session.add(readership)
        uow.session.flush()
        uow.session.add(
            Restriction(table_name="actions", record_id=action_id, readership_id=readership.id)
        )
        uow.commit()


@pytest.fixture
def board(ctx: ServiceContext) -> dict[str, str]:
    """Siân (two overdue, one due this week, one later, one proposed complete), Ravi (no
    address; one due this week), Nora (nothing due)."""
    sian = _person(ctx, SIAN, "sian.odalaigh@herts.example")
    ravi = _person(ctx, "Ravi Chauhan")
    nora = _person(ctx, "Nora North", "nora@herts.example")
    ids = {"sian": sian, "ravi": ravi, "nora": nora}
    ids["late"] = _action(ctx, "Circulate the drone protocol", sian, TODAY - timedelta(days=3))
    ids["later"] = _action(ctx, "Estates business case", sian, TODAY + timedelta(days=30))
    ids["secret"] = _action(ctx, SECRET, sian, TODAY - timedelta(days=1))
    ids["soon"] = _action(ctx, "Report on joint training – £40k", sian, TODAY + timedelta(days=4))
    ids["ravi_due"] = _action(ctx, "Book the fire HQ", ravi, TODAY + timedelta(days=7))
    done = _action(ctx, "Proposed complete", nora, TODAY - timedelta(days=5))
    crud.update(ctx.uow(), ACTIONS, done, {"status": ActionStatus.COMPLETE})
    _restrict(ctx, ids["secret"], readers=[nora])  # Siân owns it but is not a reader
    return ids


# ------------------------------------------------------------------ items and summary
def test_chase_items_are_live_actions_due_within_a_week_or_overdue_by_owner(
    ctx: ServiceContext, board: dict[str, str]
) -> None:
    items = chase_items(ctx.uow(write=False), TODAY)
    by_person = {(i.person_id, i.reference) for i in items}
    assert len(items) == 4
    assert {p for p, _ in by_person} == {board["sian"], board["ravi"]}
    sian = [i for i in items if i.person_id == board["sian"]]
    assert [i.overdue for i in sian] == [True, True, False]  # overdue first
    assert sian[0].due_on == TODAY - timedelta(days=3)
    assert chase_summary(items) == "2 actions overdue, 2 due this week"


def test_a_restricted_actions_text_is_withheld_from_an_owner_who_is_not_a_reader(
    ctx: ServiceContext, board: dict[str, str]
) -> None:
    items = chase_items(ctx.uow(write=False), TODAY)
    secret = next(i for i in items if i.due_on == TODAY - timedelta(days=1))
    assert secret.withheld
    assert secret.title == ""
    assert secret.reference.startswith("HESCB/")
    plan = chase_plan(ctx.uow(write=False), TODAY)
    sian = plan.people[board["sian"]]
    mine = [i for i in plan.items if i.person_id == sian.id]
    draft = chase_draft(sian, mine, None, TODAY)
    assert b"Xylophonist" not in draft
    body = email.message_from_bytes(draft, policy=email.policy.default)
    text = body.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert secret.reference in text
    assert "Xylophonist" not in text


def test_a_reader_owner_gets_the_text(ctx: ServiceContext, board: dict[str, str]) -> None:
    _restrict(ctx, board["late"], readers=[board["sian"]])
    items = chase_items(ctx.uow(write=False), TODAY)
    late = next(i for i in items if i.due_on == TODAY - timedelta(days=3))
    assert late.title == "Circulate the drone protocol"
    assert late.restricted
    assert not late.withheld


@pytest.mark.parametrize(
    ("overdue", "due", "expected"),
    [
        (0, 0, "nothing due this week"),
        (1, 0, "1 action overdue"),
        (3, 2, "3 actions overdue, 2 due this week"),
        (0, 1, "1 action due this week"),
        (1, 1, "1 action overdue, 1 due this week"),
        (0, 2, "2 actions due this week"),
    ],
)
def test_the_summary_counts_in_words(overdue: int, due: int, expected: str) -> None:
    items = [_item(n, True) for n in range(overdue)] + [_item(n, False) for n in range(due)]
    assert chase_summary(items) == expected


# ------------------------------------------------------------------ drafts
def _parse(data: bytes) -> email.message.EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    return msg


def test_a_draft_is_an_unsent_utf8_message_that_survives_the_round_trip() -> None:
    person = ChasePerson("p", SIAN, "sian@herts.example")
    sender = ChasePerson("s", "Zofia Łukasik", "secretariat@herts.example")
    items = [_item(1, True, title="Agree <the> estates & plan – £2m"), _item(2, False)]
    subject = "HESCB – £40k drones: 1 action overdue"
    data = chase_draft(person, items, sender, TODAY, subject=subject)
    assert data.isascii()  # encoded words and quoted-printable: nothing raw in the file
    msg = _parse(data)
    assert msg["X-Unsent"] == "1"
    assert msg["Subject"] == subject
    assert msg["To"].addresses[0].display_name == SIAN
    assert msg["To"].addresses[0].addr_spec == "sian@herts.example"
    assert msg["From"].addresses[0].display_name == "Zofia Łukasik"
    assert msg["Date"].datetime is not None
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None
    assert html is not None
    assert plain.get_content_charset() == "utf-8"
    text = plain.get_content()
    assert "HESCB/2026/001: due Sat 5 December 2026 (overdue by 2 days)" in text
    assert "Agree <the> estates & plan – £2m" in text
    assert "HESCB/2026/002: due Wed 9 December 2026 (due in 2 days)" in text
    assert f"Dear {SIAN}," in text
    assert "Agree &lt;the&gt; estates &amp; plan" in html.get_content()


def test_the_default_subject_counts_the_items() -> None:
    items = [_item(1, True), _item(2, True), _item(3, False)]
    msg = _parse(chase_draft(ChasePerson("p", "A B", "a@b.example"), items, None, TODAY))
    assert msg["Subject"] == "HESCB: 2 actions overdue, 1 due this week"
    sensitive = [replace(items[0], marking=Marking.OFFICIAL_SENSITIVE)]
    msg = _parse(chase_draft(ChasePerson("p", "A B", "a@b.example"), sensitive, None, TODAY))
    assert msg["Subject"] == "OFFICIAL-SENSITIVE: HESCB: 1 action overdue"
    assert "OFFICIAL-SENSITIVE" in msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("Eve\r\nBcc: x@y", "eve@herts.example"),
        ("Eve", "eve@herts.example\r\nBcc: x@y"),
        ("Eve", "x@y, victim@herts.example"),
        ("Eve", "Eve <x@y>"),
    ],
)
def test_hostile_text_cannot_add_a_header(name: str, address: str) -> None:
    person = ChasePerson("p", name, address)
    hostile = "Drones\r\nBcc: x@y\r\n\r\nbody"
    data = chase_draft(
        person, [_item(1, True, title=hostile)], None, TODAY, subject=f"Chase {hostile}"
    )
    msg = _parse(data)
    assert msg["Bcc"] is None
    assert [k for k in msg if k.lower() == "bcc"] == []
    assert b"\r\nBcc:" not in data
    to = msg["To"]
    assert len(to.addresses) <= 1
    if to.addresses:
        assert to.addresses[0].addr_spec == "eve@herts.example"


def test_a_person_without_an_address_gets_a_draft_with_an_empty_to() -> None:
    msg = _parse(chase_draft(ChasePerson("p", "Ravi Chauhan", ""), [_item(1, True)], None, TODAY))
    assert msg["To"] == ""
    assert msg["X-Unsent"] == "1"


def test_british_dates_and_windows_file_names() -> None:
    assert british_date(date(2026, 12, 4)) == "Fri 4 December 2026"
    assert safe_file_name("CON", ".eml") == "_CON.eml"
    assert safe_file_name("com1.txt", ".eml") == "_com1.txt.eml"
    assert safe_file_name('a<b>c:d"e/f\\g|h?i*j', ".eml") == "a-b-c-d-e-f-g-h-i-j.eml"
    assert safe_file_name("trailing. ", ".eml") == "trailing.eml"
    assert safe_file_name("...", ".eml") == "file.eml"
    assert len(safe_file_name("x" * 500, ".eml")) == 84
    assert safe_file_name(SIAN, ".eml") == f"{SIAN}.eml"
    assert unique_names(["Al", "al", "AL"], ".eml") == ["Al.eml", "al 2.eml", "AL 3.eml"]


# ------------------------------------------------------------------ invitations
@pytest.fixture
def meeting(ctx: ServiceContext, board: dict[str, str]) -> str:
    room = crud.create(ctx.uow(), RESOURCES, {"name": "Executive suite, Welwyn", "kind": "room"})
    start = datetime.combine(TODAY + timedelta(days=3), time(10), LONDON)
    m = meetings.create_meeting(
        ctx.uow(),
        title="Board meeting – Q4",
        start=start,
        end=start + timedelta(hours=2),
        venue_id=room.value.id,
        chair_id=board["sian"],
        clerk_id=board["nora"],
    ).value
    meetings.set_attendance(ctx.uow(), m.id, board["ravi"], AttendanceRole.PRESENT)
    return m.id


def test_an_invitation_is_a_request_with_every_attendee(
    ctx: ServiceContext, board: dict[str, str], meeting: str
) -> None:
    plan = chase_plan(ctx.uow(write=False), TODAY, 14)
    (planned,) = plan.invitations
    assert planned.organiser is not None
    assert planned.organiser.name == "Nora North"  # the clerk
    data = meeting_invitation(planned.meeting, planned.attendees, planned.organiser)
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["METHOD"]) == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "HESCB: Board meeting – Q4"
    assert str(event["LOCATION"]) == "Executive suite, Welwyn"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTSTART"].dt == datetime.combine(TODAY + timedelta(days=3), time(10), LONDON)
    assert cal.walk("VTIMEZONE")
    assert int(event["SEQUENCE"]) > 0
    attendees = event["ATTENDEE"]
    attendees = attendees if isinstance(attendees, list) else [attendees]
    by_name = {str(a.params["CN"]): a for a in attendees}
    assert set(by_name) == {SIAN, "Ravi Chauhan", "Nora North"}
    assert by_name[SIAN].params["ROLE"] == "CHAIR"
    assert str(by_name[SIAN]) == "mailto:sian.odalaigh@herts.example"
    assert by_name["Ravi Chauhan"].params["RSVP"] == "TRUE"
    assert str(by_name["Ravi Chauhan"]).startswith("urn:uuid:")
    assert str(event["ORGANIZER"]) == "mailto:nora@herts.example"
    # the same UID as the meeting's calendar event: a re-issue updates the entry
    again = icalendar.Calendar.from_ical(
        meeting_invitation(planned.meeting, planned.attendees, planned.organiser)
    )
    assert again.walk("VEVENT")[0]["UID"] == event["UID"]


def test_apologies_are_not_invited_and_meetings_outside_the_days_are_left_out(
    ctx: ServiceContext, board: dict[str, str], meeting: str
) -> None:
    meetings.set_attendance(ctx.uow(), meeting, board["ravi"], AttendanceRole.APOLOGIES)
    with ctx.uow(write=False) as uow:
        people = {p: ChasePerson(p, n) for p, n in ((board["sian"], SIAN), (board["ravi"], "Ravi"))}
        (planned,) = upcoming_invitations(uow, TODAY, 14, people, None)
        assert [i.person.name for i in planned.attendees] == [SIAN]
        assert upcoming_invitations(uow, TODAY, 2, people, None) == []


def test_a_hostile_name_stays_one_parameter() -> None:
    from hescb_desktop.services.invitations import MeetingInvite

    start = datetime(2026, 12, 10, 10, tzinfo=UTC)
    invite = MeetingInvite(
        "m", "m@x", "HESCB", "T", start, start + timedelta(hours=1), "", Marking.OFFICIAL, 1, "r"
    )
    evil = ChasePerson("e", 'Eve";ROLE=CHAIR\r\nATTENDEE:mailto:x@y', "eve@herts.example")
    cal = icalendar.Calendar.from_ical(
        meeting_invitation(invite, [Invitee(evil, "REQ-PARTICIPANT")], evil)
    )
    (event,) = cal.walk("VEVENT")
    attendee = event["ATTENDEE"]
    assert not isinstance(attendee, list)
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"


# ------------------------------------------------------------------ all the files
def test_write_chase_writes_drafts_invitations_and_a_chase_list(
    ctx: ServiceContext, board: dict[str, str], meeting: str, tmp_path: Path
) -> None:
    plan = chase_plan(ctx.uow(write=False), TODAY, 14)
    out = write_chase(plan, tmp_path / "chase", author="Tester")
    names = sorted(p.name for p in out.drafts)
    assert names == ["Ravi Chauhan.eml", f"{SIAN}.eml"]
    assert out.without_address == ["Ravi Chauhan"]
    assert [p.parent.name for p in out.invitations] == ["invitations"]
    assert out.chase_list == tmp_path / "chase" / "chase-list.pdf"
    reader = PdfReader(BytesIO(out.chase_list.read_bytes()))
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    assert len(reader.pages) == 1
    flat = " ".join(text.split())
    assert "2 actions overdue, 2 due this week" in flat
    assert SIAN in flat
    assert "no e-mail address" in flat
    assert "Circulate the drone protocol" in flat
    assert "Xylophonist" not in flat  # restricted: by reference only
    assert "OFFICIAL" in flat
    assert "Board meeting" in flat
    for path in out.drafts:
        assert b"Xylophonist" not in path.read_bytes()
    assert out.lines()[-1] == "chase: 2 actions overdue, 2 due this week"


def test_a_folder_that_is_a_file_is_refused(ctx: ServiceContext, tmp_path: Path) -> None:
    from hescb_desktop.domain.errors import ValidationError

    plan = chase_plan(ctx.uow(write=False), TODAY)
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ValidationError, match="is a file"):
        write_chase(plan, target, author="Tester")


def test_a_readership_by_role_reads_by_the_persons_role_now(
    ctx: ServiceContext, board: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hescb_desktop.domain.permissions import Role
    from hescb_desktop.sync import trust

    class State:
        def __init__(self) -> None:
            self.roles = {board["sian"]: ["officer"], board["ravi"]: ["viewer"]}

        def current_role(self, person: str) -> Role:
            return Role(self.roles[person][-1])

    monkeypatch.setattr(trust, "load_trust", lambda _engine: State())
    with ctx.uow() as uow:
        readership = Readership(
            label="Officers", people="[]", roles='["officer"]', handling="", key_id="k2",
            key_check="x",
        )  # fmt: skip
        uow.session.add(readership)
        uow.session.flush()
        for action in (board["late"], board["ravi_due"]):
            uow.session.add(
                Restriction(table_name="actions", record_id=action, readership_id=readership.id)
            )
        uow.commit()
    items = {i.reference: i for i in chase_items(ctx.uow(write=False), TODAY)}
    late = next(i for i in items.values() if i.due_on == TODAY - timedelta(days=3))
    ravi = next(i for i in items.values() if i.person_id == board["ravi"])
    assert late.title == "Circulate the drone protocol"  # Siân is an officer
    assert ravi.withheld  # Ravi is a viewer
    assert ravi.title == ""
