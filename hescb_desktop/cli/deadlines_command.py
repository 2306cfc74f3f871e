"""`deadlines`: a meeting's deadlines and each body's rule (issue 18, points 2 and 7). Other tools
script against it: keep it stable.

    deadlines MEETING [--on DATE] [--json]
                            the meeting's deadlines, in this order: key_decision_notice,
                            drafts, final_papers, despatch. Text: tab-separated lines,
                            `meeting REF DATE WHEN TITLE`, `rule BODY RULE SOURCE`, then one a
                            deadline: `NAME DATE DAYS_LEFT STATE LABEL` (DAYS_LEFT a whole
                            number of days from DATE of --on, negative once missed; STATE
                            "missed", "due today" or "open")
    deadlines rules [--json]
                            each body's rule, HESCB first: `BODY RULE SOURCE` a line
    deadlines set-rule BODY [--despatch-clear-days N] [--working-days | --calendar-days]
                            [--final-working-days N] [--draft-working-days N] [--json]
                            (secretariat) how BODY counts its deadlines; what is not given is
                            kept (the default's when BODY has no rule yet). Syncs to every PC;
                            `undo` takes it back

MEETING: next (the next meeting from today, or from --on), a date YYYY-MM-DD, BODY/YYYY-MM-DD
as `meetings` prints it, or the start of a meeting's id. DATE: YYYY-MM-DD (London).
SOURCE: "default" (the body has no rule of its own) or "set by NAME".

The rules: the pack is despatched N clear days before the meeting (default 5, counted in
working days unless the body counts calendar days); final papers N working days before
despatch (default 3); drafts N working days before the final deadline (default 10); a key
decision is in the forward plan 28 clear calendar days before the meeting. Clear days leave
out the day of despatch and the day of the meeting; working days leave out weekends and the
bank holidays of England and Wales. A deadline that falls on a weekend or a bank holiday is
the working day before.

--json keys: deadlines MEETING {"meeting": {"id", "reference", "title", "body", "date",
"start"}, "on", "rule": {"body", "despatch_clear_days", "clear_days_are_working_days",
"final_working_days", "draft_working_days", "key_decision_clear_days", "default", "set_by",
"set_at"}, "deadlines": [{"name", "label", "date", "days_left", "missed"}]}; deadlines rules
{"rules": [rule as above]}; deadlines set-rule: one rule as above.

Errors (no such meeting, no meeting after today, a number out of bounds, a viewer or officer
setting a rule) are one line on stderr, exit status 2, and change nothing.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hescb_desktop.cli.base import EXIT_OK, CliError

if TYPE_CHECKING:
    from hescb_desktop.services.context import ServiceContext
    from hescb_desktop.services.deadlines import BodyRule

_RULE_OPTIONS = ("despatch_clear_days", "clear_days", "final_working_days", "draft_working_days")
_OPTION = {
    "on": "--on",
    "despatch_clear_days": "--despatch-clear-days",
    "clear_days": "--working-days/--calendar-days",
    "final_working_days": "--final-working-days",
    "draft_working_days": "--draft-working-days",
    "json": "--json",
}
_TAKES = {
    "meeting": {"on", "json"},
    "rules": {"json"},
    "set-rule": {*_RULE_OPTIONS, "json"},
}
USAGE = "use `deadlines MEETING|next`, `deadlines rules` or `deadlines set-rule BODY --...`"


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "deadlines",
        parents=[common],
        help="a meeting's deadlines (despatch, final papers, drafts, key decision notice)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "words",
        nargs="*",
        metavar="MEETING | rules | set-rule BODY",
        help="a meeting (next, a date, BODY/date, an id), `rules`, or `set-rule BODY`",
    )
    p.add_argument("--on", metavar="DATE", help="count the days left from DATE (default today)")
    p.add_argument("--json", action="store_true", help="as JSON")
    p.add_argument(
        "--despatch-clear-days", type=_number, metavar="N", help="set-rule: clear days (1-60)"
    )
    days = p.add_mutually_exclusive_group()
    days.add_argument(
        "--working-days",
        dest="clear_days",
        action="store_const",
        const="working",
        help="set-rule: count the clear days in working days (the default)",
    )
    days.add_argument(
        "--calendar-days",
        dest="clear_days",
        action="store_const",
        const="calendar",
        help="set-rule: count the clear days in calendar days",
    )
    p.add_argument(
        "--final-working-days",
        type=_number,
        metavar="N",
        help="set-rule: final papers N working days before despatch (0-60)",
    )
    p.add_argument(
        "--draft-working-days",
        type=_number,
        metavar="N",
        help="set-rule: drafts N working days before the final deadline (0-120)",
    )


def _number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def cmd_deadlines(args: argparse.Namespace, data_dir: Path) -> int:
    words: list[str] = list(args.words)
    if not words:
        raise CliError(f"deadlines: which meeting? {USAGE}")
    verb = words[0] if words[0] in ("rules", "set-rule") else "meeting"
    args.verb = verb  # set-rule syncs at once with --share (cli._writes)
    for name, option in _OPTION.items():
        if getattr(args, name) not in (None, False) and name not in _TAKES[verb]:
            what = "deadlines MEETING" if verb == "meeting" else f"deadlines {verb}"
            raise CliError(f"{what} does not take {option}")
    if verb == "rules" and len(words) == 1:
        return _rules(args, data_dir)
    if verb == "set-rule" and len(words) == 2:
        return _set_rule(args, data_dir, words[1])
    if verb == "meeting" and len(words) == 1:
        return _meeting(args, data_dir, words[0])
    raise CliError(f"deadlines: {USAGE}")


def _open(data_dir: Path) -> ServiceContext:
    from hescb_desktop.cli.database import open_existing

    return open_existing(data_dir)


def _meeting(args: argparse.Namespace, data_dir: Path, text: str) -> int:
    from hescb_desktop.domain.errors import NotFoundError
    from hescb_desktop.services import deadlines as service
    from hescb_desktop.services.boardpacks import when_text
    from hescb_desktop.services.meetings import meeting_ref

    on = _day(args.on) if args.on else service.today()
    ctx = _open(data_dir)
    try:
        try:
            meeting = service.meeting_named(ctx.uow(write=False), text, on)
        except NotFoundError:
            if text.strip().lower() != "next":
                raise
            raise CliError(f"deadlines next: there is no meeting on or after {on}") from None
        found = service.deadlines_for(ctx.uow(write=False), meeting)
    finally:
        ctx.close()
    if args.json:
        print(json.dumps(found.as_json(on), ensure_ascii=False))
        return EXIT_OK
    m = found.meeting
    when = when_text(m.start_utc, m.end_utc)
    print(f"meeting\t{meeting_ref(m)}\t{found.day.isoformat()}\t{when}\t{m.title}")
    print(f"rule\t{_rule_line(found.rule)}")
    for row in found.rows(on):
        state = "missed" if row.missed else "due today" if row.days_left == 0 else "open"
        print(f"{row.name}\t{row.day.isoformat()}\t{row.days_left}\t{state}\t{row.label}")
    return EXIT_OK


def _rule_line(found: BodyRule) -> str:
    source = "default" if found.default else f"set by {found.set_by or 'the secretariat'}"
    return f"{found.body}\t{found.rule.text}\t{source}"


def _rules(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import deadlines as service

    ctx = _open(data_dir)
    try:
        found = service.rules(ctx.uow(write=False))
    finally:
        ctx.close()
    if args.json:
        print(json.dumps({"rules": [r.as_json() for r in found]}, ensure_ascii=False))
        return EXIT_OK
    for r in found:
        print(_rule_line(r))
    return EXIT_OK


def _set_rule(args: argparse.Namespace, data_dir: Path, body: str) -> int:
    from hescb_desktop.services import deadlines as service
    from hescb_desktop.storage.lock import lock_data_dir

    if all(getattr(args, name) is None for name in _RULE_OPTIONS):
        raise CliError(
            "deadlines set-rule: nothing to set: give --despatch-clear-days, --working-days or "
            "--calendar-days, --final-working-days or --draft-working-days"
        )
    working = None if args.clear_days is None else args.clear_days == "working"
    lock = lock_data_dir(data_dir)
    try:
        ctx = _open(data_dir)
        try:
            done = service.set_rule(
                ctx.uow(),
                body,
                despatch_clear_days=args.despatch_clear_days,
                clear_days_are_working_days=working,
                final_working_days=args.final_working_days,
                draft_working_days=args.draft_working_days,
            ).value
        finally:
            ctx.close()
    finally:
        lock.release()
    if args.json:
        print(json.dumps(done.as_json(), ensure_ascii=False))
    else:
        print(f"{done.body}: {done.rule.text}")
    return EXIT_OK


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"--on: {text!r} is not a date (YYYY-MM-DD)") from None
