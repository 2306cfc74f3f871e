"""The retention schedule and disposal on the command line (issue 16, point 5; scriptable and
stable):

    retention [list] [--json]              the schedule: one tab-separated line a kind of record:
                                           KIND, PERIOD ("6 years" or "permanent"), "default" or
                                           "set by NAME", what it covers
    retention set KIND PERIOD [--json]     (secretariat) how long KIND is kept: a number of years
                                           (1-100, "6" or "6 years") or "permanent"
    retention certificates [--json]        the disposal certificates, newest first: one
                                           tab-separated line each: MADE_AT, MADE_BY, RULE,
                                           COUNTS, REASON
    dispose --dry-run [--on DATE] [--json] what the schedule makes due for disposal on DATE
                                           (default today): one tab-separated line a record:
                                           DUE_ON, KIND, REFERENCE, TITLE, then a count line
    dispose --confirm [--on DATE] [--reason TEXT] [--json]
                                           (secretariat) dispose of what is due: its text goes
                                           from every PC (each as it syncs) and from the share
    dispose RECORD --confirm [--reason TEXT] [--json]
                                           (secretariat) dispose of one record now, e.g.
                                           personal data entered by mistake

KIND: approved-minutes, papers, closed-actions, calendar-items. DATE: YYYY-MM-DD. RECORD: an
action's HESCB/2026/054, a paper's HESCB 43/26, a minute's 77/26, or an id.
--json keys: retention {"rules": [{"kind", "label", "covers", "runs_from", "keep_years",
"period", "default", "set_by", "set_at"}]}; retention set: one rule as above; retention
certificates {"certificates": [{"id", "made_at", "made_by", "rule", "reason", "counts",
"records"}]}; dispose --dry-run {"on", "count", "due": [{"kind", "table", "id", "reference",
"title", "runs_from", "due_on"}]}; dispose --confirm: one certificate as above.

`dispose` needs exactly one of --dry-run and --confirm. Errors are one line on stderr, exit 2.
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

NAMES = ("retention", "dispose")
KINDS = "approved-minutes, papers, closed-actions, calendar-items"
NO_REASON = "a secretariat decision (no reason given)"


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    retention = sub.add_parser(
        "retention",
        parents=[common],
        help="the retention schedule: how long each kind of record is kept (list, set)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    retention.add_argument(
        "words",
        nargs="*",
        metavar="[list | set KIND PERIOD]",
        help=f"list (the default), or set KIND PERIOD; KIND: {KINDS}",
    )
    retention.add_argument("--json", action="store_true", help="as JSON")
    dispose = sub.add_parser(
        "dispose",
        parents=[common],
        help="what the retention schedule makes due for disposal (--dry-run)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dispose.add_argument(
        "record", nargs="?", metavar="RECORD", help="one record to dispose of now (--confirm)"
    )
    dispose.add_argument("--dry-run", action="store_true", help="list what is due; change nothing")
    dispose.add_argument("--confirm", action="store_true", help="dispose of it (secretariat)")
    dispose.add_argument("--on", metavar="DATE", help="the day the schedule counts to (today)")
    dispose.add_argument(
        "--reason", default="", metavar="TEXT", help="why, kept on the certificate"
    )
    dispose.add_argument("--json", action="store_true", help="as JSON")


def command(name: str) -> Any:
    return {"retention": cmd_retention, "dispose": cmd_dispose}[name]


def _open(data_dir: Path) -> ServiceContext:
    from hescb_desktop.cli.database import open_existing

    return open_existing(data_dir)


def cmd_retention(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.domain.retention import counts_text
    from hescb_desktop.services import retention as service

    words = list(args.words) or ["list"]
    verb = words[0]
    if verb == "list" and len(words) == 1:
        ctx = _open(data_dir)
        try:
            rules = service.schedule(ctx)
        finally:
            ctx.close()
        if args.json:
            print(json.dumps({"rules": [r.as_json() for r in rules]}, ensure_ascii=False))
            return EXIT_OK
        for r in rules:
            who = "default" if r.default else f"set by {r.set_by or 'the secretariat'}"
            print(f"{r.kind}\t{r.period}\t{who}\t{r.covers}")
        return EXIT_OK
    if verb == "certificates" and len(words) == 1:
        ctx = _open(data_dir)
        try:
            found = service.certificates(ctx)
        finally:
            ctx.close()
        if args.json:
            print(json.dumps({"certificates": [c.as_json() for c in found]}, ensure_ascii=False))
            return EXIT_OK
        for c in found:
            counts = counts_text(c.counts)
            print(f"{c.made_at.isoformat()}\t{c.made_by}\t{c.rule}\t{counts}\t{c.reason}")
        if not found:
            print("no disposal certificates")
        return EXIT_OK
    if verb == "set" and len(words) == 3:
        from hescb_desktop.storage.lock import lock_data_dir

        lock = lock_data_dir(data_dir)
        try:
            ctx = _open(data_dir)
            try:
                rule = service.set_rule(ctx, words[1], words[2])
            finally:
                ctx.close()
        finally:
            lock.release()
        if args.json:
            print(json.dumps(rule.as_json(), ensure_ascii=False))
        else:
            print(f"{rule.label.lower()} are kept: {rule.period} from {rule.runs_from}")
        return EXIT_OK
    raise CliError(
        f"retention: use `retention [list]` or `retention set KIND PERIOD` (KIND: {KINDS})"
    )


def cmd_dispose(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import retention as service

    if args.dry_run == args.confirm:
        raise CliError("dispose: give --dry-run (list what is due) or --confirm (dispose of it)")
    if args.record is not None and args.dry_run:
        raise CliError("dispose RECORD: only with --confirm (a record is disposed of at once)")
    on = _day(args.on) if args.on else None
    if args.confirm:
        return _confirm(args, data_dir, on)
    ctx = _open(data_dir)
    try:
        found = service.due(ctx, on)
    finally:
        ctx.close()
    day = (on or service.today()).isoformat()
    if args.json:
        print(
            json.dumps(
                {"on": day, "count": len(found), "due": [d.as_json() for d in found]},
                ensure_ascii=False,
            )
        )
        return EXIT_OK
    for d in found:
        print(f"{d.due_on.isoformat()}\t{d.kind}\t{d.reference or '-'}\t{d.title}")
    n = len(found)
    print(
        f"{n} record{'s' if n != 1 else ''} due for disposal on {day}"
        if n
        else f"nothing is due for disposal on {day}"
    )
    return EXIT_OK


def _confirm(args: argparse.Namespace, data_dir: Path, on: date | None) -> int:
    from hescb_desktop.domain.retention import counts_text
    from hescb_desktop.services import retention as service
    from hescb_desktop.storage.lock import lock_data_dir

    lock = lock_data_dir(data_dir)
    try:
        ctx = _open(data_dir)
        try:
            if args.record is not None:
                why = args.reason.strip() or NO_REASON  # the certificate says none was given
                cert = service.dispose_record(ctx, args.record, why)
            else:
                cert = service.dispose_due(ctx, on, args.reason)
        finally:
            ctx.close()
    finally:
        lock.release()
    if args.json:
        print(json.dumps(cert.as_json(), ensure_ascii=False))
        return EXIT_OK
    print(f"disposed of: {counts_text(cert.counts)} ({cert.rule}); certificate {cert.id}")
    print("their text is gone from this PC; other PCs remove it as they sync, and the share's")
    print("copies go once every PC has acknowledged the disposal")
    return EXIT_OK


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"--on: {text!r} is not a date (YYYY-MM-DD)") from None
