"""`hescb-desktop chase --out DIR [--today YYYY-MM-DD] [--days N]`: the chase drafts (issue 18,
points 6 and 7).

Writes DIR/<person>.eml (an Outlook-ready draft, `X-Unsent: 1`, for each person with an action
overdue or due within a week), DIR/invitations/<meeting>.ics (a REQUEST for each meeting not yet
held from --today to N days ahead) and DIR/chase-list.pdf (for the secretariat); prints one line
per kind of file and the summary ("3 actions overdue, 2 due this week"). DIR is made when
missing. The app sends no mail. Reads only (the GUI may keep the database open). DIR a file, a
folder that cannot be written, DIR inside the data folder, a bad date: one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hescb_desktop.cli.base import (
    EXIT_OK,
    PROG,
    CliError,
    database_path,
    has_database,
    refuse_file_as_data_dir,
)


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    chase = sub.add_parser(
        "chase",
        parents=[common],
        help="write chase e-mail drafts, meeting invitations and the chase list (sends nothing)",
        description=(
            "For each person with an action overdue or due within a week: DIR/<person>.eml, an "
            "Outlook-ready draft. For each meeting not yet held (planned or agenda published) "
            "starting from --today to --days days ahead: DIR/invitations/<meeting>.ics "
            "(METHOD:REQUEST, the body's members less apologies). And DIR/chase-list.pdf for "
            "the secretariat. Nothing is sent."
        ),
    )
    chase.add_argument(
        "--out", required=True, type=Path, metavar="DIR", help="the folder to write (made)"
    )
    chase.add_argument(
        "--today", metavar="YYYY-MM-DD", help="the day to chase as at (default: today)"
    )
    chase.add_argument(
        "--days",
        type=int,
        default=14,
        metavar="N",
        help="invite to the meetings starting from today to N days ahead (default 14)",
    )


def cmd_chase(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import chase

    today = _day(args.today)
    chase.check_days(args.days)
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise CliError(f"{out} is a file, not a folder: give a folder for the drafts")
    _refuse_data_dir(out, data_dir)
    ctx = _open(data_dir)
    try:
        plan = ctx.read(chase.chase_plan, today, args.days)
        author = ctx.user
    finally:
        ctx.close()
    written = chase.write_chase(plan, out, author=author)
    for line in written.lines():
        print(line)
    return EXIT_OK


def _day(text: str | None) -> date:
    if text is None:
        from hescb_desktop.domain.timezones import LONDON

        return datetime.now(LONDON).date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"--today: {text!r} is not a date (YYYY-MM-DD)") from None


def _refuse_data_dir(out: Path, data_dir: Path) -> None:
    """The drafts never go into the data folder (its files are the database's)."""
    target, data = out.resolve(), data_dir.resolve()
    if target == data or data in target.parents:
        raise CliError(f"{out} is inside the data folder {data_dir}: choose another folder")


def _open(data_dir: Path) -> Any:
    from hescb_desktop.cli.database import refuse_foreign
    from hescb_desktop.services.context import open_context

    refuse_file_as_data_dir(data_dir)
    path = database_path(data_dir)
    if not has_database(path) or refuse_foreign(path).blank:
        raise CliError(f"no database in {data_dir}: run `{PROG} init` first")
    return open_context(data_dir, create=False)
