"""One time zone cache (issue 17): a ZoneInfo is built only in domain/timezones.py.

The check reads the package's source (ast), so a new `ZoneInfo(...)` (or `zoneinfo.ZoneInfo`,
`dateutil.tz.gettz`, `pytz.timezone`) anywhere else fails it.
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfoNotFoundError

import pytest

import hescb_desktop
from hescb_desktop.domain import timezones
from hescb_desktop.services import meetings

PACKAGE = Path(hescb_desktop.__file__).parent
HOME = "domain/timezones.py"
BUILDERS = {"ZoneInfo", "gettz", "tzlocal"}


def _builds(path: Path) -> list[int]:
    """The lines of `path` that build a time zone object."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            if func.rsplit(".", 1)[-1] in BUILDERS or func == "pytz.timezone":
                lines.append(node.lineno)
    return lines


def test_a_time_zone_is_built_only_in_its_home() -> None:
    found = {
        path.relative_to(PACKAGE).as_posix(): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := _builds(path))
    }
    assert set(found) == {HOME}, found


def test_the_check_sees_a_zone_built_elsewhere(tmp_path: Path) -> None:
    stray = tmp_path / "stray.py"
    stray.write_text('import zoneinfo\nZ = zoneinfo.ZoneInfo("Europe/Paris")\n')
    assert _builds(stray) == [2]


def test_zones_are_built_once_each() -> None:
    assert timezones.zone("Europe/London") is timezones.LONDON
    assert timezones.zone("America/New_York") is timezones.zone("America/New_York")
    assert meetings.LONDON is timezones.LONDON  # the names other modules import still work
    summer = datetime(2025, 7, 1, 12, tzinfo=UTC).astimezone(timezones.LONDON)
    assert summer.utcoffset() is not None and summer.utcoffset().total_seconds() == 3600


def test_an_unknown_zone_is_refused_and_not_cached() -> None:
    before = timezones.zone.cache_info().currsize
    with pytest.raises(ZoneInfoNotFoundError):
        timezones.zone("Mars/Olympus_Mons")
    assert timezones.zone.cache_info().currsize == before
