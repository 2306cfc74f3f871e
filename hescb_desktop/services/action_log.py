"""The action log as the board reads it (DOMAIN.md columns), and its CSV and .ics exports.

One Core query with the owner, organisation, meeting and minute joined: the page opens on 50,000
actions without building an ORM object per row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from hescb_desktop.domain import labels
from hescb_desktop.domain.csv_text import excel_csv_bytes, excel_text
from hescb_desktop.domain.enums import ActionStatus
from hescb_desktop.domain.rules import (
    LIVE_ACTION_STATUSES,
    OPEN_ACTION_STATUSES,
    action_due_soon,
    action_overdue,
)
from hescb_desktop.domain.timezones import LONDON
from hescb_desktop.storage.models import Action, Meeting, Minute, Organisation, Person
from hescb_desktop.storage.uow import UnitOfWork

# late and nothing done: only these are painted overdue (a proposed completion waits for the
# board, a deferred action was put off by it)
LIVE = LIVE_ACTION_STATUSES
OPEN = OPEN_ACTION_STATUSES
LOG_ORDER = itemgetter(5, 3, 4)  # the log's order, reversed: newest raised first, then by number


class ActionLogEntry(NamedTuple):
    """One row of the log (a NamedTuple: 50,000 are built when the page opens)."""

    id: str
    reference: str
    ref_body: str
    ref_year: int
    ref_number: int
    raised_on: date
    meeting_id: str | None
    meeting: str  # "HESCB 12 Mar 2026"
    minute: str  # "77/26"
    description: str
    owner_id: str | None
    owner: str
    organisation_code: str
    due_date: date | None  # as agreed (kept)
    revised_due_date: date | None
    revision_reason: str
    status: ActionStatus
    completed_on: date | None
    latest_update: str

    @property
    def due(self) -> date | None:
        """The date it is now due: the revised date when there is one."""
        return self.revised_due_date or self.due_date

    @property
    def open(self) -> bool:
        return self.status in OPEN

    @property
    def ref_key(self) -> tuple[int, int, str]:
        return (self.ref_year, self.ref_number, self.ref_body)

    def overdue(self, today: date) -> bool:
        return action_overdue(self.status, self.due, today)

    def due_soon(self, today: date) -> bool:
        return action_due_soon(self.status, self.due, today)


def meeting_label(body: str, start_utc: datetime) -> str:
    return f"{body} {start_utc.astimezone(LONDON):%d %b %Y}"


def _sql(stmt: Any, dialect: Any) -> str:
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def action_log(
    uow: UnitOfWork, *, include_closed: bool = True, closed_only: bool = False
) -> list[ActionLogEntry]:
    """Every live action (or every one not closed, or only the closed ones), newest raised
    first.

    Read for speed on 50,000 rows: the actions alone in one query on the driver's cursor (no
    joins, no ORM rows), then the few hundred meetings, minutes and people looked up in
    dictionaries; dates converted through a cache (a few thousand distinct dates).
    """
    with uow:
        return _log_rows(
            uow.session, _log_query(include_closed=include_closed, closed_only=closed_only)
        )


def _log_query(*, include_closed: bool, closed_only: bool) -> Select[*tuple[Any, ...]]:
    a = Action
    stmt: Select[*tuple[Any, ...]] = select(
        a.id,
        a.reference,
        a.ref_body,
        a.ref_year,
        a.ref_number,
        a.raised_on,
        a.meeting_id,
        a.minute_id,
        a.description,
        a.owner_id,
        a.organisation_id,
        a.due_date,
        a.revised_due_date,
        a.revision_reason,
        a.status,
        a.completed_on,
        a.latest_update,
    ).where(a.deleted.is_(False))
    if closed_only:
        stmt = stmt.where(a.status == ActionStatus.CLOSED)
    elif not include_closed:
        stmt = stmt.where(a.status != ActionStatus.CLOSED)
    return stmt


def _log_rows(session: Session, stmt: Select[*tuple[Any, ...]]) -> list[ActionLogEntry]:
    """The log's rows, read on the session's connection (the caller's unit of work)."""
    conn = session.connection()
    cursor = conn.connection.dbapi_connection
    assert cursor is not None
    d = conn.dialect
    rows = cursor.execute(_sql(stmt, d)).fetchall()
    meeting_rows = cursor.execute(
        _sql(select(Meeting.id, Meeting.body, Meeting.start_utc), d)
    ).fetchall()
    minute_refs = dict(cursor.execute(_sql(select(Minute.id, Minute.reference), d)).fetchall())
    people = {
        r[0]: (r[1], r[2])
        for r in cursor.execute(
            _sql(select(Person.id, Person.name, Person.organisation_id), d)
        ).fetchall()
    }
    codes = dict(cursor.execute(_sql(select(Organisation.id, Organisation.code), d)).fetchall())
    meeting_labels = {
        r[0]: meeting_label(r[1], datetime.fromisoformat(str(r[2])).replace(tzinfo=UTC))
        for r in meeting_rows
    }
    texts = {t for r in rows for t in (r[5], r[11], r[12], r[15])}
    texts.discard(None)
    texts.discard("")
    dates: dict[str | None, date | None] = {t: date.fromisoformat(str(t)[:10]) for t in texts}
    dates[None] = dates[""] = None
    statuses = {s.value: s for s in ActionStatus}
    nobody = ("", None)
    make = tuple.__new__  # a NamedTuple built without its keyword-handling __new__
    out: list[ActionLogEntry] = []
    append = out.append
    for r in rows:
        owner_name, owner_org = people.get(r[9], nobody)
        append(
            make(
                ActionLogEntry,
                (
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    dates[r[5]],
                    r[6],
                    meeting_labels.get(r[6], ""),
                    minute_refs.get(r[7], ""),
                    r[8],
                    r[9],
                    owner_name,
                    codes.get(r[10]) or codes.get(owner_org) or "",
                    dates[r[11]],
                    dates[r[12]],
                    r[13],
                    statuses[r[14]],
                    dates[r[15]],
                    r[16],
                ),
            )
        )
    out.sort(key=LOG_ORDER, reverse=True)
    return out


@dataclass(frozen=True)
class LogCounts:
    total: int
    open: int
    overdue: int


@dataclass(frozen=True)
class LogChoices:
    """What the action log's filters offer: owners, organisations, meetings (newest first)."""

    owners: tuple[str, ...]
    organisations: tuple[str, ...]
    meetings: tuple[tuple[str, str], ...]  # (id, "HESCB 12 Mar 2026")


def log_choices(uow: UnitOfWork) -> LogChoices:
    with uow:
        return _choices(uow.session)


def _choices(session: Session) -> LogChoices:
    owners = session.scalars(select(Person.name).where(Person.deleted.is_(False))).all()
    codes = session.scalars(select(Organisation.code).where(Organisation.deleted.is_(False))).all()
    rows = session.execute(
        select(Meeting.id, Meeting.body, Meeting.start_utc)
        .where(Meeting.deleted.is_(False))
        .order_by(Meeting.start_utc.desc())
    ).all()
    return LogChoices(
        tuple(sorted(set(owners), key=str.casefold)),
        tuple(sorted(set(codes))),
        tuple((r[0], meeting_label(r[1], r[2])) for r in rows),
    )


def count_actions(uow: UnitOfWork) -> int:
    with uow:
        return _count(uow.session)


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(Action.deleted.is_(False))) or 0)


@dataclass(frozen=True)
class LogView:
    """What the action log page shows, read in one unit of work (one connection): the actions
    not closed, how many there are in all, and what its filters offer."""

    rows: list[ActionLogEntry]
    total: int
    choices: LogChoices


def log_view(uow: UnitOfWork) -> LogView:
    with uow:
        session = uow.session
        rows = _log_rows(session, _log_query(include_closed=False, closed_only=False))
        return LogView(rows, _count(session), _choices(session))


def action_counts(uow: UnitOfWork, today: date) -> LogCounts:
    """How many actions, how many not closed, how many late with nothing done (one query)."""
    a = Action
    due = func.coalesce(a.revised_due_date, a.due_date)
    live = a.status.in_([s.value for s in LIVE])
    stmt = select(
        func.count(),
        func.sum(case((a.status != ActionStatus.CLOSED, 1), else_=0)),
        func.sum(case(((live & (due < today)), 1), else_=0)),
    ).where(a.deleted.is_(False))
    with uow:
        total, open_, overdue = uow.session.execute(stmt).one()
    return LogCounts(int(total or 0), int(open_ or 0), int(overdue or 0))


# ------------------------------------------------------------------ CSV
CSV_HEADERS = (
    "Reference",
    "Date raised",
    "Meeting",
    "Minute",
    "Description",
    "Owner",
    "Organisation",
    "Due date (agreed)",
    "Revised due date",
    "Reason for revision",
    "Status",
    "Date completed",
    "Latest update",
)


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def to_csv(entries: Iterable[ActionLogEntry]) -> bytes:
    """UTF-8 with a BOM (Excel then reads accents, emoji and Arabic right), dates as ISO
    YYYY-MM-DD (Excel reads them as dates), CRLF line ends."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for e in entries:
        writer.writerow(
            (
                e.reference,
                _iso(e.raised_on),
                excel_text(e.meeting),
                e.minute,
                excel_text(e.description),
                excel_text(e.owner),
                e.organisation_code,
                _iso(e.due_date),
                _iso(e.revised_due_date),
                excel_text(e.revision_reason),
                labels.ACTION_STATUS[e.status],
                _iso(e.completed_on),
                excel_text(e.latest_update),
            )
        )
    return excel_csv_bytes(buf.getvalue())


# ------------------------------------------------------------------ .ics of due dates
def to_ics(entries: Iterable[ActionLogEntry], *, stamp: datetime | None = None) -> bytes:
    """An all-day event on each open action's due date (for Outlook); the UID is stable, so a
    re-import updates the entry rather than duplicating it."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//HESCB Desktop//Action log//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "HESCB actions due")
    now = stamp or datetime.now(UTC)
    for e in entries:
        due = e.due
        if due is None or not e.open:
            continue
        ev = Event()
        ev.add("uid", f"action-{e.id}@hescb-desktop")
        ev.add("dtstamp", now)
        ev.add("dtstart", due)
        ev.add("dtend", due + timedelta(days=1))
        ev.add(
            "summary",
            f"{e.reference} due: {e.description.splitlines()[0] if e.description else ''}",
        )
        lines = [
            f"Owner: {e.owner} ({e.organisation_code})" if e.owner else "",
            f"Status: {labels.ACTION_STATUS[e.status]}",
            f"Raised {e.raised_on:%d %b %Y}" + (f" at {e.meeting}" if e.meeting else ""),
            f"Revised from {e.due_date:%d %b %Y}: {e.revision_reason}"
            if e.revised_due_date and e.due_date
            else "",
            e.description,
        ]
        ev.add("description", "\n".join(x for x in lines if x))
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return bytes(cal.to_ical())
