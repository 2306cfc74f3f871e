"""The trust commands' arguments (issue 15): registered when the parser is built, which must
load no database layer (the GUI starts through the same parser); the commands themselves are in
trust_commands.py, imported when one runs."""

from __future__ import annotations

import argparse
from typing import Any

NAMES = (
    "whoami",
    "enrol-request",
    "enrol-approve",
    "revoke",
    "people",
    "set-role",
    "upgrade-board",
)


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    who = sub.add_parser("whoami", parents=[common], help="who this PC works for, and its key")
    who.add_argument("--json", action="store_true", help="as JSON")
    sub.add_parser("enrol-request", parents=[common], help="ask the secretariat to enrol this PC")
    approve = sub.add_parser("enrol-approve", parents=[common], help="enrol a PC (secretariat)")
    approve.add_argument("fingerprint", metavar="FINGERPRINT")
    approve.add_argument("--person", required=True, metavar="NAME", help="made if new")
    approve.add_argument("--role", required=True, metavar="ROLE", help="secretariat/officer/viewer")
    approve.add_argument("--acts-for", action="append", metavar="NAME", help="a principal")
    revoke = sub.add_parser("revoke", parents=[common], help="revoke a PC (secretariat)")
    revoke.add_argument("fingerprint", metavar="FINGERPRINT")
    people = sub.add_parser("people", parents=[common], help="the board's people and roles")
    people.add_argument("--json", action="store_true", help="as JSON")
    role = sub.add_parser("set-role", parents=[common], help="set a person's role (secretariat)")
    role.add_argument("person", metavar="PERSON")
    role.add_argument("role", metavar="ROLE")
    role.add_argument("--acts-for", action="append", metavar="NAME", help="a principal")
    upgrade = sub.add_parser(
        "upgrade-board", parents=[common], help="protect a board made before signing"
    )
    upgrade.add_argument("--person", required=True, metavar="NAME", help="you, secretariat")
