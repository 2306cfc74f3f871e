"""The arguments of `actions list|add|update` and `meetings` (argparse only: loaded at start-up,
so nothing heavy is imported here; the commands are in actions_commands.py)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register `actions` and `meetings` on the main parser's sub-commands."""
    acts = sub.add_parser("actions", parents=[common], help="the action log: list, add, update")
    verbs = acts.add_subparsers(dest="verb", metavar="VERB", required=True)
    ls = verbs.add_parser("list", parents=[common], help="list actions")
    ls.add_argument("--status", metavar="S", help="open, in_progress, complete, closed, deferred")
    ls.add_argument("--owner", metavar="NAME", help="only this owner's actions")
    ls.add_argument("--overdue", action="store_true", help="only overdue actions")
    fmt = ls.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="as JSON")
    fmt.add_argument("--csv", action="store_true", help="as CSV (UTF-8 with BOM, for Excel)")
    add = verbs.add_parser("add", parents=[common], help="raise an action; prints its reference")
    add.add_argument("--description", required=True, metavar="TEXT")
    add.add_argument("--owner", required=True, metavar="NAME")
    add.add_argument("--due", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--meeting", metavar="REF", help="the meeting (BODY/YYYY-MM-DD, see meetings)")
    upd = verbs.add_parser("update", parents=[common], help="update an action (kept in history)")
    upd.add_argument("ref", metavar="REF", help="the action's reference, e.g. HESCB/2026/014")
    upd.add_argument("--status", metavar="S")
    upd.add_argument("--note", metavar="TEXT", default="")
    upd.add_argument("--due", metavar="YYYY-MM-DD", help="a revised due date (needs --reason)")
    upd.add_argument("--reason", metavar="TEXT", default="")
    upd.add_argument(
        "--meeting", metavar="REF", help="the meeting agreeing closure (needed to close)"
    )
    mtg = sub.add_parser("meetings", parents=[common], help="list the meetings")
    mtg.add_argument("--json", action="store_true", help="as JSON")
