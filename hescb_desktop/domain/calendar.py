"""The calendar's value types (occurrences, drafts, clashes) and the day-grid layout. No I/O."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from hescb_desktop.domain.enums import Marking, Visibility
from hescb_desktop.domain.recurrence import LONDON

BOARD_MEETINGS = "Board meetings"
ROOMS = "Rooms"
ASSETS = "Shared assets"
STANDARD_CALENDARS = (BOARD_MEETINGS, "Executive suite", ROOMS, ASSETS)
DEFAULT_COLOUR = "#5f6b7a"
CALENDAR_COLOURS = {BOARD_MEETINGS: "#0f6e6e", "Executive suite": "#5f6b7a", ASSETS: "#b7791f"}


EXECUTIVE_SUITE = "Executive suite"


def own_calendar(organisation_code: str) -> str:
    """Where a user's new event goes: their organisation's chief officers' diary (the one
    `services.calendar.calendars` lists for it), else the shared executive suite diary; never
    "Board meetings", which holds the meetings planned on the Meetings page."""
    code = organisation_code.strip().upper()
    return f"{code} chief officers" if code else EXECUTIVE_SUITE


class Scope(enum.StrEnum):
    """Which occurrences of a series an edit or delete applies to."""

    THIS = "this"
    FOLLOWING = "following"
    ALL = "all"


class Occurrence(NamedTuple):
    """One appearance of an event in a window: a single event, an occurrence of a series, or an
    exception (a moved occurrence). Times are Europe/London; an all-day one spans London
    midnights and `end` is exclusive."""

    event_id: str  # the row to edit: the single event, the series or the exception
    series_id: str | None  # the series this occurrence belongs to
    recurrence_id: datetime | None  # the original start (UTC) of a series' occurrence
    start: datetime
    end: datetime
    all_day: bool
    summary: str
    location: str
    description: str
    calendar: str
    organisation_id: str | None
    organisation_code: str
    colour: str
    visibility: Visibility
    masked: bool  # another person's busy-only event: details hidden
    owner_id: str | None
    meeting_id: str | None
    marking: Marking
    rrule: str = ""

    @property
    def key(self) -> str:
        stamp = self.recurrence_id.isoformat() if self.recurrence_id else ""
        return f"{self.event_id}@{stamp}"

    @property
    def recurring(self) -> bool:
        return self.series_id is not None

    @property
    def read_only(self) -> bool:
        """Meetings are edited on the Meetings page; a masked event is someone else's."""
        return self.masked or self.meeting_id is not None

    @property
    def first_day(self) -> date:
        return self.start.date()  # start and end are Europe/London times already

    @property
    def last_day(self) -> date:
        """The last day the occurrence touches (an all-day end is exclusive)."""
        end = self.end
        if end.time() == datetime.min.time() and end > self.start:
            return end.date() - timedelta(days=1)
        return end.date()

    def days(self) -> list[date]:
        first, last = self.first_day, max(self.first_day, self.last_day)
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class EventDraft:
    """What a user wants an event to be. All-day: `start`/`end` are London midnights of the
    first day and the day after the last (end exclusive)."""

    summary: str
    start: datetime
    end: datetime
    all_day: bool = False
    calendar: str = "Executive suite"
    location: str = ""
    description: str = ""
    organisation_id: str | None = None
    owner_id: str | None = None
    visibility: Visibility = Visibility.NORMAL
    marking: Marking = Marking.OFFICIAL
    rrule: str = ""
    resource_ids: tuple[str, ...] = ()
    attendee_ids: tuple[str, ...] = ()
    timezone: str = "Europe/London"


@dataclass(frozen=True)
class EventDetails:
    """An event row with its bookings and attendees, for the edit dialog."""

    id: str
    draft: EventDraft
    series_id: str | None
    recurrence_id: datetime | None
    meeting_id: str | None
    ics_uid: str | None
    booked_by: str = ""  # who booked it, when not its owner: a staff officer for a principal


@dataclass(frozen=True)
class Clash:
    """A double booking found before saving."""

    kind: str  # "room", "asset" or "person"
    name: str
    other: str  # the other event's summary ("Busy" when it is not ours to see)
    start: datetime
    end: datetime

    @property
    def message(self) -> str:
        what = {"room": "Room", "asset": "Asset", "person": ""}.get(self.kind, "")
        who = f"{what} {self.name}".strip()
        verb = "is already booked" if self.kind != "person" else "is already busy"
        when = f"{self.start:%a %d %b %Y %H:%M}–{self.end:%H:%M}"
        return f"{who} {verb}: {self.other} ({when})"


@dataclass(frozen=True)
class BusyBlock:
    start: datetime
    end: datetime
    label: str


@dataclass(frozen=True)
class FreeBusyRow:
    key: str  # person:<id> or resource:<id>
    name: str
    blocks: tuple[BusyBlock, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------- layout
@dataclass(frozen=True, slots=True)
class Placed:
    """An occurrence placed in a day column: a lane among `lanes` side-by-side lanes and its
    top/bottom as minutes since the day's midnight."""

    occurrence: Occurrence
    day: date
    lane: int
    lanes: int
    top: float
    bottom: float


def layout_day(occurrences: Sequence[Occurrence], day: date) -> list[Placed]:
    """Timed occurrences touching `day`, overlapping ones side by side (greedy lanes per
    cluster of overlaps, the usual calendar layout)."""
    midnight = datetime.combine(day, datetime.min.time(), LONDON)
    spans: list[tuple[float, float, Occurrence]] = []
    for occ in occurrences:
        if occ.all_day:
            continue
        top = (occ.start - midnight).total_seconds() / 60
        bottom = (occ.end - midnight).total_seconds() / 60
        if bottom <= 0 or top >= 24 * 60:
            continue
        top, bottom = max(top, 0.0), min(bottom, 24 * 60.0)
        spans.append((top, max(bottom, top + 15), occ))
    spans.sort(key=lambda s: (s[0], -s[1]))
    placed: list[Placed] = []
    cluster: list[tuple[float, float, Occurrence, int]] = []
    lane_ends: list[float] = []
    cluster_end = -1.0

    def flush() -> None:
        lanes = len(lane_ends)
        placed.extend(Placed(o, day, lane, lanes, t, b) for t, b, o, lane in cluster)

    for top, bottom, occ in spans:
        if top >= cluster_end and cluster:
            flush()
            cluster, lane_ends = [], []
        for lane, end in enumerate(lane_ends):
            if end <= top:
                lane_ends[lane] = bottom
                break
        else:
            lane = len(lane_ends)
            lane_ends.append(bottom)
        cluster.append((top, bottom, occ, lane))
        cluster_end = max(cluster_end, bottom) if cluster_end > top else bottom
    if cluster:
        flush()
    return placed


def layout_days(
    occurrences: Sequence[Occurrence], days: Sequence[date]
) -> dict[date, list[Placed]]:
    by_day: dict[date, list[Occurrence]] = {d: [] for d in days}
    for occ in occurrences:
        if occ.all_day:
            continue
        for day in occ.days():
            if day in by_day:
                by_day[day].append(occ)
    return {d: layout_day(by_day[d], d) for d in days}


def all_day_rows(occurrences: Sequence[Occurrence], days: Sequence[date]) -> list[list[Occurrence]]:
    """All-day (and multi-day) occurrences stacked in rows so none overlap in the top band."""
    rows: list[list[Occurrence]] = []
    first, last = days[0], days[-1]
    items = [o for o in occurrences if o.all_day and o.last_day >= first and o.first_day <= last]
    items.sort(key=lambda o: (o.first_day, -(o.last_day - o.first_day).days, o.summary))
    for occ in items:
        for row in rows:
            if all(o.last_day < occ.first_day or o.first_day > occ.last_day for o in row):
                row.append(occ)
                break
        else:
            rows.append([occ])
    return rows


def week_start(day: date) -> date:
    """The Monday of `day`'s week (weeks start on Monday)."""
    return day - timedelta(days=day.weekday())


def month_grid(day: date) -> list[date]:
    """The 6 x 7 days of a month view, Monday first, containing `day`'s month."""
    first = week_start(day.replace(day=1))
    return [first + timedelta(days=n) for n in range(42)]
