"""Numbered copies of a pack with restricted items, and the copies register (issue 16, point 3).

A pack *has restricted items* when it is a meeting's Part II pack (and holds at least one item)
or holds a paper marked OFFICIAL-SENSITIVE (a Part I pack whose allowed marking was raised).
Such a pack can be issued as numbered copies: each copy is a row of `pack_copies`, numbered on
from the copies already issued of that pack (returned and destroyed ones count: a number is
never used twice), with `of_total` the pack's number of copies once this issue is made. Each
copy's PDF is the pack as it is built today with "Copy 3 of 7 – issued to ACC R. Shah" in the
footer of every restricted page (`reports.pack.build_pack_pdf(copy_label=...)`).

A copy is *issued* until it is marked returned or destroyed; a returned copy may still be
destroyed (the secretariat destroys what comes back), a destroyed one is never returned, and
neither is recorded twice. Issuing, returning and destroying are the secretariat's
(`Kind.PACK_COPY`); anyone who may read the board reads the register.

A copy is named on the command line as `MEETING_REF PART #N` ("HESCB/2026-10-15 II #3"; the
`#` may be left out, the part too when only one pack of that meeting has copies) or by the
first 8 or more characters of its id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hescb_desktop.domain.dto import MeetingDTO, PackCopyDTO
from hescb_desktop.domain.enums import Marking, Part
from hescb_desktop.domain.errors import NotFoundError, ValidationError
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.domain.rules import highest_marking
from hescb_desktop.reports.content import (
    CopyLine,
    CopyRegisterContent,
    CopyRegisterPack,
)
from hescb_desktop.services import boardpacks, crud
from hescb_desktop.services.entities import MEETINGS, PACK_COPIES
from hescb_desktop.services.meetings import meeting_ref
from hescb_desktop.services.results import Result, changes_of
from hescb_desktop.storage.models import Meeting, PackCopy, Person
from hescb_desktop.storage.uow import UnitOfWork

ISSUED, RETURNED, DESTROYED = "issued", "returned", "destroyed"
NUMERAL = {Part.PART_I: "I", Part.PART_II: "II"}
NAME_LIMIT = 120  # characters of a recipient's name (the label stays on one line)
_SLACK = timedelta(minutes=5)  # a clock a little ahead is not "the future"


# ------------------------------------------------------------------ what a copy says
def copy_label(number: int, of_total: int, issued_to: str) -> str:
    """What the footer of a restricted page of the copy says."""
    return f"Copy {number} of {of_total} – issued to {issued_to}"


def state_of(copy: PackCopyDTO) -> str:
    if copy.destroyed_at is not None:
        return DESTROYED
    return RETURNED if copy.returned_at is not None else ISSUED


def copy_reference(meeting: str, part: Part, number: int) -> str:
    """How the register and the command line name a copy: HESCB/2026-10-15 II #3."""
    return f"{meeting} {NUMERAL[part]} #{number}"


@dataclass(frozen=True)
class CopyRow:
    """One line of the copies register."""

    copy: PackCopyDTO
    meeting: str  # HESCB/2026-10-15
    meeting_title: str
    when: str  # the meeting's date and time, as the packs print it
    marking: Marking  # the pack's marking now

    @property
    def state(self) -> str:
        return state_of(self.copy)

    @property
    def reference(self) -> str:
        return copy_reference(self.meeting, self.copy.part, self.copy.number)

    @property
    def label(self) -> str:
        return copy_label(self.copy.number, self.copy.of_total, self.copy.issued_to)


def file_name(row: CopyRow) -> str:
    return copy_file_name(
        row.meeting, row.copy.part, row.copy.number, row.copy.of_total, row.copy.issued_to
    )


def copy_file_name(meeting: str, part: Part, number: int, of_total: int, issued_to: str) -> str:
    """HESCB-2026-10-15-Part-II-copy-03-of-07-ACC-R-Shah.pdf"""
    width = max(2, len(str(of_total)))
    who = _slug(issued_to) or "recipient"
    return (
        f"{_slug(meeting)}-Part-{NUMERAL[part]}-copy-"
        f"{number:0{width}d}-of-{of_total:0{width}d}-{who}.pdf"
    )


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")[:40].strip("-")


# ------------------------------------------------------------------ may this pack be copied
def restricted_problem(status: boardpacks.PackStatus) -> str:
    """Why the pack cannot be issued as numbered copies ("" when it can)."""
    ref = meeting_ref(status.meeting)
    if status.part is Part.PART_II:
        if not status.items:
            return f"the Part II pack of {ref} holds no items: there is nothing restricted to issue"
        return ""
    if any(
        i.state == boardpacks.IN and i.marking is Marking.OFFICIAL_SENSITIVE for i in status.items
    ):
        return ""
    return (
        f"the Part I pack of {ref} holds no paper marked OFFICIAL-SENSITIVE: numbered copies are "
        "for a pack with restricted items (the Part II pack, or a pack holding an "
        "OFFICIAL-SENSITIVE paper)"
    )


def check_issuable(uow: UnitOfWork, meeting_id: str, part: Part) -> boardpacks.PackStatus:
    """The pack's status; ValidationError if it has no restricted items or a file stops it."""
    status = boardpacks.pack_status(uow, meeting_id, part)
    problem = restricted_problem(status)
    if problem:
        raise ValidationError(problem)
    if status.problems:
        raise boardpacks.PackProblemsError(list(status.problems))
    return status


# ------------------------------------------------------------------ issuing
@dataclass(frozen=True)
class _Recipient:
    person_id: str | None
    name: str


def _recipients(uow: UnitOfWork, given: Sequence[str]) -> list[_Recipient]:
    people = [p for p in uow.session.scalars(select(Person)) if not p.deleted]
    by_id = {p.id: p for p in people}
    out: list[_Recipient] = []
    for text in given:
        name = " ".join(str(text).split())
        if not name:
            raise ValidationError("a copy must be issued to someone: a name is empty")
        person = by_id.get(name)
        if person is None:
            same = [p for p in people if p.name.casefold() == name.casefold()]
            person = same[0] if len(same) == 1 else None
        if person is not None:
            out.append(_Recipient(person.id, " ".join(person.name.split())))
            continue
        if len(name) > NAME_LIMIT:
            raise ValidationError(
                f"the name {name[:40]!r}… is longer than {NAME_LIMIT} characters: shorten it"
            )
        out.append(_Recipient(None, name))
    seen: set[str] = set()
    for r in out:
        key = r.person_id or r.name.casefold()
        if key in seen:
            raise ValidationError(f"{r.name} is named twice: each person has one copy")
        seen.add(key)
    if not out:
        raise ValidationError("name at least one person to issue a copy to")
    return out


def _live_copies(uow: UnitOfWork, meeting_id: str, part: Part) -> list[PackCopy]:
    return list(
        uow.session.scalars(
            select(PackCopy)
            .where(
                PackCopy.meeting_id == meeting_id,
                PackCopy.part == part,
                PackCopy.deleted.is_(False),
            )
            .order_by(PackCopy.number, PackCopy.id)
        )
    )


def _holds(copy: PackCopy, r: _Recipient) -> bool:
    """Whether `copy` is one `r` still holds (issued to the same person, or the same name)."""
    if copy.returned_at is not None or copy.destroyed_at is not None:
        return False
    if r.person_id:
        return copy.issued_to_id == r.person_id
    return copy.issued_to_id is None and copy.issued_to.casefold() == r.name.casefold()


@dataclass(frozen=True)
class PlannedCopy:
    """A copy an issue would make: its number, the new total and the name printed."""

    number: int
    of_total: int
    issued_to: str
    issued_to_id: str | None

    @property
    def label(self) -> str:
        return copy_label(self.number, self.of_total, self.issued_to)


def _plan(
    uow: UnitOfWork, meeting_id: str, part: Part, recipients: Sequence[str]
) -> list[PlannedCopy]:
    """Inside an entered unit of work: the copies an issue makes, or ValidationError."""
    crud.load(uow.session, MEETINGS, meeting_id)
    wanted = _recipients(uow, recipients)
    existing = _live_copies(uow, meeting_id, part)
    for r in wanted:
        held = next((c for c in existing if _holds(c, r)), None)
        if held is not None:
            raise ValidationError(
                f"{r.name} still holds copy {held.number} of this pack: mark it returned "
                "or destroyed first"
            )
    start = max((c.number for c in existing), default=0)
    total = start + len(wanted)
    return [PlannedCopy(start + n, total, r.name, r.person_id) for n, r in enumerate(wanted, 1)]


def plan_issue(
    uow: UnitOfWork, meeting_id: str, part: Part, recipients: Sequence[str]
) -> tuple[PlannedCopy, ...]:
    """What `issue_copies` would issue, with the same checks, writing nothing: the copies'
    PDFs can be built before anything is recorded."""
    uow.require(Operation.CREATE, Kind.PACK_COPY)
    check_issuable(uow, meeting_id, part)
    with uow:
        return tuple(_plan(uow, meeting_id, part, recipients))


def issue_copies(
    uow: UnitOfWork,
    meeting_id: str,
    part: Part,
    recipients: Sequence[str],
    *,
    now: datetime | None = None,
    expect: Sequence[PlannedCopy] | None = None,
) -> Result[tuple[PackCopyDTO, ...]]:
    """Issue one numbered copy to each recipient (a person's id, a person's name as the board
    knows it, or any other name as it is to be printed), numbered on from the pack's copies so
    far; each new copy's `of_total` is the new total. Refused (nothing written) for a pack with
    no restricted items, a name given twice, or someone who still holds a copy of this pack;
    and, given `expect` (from `plan_issue`), unless the copies are exactly those planned."""
    uow.require(Operation.CREATE, Kind.PACK_COPY)
    check_issuable(uow, meeting_id, part)
    when = now or datetime.now(UTC)
    if when.tzinfo is None:
        raise ValidationError("give the time a copy is issued with a time zone")
    with uow:
        planned = _plan(uow, meeting_id, part, recipients)
        if expect is not None and list(expect) != planned:
            raise ValidationError(
                "the pack's copies changed while these were being prepared: issue them again"
            )
        made = [
            crud.add(
                uow,
                PACK_COPIES,
                {
                    "meeting_id": meeting_id,
                    "part": part,
                    "number": p.number,
                    "of_total": p.of_total,
                    "issued_to_id": p.issued_to_id,
                    "issued_to": p.issued_to,
                    "issued_at": when,
                },
            )
            for p in planned
        ]
        dtos = tuple(PACK_COPIES.to_dto(c) for c in made)
        uow.commit()
    return Result(dtos, changes_of(uow, tuple(d.id for d in dtos)))


# ------------------------------------------------------------------ returned, destroyed
def _day(moment: datetime) -> str:
    local = moment.astimezone(boardpacks.LONDON)
    return f"{local.day} {local:%B %Y}"


def _moment(when: datetime | None, copy: PackCopy) -> datetime:
    now = datetime.now(UTC)
    moment = when or now
    if moment.tzinfo is None:
        raise ValidationError("give the time with a time zone")
    if moment > now + _SLACK:
        raise ValidationError("that time is in the future")
    if moment < copy.issued_at:
        raise ValidationError(f"copy {copy.number} was only issued on {_day(copy.issued_at)}")
    return moment


def mark_returned(
    uow: UnitOfWork, copy_id: str, when: datetime | None = None
) -> Result[PackCopyDTO]:
    """Record that the copy came back (now, or `when`). Refused for a copy already returned or
    destroyed."""
    uow.require(Operation.EDIT, Kind.PACK_COPY)
    with uow:
        copy = crud.load(uow.session, PACK_COPIES, copy_id)
        if copy.destroyed_at is not None:
            raise ValidationError(
                f"copy {copy.number} was destroyed on {_day(copy.destroyed_at)}: "
                "a destroyed copy cannot be returned"
            )
        if copy.returned_at is not None:
            raise ValidationError(
                f"copy {copy.number} was already returned on {_day(copy.returned_at)}"
            )
        copy.returned_at = _moment(when, copy)
        uow.session.flush()
        dto = PACK_COPIES.to_dto(copy)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id,)))


def mark_destroyed(
    uow: UnitOfWork, copy_id: str, when: datetime | None = None
) -> Result[PackCopyDTO]:
    """Record that the copy was destroyed (now, or `when`); a returned copy may be. Refused for
    a copy already destroyed."""
    uow.require(Operation.EDIT, Kind.PACK_COPY)
    with uow:
        copy = crud.load(uow.session, PACK_COPIES, copy_id)
        if copy.destroyed_at is not None:
            raise ValidationError(
                f"copy {copy.number} was already destroyed on {_day(copy.destroyed_at)}"
            )
        moment = _moment(when, copy)
        if copy.returned_at is not None and moment < copy.returned_at:
            raise ValidationError(
                f"copy {copy.number} was returned on {_day(copy.returned_at)}: it cannot have "
                "been destroyed before that"
            )
        copy.destroyed_at = moment
        uow.session.flush()
        dto = PACK_COPIES.to_dto(copy)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id,)))


# ------------------------------------------------------------------ the register
def register(uow: UnitOfWork, meeting_id: str | None = None) -> tuple[CopyRow, ...]:
    """Every copy (of one meeting's packs, or of all), by meeting date, part and number, each
    with the marking of its pack as it would be built now."""
    with uow:
        stmt = (
            select(PackCopy, Meeting)
            .join(Meeting, Meeting.id == PackCopy.meeting_id)
            .where(PackCopy.deleted.is_(False))
            .order_by(Meeting.start_utc, Meeting.id, PackCopy.part, PackCopy.number, PackCopy.id)
        )
        if meeting_id is not None:
            stmt = stmt.where(PackCopy.meeting_id == meeting_id)
        found = [(PACK_COPIES.to_dto(c), MEETINGS.to_dto(m)) for c, m in uow.session.execute(stmt)]
    markings: dict[tuple[str, Part], Marking] = {}
    for copy, _meeting in found:
        key = (copy.meeting_id, copy.part)
        if key not in markings:
            markings[key] = _pack_marking(uow, *key)
    return tuple(
        CopyRow(
            copy,
            meeting_ref(meeting),
            meeting.title,
            boardpacks.when_text(meeting.start_utc, meeting.end_utc),
            markings[(copy.meeting_id, copy.part)],
        )
        for copy, meeting in found
    )


def _pack_marking(uow: UnitOfWork, meeting_id: str, part: Part) -> Marking:
    status = boardpacks.pack_status(uow, meeting_id, part)
    # a Part II pack is restricted whatever it holds today: never printed below its allowance
    floor = status.allowed if part is Part.PART_II else Marking.OFFICIAL
    return highest_marking((status.marking, floor))


def _stamp(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(boardpacks.LONDON)
    return f"{local.day} {local:%b %Y %H:%M}"


def register_content(
    uow: UnitOfWork, meeting_id: str | None = None, *, now: datetime | None = None
) -> CopyRegisterContent:
    """The copies register as the report prints it: one table a pack."""
    rows = register(uow, meeting_id)
    packs: dict[tuple[str, Part], list[CopyRow]] = {}
    for row in rows:
        packs.setdefault((row.copy.meeting_id, row.copy.part), []).append(row)
    board = rows[0].meeting.split("/")[0] if rows else "HESCB"
    title = f"{board} copies register"
    if meeting_id is not None:
        with uow:
            meeting = MEETINGS.to_dto(crud.load(uow.session, MEETINGS, meeting_id))
        board = meeting.body
        title = f"{board} copies register: {meeting_ref(meeting)}"
    local = (now or datetime.now(UTC)).astimezone(boardpacks.LONDON)
    return CopyRegisterContent(
        board=board,
        title=title,
        as_at=f"{local.day} {local:%B %Y, %H:%M}",
        packs=tuple(
            CopyRegisterPack(
                title=f"{group[0].meeting} · {group[0].meeting_title} · Part {NUMERAL[part]} pack",
                when=group[0].when,
                marking=group[0].marking,
                copies=tuple(
                    CopyLine(
                        r.copy.number,
                        r.copy.of_total,
                        r.copy.issued_to,
                        _stamp(r.copy.issued_at),
                        _stamp(r.copy.returned_at),
                        _stamp(r.copy.destroyed_at),
                        r.state,
                    )
                    for r in group
                ),
            )
            for (_meeting, part), group in packs.items()
        ),
    )


def copy_row(uow: UnitOfWork, copy_id: str) -> CopyRow:
    with uow:
        copy = PACK_COPIES.to_dto(crud.load(uow.session, PACK_COPIES, copy_id))
    rows = [r for r in register(uow, copy.meeting_id) if r.copy.id == copy.id]
    return rows[0]


# ------------------------------------------------------------------ finding a copy
_BY_REFERENCE = re.compile(
    r"(?P<meeting>\S+)\s+(?:(?:part\s*)?(?P<part>ii|i|2|1)\s+)?#?\s*(?P<number>\d{1,6})",
    re.IGNORECASE,
)
_PARTS = {"i": Part.PART_I, "1": Part.PART_I, "ii": Part.PART_II, "2": Part.PART_II}


def find_copy(uow: UnitOfWork, text: str) -> PackCopyDTO:
    """A copy named as `MEETING_REF PART #N` (HESCB/2026-10-15 II #3, as the register prints
    it; PART is I, II, 1 or 2, and may be left out when only one pack of the meeting has that
    number; the # may be left out) or by the first 8 or more characters of its id."""
    ref = " ".join(text.split())
    m = _BY_REFERENCE.fullmatch(ref)
    if m:
        meeting = boardpacks.resolve_meeting(uow, m.group("meeting"))
        part = _PARTS.get((m.group("part") or "").casefold())
        return _by_number(uow, meeting, part, int(m.group("number")))
    if re.fullmatch(r"[0-9a-fA-F-]{8,36}", ref):
        with uow:
            found = list(
                uow.session.scalars(
                    select(PackCopy)
                    .where(PackCopy.deleted.is_(False), PackCopy.id.startswith(ref.lower()))
                    .limit(2)
                )
            )
            if len(found) > 1:
                raise ValidationError(f'"{ref}" matches more than one copy: give more of the id')
            if found:
                return PACK_COPIES.to_dto(found[0])
        raise NotFoundError(f"no numbered copy whose id starts with {ref}")
    raise ValidationError(
        f'"{ref}" is not a copy: give MEETING_REF PART #N as the register prints it '
        '("HESCB/2026-10-15 II #3") or the start of the copy\'s id'
    )


def _by_number(uow: UnitOfWork, meeting: MeetingDTO, part: Part | None, number: int) -> PackCopyDTO:
    with uow:
        stmt = select(PackCopy).where(
            PackCopy.meeting_id == meeting.id,
            PackCopy.number == number,
            PackCopy.deleted.is_(False),
        )
        if part is not None:
            stmt = stmt.where(PackCopy.part == part)
        found = list(uow.session.scalars(stmt.order_by(PackCopy.part, PackCopy.id)))
        if len(found) > 1:
            raise ValidationError(
                f"both packs of {meeting_ref(meeting)} have a copy {number}: "
                "say which part (I or II)"
            )
        if not found:
            which = f"the Part {NUMERAL[part]} pack" if part else "the packs"
            raise NotFoundError(f"{which} of {meeting_ref(meeting)} have no copy {number}")
        return PACK_COPIES.to_dto(found[0])


# ------------------------------------------------------------------ the copies' PDFs
@dataclass(frozen=True)
class BuiltCopy:
    """A copy's PDF, built before the copy is recorded."""

    planned: PlannedCopy
    file_name: str
    data: bytes


def build_copies(
    uow: UnitOfWork,
    meeting_id: str,
    part: Part,
    recipients: Sequence[str],
    *,
    author: str,
    progress: Callable[[float, str], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> tuple[BuiltCopy, ...]:
    """The PDF of each copy an issue would make (`plan_issue`'s checks; nothing written):
    the pack as it is built today, each with its own label. Record them with
    `issue_copies(..., expect=[b.planned for b in built])`, then write the files."""
    from hescb_desktop.reports.pack import build_pack_pdf

    planned = plan_issue(uow, meeting_id, part, recipients)
    content = boardpacks.pack_content(uow, meeting_id, part)
    with uow:
        ref = meeting_ref(crud.load(uow.session, MEETINGS, meeting_id))
    built = []
    for n, p in enumerate(planned):
        if progress is not None:
            progress(n / len(planned), f"Building copy {p.number} of {p.of_total} ({p.issued_to})")
        data = build_pack_pdf(content, author=author, copy_label=p.label, cancel=cancel)
        name = copy_file_name(ref, part, p.number, p.of_total, p.issued_to)
        built.append(BuiltCopy(p, name, data))
    return tuple(built)


def build_copy_pdf(
    uow: UnitOfWork,
    copy_id: str,
    *,
    author: str,
    progress: Callable[[float, str], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> tuple[str, bytes]:
    """One recorded copy's PDF made again (its file name and bytes): the pack as it is built
    now, with that copy's label (a file lost, or not written when the copy was issued)."""
    from hescb_desktop.reports.pack import build_pack_pdf

    row = copy_row(uow, copy_id)
    content = boardpacks.pack_content(uow, row.copy.meeting_id, row.copy.part)
    data = build_pack_pdf(
        content, author=author, copy_label=row.label, progress=progress, cancel=cancel
    )
    return file_name(row), data
