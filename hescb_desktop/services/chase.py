"""The chase (issue 18, points 6 and 7): everything `chase --out DIR` and the Home page's
"Chase…" write, read in one unit of work (`chase_plan`) and then written to a folder
(`write_chase`) without the database:

- DIR/<person>.eml: one Outlook-ready draft for each person with something due or overdue
  (`chase_mail.chase_draft`); a person without a usable address gets one too, with an empty To,
  and the chase list says so;
- DIR/invitations/<meeting>.ics: a REQUEST for each meeting not yet held in the next `days`
  days (`invitations`);
- DIR/chase-list.pdf: the one-page list for the secretariat (`reports.chase_list`).

No cover sheet template is attached: the project has none yet (`COVER_SHEET_NOTE`). The app
sends nothing itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.rules import highest_marking
from hescb_desktop.domain.timezones import LONDON
from hescb_desktop.services import invitations, reminders
from hescb_desktop.services.chase_mail import (
    BOARD,
    ChasePerson,
    british_date,
    chase_draft,
    item_state,
    mail_address,
    short_date,
    unique_names,
)
from hescb_desktop.services.invitations import PlannedInvitation
from hescb_desktop.services.reminders import ChaseItem
from hescb_desktop.storage.models import Organisation, Person
from hescb_desktop.storage.uow import UnitOfWork

if TYPE_CHECKING:  # ReportLab is loaded when the list is written, not when the app starts
    from hescb_desktop.reports.chase_list import ChaseListContent, ChaseMeetingLine

LIST_NAME = "chase-list.pdf"
INVITATIONS = "invitations"
COVER_SHEET_NOTE = "No cover sheet template is attached: the app has none yet."
MAX_DAYS = 366


@dataclass(frozen=True)
class ChasePlan:
    today: date
    days: int
    items: tuple[ChaseItem, ...]
    people: dict[str, ChasePerson]  # every person the items or invitations name, by id
    sender: ChasePerson | None
    invitations: tuple[PlannedInvitation, ...]

    @property
    def summary(self) -> str:
        return reminders.chase_summary(self.items)

    def by_person(self) -> list[tuple[ChasePerson, list[ChaseItem]]]:
        grouped: dict[str, list[ChaseItem]] = defaultdict(list)
        for item in self.items:
            grouped[item.person_id].append(item)
        found = [(self.people[p], items) for p, items in grouped.items() if p in self.people]
        return sorted(found, key=lambda pair: (pair[0].name.casefold(), pair[0].id))


@dataclass
class ChaseWritten:
    folder: Path
    drafts: list[Path] = field(default_factory=list)
    without_address: list[str] = field(default_factory=list)  # names
    invitations: list[Path] = field(default_factory=list)
    not_invited: list[str] = field(default_factory=list)  # "meeting: why"
    chase_list: Path | None = None
    summary: str = ""

    def lines(self) -> list[str]:
        """One line per kind of file, then the summary (what `chase` prints)."""
        drafts = len(self.drafts)
        head = f"chase: {drafts} draft e-mail{'s' if drafts != 1 else ''} in {self.folder}"
        if self.without_address:
            n = len(self.without_address)
            head += f" ({n} without an e-mail address: To left empty)"
        ics = len(self.invitations)
        invites = f"chase: {ics} meeting invitation{'s' if ics != 1 else ''} in " + str(
            self.folder / INVITATIONS
        )
        if self.not_invited:
            invites += f" ({len(self.not_invited)} not written: no organiser)"
        return [head, invites, f"chase: chase list {self.chase_list}", f"chase: {self.summary}"]


def check_days(days: int) -> int:
    if not 0 <= days <= MAX_DAYS:
        raise ValidationError(f"--days: give 0 to {MAX_DAYS} days (got {days})")
    return days


def chase_plan(uow: UnitOfWork, today: date, days: int = invitations.DEFAULT_DAYS) -> ChasePlan:
    """What the chase writes, read in one unit of work."""
    check_days(days)
    with uow:
        items = [i for source in reminders.SOURCES for i in source(uow, today)]
        people = _people(uow)
        me = uow.identity.person_id
        sender = people.get(me) if me else None
        planned = invitations.upcoming_invitations(uow, today, days, people, sender)
    items.sort(key=lambda i: (i.person_id, not i.overdue, i.due_on, i.reference))
    return ChasePlan(today, days, tuple(items), people, sender, tuple(planned))


def _people(uow: UnitOfWork) -> dict[str, ChasePerson]:
    codes = dict(uow.session.execute(select(Organisation.id, Organisation.code)).all())
    rows = uow.session.execute(select(Person.id, Person.name, Person.email, Person.organisation_id))
    return {
        pid: ChasePerson(pid, name, (email or "").strip(), codes.get(org or "", ""))
        for pid, name, email, org in rows
    }


# ------------------------------------------------------------------ writing
def prepare_folder(folder: Path) -> Path:
    """The folder, made if missing; a file there, or a folder that cannot be written, is
    refused with one line."""
    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"{folder} is a file, not a folder")
    try:
        (folder / INVITATIONS).mkdir(parents=True, exist_ok=True)
        probe = folder / ".hescb-chase-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ValidationError(f"cannot write in {folder}: {exc.strerror or exc}") from exc
    return folder


def write_chase(
    plan: ChasePlan, folder: Path, *, author: str, now: datetime | None = None
) -> ChaseWritten:
    """Write the drafts, the invitations and the chase list into `folder` (made if missing)."""
    prepare_folder(folder)
    now = now or datetime.now(LONDON)
    out = ChaseWritten(folder, summary=plan.summary)
    pairs = plan.by_person()
    names = unique_names([p.name for p, _ in pairs], ".eml")
    drafted: dict[str, str] = {}
    for (person, items), name in zip(pairs, names, strict=True):
        data = chase_draft(person, items, plan.sender, plan.today, now=now)
        out.drafts.append(_write(folder / name, data))
        if mail_address(person) is None:
            out.without_address.append(person.name)
            drafted[person.id] = "draft written; no usable e-mail address: To is empty"
        else:
            drafted[person.id] = "draft written"
    meeting_lines = []
    ics_names = unique_names([p.meeting.reference for p in plan.invitations], ".ics")
    for planned, name in zip(plan.invitations, ics_names, strict=True):
        if planned.organiser is None:
            out.not_invited.append(f"{planned.meeting.reference}: no organiser")
            written = "not written: no clerk and no sender known to be the organiser"
        else:
            data = invitations.meeting_invitation(
                planned.meeting, planned.attendees, planned.organiser, stamp=now
            )
            out.invitations.append(_write(folder / INVITATIONS / name, data))
            written = f"written as {INVITATIONS}/{name}"
        meeting_lines.append(_meeting_line(planned, written))
    content = _list_content(plan, pairs, drafted, meeting_lines)
    from hescb_desktop.reports.chase_list import build_chase_list_pdf

    out.chase_list = _write(folder / LIST_NAME, build_chase_list_pdf(content, author=author))
    return out


def _write(path: Path, data: bytes) -> Path:
    """Through a temp file and a rename: never half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ValidationError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path


def _meeting_line(planned: PlannedInvitation, written: str) -> ChaseMeetingLine:
    from hescb_desktop.reports.chase_list import ChaseMeetingLine

    m = planned.meeting
    start, end = m.start_utc.astimezone(LONDON), m.end_utc.astimezone(LONDON)
    without = [i.person.name for i in planned.attendees if mail_address(i.person) is None]
    return ChaseMeetingLine(
        m.summary,
        f"{british_date(start.date())}, {start:%H:%M} to {end:%H:%M}",
        len(planned.attendees),
        ", ".join(without),
        written,
    )


def _list_content(
    plan: ChasePlan,
    pairs: list[tuple[ChasePerson, list[ChaseItem]]],
    drafted: dict[str, str],
    meeting_lines: list[ChaseMeetingLine],
) -> ChaseListContent:
    from hescb_desktop.reports.chase_list import (
        ChaseLine,
        ChaseListContent,
        ChasePersonBlock,
    )

    blocks = tuple(
        ChasePersonBlock(
            person.name,
            person.email if mail_address(person) is not None else "",
            drafted.get(person.id, ""),
            tuple(
                ChaseLine(
                    item.reference,
                    "" if item.restricted else item.title,
                    short_date(item.due_on),
                    _short_state(item, plan.today),
                    item.overdue,
                )
                for item in items
            ),
        )
        for person, items in pairs
    )
    notes = (
        f"Papers are not chased yet: {reminders.PAPER_SOURCE_PENDING}.",
        COVER_SHEET_NOTE,
        "The app sends nothing: open each draft in Outlook, check it and send it.",
    )
    return ChaseListContent(
        BOARD,
        f"{BOARD} chase list",
        british_date(plan.today),
        plan.summary,
        highest_marking(i.marking for i in plan.items),
        blocks,
        tuple(meeting_lines),
        notes,
    )


def _short_state(item: ChaseItem, today: date) -> str:
    late = item.days_late(today)
    if late > 0:
        return f"{late} day{'s' if late != 1 else ''} late"
    return item_state(item, today)
