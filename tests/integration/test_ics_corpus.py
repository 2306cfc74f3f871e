"""Real-world .ics files (tests/data/ics/corpus, see its README): every recurring event is
imported through `import_ics` into a real SQLite file and listed with `occurrences`, exactly as
the calendar page and `events` do, and compared with recurring-ical-events (a dev dependency,
used here only) over a fixed window: the five years from 1 January of the year before the
event's DTSTART. The occurrences compared are (start, end) as UTC instants, or (first day, day
after) for all-day ones; the reference's floating times are read as London's, as the app reads
them, and its STATUS:CANCELLED occurrences are left out (Outlook and Google do not show them).

A recurring case is a VEVENT (not an override) with a non-empty RRULE or an RDATE and a DTSTART
that can be read. Cases the reference itself cannot expand are not counted (REFERENCE_FAILS
lists them, and the test checks they still fail there). Cases where the app deliberately shows
something else are listed with the reason in DEPARTURES (and in the corpus README); every other
case must agree, and the agreement over all counted cases must be at least 95%.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
import recurring_ical_events
from sqlalchemy import select

from hescb_desktop.domain.recurrence import LONDON
from hescb_desktop.services import calendar as cal
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.ical import NotICalendarError, import_ics
from hescb_desktop.storage.models import Event

CORPUS = Path(__file__).parent.parent / "data" / "ics" / "corpus"
PAD = timedelta(days=2)
Span = tuple[str, Any, Any]

# (file, UID or summary) -> why the app shows something else than the reference, on purpose
DEPARTURES: dict[tuple[str, str], str] = {
    ("ical.js/multiple_rrules.ics", "1334F9B7-6136-444E-A58D-472564C6AA73"): (
        "two RRULEs in one event (RFC 5545: SHOULD NOT occur more than once); a series here "
        "has one rule, the first is kept"
    ),
    ("ric/multiple_rrule.ics", "56cdc4dc-11b7-407c-86c6-9faedfc28afb"): (
        "two RRULEs in one event, as above"
    ),
    ("node-ical/daily-count-exdate-recurrence-id.ics", "0000001"): (
        "an override whose DTEND is before its DTSTART: a zero-length occurrence at DTSTART, as "
        "issue 14 asks (Outlook and Google); the reference swaps start and end"
    ),
    ("node-ical/non-utc-until-ny.ics", "test-different-tz-until@example.com"): (
        "a floating UNTIL under a DTSTART with TZID (RFC 5545 wants UTC there) is read in the "
        "series' zone, as node-ical does; the reference reads it as UTC and loses the last day"
    ),
    ("node-ical/windows-quoted-tz-rrule.ics", "0000001"): (
        "DTSTART's TZID is an Outlook display name no library resolves, so it is floating and "
        "read as London's wall clock; the reference takes the zone of DTEND (Los Angeles)"
    ),
    ("ric/issue_253_additional_recurrence_id.ics", "111"): (
        "an override (SEQUENCE 1) of an occurrence the newer series (SEQUENCE 2) no longer has "
        "is still shown; the reference drops it"
    ),
    ("ric/issue_75_range_parameter.ics", "210"): (
        "RECURRENCE-ID;RANGE=THISANDFUTURE (moves this and the later occurrences) is read as "
        "this occurrence only"
    ),
}

# (file, UID or summary) -> what the reference fails with (nothing to compare against)
_BAD_RULE = "BadRuleStringFormat (a rule dateutil cannot read)"
_BROKEN = "BrokenCalendarProperty (a date icalendar cannot read)"
REFERENCE_FAILS: dict[tuple[str, str], str] = {
    ("ical.js/google_birthday.ics", "2014_BIRTHDAY_79d389868f96182e@google.com"): _BROKEN,
    ("icalendar/calendars_issue_1081_invalid_rrule_freq.ics", "test-123"): _BAD_RULE,
    ("icalendar/calendars_issue_165_missing_event.ics", "Sprint 25 Daily Standup"): _BAD_RULE,
    ("icalendar/calendars_issue_722_missing_timezones.ics", "an event with a custom tz name"): (
        "KeyError: a VEVENT without DTSTART beside it"
    ),
    ("icalendar/calendars_multiple_timezones.ics", "test-vtime-named-timezone"): (
        "TypeError: DTSTART is a TIME"
    ),
    ("icalendar/calendars_multiple_timezones.ics", "test-vtime-utc"): "TypeError, as above",
    ("icalendar/calendars_multiple_timezones.ics", "test-vtime-floating"): "TypeError, as above",
    ("icalendar/calendars_parsing_error.ics", "(no title)"): _BROKEN,
    ("icalendar/calendars_rfc_7529.ics", "4.3.1"): f"{_BAD_RULE}: RSCALE=CHINESE",
    ("icalendar/calendars_rfc_7529.ics", "4.3.2"): f"{_BAD_RULE}: RSCALE=CHINESE",
    ("icalendar/calendars_rfc_7529.ics", "4.3.3"): f"{_BAD_RULE}: RSCALE=CHINESE",
    ("icalendar/calendars_rfc_7529.ics", "4.3.4"): f"{_BAD_RULE}: RSCALE=CHINESE",
    ("icalendar/events_issue_464_invalid_rdate.ics", "rdate_period"): _BROKEN,
    (
        "node-ical/ms_timezones.ics",
        "040000008200E00074C5B7101A82E00800000000C8CF296B9654D601000000000000000010000000"
        "31C6A267A9E4A2489CEB57D709E7A37F",
    ): _BROKEN,
    ("ric/bad_rrule_missing_until_event.ics", "blabla"): f"{_BAD_RULE}: UNTL=",
}


@dataclass(frozen=True)
class Case:
    file: str
    label: str  # its UID, or its summary when it has none
    year: int


@dataclass(frozen=True)
class Outcome:
    case: Case
    reference: list[Span] | None  # None: the reference cannot expand it
    app: list[Span]
    error: str = ""

    @property
    def agrees(self) -> bool:
        return self.reference == self.app


def _utc(value: datetime) -> datetime:
    return (value.replace(tzinfo=LONDON) if value.tzinfo is None else value).astimezone(UTC)


def reference_span(component: Any) -> Span:
    start = component["DTSTART"].dt
    end = component["DTEND"].dt if "DTEND" in component else None
    if end is None and "DURATION" in component:
        end = start + component["DURATION"].dt
    if not isinstance(start, datetime):
        last = end.date() if isinstance(end, datetime) else end
        return ("day", start, last if last and last > start else start + timedelta(days=1))
    if end is None:
        end = start
    if not isinstance(end, datetime):
        end = datetime.combine(end, time(0), start.tzinfo)
    return ("time", _utc(start), _utc(end))


def app_span(occ: cal.Occurrence) -> Span:
    if occ.all_day:
        return ("day", occ.start.date(), occ.end.date())
    return ("time", occ.start.astimezone(UTC), occ.end.astimezone(UTC))


def _starts_in(span: Span, lo: datetime, hi: datetime) -> bool:
    first = span[1]
    if span[0] == "day":
        first = datetime.combine(first, time(0), UTC)
    return bool(lo <= first < hi)


def _window(year: int) -> tuple[datetime, datetime]:
    return datetime(year - 1, 1, 1, tzinfo=UTC), datetime(year + 4, 1, 1, tzinfo=UTC)


def _key(uid: str, summary: str) -> tuple[str, str]:
    """A case's key: its UID, or its summary when it has none (the app makes up a UID)."""
    return (uid, "") if uid else ("", summary.strip() or "(no title)")


def recurring_cases(name: str, cal_: icalendar.Calendar) -> dict[tuple[str, str], Case]:
    out: dict[tuple[str, str], Case] = {}
    for event in cal_.walk("VEVENT"):
        if "RECURRENCE-ID" in event:
            continue
        try:
            year = event["DTSTART"].dt.year
        except (KeyError, AttributeError, ValueError, TypeError, icalendar.InvalidCalendar):
            continue
        rule = event.get("RRULE")
        rule = rule[0] if isinstance(rule, list) else rule
        has_rule = rule is not None and bool(rule.to_ical().strip())
        if has_rule or event.get("RDATE") is not None:
            key = _key(str(event.get("UID", "")), str(event.get("SUMMARY", "")))
            out.setdefault(key, Case(name, key[0] or key[1], year))
    return out


def _load(data: bytes) -> icalendar.Calendar:
    calendars = icalendar.Calendar.from_ical(data, multiple=True)
    first = calendars[0]
    for extra in calendars[1:]:
        for component in extra.subcomponents:
            first.add_component(component)
    return first


def _reference(cal_: icalendar.Calendar, year: int) -> dict[tuple[str, str], list[Span]]:
    """Every occurrence the reference lists in the window of `year`, by case key."""
    lo, hi = _window(year)
    out: dict[tuple[str, str], list[Span]] = {}
    for c in recurring_ical_events.of(cal_).between(lo - PAD, hi + PAD):
        span = reference_span(c)
        if str(c.get("STATUS", "")).upper() != "CANCELLED" and _starts_in(span, lo, hi):
            out.setdefault(_key(str(c.get("UID", "")), str(c.get("SUMMARY", ""))), []).append(span)
    return out


def _app(ctx: ServiceContext, year: int) -> dict[tuple[str, str], list[Span]]:
    """Every occurrence the app lists in the window of `year`, by case key."""
    lo, hi = _window(year)
    uow = ctx.uow(write=False)
    with uow:
        rows = uow.session.execute(
            select(Event.id, Event.ics_uid, Event.summary).where(Event.deleted.is_(False))
        ).all()
    keys = {
        rid: _key("" if (uid or "").endswith("@no-uid") else uid or "", summary)
        for rid, uid, summary in rows
    }
    out: dict[tuple[str, str], list[Span]] = {}
    for o in cal.occurrences(ctx.uow(write=False), lo - PAD, hi + PAD):
        span = app_span(o)
        if _starts_in(span, lo, hi):
            out.setdefault(keys.get(o.series_id or o.event_id, ("?", "?")), []).append(span)
    return out


def _fresh(template: Path, into: Path) -> ServiceContext:
    """A new board for one file: a copy of an empty one (faster than migrating each time)."""
    shutil.copytree(template, into)
    return open_context(into, create=False)


def compare_file(template: Path, work: Path, path: Path) -> Iterator[Outcome]:
    name = path.relative_to(CORPUS).as_posix()
    data = path.read_bytes()
    try:
        cal_ = _load(data)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return  # icalendar cannot read it: no reference (see the last test)
    cases = recurring_cases(name, cal_)
    if not cases:
        return
    ctx = _fresh(template, work / name)
    try:
        report = import_ics(ctx.uow(), data)
        problems = "; ".join(str(p) for p in report.problems)
        reference: dict[int, dict[tuple[str, str], list[Span]] | str] = {}
        app: dict[int, dict[tuple[str, str], list[Span]]] = {}
        for year in sorted({c.year for c in cases.values()}):
            try:
                reference[year] = _reference(cal_, year)
            except Exception as exc:
                reference[year] = f"{type(exc).__name__}: {exc}"
            app[year] = _app(ctx, year)
    finally:
        ctx.close()
    for key, case in cases.items():
        ref = reference[case.year]
        mine = sorted(app[case.year].get(key, []))
        if isinstance(ref, str):
            yield Outcome(case, None, mine, ref)
        else:
            yield Outcome(case, sorted(ref.get(key, [])), mine, problems)


def compare_corpus(work: Path) -> list[Outcome]:
    """Every recurring case of the corpus, each file imported into its own new board."""
    template = work / "empty-board"
    open_context(template).close()
    return [o for path in sorted(CORPUS.rglob("*.ics")) for o in compare_file(template, work, path)]


def describe(outcome: Outcome) -> str:
    case = outcome.case
    lines = [f"{case.file} {case.label!r}: {outcome.error}"]
    if outcome.reference is not None:
        ref, app = Counter(outcome.reference), Counter(outcome.app)
        lines += [f"    reference only: {s}" for s in sorted((ref - app).elements())[:4]]
        lines += [f"    app only:       {s}" for s in sorted((app - ref).elements())[:4]]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[Outcome]:
    return compare_corpus(tmp_path_factory.mktemp("corpus"))


def test_the_corpus_is_what_its_readme_lists() -> None:
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    files = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.ics")}
    assert {m["file"] for m in manifest} == files
    readme = (CORPUS / "README.md").read_text()
    for entry in manifest:
        assert entry["licence"] in readme and entry["repo"] in readme


def test_recurring_events_match_the_reference(
    outcomes: list[Outcome], capsys: pytest.CaptureFixture[str]
) -> None:
    counted = [o for o in outcomes if o.reference is not None]
    agree = [o for o in counted if o.agrees]
    figure = len(agree) / len(counted)
    with capsys.disabled():
        print(
            f"\n.ics corpus: {len(agree)} of {len(counted)} recurring cases agree with "
            f"recurring-ical-events ({figure:.1%}); {len(outcomes) - len(counted)} the reference "
            "cannot expand"
        )
    assert len(counted) >= 100
    differing = {(o.case.file, o.case.label): o for o in counted if not o.agrees}
    unexplained = [describe(o) for k, o in differing.items() if k not in DEPARTURES]
    assert not unexplained, "\n".join(unexplained)
    stale = set(DEPARTURES) - set(differing)
    assert not stale, f"these departures agree now: {stale}"
    assert figure >= 0.95


def test_the_cases_the_reference_cannot_expand_are_the_listed_ones(
    outcomes: list[Outcome],
) -> None:
    failing = {(o.case.file, o.case.label) for o in outcomes if o.reference is None}
    assert failing == set(REFERENCE_FAILS)


def _compared(path: Path) -> bool:
    try:
        return bool(recurring_cases(path.name, _load(path.read_bytes())))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return False


def test_the_other_corpus_files_import_or_are_refused_in_one_line(tmp_path: Path) -> None:
    """The files the comparison does not import (icalendar cannot read them, or their recurring
    events have no readable DTSTART): each imports, or is refused whole in one line."""
    template = tmp_path / "empty-board"
    open_context(template).close()
    others = [p for p in sorted(CORPUS.rglob("*.ics")) if not _compared(p)]
    refused: list[str] = []
    for path in others:
        ctx = _fresh(template, tmp_path / path.relative_to(CORPUS).as_posix())
        try:
            import_ics(ctx.uow(), path.read_bytes())
        except NotICalendarError as exc:
            refused.append(str(exc))
        finally:
            ctx.close()
    assert others
    assert all(why and "\n" not in why for why in refused)
