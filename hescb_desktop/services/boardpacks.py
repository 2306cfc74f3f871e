"""Board packs, minutes, papers and the action log as documents: which meeting, what goes in,
what is missing or late, publishing; the reports take the plain content built here.

A pack is the Part I pack or the restricted Part II pack of one meeting. It is a draft (printed
with a DRAFT watermark) until published; publishing records which papers it carried
(`papers.pack_issue = 0`). A paper added to the agenda after that is *late*: publishing a
supplement gives every late paper the supplement's number (1, 2, ...), and "Supplement N" is
built from them. A pack never holds anything marked above its allowed marking (`board_packs.
marking`: OFFICIAL for Part I, OFFICIAL-SENSITIVE for Part II unless changed); a Part I paper
marked higher goes in the Part II pack instead, and the pack is marked with the highest marking
of what it holds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from hescb_desktop.domain import labels
from hescb_desktop.domain.dto import BoardPackDTO, MeetingDTO
from hescb_desktop.domain.enums import ActionStatus, AttendanceRole, Marking, Part
from hescb_desktop.domain.errors import NotFoundError, ValidationError
from hescb_desktop.domain.minute_text import action_line, is_declarations_item, unmentioned
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.domain.restriction import PLACEHOLDER
from hescb_desktop.domain.rules import highest_marking
from hescb_desktop.domain.timezones import LONDON as LONDON  # re-exported
from hescb_desktop.reports.content import (
    ActionRow,
    AttachedPdf,
    MinuteItem,
    MinutesContent,
    PackContent,
    PackItem,
    PaperContent,
)
from hescb_desktop.reports.frame import AttachmentError, attachment_title, read_attachment
from hescb_desktop.services import crud
from hescb_desktop.services.entities import BOARD_PACKS, MEETINGS, PAPERS
from hescb_desktop.services.highlight import collect_highlight
from hescb_desktop.services.meetings import start_times
from hescb_desktop.services.papers import stored_bytes
from hescb_desktop.services.results import Result, changes_of
from hescb_desktop.storage.models import (
    Action,
    AgendaItem,
    Attachment,
    AttachmentBlob,
    Attendance,
    BoardPack,
    Decision,
    Declaration,
    Meeting,
    Minute,
    Organisation,
    Paper,
    Person,
    Resource,
)
from hescb_desktop.storage.uow import UnitOfWork

BOARD_NAMES = {"HESCB": "Hertfordshire Emergency Services Collaboration Board"}
PUBLISHED, DRAFT = "published", "draft"
OPEN_STATUSES = (
    ActionStatus.OPEN,
    ActionStatus.IN_PROGRESS,
    ActionStatus.COMPLETE,
    ActionStatus.DEFERRED,
)
# agenda items the pack fills itself (matched on the item's title, case-insensitive)
_MINUTES_ITEM = re.compile(r"minutes of the (previous|last) meeting", re.IGNORECASE)
_ACTIONS_ITEM = re.compile(r"action log|review of actions|actions? update", re.IGNORECASE)
_HIGHLIGHT_ITEM = re.compile(r"highlight report", re.IGNORECASE)


class PackProblemsError(ValidationError):
    """Attached files that stop a pack being built; each problem names its file."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "the pack cannot be built until these files are fixed or removed: "
            + "; ".join(problems)
        )


# item states shown on the Board packs page
IN, MISSING, LATE, WITHHELD, NO_PAPER, OTHER_PART, SUPPLEMENT = (
    "in",
    "missing",
    "late",
    "withheld",
    "no paper",
    "other part",
    "supplement",
)


@dataclass(frozen=True)
class ItemStatus:
    number: str
    title: str
    paper_id: str | None
    paper_ref: str
    state: str  # one of the states above
    marking: Marking | None
    note: str = ""


@dataclass(frozen=True)
class PackStatus:
    meeting: MeetingDTO
    part: Part
    pack: BoardPackDTO | None
    allowed: Marking
    marking: Marking  # what the pack would be marked now
    items: tuple[ItemStatus, ...]
    problems: tuple[str, ...]
    late: int
    off_agenda: tuple[str, ...] = ()  # papers for this meeting that no agenda item takes

    @property
    def published(self) -> bool:
        return self.pack is not None and self.pack.status == PUBLISHED


def default_allowed(part: Part) -> Marking:
    return Marking.OFFICIAL if part is Part.PART_I else Marking.OFFICIAL_SENSITIVE


# ------------------------------------------------------------------ finding a meeting
def resolve_meeting(uow: UnitOfWork, text: str, *, today: date | None = None) -> MeetingDTO:
    """MEETING_REF: `next` (the next meeting from today), a date `YYYY-MM-DD` (London) with an
    optional body when two bodies meet that day (`HESCB/2026-03-12`, as `meetings` prints it and
    the action commands take it; `HESCB@2026-03-12` also works), or the start of a meeting's id
    (at least 8 characters)."""
    ref = text.strip()
    with uow:
        live = select(Meeting).where(Meeting.deleted.is_(False))
        if ref.lower() == "next":
            now = (
                datetime.now(UTC)
                if today is None
                else datetime.combine(today, datetime.min.time(), UTC)
            )
            found = list(
                uow.session.scalars(
                    live.where(Meeting.end_utc >= now)
                    .order_by(Meeting.start_utc, Meeting.id)
                    .limit(1)
                )
            )
            if not found:
                raise NotFoundError("there is no meeting after today")
            return MEETINGS.to_dto(found[0])
        m = re.fullmatch(r"(?:(?P<body>[^/@]+)[/@])?(?P<day>\d{4}-\d{2}-\d{2})", ref)
        if m:
            try:
                day = date.fromisoformat(m.group("day"))
            except ValueError as exc:
                raise ValidationError(f'"{ref}" is not a real date') from exc
            body = (m.group("body") or "").strip().casefold()
            found = [
                x
                for x in uow.session.scalars(live.order_by(Meeting.start_utc, Meeting.id))
                if x.start_utc.astimezone(LONDON).date() == day
                and (not body or x.body.casefold() == body)
            ]
            if not found:
                raise NotFoundError(f"no meeting on {day:%d %B %Y}")
            if len(found) > 1:
                bodies = ", ".join(f"{x.body}/{day.isoformat()}" for x in found)
                raise ValidationError(
                    f"{len(found)} meetings on {day:%d %B %Y}: use one of {bodies}"
                )
            return MEETINGS.to_dto(found[0])
        if re.fullmatch(r"[0-9a-fA-F-]{8,36}", ref):
            found = list(
                uow.session.scalars(live.where(Meeting.id.startswith(ref.lower())).limit(2))
            )
            if len(found) == 1:
                return MEETINGS.to_dto(found[0])
            if len(found) > 1:
                raise ValidationError(f'"{ref}" matches more than one meeting: give more of the id')
            raise NotFoundError(f"no meeting whose id starts with {ref}")
    raise ValidationError(
        f'"{ref}" is not a meeting reference: use next, a date (2026-03-12), BODY/date as '
        "`meetings` prints it (HESCB/2026-03-12) or the start of a meeting id"
    )


def when_text(start: datetime, end: datetime) -> str:
    s, e = start.astimezone(LONDON), end.astimezone(LONDON)
    return f"{s:%A} {s.day} {s:%B %Y}, {s:%H:%M}–{e:%H:%M}"


# ------------------------------------------------------------------ reading the meeting
@dataclass
class _Loaded:
    meeting: Meeting
    pack: BoardPack | None
    allowed: Marking
    items: list[tuple[AgendaItem, Paper | None, Part]]
    people: dict[str, Person]
    orgs: dict[str, Organisation]


def _load(uow: UnitOfWork, meeting_id: str, part: Part) -> _Loaded:
    s = uow.session
    meeting = crud.load(s, MEETINGS, meeting_id)
    pack = _pack_row(uow, meeting_id, part)
    allowed = pack.marking if pack is not None else default_allowed(part)
    items = []
    for item in s.scalars(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting_id, AgendaItem.deleted.is_(False))
        .order_by(AgendaItem.position, AgendaItem.id)
    ):
        paper = s.get(Paper, item.paper_id) if item.paper_id else None
        if paper is not None and paper.deleted:
            paper = None
        item_part = (
            Part.PART_II if Part.PART_II in (item.part, paper and paper.part) else Part.PART_I
        )
        items.append((item, paper, item_part))
    people = {p.id: p for p in s.scalars(select(Person))}
    orgs = {o.id: o for o in s.scalars(select(Organisation))}
    return _Loaded(meeting, pack, allowed, items, people, orgs)


def _pack_row(uow: UnitOfWork, meeting_id: str, part: Part) -> BoardPack | None:
    return uow.session.scalars(
        select(BoardPack)
        .where(
            BoardPack.meeting_id == meeting_id,
            BoardPack.part == part,
            BoardPack.deleted.is_(False),
        )
        .order_by(BoardPack.id)
        .limit(1)
    ).first()


def _name(people: dict[str, Person], orgs: dict[str, Organisation], pid: str | None) -> str:
    person = people.get(pid or "")
    if person is None:
        return ""
    org = orgs.get(person.organisation_id or "")
    return f"{person.name} ({org.code})" if org else person.name


def _has_content(uow: UnitOfWork, paper: Paper) -> bool:
    if paper.body_text.strip() or paper.summary.strip() or paper.recommendations.strip():
        return True
    return bool(_attachments(uow, paper.id, "paper"))


def _attachments(uow: UnitOfWork, paper_id: str, role: str | None = None) -> list[Attachment]:
    stmt = select(Attachment).where(Attachment.paper_id == paper_id, Attachment.deleted.is_(False))
    if role is not None:
        stmt = stmt.where(Attachment.role == role)
    return list(
        uow.session.scalars(stmt.order_by(Attachment.role, Attachment.position, Attachment.id))
    )


def _states(
    uow: UnitOfWork, loaded: _Loaded, part: Part, supplement: int | None
) -> list[tuple[AgendaItem, Paper | None, str, str]]:
    """(item, paper, state, note) for every item the pack's agenda lists."""
    published = loaded.pack is not None and loaded.pack.status == PUBLISHED
    part_one = _pack_row(uow, loaded.meeting.id, Part.PART_I)
    part_one_allowed = part_one.marking if part_one is not None else default_allowed(Part.PART_I)
    out = []
    for item, paper, item_part in loaded.items:
        above = paper is not None and paper.marking.rank > loaded.allowed.rank
        # a Part I paper withheld from the Part I pack (marked above it) goes in the Part II pack
        moved = (
            part is Part.PART_II
            and item_part is Part.PART_I
            and paper is not None
            and paper.marking.rank > part_one_allowed.rank
        )
        if item_part is not part and not moved:
            if part is Part.PART_II:
                continue
            out.append((item, paper, OTHER_PART, "Part II pack"))
            continue
        if paper is None:
            out.append((item, None, NO_PAPER, ""))
        elif above:
            out.append(
                (
                    item,
                    paper,
                    WITHHELD,
                    f"The paper is marked {paper.marking.value} and is issued in the "
                    "restricted pack.",
                )
            )
        elif not _has_content(uow, paper):
            out.append((item, paper, MISSING, "Paper to follow."))
        elif supplement is None and published and paper.pack_issue != 0:
            if paper.pack_issue is None:
                out.append((item, paper, LATE, "Late paper: to be issued in a supplement."))
            else:
                out.append((item, paper, SUPPLEMENT, f"Issued in Supplement {paper.pack_issue}."))
        else:
            out.append((item, paper, IN, ""))
    return out


def pack_status(uow: UnitOfWork, meeting_id: str, part: Part = Part.PART_I) -> PackStatus:
    """What the pack holds now: each item's paper in, missing, late or withheld, the files that
    stop a build, and the marking the pack would carry."""
    with uow:
        return _pack_status(uow, meeting_id, part)


def _pack_status(uow: UnitOfWork, meeting_id: str, part: Part) -> PackStatus:
    loaded = _load(uow, meeting_id, part)
    rows = _states(uow, loaded, part, None)
    items, markings, problems, late = [], [], [], 0
    for item, paper, state, note in rows:
        if state == IN and paper is not None:
            markings.append(paper.marking)
            problems += _file_problems(uow, paper)
        late += state == LATE
        if state == NO_PAPER and _kind(item, None, state) != "divider":
            state = _kind(item, None, state)  # the pack prints it: minutes, actions, highlight
        items.append(
            ItemStatus(
                str(item.position),
                item.title,
                paper.id if paper else None,
                paper.reference if paper else "",
                state,
                paper.marking if paper else None,
                note,
            )
        )
    pack = BOARD_PACKS.to_dto(loaded.pack) if loaded.pack is not None else None
    return PackStatus(
        MEETINGS.to_dto(loaded.meeting),
        part,
        pack,
        loaded.allowed,
        highest_marking(markings),
        tuple(items),
        tuple(problems),
        late,
        _off_agenda(uow, loaded),
    )


def _off_agenda(uow: UnitOfWork, loaded: _Loaded) -> tuple[str, ...]:
    on = {paper.id for _item, paper, _part in loaded.items if paper is not None}
    return tuple(
        f"{p.reference}: {p.title}"
        for p in uow.session.scalars(
            select(Paper)
            .where(Paper.meeting_id == loaded.meeting.id, Paper.deleted.is_(False))
            .order_by(Paper.ref_year, Paper.ref_number, Paper.id)
        )
        if p.id not in on
    )


# Content hashes whose bytes were read and found a good PDF: the same bytes are never checked
# twice in a session (the page asks on every refresh); their row must still be there.
_GOOD_FILES: set[str] = set()


def _file_problems(uow: UnitOfWork, paper: Paper) -> list[str]:
    problems = []
    for a in _attachments(uow, paper.id):
        if a.sha256 in _GOOD_FILES and _has_blob(uow, a.sha256):
            continue
        data = stored_bytes(uow, a.sha256)
        if data is None and a.filename.startswith(PLACEHOLDER):
            problems.append(_not_a_reader(paper))
            continue
        if data is None:
            problems.append(
                f"{a.filename} ({paper.reference}): the file has not reached this PC yet "
                "(sync, then try again) or is damaged: attach it again"
            )
            continue
        try:
            read_attachment(a.filename, data)
        except AttachmentError as exc:
            problems.append(f"{exc} ({paper.reference})")
        else:
            _GOOD_FILES.add(a.sha256)
    return problems


def _not_a_reader(paper: Paper) -> str:
    return (
        f"{paper.reference}: its files are restricted and this PC does not hold their key: "
        "only their readers print them"
    )


def _has_blob(uow: UnitOfWork, sha: str) -> bool:
    found = uow.session.scalar(
        select(AttachmentBlob.id)
        .where(AttachmentBlob.sha256 == sha, AttachmentBlob.deleted.is_(False))
        .limit(1)
    )
    return found is not None


# ------------------------------------------------------------------ content for the reports
def paper_content(
    uow: UnitOfWork, paper_id: str, *, agenda_number: str = "", supplement: int | None = None
) -> PaperContent:
    """A paper with its attached files, ready to print (PackProblemsError if a file is bad)."""
    with uow:
        paper = crud.load(uow.session, PAPERS, paper_id)
        problems = _file_problems(uow, paper)
        if problems:
            raise PackProblemsError(problems)
        return _paper(uow, paper, agenda_number, supplement)


def _paper(uow: UnitOfWork, paper: Paper, number: str, supplement: int | None) -> PaperContent:
    meeting = uow.session.get(Meeting, paper.meeting_id) if paper.meeting_id else None
    meeting_text = (
        f"{meeting.body} {meeting.title}, {when_text(meeting.start_utc, meeting.end_utc)}"
        if meeting is not None
        else ""
    )
    if meeting is not None and not number:
        item = uow.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.paper_id == paper.id, AgendaItem.deleted.is_(False))
            .limit(1)
        ).first()
        number = str(item.position) if item is not None else ""
    attached, appendices = None, []
    letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for a in _attachments(uow, paper.id):
        data = stored_bytes(uow, a.sha256)
        if data is None and a.filename.startswith(PLACEHOLDER):
            raise PackProblemsError([_not_a_reader(paper)])
        if data is None:  # checked by _file_problems, unless it changed since
            raise PackProblemsError([f"{a.filename} ({paper.reference}): the file is damaged"])
        if a.role == "paper":
            attached = AttachedPdf(a.id, a.filename, f"{paper.reference}: {a.filename}", data)
        else:
            letter = next(letters, "")
            title = attachment_title(a.filename, data)
            label = f"Appendix {letter}: {title}" if letter else f"Appendix: {title}"
            appendices.append(AttachedPdf(a.id, a.filename, label, data))
    return PaperContent(
        reference=paper.reference,
        title=paper.title,
        meeting=meeting_text,
        agenda_number=number,
        report_of=paper.report_of,
        author=paper.author,
        purpose=paper.purpose,
        part=paper.part,
        foi_status=paper.foi_status,
        marking=paper.marking,
        summary=paper.summary,
        recommendations=paper.recommendations,
        body_text=paper.body_text,
        attached_paper=attached,
        appendices=tuple(appendices),
        supplement=supplement or paper.pack_issue or None,
        when=when_text(meeting.start_utc, meeting.end_utc) if meeting is not None else "",
    )


def pack_content(
    uow: UnitOfWork,
    meeting_id: str,
    part: Part = Part.PART_I,
    *,
    supplement: int | None = None,
    allowed: Marking | None = None,
) -> PackContent:
    """Everything the pack (or supplement `supplement`) prints. Raises PackProblemsError naming
    every attached file that is not a PDF, is encrypted, is corrupt or has not arrived."""
    with uow:
        return _pack_content(uow, meeting_id, part, supplement, allowed)


def _pack_content(
    uow: UnitOfWork,
    meeting_id: str,
    part: Part,
    supplement: int | None,
    allowed: Marking | None,
) -> PackContent:
    loaded = _load(uow, meeting_id, part)
    if allowed is not None:
        loaded.allowed = allowed
    meeting = loaded.meeting
    pack = loaded.pack
    published = pack is not None and pack.status == PUBLISHED
    so_far = pack.supplements if pack is not None else 0
    if supplement is not None and (supplement < 1 or supplement > so_far + 1 or not published):
        raise ValidationError(
            f"there is no supplement {supplement}: a supplement follows a published pack "
            f"({pack.supplements if pack else 0} so far)"
        )
    rows = _states(uow, loaded, part, supplement)
    starts = {
        item.id: f"{start:%H:%M}"
        for (item, _, _), start in zip(
            loaded.items,
            start_times(meeting.start_utc, [i.minutes_allocated for i, _, _ in loaded.items]),
            strict=True,
        )
    }
    problems: list[str] = []
    items: list[PackItem] = []
    markings: list[Marking] = []
    withheld: list[str] = []
    for item, paper, state, note in rows:
        presenter = _name(loaded.people, loaded.orgs, item.presenter_id)
        number = str(item.position)
        if supplement is not None:
            wanted = (
                paper is not None
                and state == IN
                and (
                    paper.pack_issue == supplement
                    or (paper.pack_issue is None and supplement == pack.supplements + 1)  # type: ignore[union-attr]
                )
            )
            if not wanted:
                continue
        if state == WITHHELD and paper is not None:
            withheld.append(f"{number}. {paper.reference}")
        kind = _kind(item, paper, state)
        content = None
        if kind in ("paper", "highlight") and paper is not None and state == IN:
            file_problems = _file_problems(uow, paper)
            problems += file_problems
            if not file_problems:
                content = _paper(uow, paper, number, supplement)
                markings.append(paper.marking)
        items.append(
            PackItem(
                number,
                item.title,
                item.purpose,
                presenter,
                part,
                kind,
                content,
                note,
                start=starts.get(item.id, ""),
            )
        )
    if problems:
        raise PackProblemsError(problems)
    previous = None
    actions: tuple[ActionRow, ...] = ()
    highlight = None
    if supplement is None:
        prev = _previous_meeting(uow, meeting)
        if prev is not None:
            previous = _minutes(uow, prev, part, loaded.allowed)
            if previous is not None:
                markings.append(previous.marking)
        if part is Part.PART_I:
            actions = _open_actions(uow, meeting.body, loaded.allowed)
            markings += [a.marking for a in actions]
            since = prev.start_utc.astimezone(LONDON).date() if prev is not None else None
            highlight = collect_highlight(
                uow,
                board=meeting.body,
                as_of=meeting.start_utc.astimezone(LONDON).date(),
                since=since,
                allowed=loaded.allowed,
            )
            markings += [r.marking for r in highlight.rows]
    distribution = _distribution(uow, loaded)
    return PackContent(
        board=meeting.body,
        board_name=BOARD_NAMES.get(meeting.body, meeting.body),
        meeting_title=meeting.title,
        when=when_text(meeting.start_utc, meeting.end_utc),
        venue=_venue(uow, meeting),
        part=part,
        marking=highest_marking(markings),
        draft=not published if supplement is None else supplement > pack.supplements,  # type: ignore[union-attr]
        items=tuple(items),
        distribution=distribution,
        supplement=supplement,
        previous_minutes=previous,
        actions=actions,
        highlight=highlight,
        withheld=tuple(withheld),
        published_on=(
            pack.published_at.astimezone(LONDON).date()
            if supplement is None and published and pack is not None and pack.published_at
            else None
        ),
    )


def _kind(item: AgendaItem, paper: Paper | None, state: str) -> str:
    if state == OTHER_PART:
        return "part2"
    if _MINUTES_ITEM.search(item.title):
        return "minutes"
    if _ACTIONS_ITEM.search(item.title):
        return "actions"
    if _HIGHLIGHT_ITEM.search(item.title) or (
        paper is not None and _HIGHLIGHT_ITEM.search(paper.title)
    ):
        return "highlight"
    if paper is not None and state == IN:
        return "paper"
    return "divider"


def _venue(uow: UnitOfWork, meeting: Meeting) -> str:
    venue = uow.session.get(Resource, meeting.venue_id) if meeting.venue_id else None
    return venue.name if venue is not None else ""


def _distribution(uow: UnitOfWork, loaded: _Loaded) -> tuple[str, ...]:
    if loaded.pack is not None and loaded.pack.distribution.strip():
        return tuple(x.strip() for x in loaded.pack.distribution.splitlines() if x.strip())
    names = []
    for a in uow.session.scalars(
        select(Attendance)
        .where(Attendance.meeting_id == loaded.meeting.id, Attendance.deleted.is_(False))
        .order_by(Attendance.role, Attendance.id)
    ):
        name = _name(loaded.people, loaded.orgs, a.person_id)
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _previous_meeting(uow: UnitOfWork, meeting: Meeting) -> Meeting | None:
    return uow.session.scalars(
        select(Meeting)
        .where(
            Meeting.deleted.is_(False),
            Meeting.body == meeting.body,
            Meeting.start_utc < meeting.start_utc,
        )
        .order_by(Meeting.start_utc.desc(), Meeting.id)
        .limit(1)
    ).first()


def _minutes(
    uow: UnitOfWork, meeting: Meeting, part: Part, allowed: Marking
) -> MinutesContent | None:
    s = uow.session
    minutes = [
        m
        for m in s.scalars(
            select(Minute)
            .where(Minute.meeting_id == meeting.id, Minute.deleted.is_(False), Minute.part == part)
            .order_by(Minute.ref_year, Minute.ref_number, Minute.id)
        )
        if m.marking.rank <= allowed.rank
    ]
    people = {p.id: p for p in s.scalars(select(Person))}
    orgs = {o.id: o for o in s.scalars(select(Organisation))}
    roles: dict[AttendanceRole, list[str]] = defaultdict(list)
    for a in s.scalars(
        select(Attendance)
        .where(Attendance.meeting_id == meeting.id, Attendance.deleted.is_(False))
        .order_by(Attendance.id)
    ):
        roles[a.role].append(_name(people, orgs, a.person_id))
    titles = {
        i.id: i.title
        for i in s.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    }
    declared = [
        (
            people[d.person_id].name if d.person_id in people else "",
            f"{_name(people, orgs, d.person_id)}: {d.interest}"
            + (f" (item: {titles[d.agenda_item_id]})" if d.agenda_item_id in titles else ""),
        )
        for d in s.scalars(
            select(Declaration)
            .where(Declaration.meeting_id == meeting.id, Declaration.deleted.is_(False))
            .order_by(Declaration.id)
        )
    ]
    # the declarations go under the meeting's own "Declarations of interest" minute if it has
    # one (those its text does not already name), else in a section of their own
    minuted = any(is_declarations_item(titles.get(m.agenda_item_id or "", "")) for m in minutes)
    items = []
    for m in minutes:
        resolutions = tuple(
            d.text
            for d in s.scalars(
                select(Decision)
                .where(Decision.minute_id == m.id, Decision.deleted.is_(False))
                .order_by(Decision.id)
            )
        )
        actions = tuple(
            _action_line(a, people, orgs)
            for a in s.scalars(
                select(Action)
                .where(Action.minute_id == m.id, Action.deleted.is_(False))
                .order_by(Action.ref_number, Action.id)
            )
        )
        title = titles.get(m.agenda_item_id or "", "")
        items.append(
            MinuteItem(
                m.reference,
                title,
                m.summary,
                resolutions,
                actions,
                declarations=(
                    unmentioned(declared, m.summary) if is_declarations_item(title) else ()
                ),
                is_declarations=is_declarations_item(title),
            )
        )
    if not minutes and part is Part.PART_II:
        return None
    approved = [m.approved_on for m in minutes]
    approved_on = max(d for d in approved if d) if minutes and all(approved) else None
    return MinutesContent(
        board=meeting.body,
        board_name=BOARD_NAMES.get(meeting.body, meeting.body),
        meeting_title=meeting.title,
        when=when_text(meeting.start_utc, meeting.end_utc),
        venue=_venue(uow, meeting),
        part=part,
        marking=highest_marking(m.marking for m in minutes),
        approved_on=approved_on,
        present=tuple(roles[AttendanceRole.PRESENT]),
        in_attendance=tuple(roles[AttendanceRole.IN_ATTENDANCE]),
        apologies=tuple(roles[AttendanceRole.APOLOGIES]),
        declarations=() if minuted else tuple(line for _, line in declared),
        declarations_minuted=minuted,
        items=tuple(items),
    )


def _action_line(a: Action, people: dict[str, Person], orgs: dict[str, Organisation]) -> str:
    owner = _name(people, orgs, a.owner_id) or "the owner"
    return action_line(owner, a.description, a.revised_due_date or a.due_date, a.reference)


def minutes_content(uow: UnitOfWork, meeting_id: str, part: Part = Part.PART_I) -> MinutesContent:
    """The minutes of one meeting (Part I, or the Part II minutes kept separately)."""
    with uow:
        meeting = crud.load(uow.session, MEETINGS, meeting_id)
        content = _minutes(uow, meeting, part, Marking.OFFICIAL_SENSITIVE)
        if content is None or not content.items:
            raise NotFoundError(
                f"the meeting of {meeting.start_utc.astimezone(LONDON):%d %B %Y} has no "
                f"{'Part II ' if part is Part.PART_II else ''}minutes yet"
            )
        return content


def _open_actions(uow: UnitOfWork, body: str | None, allowed: Marking) -> tuple[ActionRow, ...]:
    s = uow.session
    stmt = select(Action).where(Action.deleted.is_(False), Action.status.in_(OPEN_STATUSES))
    if body:
        stmt = stmt.where(Action.ref_body == body)
    people = {p.id: p for p in s.scalars(select(Person))}
    orgs = {o.id: o for o in s.scalars(select(Organisation))}
    meetings = {m.id: m for m in s.scalars(select(Meeting))}
    minutes = {m.id: m.reference for m in s.scalars(select(Minute))}
    rows = []
    for a in s.scalars(stmt.order_by(Action.ref_year, Action.ref_number, Action.id)):
        if a.marking.rank > allowed.rank:
            continue
        meeting = meetings.get(a.meeting_id or "")
        source = []
        if meeting is not None:
            source.append(f"{meeting.body} {meeting.start_utc.astimezone(LONDON):%d %b %Y}")
        if a.minute_id in minutes:
            source.append(f"minute {minutes[a.minute_id]}")
        owner = _name(people, orgs, a.owner_id)
        org = orgs.get(a.organisation_id or "")
        if org is not None and f"({org.code})" not in owner:
            owner = f"{owner} ({org.code})" if owner else org.code
        rows.append(
            ActionRow(
                reference=a.reference,
                raised_on=a.raised_on,
                source=", ".join(source),
                description=a.description,
                owner=owner,
                due=a.due_date,
                revised_due=a.revised_due_date,
                revision_reason=a.revision_reason,
                status=labels.ACTION_STATUS[a.status],
                completed_on=a.completed_on,
                latest_update=a.latest_update,
                marking=a.marking,
            )
        )
    return tuple(rows)


def open_actions(
    uow: UnitOfWork, body: str | None = None, allowed: Marking = Marking.OFFICIAL_SENSITIVE
) -> tuple[ActionRow, ...]:
    """The action log: every action not closed (all bodies unless `body`), oldest first."""
    with uow:
        return _open_actions(uow, body, allowed)


# ------------------------------------------------------------------ publishing
def _ensure_pack(uow: UnitOfWork, meeting_id: str, part: Part) -> BoardPack:
    pack = _pack_row(uow, meeting_id, part)
    if pack is None:
        pack = crud.add(
            uow,
            BOARD_PACKS,
            {"meeting_id": meeting_id, "part": part, "marking": default_allowed(part)},
        )
    return pack


def set_pack_options(
    uow: UnitOfWork,
    meeting_id: str,
    part: Part,
    *,
    marking: Marking | None = None,
    distribution: str | None = None,
) -> Result[BoardPackDTO]:
    """The pack's allowed marking and distribution list (one name a line)."""
    uow.require(Operation.EDIT, Kind.PACK)
    with uow:
        crud.load(uow.session, MEETINGS, meeting_id)
        pack = _ensure_pack(uow, meeting_id, part)
        values: dict[str, object] = {}
        if marking is not None:
            values["marking"] = marking
        if distribution is not None:
            values["distribution"] = distribution
        if values:
            crud.change(uow, BOARD_PACKS, pack.id, values)
        dto = BOARD_PACKS.to_dto(pack)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id,)))


def publish_pack(
    uow: UnitOfWork, meeting_id: str, part: Part = Part.PART_I, *, now: datetime | None = None
) -> Result[BoardPackDTO]:
    """Mark the pack final: it loses its DRAFT watermark and records the papers it carried.
    Refused while an attached file is bad or the pack is already published."""
    uow.require(Operation.PUBLISH, Kind.PACK)
    with uow:
        content = _pack_content(uow, meeting_id, part, None, None)  # raises on bad files
        pack = _ensure_pack(uow, meeting_id, part)
        if pack.status == PUBLISHED:
            raise ValidationError("this pack is already published: late papers go in a supplement")
        carried = {i.paper.reference for i in content.items if i.paper is not None}
        ids = []
        for _item, paper, _part in _load(uow, meeting_id, part).items:
            if paper is not None and paper.reference in carried and paper.pack_issue is None:
                paper.pack_issue = 0
                ids.append(paper.id)
        pack.status = PUBLISHED
        pack.published_at = now or datetime.now(UTC)
        pack.published_by = uow.actor.user
        uow.session.flush()
        dto = BOARD_PACKS.to_dto(pack)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id, *ids)))


def publish_supplement(uow: UnitOfWork, meeting_id: str, part: Part = Part.PART_I) -> Result[int]:
    """Issue the late papers as the next numbered supplement; returns its number."""
    uow.require(Operation.PUBLISH, Kind.PACK)
    with uow:
        status = _pack_status(uow, meeting_id, part)
        if not status.published:
            raise ValidationError("publish the pack first: late papers follow a published pack")
        if status.problems:
            raise PackProblemsError(list(status.problems))
        late = [i.paper_id for i in status.items if i.state == LATE and i.paper_id]
        if not late:
            raise ValidationError("there are no late papers to issue")
        pack = _ensure_pack(uow, meeting_id, part)
        number = pack.supplements + 1
        pack.supplements = number
        for pid in late:
            crud.load(uow.session, PAPERS, pid).pack_issue = number
        uow.session.flush()
        uow.commit()
    return Result(number, changes_of(uow, tuple(late)))
