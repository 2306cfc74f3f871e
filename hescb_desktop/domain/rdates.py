"""RDATE lists: the extra occurrences of a series, as the `rdates` column stores them.

One comma-separated entry per extra occurrence, each a UTC ISO stamp (`2026-03-14T08:30:00+00:00`)
or, for an RDATE given as a PERIOD (RFC 5545 3.8.5.2: "the duration of the recurrence instance
will be the one specified by the RDATE property"), `start/end` (ISO 8601's interval notation). An
all-day series stores midnight UTC of each date. An entry that cannot be read is skipped, so a
PC running an older version ignores a period instead of failing. No I/O here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple


class RDate(NamedTuple):
    start: datetime  # UTC
    end: datetime | None = None  # UTC; None: the series' own duration


def _stamp(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip())
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def parse_rdates(text: str) -> list[RDate]:
    """The entries of an `rdates` value (unreadable ones left out)."""
    out: list[RDate] = []
    for piece in filter(None, (p.strip() for p in text.split(","))):
        first, _, second = piece.partition("/")
        try:
            start = _stamp(first)
            end = _stamp(second) if second else None
        except ValueError:
            continue
        out.append(RDate(start, end if end is None or end >= start else start))
    return out


def format_rdates(rdates: Iterable[RDate]) -> str:
    """The `rdates` text of some entries (UTC), in order, each once."""
    pieces = []
    for start, end in sorted(set(rdates), key=lambda r: (r.start, r.end or r.start)):
        text = start.astimezone(UTC).isoformat()
        if end is not None:
            text += "/" + end.astimezone(UTC).isoformat()
        pieces.append(text)
    return ",".join(dict.fromkeys(pieces))


def rdate_spans(
    rdates: Iterable[RDate],
    duration: timedelta,
    all_day: bool,
    window_start: datetime,
    window_end: datetime,
) -> dict[datetime, datetime]:
    """start -> end of the entries that overlap [window_start, window_end) (an all-day one by
    its dates, with a day's margin each side; the caller keeps what its days overlap)."""
    out: dict[datetime, datetime] = {}
    margin = timedelta(days=1) if all_day else timedelta(0)
    for start, end in rdates:
        stop = end if end is not None else start + duration
        if all_day and stop <= start:
            stop = start + timedelta(days=1)
        if start < window_end + margin and max(stop, start + margin) > window_start - margin:
            out[start] = stop
    return out


def last_end(rdates: Iterable[RDate], duration: timedelta) -> datetime | None:
    """The end of the latest entry, or None when there are none."""
    ends = [end if end is not None else start + duration for start, end in rdates]
    return max(ends) if ends else None
