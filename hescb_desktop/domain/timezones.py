"""The one home of time zone objects: the board's own zone, and a cache of the others.

Every time the board shows is UK time (`LONDON`); other zones come from .ics files (their
TZIDs) and are built once each through `zone`. Nothing else in the package builds a ZoneInfo
(tests/unit/test_timezones.py keeps it so).
"""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo

LONDON_NAME = "Europe/London"


@functools.cache
def zone(name: str) -> ZoneInfo:
    """The zone called `name` (IANA), built once; ZoneInfoNotFoundError or ValueError when
    there is no such zone (a failure is not cached)."""
    return ZoneInfo(name)


LONDON = zone(LONDON_NAME)
