"""The arguments of `copies` (argparse only: loaded at start-up; the command and its contract
are in copies_commands.py). The verb is a positional word, not a sub-parser, so that
`copies MEETING_REF` lists one meeting's copies as `copies` lists them all."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

VERBS = ("issue", "return", "destroy", "register")

DESCRIPTION = """\
The copies register of packs with restricted items (the Part II pack, or a pack holding an
OFFICIAL-SENSITIVE paper), and numbered copies issued from it.

  copies [MEETING_REF] [--json]            the register: one tab-separated line a copy
  copies issue MEETING_REF --part 1|2 --to "NAME, NAME" -o DIR
                                           issue a numbered copy to each name and write
                                           each copy's PDF into DIR
  copies return COPY [--at WHEN]           record that a copy came back
  copies destroy COPY [--at WHEN]          record that a copy was destroyed
  copies register [MEETING_REF] -o FILE    the register as a PDF

MEETING_REF: next, a date YYYY-MM-DD, BODY/YYYY-MM-DD, or the start of a meeting id.
COPY: MEETING_REF PART #N as the register prints it ("HESCB/2026-10-15 II #3": quote it, or
leave out the #, which a shell reads as a comment: HESCB/2026-10-15 II 3), or the start of
the copy's id (--json). PART may be left out when only one pack of the meeting has copy N.
WHEN: YYYY-MM-DD or YYYY-MM-DD HH:MM (London time), by default now."""


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register `copies` on the main parser's sub-commands."""
    copies = sub.add_parser(
        "copies",
        parents=[common],
        help="numbered copies of restricted packs: the register, issue, return, destroy",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    copies.add_argument(
        "words",
        nargs="*",
        metavar="[VERB] ARG",
        help=f"a verb ({', '.join(VERBS)}) and its MEETING_REF or COPY; none: the register",
    )
    copies.add_argument("--json", action="store_true", help="the register as JSON")
    copies.add_argument("--part", choices=("1", "2"), help="issue: 1 or 2 (the Part II pack)")
    copies.add_argument(
        "--to",
        action="append",
        metavar="NAMES",
        help='issue: the names, comma-separated ("ACC R. Shah, Alex Chair"); may be repeated',
    )
    copies.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR|FILE",
        help="issue: the folder for the copies' PDFs; register: the PDF to write",
    )
    copies.add_argument("--at", metavar="WHEN", help="return, destroy: when (default: now)")
