"""`import-ics`, `export-ics` and `events`: the calendar's iCalendar exchange and a listing of
occurrences, on the same services as the GUI."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from hescb_desktop.cli.base import (
    EXIT_OK,
    PROG,
    CliError,
    database_path,
    has_database,
    json_text,
    quoted,
    refuse_file_as_data_dir,
    say,
    write_atomic,
)

if TYPE_CHECKING:
    from hescb_desktop.services.context import ServiceContext

COMMANDS = ("import-ics", "export-ics", "events")
# The days --from and --to may name: the calendar's arithmetic (a day either side, London time,
# series expansion) stays well inside Python's years 1 to 9999.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    imp = sub.add_parser("import-ics", parents=[common], help="import events from an .ics file")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--calendar", metavar="NAME", help="put the events in this calendar")
    exp = sub.add_parser("export-ics", parents=[common], help="events as an .ics file")
    exp.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    exp.add_argument("--from", dest="start", metavar="DATE", help="first day (YYYY-MM-DD)")
    exp.add_argument("--to", dest="end", metavar="DATE", help="last day (YYYY-MM-DD)")
    events = sub.add_parser("events", parents=[common], help="occurrences between two dates")
    events.add_argument("--from", dest="start", metavar="DATE", required=True)
    events.add_argument("--to", dest="end", metavar="DATE", required=True)
    events.add_argument("--json", action="store_true", help="as JSON")


def command(name: str) -> Callable[[argparse.Namespace, Path], int]:
    return {"import-ics": cmd_import_ics, "export-ics": cmd_export_ics, "events": cmd_events}[name]


def _day(value: str | None, what: str) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise CliError(f"--{what} {quoted(value)} is not a date (YYYY-MM-DD)") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise CliError(
            f"--{what} {value} is out of range: the calendar takes {FIRST_DAY} to {LAST_DAY}"
        )
    return day


def _window(args: argparse.Namespace) -> tuple[date | None, date | None]:
    first, last = _day(args.start, "from"), _day(args.end, "to")
    if first and last and last < first:
        raise CliError("--to is before --from")
    if first and last and (last - first).days > 3660:
        raise CliError("the window is longer than ten years")
    return first, last


def _open(data_dir: Path) -> ServiceContext:
    from hescb_desktop.cli.database import refuse_foreign
    from hescb_desktop.services.context import open_context

    refuse_file_as_data_dir(data_dir)
    path = database_path(data_dir)
    if not has_database(path) or refuse_foreign(path).blank:
        raise CliError(f"no database in {data_dir}: run `{PROG} init` first")
    return open_context(data_dir, create=False)


def cmd_import_ics(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services.ical import NotICalendarError, import_ics
    from hescb_desktop.storage.lock import lock_data_dir

    file: Path = args.file
    if file.is_dir():
        raise CliError(f"{file} is a folder, not an .ics file")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {file}: {exc.strerror or exc}") from exc
    calendar = args.calendar
    if calendar is not None and not calendar.strip():
        raise CliError("--calendar needs a name")
    lock = lock_data_dir(data_dir)
    try:
        ctx = _open(data_dir)
        try:
            report = import_ics(ctx.uow(), data, calendar=calendar)
        except NotICalendarError as exc:
            raise CliError(f"{file}: {exc}") from exc
        finally:
            ctx.close()
    finally:
        lock.release()
    for note in report.notes:
        say(f"import-ics: warning: {file.name}: {note}")
    for problem in report.problems:
        say(f"import-ics: skipped {problem}")
    for person in report.unmatched:  # imported, but this attendee is no one on the board
        say(f"import-ics: {person}")
    print(f"import-ics: {file.name}: {report.summary}")
    return EXIT_OK


def cmd_export_ics(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.cli.commands import _check_output, _write_stdout
    from hescb_desktop.services.calendar import window_of_days
    from hescb_desktop.services.ical import export_ics

    first, last = _window(args)
    output: Path | None = args.output
    if output is not None:
        _check_output(output, data_dir)
    start = window_of_days(first, first)[0] if first else None
    end = window_of_days(last, last)[1] if last else None
    ctx = _open(data_dir)
    try:
        data = export_ics(ctx.uow(write=False), start, end)
    finally:
        ctx.close()
    if output is None:
        _write_stdout(data.decode("utf-8"))
        return EXIT_OK
    try:
        write_atomic(output, data)
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}") from exc
    return EXIT_OK


def cmd_events(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.cli.commands import _write_stdout
    from hescb_desktop.services.calendar import occurrences, window_of_days

    first, last = _window(args)
    assert first is not None
    assert last is not None
    ctx = _open(data_dir)
    try:
        occs = occurrences(ctx.uow(write=False), *window_of_days(first, last))
    finally:
        ctx.close()
    if args.json:
        rows = [
            {
                "id": o.event_id,
                "series_id": o.series_id,
                "recurrence_id": o.recurrence_id.isoformat() if o.recurrence_id else None,
                "summary": o.summary,
                "start": o.start.date().isoformat() if o.all_day else o.start.isoformat(),
                "end": (o.last_day.isoformat() if o.all_day else o.end.isoformat()),
                "all_day": o.all_day,
                "location": o.location,
                "calendar": o.calendar,
                "organisation": o.organisation_code,
                "visibility": o.visibility.value,
                "meeting_id": o.meeting_id,
            }
            for o in occs
        ]
        _write_stdout(json_text(rows, indent=2) + "\n")
        return EXIT_OK
    lines = []
    for o in occs:
        if o.all_day:
            span = f"{o.first_day:%a %d %b %Y}"
            if o.last_day != o.first_day:
                span += f" – {o.last_day:%a %d %b %Y}"
            when = f"{span} (all day)"
        else:
            end = (
                o.end.strftime("%H:%M")
                if o.end - o.start < timedelta(days=1)
                else f"{o.end:%d %b %H:%M}"
            )
            when = f"{o.start:%a %d %b %Y %H:%M}–{end}"
        repeat = " (repeats)" if o.recurring else ""
        where = f" @ {o.location}" if o.location else ""
        lines.append(f"{when}  {o.summary}{where}  [{o.calendar}]{repeat}")
    _write_stdout("".join(f"{line}\n" for line in lines))
    return EXIT_OK
