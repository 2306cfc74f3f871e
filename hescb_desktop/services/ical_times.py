"""The times of an .ics file as this app keeps them: zones, instants, and a series' RDATE,
EXDATE and RECURRENCE-ID values, as RFC 5545 reads them and Outlook and Google show them.

- A zone is kept by its IANA name: a TZID that is one (or that icalendar resolved to one), a
  Windows name Outlook writes ("GMT Standard Time"), or, for a VTIMEZONE of the file's own that
  names no known zone (Outlook's "Customized Time Zone"), the IANA zone whose UTC offsets agree
  with it over the years around the event. A UTC start in a file with X-WR-TIMEZONE (Google's
  exports) recurs in that zone's wall-clock, as Google shows it. Floating times (and a TZID that
  cannot be read) are London's wall clock.
- In a series, a floating RDATE/EXDATE/RECURRENCE-ID is read in the series' zone; on an all-day
  series a date-time one stands for its date as written; on a timed series an RDATE date starts
  at midnight of that date in the series' zone, and an EXDATE date removes every occurrence
  starting on that date (ical.js, libical and recurring-ical-events do the same).
- RDATE;VALUE=PERIOD keeps its own end (or duration).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfoNotFoundError, available_timezones

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from hescb_desktop.domain import timezones
from hescb_desktop.domain.rdates import RDate
from hescb_desktop.domain.recurrence import LONDON, expand, utc_midnight, zone


@dataclass(frozen=True)
class Series:
    """What reading a series' other times needs: its start, length, zone and rule."""

    start: datetime  # UTC
    duration: timedelta
    all_day: bool
    tz: str  # IANA name ("" for all-day)
    rule: str = ""


def known_zone(name: str) -> str | None:
    """The IANA name for an IANA or Windows zone name, or None."""
    if not name:
        return None
    name = WINDOWS_TO_OLSON.get(name, name)
    try:
        timezones.zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def zone_name(prop: Any, value: datetime) -> str | None:
    """The IANA name for a date-time's TZID or zone, or None for a floating time."""
    tzid = str(prop.params.get("TZID", "")) if hasattr(prop, "params") else ""
    for name in (tzid, getattr(value.tzinfo, "key", "") or ""):
        if name and (found := known_zone(name)) is not None:
            return found
    if value.tzinfo is None:
        return None
    if value.utcoffset() == timedelta(0) and str(value.tzname() or "").upper() in ("UTC", "Z"):
        return "UTC"
    return _matching_zone(value.tzinfo, value.year)


@functools.cache
def _zones() -> tuple[str, ...]:
    names = sorted(n for n in available_timezones() if "/" in n and not n.startswith("Etc/"))
    return ("Europe/London", *(n for n in names if n != "Europe/London"))


def _samples(year: int) -> list[datetime]:
    return [
        datetime(y, m, d, 12, tzinfo=UTC)
        for y in range(year - 1, year + 3)
        for m in range(1, 13)
        for d in (1, 15)
    ]


def _matching_zone(custom: tzinfo, year: int) -> str | None:
    """The IANA zone (London first, then by name) with the same UTC offsets as a VTIMEZONE of
    the file's own on the 1st and 15th of every month from the year before to two years after;
    None when no zone has them (the time is then kept as an instant in London)."""
    try:
        return _matching(custom, year)
    except TypeError:  # a zone object that cannot be hashed: match it without the cache
        return _matching.__wrapped__(custom, year)


@functools.lru_cache(maxsize=256)  # holds the zone objects, so an id is never reused here
def _matching(custom: tzinfo, year: int) -> str | None:
    samples = _samples(year)
    try:
        wanted = [s.astimezone(custom).utcoffset() for s in samples]
    except (ValueError, TypeError, OverflowError):
        return None
    for name in _zones():
        zone_ = timezones.zone(name)
        if all(s.astimezone(zone_).utcoffset() == w for s, w in zip(samples, wanted, strict=True)):
            return name
    return None


_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu"})


def instant(
    value: date | datetime, prop: Any, default_zone: str = ""
) -> tuple[datetime, bool, str]:
    """(UTC instant, or UTC midnight for a date; all-day?; zone name). `default_zone` is the
    file's X-WR-TIMEZONE: a UTC time recurs in it."""
    if not isinstance(value, datetime):
        return utc_midnight(value), True, ""
    if value.tzinfo is None:  # floating: the user's wall clock, which here is London
        return localized(value, "Europe/London"), False, "Europe/London"
    name = zone_name(prop, value)
    if name in _UTC_NAMES and default_zone:
        return value.astimezone(UTC), False, default_zone
    if name is not None:
        return value.replace(tzinfo=timezones.zone(name)).astimezone(UTC), False, name
    return value.astimezone(UTC), False, "Europe/London"


def localized(naive: datetime, tz: str) -> datetime:
    """A wall-clock time of `tz` as UTC."""
    return naive.replace(tzinfo=zone(tz) if tz else LONDON).astimezone(UTC)


def end_of(value: date | datetime, prop: Any, start: datetime, all_day: bool, tz: str) -> datetime:
    """DTEND as UTC: a date under a timed start is midnight of that date in the start's zone;
    an end before the start makes a zero-length event (a day for an all-day one), as clients
    show it, rather than no event."""
    if all_day:
        day = value.date() if isinstance(value, datetime) else value
        end = utc_midnight(day)
        return end if end > start else start + timedelta(days=1)
    if isinstance(value, datetime):
        end = localized(value, tz) if value.tzinfo is None else instant(value, prop)[0]
    else:
        end = localized(datetime.combine(value, time(0)), tz)
    return max(end, start)


def floating_with_utc_dates(component: Any) -> bool:
    """A floating DTSTART whose EXDATEs or RDATEs are all UTC: the writer meant UTC throughout
    (recurring-ical-events reads it so too), or the exceptions would never match."""
    start = component["DTSTART"].dt
    if not isinstance(start, datetime) or start.tzinfo is not None:
        return False
    values = [v for key in ("EXDATE", "RDATE") for v, _ in _values(component, key)]
    values = [v[0] if isinstance(v, tuple) else v for v in values]
    return bool(values) and all(
        isinstance(v, datetime) and v.tzinfo is not None and v.utcoffset() == timedelta(0)
        for v in values
    )


def _values(component: Any, key: str) -> Iterable[tuple[Any, Any]]:
    """(value, property) of every value of a date-list property (RDATE, EXDATE)."""
    props = component.get(key)
    if props is None:
        return
    for prop in props if isinstance(props, list) else [props]:
        for item in prop.dts:
            yield item.dt, item


def point(value: date | datetime, prop: Any, series: Series) -> datetime:
    """A single RDATE/EXDATE/RECURRENCE-ID value of a series as UTC (a date on a timed series:
    midnight of it in the series' zone)."""
    if series.all_day:
        return utc_midnight(value.date() if isinstance(value, datetime) else value)
    if not isinstance(value, datetime):
        return localized(datetime.combine(value, time(0)), series.tz)
    if value.tzinfo is None:
        return localized(value, series.tz)
    return instant(value, prop)[0]


def rdates(component: Any, series: Series) -> list[RDate]:
    """The RDATEs of a series, a PERIOD with its own end."""
    out: list[RDate] = []
    for value, prop in _values(component, "RDATE"):
        if isinstance(value, tuple):
            first, second = value
            start = point(first, prop, series)
            length = second if isinstance(second, timedelta) else None
            end = start + length if length is not None else point(second, prop, series)
            out.append(RDate(start, max(end, start)))
        else:
            out.append(RDate(point(value, prop, series)))
    return out


def exdates(component: Any, series: Series, extra: Iterable[RDate]) -> list[datetime]:
    """The occurrence starts a series' EXDATEs remove (RDATEs among them)."""
    out: list[datetime] = []
    for value, prop in _values(component, "EXDATE"):
        if isinstance(value, tuple):
            value = value[0]
        if not series.all_day and not isinstance(value, datetime):
            out.extend(on_day(series, value, extra))
        else:
            out.append(point(value, prop, series))
    return out


def on_day(series: Series, day: date, extra: Iterable[RDate]) -> list[datetime]:
    """The starts of a timed series' occurrences on a date of its zone (rule, RDATEs, DTSTART)."""
    lo = localized(datetime.combine(day, time(0)), series.tz)
    hi = localized(datetime.combine(day + timedelta(days=1), time(0)), series.tz)
    found = {series.start, *(r.start for r in extra)}
    if series.rule:
        found |= set(expand(series.rule, series.start, timedelta(0), series.tz, False, lo, hi))
    return sorted(s for s in found if lo <= s < hi)
