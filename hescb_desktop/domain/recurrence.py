"""Recurrence (RFC 5545 RRULE through python-dateutil) in Europe/London wall-clock time.

A series is expanded in the wall-clock time of its zone: a weekly 09:00 meeting stays at 09:00
across the clock changes, because the rule runs on naive local times and each occurrence is then
placed in the zone (a time that does not exist on the spring-forward day moves an hour on, as
Outlook does). All-day series run on floating dates. No I/O here.
"""

from __future__ import annotations

import calendar
import contextlib
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.rdates import last_end, parse_rdates
from hescb_desktop.domain.timezones import LONDON as LONDON  # re-exported
from hescb_desktop.domain.timezones import zone as _cached_zone

MAX_COUNT = 1000  # a COUNT above this is refused as absurd (a weekly series for 19 years)
MAX_INTERVAL = 999
FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_KEYS = frozenset(
    {
        "FREQ",
        "INTERVAL",
        "COUNT",
        "UNTIL",
        "BYDAY",
        "BYMONTHDAY",
        "BYMONTH",
        "BYSETPOS",
        "BYYEARDAY",
        "BYWEEKNO",
        "WKST",
        "BYHOUR",
        "BYMINUTE",
        "BYSECOND",
    }
)
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}


def zone(name: str) -> ZoneInfo:
    """The zone called `name`; an empty name (a floating or all-day time) is Europe/London."""
    if not name:
        return LONDON
    try:
        return _cached_zone(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"unknown time zone {name!r}") from exc


def utc_midnight(day: date) -> datetime:
    """How an all-day date is stored: midnight UTC of the date, with no time zone of its own."""
    return datetime.combine(day, time(0), UTC)


def stored_date(value: datetime, timezone: str) -> date:
    """The calendar date an all-day event's stored start/end stands for (older rows stored
    London midnights with the zone named; new ones store midnight UTC and no zone)."""
    return value.astimezone(zone(timezone)).date() if timezone else value.astimezone(UTC).date()


def london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), LONDON)


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """A wall-clock time placed in `tz`; a time in the spring-forward gap moves an hour on."""
    aware = naive.replace(tzinfo=tz)
    if naive.hour > 3:  # the clocks change between midnight and 03:00 (local) in every zone here
        return aware
    back = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if back != naive:  # does not exist: 01:30 on the last Sunday of March is 02:30 BST
        aware = (naive + timedelta(hours=1)).replace(tzinfo=tz)
    return aware


# ---------------------------------------------------------------------- the rule text
def parse_parts(text: str) -> dict[str, str]:
    """An RRULE value as upper-case key/values; anything unknown or malformed is refused."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    parts: dict[str, str] = {}
    for piece in filter(None, body.split(";")):
        key, sep, value = piece.partition("=")
        key = key.strip().upper()
        if not sep or key not in _KEYS or not value.strip():
            raise ValidationError(f"recurrence rule: cannot read {piece!r}")
        parts[key] = value.strip().upper()
    if parts.get("FREQ") not in FREQS:
        raise ValidationError(
            "recurrence rule: the frequency must be daily, weekly, monthly or yearly"
        )
    return parts


def _until(value: str, tz: ZoneInfo, all_day: bool) -> datetime:
    """UNTIL as a naive wall-clock time of the series' zone (inclusive)."""
    try:
        if len(value) == 8:
            return datetime.combine(datetime.strptime(value, "%Y%m%d").date(), time(23, 59, 59))
        if value.endswith("Z"):
            utc = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            if all_day:
                return datetime.combine(utc.date(), time(23, 59, 59))
            return utc.astimezone(tz).replace(tzinfo=None)
        return datetime.strptime(value, "%Y%m%dT%H%M%S")
    except ValueError as exc:
        raise ValidationError(f"recurrence rule: {value!r} is not a date for UNTIL") from exc


@functools.lru_cache(maxsize=4096)
def _rule(text: str, dtstart: datetime, tz_name: str, all_day: bool) -> rrule:
    parts = parse_parts(text)
    tz = zone(tz_name)
    if "UNTIL" in parts:
        parts["UNTIL"] = _until(parts["UNTIL"], tz, all_day).strftime("%Y%m%dT%H%M%S")
    for number in ("COUNT", "INTERVAL"):
        if number in parts and not parts[number].isdigit():
            raise ValidationError(f"recurrence rule: {number} must be a whole number")
    for code in parts.get("BYDAY", "").split(",") if "BYDAY" in parts else ():
        if not _BYDAY.match(code):
            raise ValidationError(f"recurrence rule: {code!r} is not a day")
    try:
        made = rrulestr(";".join(f"{k}={v}" for k, v in parts.items()), dtstart=dtstart)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValidationError(f"recurrence rule: {exc}") from exc
    assert isinstance(made, rrule)
    return made


def build_rule(text: str, dtstart: datetime, tz_name: str = "", all_day: bool = False) -> rrule:
    """A dateutil rule over naive wall-clock times starting at `dtstart` (naive)."""
    return _rule(text, dtstart.replace(tzinfo=None), tz_name, all_day)


def validate_rule(text: str, start_utc: datetime, tz_name: str, all_day: bool) -> None:
    """Refuse a rule that cannot be read, has an absurd count or interval, or never occurs."""
    parts = parse_parts(text)
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValidationError("recurrence rule: give an end date or a number of times, not both")
    if "COUNT" in parts:
        count = int(parts["COUNT"]) if parts["COUNT"].isdigit() else -1
        if count < 1:
            raise ValidationError("recurrence rule: the number of times must be at least 1")
        if count > MAX_COUNT:
            raise ValidationError(
                f"recurrence rule: {count} times is too many (at most {MAX_COUNT})"
            )
    if "INTERVAL" in parts:
        interval = int(parts["INTERVAL"]) if parts["INTERVAL"].isdigit() else 0
        if not 1 <= interval <= MAX_INTERVAL:
            raise ValidationError(f"recurrence rule: every {parts['INTERVAL']} is not possible")
    start = local_start(start_utc, tz_name, all_day)
    rule = build_rule(text, start, tz_name, all_day)
    if rule.after(start - timedelta(seconds=1)) is None:
        raise ValidationError("recurrence rule: the series never occurs (check the dates)")


def only_dtstart(text: str, start_utc: datetime, tz_name: str, all_day: bool) -> bool:
    """Whether a readable rule gives no occurrence at all while its UNTIL is not before DTSTART
    (DTSTART not on the rule's days): a file's series that is only its DTSTART (RFC 5545:
    DTSTART is the first occurrence), which this app keeps as a single event."""
    try:
        parts = parse_parts(text)
        start = local_start(start_utc, tz_name, all_day)
        if "UNTIL" in parts and _until(parts["UNTIL"], zone(tz_name), all_day) < start:
            return False
        return build_rule(text, start, tz_name, all_day).after(start, inc=True) is None
    except ValidationError:
        return False


def local_start(start_utc: datetime, tz_name: str, all_day: bool) -> datetime:
    """The naive wall-clock (or floating date) start a series' rule runs from."""
    if all_day:
        return datetime.combine(stored_date(start_utc, tz_name), time(0))
    return start_utc.astimezone(zone(tz_name)).replace(tzinfo=None)


def series_end(text: str, start_utc: datetime, tz_name: str, all_day: bool) -> datetime | None:
    """The start (UTC) of a series' last occurrence, or None if it runs for ever."""
    parts = parse_parts(text)
    if "UNTIL" not in parts and "COUNT" not in parts:
        return None
    rule = build_rule(text, local_start(start_utc, tz_name, all_day), tz_name, all_day)
    last = None
    for last in rule:  # noqa: B007  (bounded by COUNT or UNTIL)
        pass
    if last is None:
        return start_utc
    return _placed(last, tz_name, all_day)


LONG_SPAN = timedelta(days=14)  # events longer than this are found by the long_span index


def span_of(
    start_utc: datetime,
    end_utc: datetime,
    text: str,
    tz_name: str,
    all_day: bool,
    rdates: str = "",
) -> tuple[bool, datetime | None]:
    """(long?, end of the last occurrence or None if it never ends) for an event's row; its
    RDATEs (`domain.rdates`) count, so a series with extra dates is found by its long span."""
    extra = last_end(parse_rdates(rdates), end_utc - start_utc) if rdates else None
    if not text and extra is None:
        return end_utc - start_utc > LONG_SPAN, end_utc
    last: datetime | None = start_utc
    if text:
        try:
            last = series_end(text, start_utc, tz_name, all_day)
        except ValidationError:
            return True, None
    if last is None:
        return True, None
    until = last + (end_utc - start_utc) + timedelta(days=1)
    return True, until if extra is None else max(until, extra + timedelta(days=1))


def _placed(naive: datetime, tz_name: str, all_day: bool) -> datetime:
    if all_day:
        return utc_midnight(naive.date())
    return localize(naive, zone(tz_name)).astimezone(UTC)


def _fast_forward(parts: dict[str, str], dtstart: datetime, lo: datetime) -> datetime:
    """A later start with the same occurrences from `lo` on: dateutil walks every period from
    the start, and a series may be years old. Whole periods (a multiple of INTERVAL) are skipped:
    days or weeks for DAILY/WEEKLY; for MONTHLY/YEARLY rules that name their days (BYMONTHDAY or
    BYDAY, and BYMONTH for YEARLY) the start moves to the first of a month (or of January).
    Never with COUNT, which counts from the real start."""
    if "COUNT" in parts or lo <= dtstart:
        return dtstart
    freq, interval = parts["FREQ"], int(parts.get("INTERVAL", "1") or "1")
    if freq in ("DAILY", "WEEKLY"):
        step = interval * (7 if freq == "WEEKLY" else 1)
        jumps = (lo - dtstart).days // step - 1
        return dtstart + timedelta(days=jumps * step) if jumps > 0 else dtstart
    named = "BYMONTHDAY" in parts or "BYDAY" in parts
    if freq == "MONTHLY" and named and "BYSETPOS" not in parts:
        months = (lo.year - dtstart.year) * 12 + lo.month - dtstart.month - 1
        jumps = months // interval * interval
        if jumps > 0:
            total = dtstart.month - 1 + jumps
            return dtstart.replace(year=dtstart.year + total // 12, month=total % 12 + 1, day=1)
    if freq == "YEARLY" and named and "BYMONTH" in parts and "BYSETPOS" not in parts:
        jumps = (lo.year - dtstart.year - 1) // interval * interval
        if jumps > 0:
            return dtstart.replace(year=dtstart.year + jumps, month=1, day=1)
    return dtstart


_SIMPLE_KEYS = frozenset({"FREQ", "INTERVAL", "BYDAY", "UNTIL", "WKST", "BYMONTHDAY", "BYMONTH"})


def _window(
    parts: dict[str, str],
    dtstart: datetime,
    lo: datetime,
    hi: datetime,
    tz_name: str,
    all_day: bool,
) -> tuple[int, datetime, datetime] | None:
    """The rule's interval and the part of [lo, hi] the series can occur in (first > last: none);
    None when the interval is not one the fast paths take."""
    interval = int(parts.get("INTERVAL", "1") or "1")
    if interval < 1:
        return None
    until = _until(parts["UNTIL"], zone(tz_name), all_day) if "UNTIL" in parts else None
    return interval, max(lo, dtstart), min(hi, until) if until is not None else hi


def _simple(
    parts: dict[str, str],
    dtstart: datetime,
    lo: datetime,
    hi: datetime,
    tz_name: str,
    all_day: bool,
) -> list[datetime] | None:
    """The occurrences in [lo, hi] of a plain daily or weekly rule (days of the week, an interval,
    an end date) by arithmetic, without dateutil's walk; None for any other rule. Checked
    against dateutil by a hypothesis test."""
    if not _SIMPLE_KEYS.issuperset(parts) or parts.get("WKST", "MO") != "MO":
        return None
    freq = parts["FREQ"]
    if freq in ("MONTHLY", "YEARLY"):
        return _simple_monthly(parts, dtstart, lo, hi, tz_name, all_day)
    if freq not in ("DAILY", "WEEKLY") or "BYMONTHDAY" in parts or "BYMONTH" in parts:
        return None
    codes = [c for c in parts.get("BYDAY", "").split(",") if c]
    if any(c not in DAY_CODES for c in codes):
        return None
    window = _window(parts, dtstart, lo, hi, tz_name, all_day)
    if window is None:
        return None
    interval, first, last = window
    if first > last:
        return []
    out: list[datetime] = []
    if freq == "DAILY":
        allowed = {DAY_CODES.index(c) for c in codes} if codes else set(range(7))
        step = (first - dtstart).days // interval
        when = dtstart + timedelta(days=step * interval)
        while when <= last:
            if when >= first and when.weekday() in allowed:
                out.append(when)
            when += timedelta(days=interval)
        return out
    days = sorted({DAY_CODES.index(c) for c in codes} if codes else {dtstart.weekday()})
    week0 = dtstart - timedelta(days=dtstart.weekday())
    weeks = max((first - week0).days // 7 // interval * interval - interval, 0)
    monday = week0 + timedelta(weeks=weeks)
    while monday <= last:
        for day in days:
            when = monday + timedelta(days=day)
            if first <= when <= last:
                out.append(when)
        monday += timedelta(weeks=interval)
    return out


def _day_in_month(year: int, month: int, parts: dict[str, str]) -> date | None:
    """The one day of a month a rule names: BYMONTHDAY=n (negative from the end) or BYDAY=nXX
    ("2TU", "-1FR"); None when the month has no such day (a 31st, a fifth Friday)."""
    length = calendar.monthrange(year, month)[1]
    if "BYMONTHDAY" in parts:
        n = int(parts["BYMONTHDAY"])
        day = n if n > 0 else length + n + 1
        return date(year, month, day) if 1 <= day <= length else None
    match = _BYDAY.match(parts["BYDAY"])
    assert match is not None
    nth, weekday = int(match.group(1)), DAY_CODES.index(match.group(2))
    if nth > 0:
        first = date(year, month, 1)
        found = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    else:
        last = date(year, month, length)
        found = last - timedelta(days=(last.weekday() - weekday) % 7 + 7 * (-nth - 1))
    return found if found.month == month else None


def _simple_monthly(
    parts: dict[str, str],
    dtstart: datetime,
    lo: datetime,
    hi: datetime,
    tz_name: str,
    all_day: bool,
) -> list[datetime] | None:
    """Monthly or yearly rules that name one day ("the 15th", "the last Friday"; yearly also
    one month) by arithmetic; None for anything else."""
    has_day = "BYMONTHDAY" in parts
    has_wd = "BYDAY" in parts
    if has_day == has_wd:
        return None
    value = parts["BYMONTHDAY"] if has_day else parts["BYDAY"]
    if "," in value:
        return None
    if has_day:
        if not value.lstrip("-").isdigit() or not 1 <= abs(int(value)) <= 31:
            return None
    else:
        match = _BYDAY.match(value)
        if match is None or not match.group(1) or not 1 <= abs(int(match.group(1))) <= 5:
            return None
    yearly = parts["FREQ"] == "YEARLY"
    if yearly != ("BYMONTH" in parts) or "," in parts.get("BYMONTH", ""):
        return None
    window = _window(parts, dtstart, lo, hi, tz_name, all_day)
    if window is None:
        return None
    interval, first, last = window
    if first > last:
        return []
    at = dtstart.time()
    out: list[datetime] = []
    if yearly:
        month = int(parts["BYMONTH"])
        if not 1 <= month <= 12:
            return None
        year = dtstart.year + max((first.year - dtstart.year) // interval * interval, 0)
        while year <= last.year:
            day = _day_in_month(year, month, parts)
            when = datetime.combine(day, at) if day else None
            if when is not None and first <= when <= last:
                out.append(when)
            year += interval
        return out
    index = dtstart.year * 12 + dtstart.month - 1
    target = first.year * 12 + first.month - 1
    index += max((target - index) // interval * interval, 0)
    while index <= last.year * 12 + last.month - 1:
        day = _day_in_month(index // 12, index % 12 + 1, parts)
        when = datetime.combine(day, at) if day else None
        if when is not None and first <= when <= last:
            out.append(when)
        index += interval
    return out


def expand(
    text: str,
    start_utc: datetime,
    duration: timedelta,
    tz_name: str,
    all_day: bool,
    window_start: datetime,
    window_end: datetime,
    rdates: Iterable[datetime] = (),
) -> list[datetime]:
    """Occurrence starts (UTC; all-day ones at midnight UTC of their date) of a series that
    overlap [window_start, window_end), in order. RDATEs are added; EXDATEs are exception rows."""
    parts = parse_parts(text) if text else {}
    dtstart = local_start(start_utc, tz_name, all_day)
    if all_day:
        lo_day = window_start.astimezone(LONDON).date() - timedelta(days=duration.days)
        hi_day = (window_end - timedelta(microseconds=1)).astimezone(LONDON).date()
        lo = datetime.combine(lo_day, time(0)) - timedelta(days=1)
        hi = datetime.combine(hi_day, time(0)) + timedelta(days=1)
    else:
        tz = zone(tz_name)
        lo = (window_start - duration).astimezone(tz).replace(tzinfo=None) - timedelta(hours=2)
        hi = window_end.astimezone(tz).replace(tzinfo=None) + timedelta(hours=2)
    found: list[datetime] = []
    if parts:
        naive = _simple(parts, dtstart, lo, hi, tz_name, all_day)
        if naive is None:
            rule = build_rule(text, dtstart, tz_name, all_day)
            later = _fast_forward(parts, dtstart, lo)
            if later != dtstart:
                rule = rule.replace(dtstart=later)
            naive = rule.between(lo, hi, inc=True)
        found = [_placed(n, tz_name, all_day) for n in naive]
    found.extend(rdates)
    if all_day:
        first_day = window_start.astimezone(LONDON).date()
        last_day = (window_end - timedelta(microseconds=1)).astimezone(LONDON).date()
        keep = [
            s
            for s in found
            if s.date() <= last_day and s.date() + timedelta(days=max(duration.days, 1)) > first_day
        ]
    else:
        keep = [
            s
            for s in found
            if s < window_end and (s + duration > window_start or s >= window_start)
        ]
    return sorted(set(keep))


def occurrences_before(
    text: str, start_utc: datetime, tz_name: str, all_day: bool, before: datetime
) -> int:
    """How many occurrences of a series start before `before` (UTC)."""
    rule = build_rule(text, local_start(start_utc, tz_name, all_day), tz_name, all_day)
    count = 0
    for naive in rule:
        if _placed(naive, tz_name, all_day) >= before:
            break
        count += 1
    return count


def with_parts(text: str, **changes: str | None) -> str:
    """The rule with some parts replaced (None removes one), in a stable order."""
    parts = parse_parts(text)
    for key, value in changes.items():
        if value is None:
            parts.pop(key.upper(), None)
        else:
            parts[key.upper()] = value
    order = ["FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "COUNT", "UNTIL"]
    keys = sorted(parts, key=lambda k: (order.index(k) if k in order else 99, k))
    return ";".join(f"{k}={parts[k]}" for k in keys)


def until_value(last_start_utc: datetime, all_day: bool) -> str:
    """The UNTIL text that ends a series with the occurrence starting at `last_start_utc`."""
    if all_day:
        return f"{last_start_utc:%Y%m%d}"
    return f"{last_start_utc.astimezone(UTC):%Y%m%dT%H%M%SZ}"


# ---------------------------------------------------------------------- the structured form
@dataclass(frozen=True)
class Recurrence:
    """What the event dialog edits; `to_rule` gives the RRULE text for a series start."""

    freq: str  # DAILY, WEEKLY, MONTHLY, YEARLY
    interval: int = 1
    weekdays: tuple[int, ...] = ()  # WEEKLY: 0 = Monday
    by_weekday: bool = False  # MONTHLY: "second Tuesday" rather than "the 14th"
    last_weekday: bool = False  # MONTHLY by weekday: "last Friday"
    until: date | None = None
    count: int | None = None

    def to_rule(self, start_local: datetime, all_day: bool = False) -> str:
        if self.freq not in FREQS:
            raise ValidationError("recurrence: choose daily, weekly, monthly or yearly")
        parts: dict[str, str] = {"FREQ": self.freq}
        if self.interval != 1:
            parts["INTERVAL"] = str(self.interval)
        if self.freq == "WEEKLY":
            days = sorted(set(self.weekdays)) or [start_local.weekday()]
            parts["BYDAY"] = ",".join(DAY_CODES[d] for d in days)
        elif self.freq == "MONTHLY" and self.by_weekday:
            nth = -1 if self.last_weekday else (start_local.day - 1) // 7 + 1
            parts["BYDAY"] = f"{nth}{DAY_CODES[start_local.weekday()]}"
        elif self.freq == "MONTHLY":
            parts["BYMONTHDAY"] = str(start_local.day)
        elif self.freq == "YEARLY":
            parts["BYMONTH"] = str(start_local.month)
            parts["BYMONTHDAY"] = str(start_local.day)
        if self.count is not None:
            parts["COUNT"] = str(self.count)
        if self.until is not None:
            if all_day:
                parts["UNTIL"] = f"{self.until:%Y%m%d}"
            else:
                end = localize(datetime.combine(self.until, time(23, 59, 59)), LONDON)
                parts["UNTIL"] = f"{end.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        return with_parts(";".join(f"{k}={v}" for k, v in parts.items()))

    @classmethod
    def from_rule(cls, text: str, tz_name: str = "", all_day: bool = False) -> Recurrence | None:
        """The structured form of a rule, or None when the dialog cannot show it as it is."""
        if not text:
            return None
        try:
            parts = parse_parts(text)
        except ValidationError:
            return None
        known = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "COUNT", "UNTIL", "WKST"}
        if set(parts) - known:
            return None
        until = None
        if "UNTIL" in parts:
            try:
                until = _until(parts["UNTIL"], zone(tz_name), all_day).date()
            except ValidationError:
                return None
        days = [d for d in parts.get("BYDAY", "").split(",") if d]
        weekdays: tuple[int, ...] = ()
        by_weekday = last = False
        if parts["FREQ"] == "WEEKLY":
            if any(not d.isalpha() for d in days):
                return None
            weekdays = tuple(DAY_CODES.index(d) for d in days)
        elif parts["FREQ"] == "MONTHLY" and days:
            if len(days) != 1 or "BYMONTHDAY" in parts:
                return None
            by_weekday, last = True, days[0].startswith("-1")
        elif days:
            return None
        return cls(
            parts["FREQ"],
            int(parts.get("INTERVAL", "1")),
            weekdays,
            by_weekday,
            last,
            until,
            int(parts["COUNT"]) if "COUNT" in parts else None,
        )


def describe(text: str, start_local: datetime | None = None) -> str:
    """A rule in words: "Weekly on Monday", "Monthly on the last Friday, 10 times"."""
    if not text:
        return ""
    try:
        parts = parse_parts(text)
    except ValidationError:
        return "Repeats (custom rule)"
    interval = int(parts.get("INTERVAL", "1")) if parts.get("INTERVAL", "1").isdigit() else 1
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}[parts["FREQ"]]
    words = parts["FREQ"].capitalize() if interval == 1 else f"Every {interval} {unit}s"
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    if days:
        said = []
        for code in days:
            match = _BYDAY.match(code)
            if match is None:
                continue
            nth, day = match.groups()
            name = names[DAY_CODES.index(day)]
            said.append(f"the {_ORDINALS.get(int(nth), nth)} {name}" if nth else name)
        words += " on " + ", ".join(said)
    elif "BYMONTHDAY" in parts and parts["FREQ"] == "MONTHLY":
        words += f" on day {parts['BYMONTHDAY']}"
    if "COUNT" in parts:
        words += f", {parts['COUNT']} times"
    if "UNTIL" in parts:
        value = parts["UNTIL"][:8]
        with contextlib.suppress(ValueError):
            words += f", until {datetime.strptime(value, '%Y%m%d'):%d %b %Y}"
    return words
