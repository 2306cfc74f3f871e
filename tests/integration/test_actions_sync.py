"""Two PCs minute and raise actions offline; after the sync every action and minute survives on
both, with unique references, its history, its links and the calendar event of each meeting."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sync_office import Office

from hescb_desktop.domain.enums import ActionStatus
from hescb_desktop.services import actions, crud, meetings, minutes
from hescb_desktop.services.action_log import action_log
from hescb_desktop.services.entities import ORGANISATIONS, PEOPLE

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 3, 12)


def test_actions_and_minutes_raised_offline_on_two_pcs_survive_with_unique_references(
    office: Office,
) -> None:
    a, b = office.pc("a"), office.pc("b")
    org = crud.create(a.uow(), ORGANISATIONS, {"code": "HFRS", "name": "Fire"}).value.id
    sam = crud.create(a.uow(), PEOPLE, {"name": "Sam Patel", "organisation_id": org}).value.id
    start = datetime(2026, 3, 12, 10, tzinfo=LONDON)
    meeting = meetings.create_meeting(
        a.uow(), title="Board", start=start, end=start + timedelta(hours=2)
    ).value
    office.settle()

    # offline: each PC minutes a meeting and raises actions (both take 001/26, HESCB/2026/001..)
    later = start + timedelta(days=90)
    other = meetings.create_meeting(
        b.uow(), title="Summer", start=later, end=later + timedelta(hours=2)
    ).value
    minute_a = minutes.start_minutes(a.uow(), meeting.id).value[7]
    minute_b = minutes.start_minutes(b.uow(), other.id).value[7]
    raised = []
    for pc, m, minute, label in ((a, meeting, minute_a, "A"), (b, other, minute_b, "B")):
        for n in range(3):
            raised.append(
                actions.new_action(
                    pc.uow(),
                    description=f"from {label} #{n} <&> 🚒",
                    owner_id=sam,
                    due=DAY + timedelta(days=120),
                    meeting_id=m.id,
                    minute_id=minute.id,
                ).value
            )
    first = raised[0]
    actions.update_action(
        a.uow(), first.id, actions.ActionChange(status=ActionStatus.COMPLETE, note="done on A")
    )
    office.settle()

    logs = [action_log(pc.uow(write=False)) for pc in (a, b)]
    assert logs[0] == logs[1]
    log = logs[0]
    assert sorted(e.description for e in log) == sorted(r.description for r in raised)
    refs = [e.reference for e in log]
    assert len(set(refs)) == len(refs) == 6
    assert sorted(refs) == [f"HESCB/2026/{n:03d}" for n in range(1, 7)]
    # every action still points at its own meeting and minute
    by_id = {e.id: e for e in log}
    for r in raised:
        entry = by_id[r.id]
        assert entry.meeting_id == r.meeting_id
        assert entry.minute  # its minute reference is joined
    assert by_id[first.id].status is ActionStatus.COMPLETE
    notes = [h.note for h in actions.history(b.uow(write=False), first.id)]
    assert notes[0] == "Action raised" and "done on A" in notes[-1]

    # minute numbers: 24 minutes from the two PCs, all different, the same on both PCs
    for pc in ("a", "b"):
        numbers = office.rows(pc, "SELECT reference FROM minutes WHERE deleted = 0")
        assert len(numbers) == 24 and len(set(numbers)) == 24
    assert sorted(office.rows("a", "SELECT id, reference FROM minutes")) == sorted(
        office.rows("b", "SELECT id, reference FROM minutes")
    )
    # both meetings are in both PCs' calendars
    for pc in ("a", "b"):
        linked = office.rows(pc, "SELECT meeting_id FROM events WHERE meeting_id IS NOT NULL")
        assert sorted(x[0] for x in linked) == sorted([meeting.id, other.id])
    # the next meeting reviews what is still open, from both PCs
    carried = actions.open_actions_for_review(b.uow(write=False), other.id)
    assert {c.id for c in carried} == {r.id for r in raised if r.meeting_id == meeting.id}
