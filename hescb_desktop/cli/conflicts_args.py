"""The arguments of `conflicts [--json]` and `conflicts resolve ID keep|other` (argparse only:
loaded at start-up; the command is in conflicts_commands.py, whose docstring is the contract)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register `conflicts` (and its `resolve` verb) on the main parser's sub-commands."""
    conflicts = sub.add_parser(
        "conflicts",
        parents=[common],
        help="the open conflicts; resolve one by its id",
        description="Without a VERB: list the open conflicts, one a line (or --json).",
    )
    conflicts.add_argument("--json", action="store_true", help="as JSON")
    verbs = conflicts.add_subparsers(dest="verb", metavar="VERB")
    resolve = verbs.add_parser(
        "resolve", parents=[common], help="keep the value kept, or use the other value"
    )
    resolve.add_argument("id", metavar="ID", help="the conflict's id (from `conflicts`)")
    resolve.add_argument(
        "choice",
        choices=("keep", "other"),
        metavar="keep|other",
        help="keep: the value kept; other: use the other value (restore a deleted record)",
    )
