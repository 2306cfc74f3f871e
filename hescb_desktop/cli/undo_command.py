"""`undo` on the command line (issue 17, point 3):

    undo [--json]          take back the newest change made from the command line on this PC
                           (one command's transaction), field by field
    undo --redo [--json]   make again the change the newest such undo took back

Each field the change set is put back to the value it had before, unless another PC (or a
later change here) has changed it since: that field is left, and the output says who changed
it and when. Changes made in the app (the GUI has its own Edit > Undo) are never undone here.
Output: "undone: LABEL" (or "redone: LABEL"), then one tab-separated line per field:
`restored TABLE ID COLUMN`, `removed TABLE ID` (a record it created, now deleted) or
`left TABLE ID COLUMN REASON`. --json keys: {"action": "undo" | "redo", "label", "tx",
"undone_tx", "restored": [{"table", "id", "column"}], "removed": [{"table", "id"}],
"left": [{"table", "id", "column", "reason", "by", "at"}]}.
Nothing to undo, or nothing of it that can be: one line on stderr, exit 2, nothing changed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hescb_desktop.cli.base import EXIT_OK, json_text

if TYPE_CHECKING:
    from hescb_desktop.services.undo import UndoOutcome


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    undo = sub.add_parser(
        "undo",
        parents=[common],
        help="take back the last change made from the command line on this PC",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    undo.add_argument("--redo", action="store_true", help="make again what undo took back")
    undo.add_argument("--json", action="store_true", help="as JSON")


def cmd_undo(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.cli.database import open_existing
    from hescb_desktop.services.undo import undo_last

    ctx = open_existing(data_dir)
    try:
        outcome = undo_last(ctx, origin="cli", redo=args.redo).value
    finally:
        ctx.close()
    action = "redo" if args.redo else "undo"
    if args.json:
        print(json_text(as_json(outcome, action)))
    else:
        print_outcome(outcome, action)
    return EXIT_OK


def as_json(outcome: UndoOutcome, action: str) -> dict[str, Any]:
    return {
        "action": action,
        "label": outcome.label,
        "tx": outcome.tx.tx if outcome.tx else None,
        "undone_tx": outcome.undone.tx,
        "restored": [{"table": t, "id": r, "column": c} for t, r, c in outcome.restored],
        "removed": [{"table": t, "id": r} for t, r in outcome.removed],
        "left": [
            {
                "table": f.table,
                "id": f.row_id,
                "column": f.column,
                "reason": f.reason,
                "by": f.by,
                "at": f.at.isoformat() if f.at else None,
            }
            for f in outcome.left
        ],
    }


def print_outcome(outcome: UndoOutcome, action: str) -> None:
    print(f"{action}ne: {outcome.label}")
    for table, row, column in outcome.restored:
        print(f"restored\t{table}\t{row}\t{column}")
    for table, row in outcome.removed:
        print(f"removed\t{table}\t{row}")
    for f in outcome.left:
        print(f"left\t{f.table}\t{f.row_id}\t{f.column}\t{f.reason}")
