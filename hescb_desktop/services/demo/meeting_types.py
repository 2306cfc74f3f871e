"""Plain values describing meetings, shared by the meeting, minutes and action generators."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hescb_desktop.domain.enums import MeetingStatus, Part
from hescb_desktop.services.demo.base import PersonInfo
from hescb_desktop.services.demo.papers import ReportPlan

HEADERS = ("Reports for decision", "Reports to note")


@dataclass(frozen=True)
class Body:
    code: str
    title: str
    chair: str
    members: tuple[str, ...]
    venue: str
    weekday: int
    start: tuple[int, int]
    minutes: int
    themes: tuple[str, ...]  # the objectives it oversees (() for all)
    offset: int  # days from the anchor to its next meeting


@dataclass(frozen=True)
class MeetingPlan:
    body: Body
    day: date
    index: int  # within its body, from 0
    previous: date | None
    following: date | None

    def status(self, today: date) -> MeetingStatus:
        if self.day < today:
            held_after = self.following is not None and self.following < today
            return MeetingStatus.MINUTES_APPROVED if held_after else MeetingStatus.MINUTES_DRAFTED
        return (
            MeetingStatus.AGENDA_PUBLISHED
            if (self.day - today).days <= 14
            else MeetingStatus.PLANNED
        )


@dataclass(frozen=True)
class AgendaRow:
    id: str
    position: int
    title: str
    part: Part
    report: ReportPlan | None
    paper_ref: str


@dataclass
class HeldMeeting:
    """What minutes.py needs of a held meeting: plain values, no ORM objects."""

    id: str
    plan: MeetingPlan
    rows: list[AgendaRow]
    present: list[PersonInfo]
    apologies: list[PersonInfo]
    declarations: list[tuple[PersonInfo, AgendaRow, str]] = field(default_factory=list)
