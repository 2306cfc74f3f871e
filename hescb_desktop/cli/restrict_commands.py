"""Need-to-know on the command line (issue 16; scriptable and stable):

    restrict RECORD --readers "NAME, NAME or ROLE" [--public-title TEXT] [--handling TEXT] [--json]
    readers RECORD [--json]
    subject-access PERSON -o DIR     (secretariat) everything the board holds about a person

RECORD is a printed reference (an action's HESCB/2026/054, a paper's HESCB 43/26, a minute's
77/26) or an id (or its first 8 or more characters). Readers are people of the board by name and
roles (secretariat, officers, viewers). Restricting a record again changes its readers: a reader
removed makes a new key for what is written next (said on stdout: what they read cannot be
unread). `restrict` prints what it did; if the record's text was already on the share in clear
text, a line beginning `warning:` on stderr says so (the exit status is still 0).

`subject-access` writes `subject-access-<name>-<date>.pdf` and `.json` into DIR (made if its
parent exists); restricted records this PC does not read are withheld and counted (a `warning:`
line on stderr). JSON keys: "person" {"id", "name", "email", "role"}, "made_at", "made_by",
"marking", "changes_made_by_them", "records" [{"kind", "table", "id", "title", "why", "when",
"deleted", "marking", "fields"}], "withheld" [{"kind", "table", "id", "public_title",
"readership", "why"}].

--json keys: restrict {"record", "table", "id", "readers", "public_title", "reader_pcs",
"this_pc_reads", "already_shared", "rotated"}; readers {"record", "table", "id", "restricted",
"readers", "people", "roles", "handling", "public_title", "this_pc_reads", "pcs": [{"pc",
"person", "pc_name", "has_key"}]}.

Errors are one line on stderr, exit 2 (the dispatcher's DomainError / CliError path). The parser
loads nothing heavy (the GUI starts through the same parser).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hescb_desktop.cli.base import EXIT_OK, CliError

if TYPE_CHECKING:
    from hescb_desktop.services.context import ServiceContext

NAMES = ("restrict", "readers", "subject-access")
RECORD_HELP = "an action's HESCB/2026/054, a paper's HESCB 43/26, a minute's 77/26, or an id"


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    restrict = sub.add_parser(
        "restrict",
        parents=[common],
        help="restrict a record to its readers (encrypted on the share)",
    )
    restrict.add_argument("record", metavar="RECORD", help=RECORD_HELP)
    restrict.add_argument(
        "--readers", required=True, metavar="READERS", help='"NAME, NAME or ROLE"'
    )
    restrict.add_argument("--public-title", default="", metavar="TEXT", help="what others see")
    restrict.add_argument("--handling", default="", metavar="TEXT", help='e.g. "Do not copy"')
    restrict.add_argument("--json", action="store_true", help="as JSON")
    readers = sub.add_parser("readers", parents=[common], help="who may read a record")
    readers.add_argument("record", metavar="RECORD", help=RECORD_HELP)
    readers.add_argument("--json", action="store_true", help="as JSON")
    access = sub.add_parser(
        "subject-access",
        parents=[common],
        help="everything the board holds about a person, as PDF and JSON (secretariat)",
    )
    access.add_argument("person", metavar="PERSON", help="their name as the board holds it, or id")
    access.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")


def command(name: str) -> Any:
    return {
        "restrict": cmd_restrict,
        "readers": cmd_readers,
        "subject-access": cmd_subject_access,
    }[name]


def _open(data_dir: Path) -> ServiceContext:
    from hescb_desktop.cli.database import open_existing

    return open_existing(data_dir)


def cmd_restrict(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import restrict as service
    from hescb_desktop.storage.lock import lock_data_dir

    lock = lock_data_dir(data_dir)
    try:
        ctx = _open(data_dir)
        try:
            done = service.restrict(
                ctx,
                args.record,
                args.readers,
                public_title=args.public_title,
                handling=args.handling,
            )
        finally:
            ctx.close()
    finally:
        lock.release()
    if done.already_shared:
        print(
            f"warning: {done.record.label}'s text was on the share in clear text before this"
            " restriction: what was sent cannot be called back",
            file=sys.stderr,
        )
    if args.json:
        print(
            json.dumps(
                {
                    "record": done.record.label,
                    "table": done.record.table,
                    "id": done.record.id,
                    "readers": done.readers,
                    "public_title": done.public_title,
                    "reader_pcs": done.reader_pcs,
                    "this_pc_reads": done.this_pc_reads,
                    "already_shared": done.already_shared,
                    "rotated": done.rotated,
                },
                ensure_ascii=False,
            )
        )
        return EXIT_OK
    print(f"restricted: {done.record.label} to {done.readers}")
    if done.public_title:
        print(f"others see: {done.public_title}")
    pcs = "1 reader PC" if done.reader_pcs == 1 else f"{done.reader_pcs} reader PCs"
    print(f"key sealed to {pcs} now; others as they sync")
    if done.rotated:
        print(
            "a reader was removed: what is written next uses a new key;"
            " what they already read cannot be unread"
        )
    if not done.this_pc_reads:
        print("this PC is not a reader: it shows the record as restricted from now on")
    return EXIT_OK


def cmd_readers(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import restrict as service

    ctx = _open(data_dir)
    try:
        info = service.readers(ctx, args.record)
    finally:
        ctx.close()
    if args.json:
        print(
            json.dumps(
                {
                    "record": info.record.label,
                    "table": info.record.table,
                    "id": info.record.id,
                    "restricted": info.restricted,
                    "readers": info.readers,
                    "people": list(info.people),
                    "roles": list(info.roles),
                    "handling": info.handling,
                    "public_title": info.public_title,
                    "this_pc_reads": info.this_pc_reads,
                    "pcs": [
                        {"pc": p.pc, "person": p.person, "pc_name": p.pc_name, "has_key": p.has_key}
                        for p in info.pcs
                    ],
                },
                ensure_ascii=False,
            )
        )
        return EXIT_OK
    if not info.restricted:
        print(f"{info.record.label}: not restricted (every PC of the board reads it)")
        return EXIT_OK
    print(f"{info.record.label}: restricted to {info.readers}")
    if info.public_title:
        print(f"others see: {info.public_title}")
    if info.handling:
        print(f"handling: {info.handling}")
    for pc in info.pcs:
        state = "holds the key" if pc.has_key else "key not yet sealed (it will be as they sync)"
        print(f"\t{pc.person}\t{pc.pc_name}\t{pc.pc}\t{state}")
    return EXIT_OK


def cmd_subject_access(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import subject_access as service

    output: Path = args.output
    if output.exists() and not output.is_dir():
        raise CliError(f"{output} is a file: give a folder for the PDF and the JSON")
    if not output.exists() and not output.parent.is_dir():
        raise CliError(f"cannot write into {output}: the folder {output.parent} does not exist")
    ctx = _open(data_dir)
    try:
        found = service.subject_access(ctx, args.person)
    finally:
        ctx.close()
    pdf, data = service.write_bundle(found, output)
    print(f"subject access: {found.name}: {len(found.records)} records")
    if found.withheld:
        print(
            f"warning: {_records(len(found.withheld))} withheld: this PC does not read"
            " them; ask one of their readers",
            file=sys.stderr,
        )
    print(f"PDF: {pdf}")
    print(f"JSON: {data}")
    return EXIT_OK


def _records(n: int) -> str:
    return "1 restricted record" if n == 1 else f"{n} restricted records"
