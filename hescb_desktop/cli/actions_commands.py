"""`actions list|add|update` and `meetings`: the action log and the meetings from the command line.

Bad input (an empty description, an unknown owner, a due date before the date raised, closing an
action nobody proposed complete or outside a meeting) is one line on stderr, exit 2, nothing
changed: the services refuse it before anything is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import Any

from hescb_desktop.cli.base import EXIT_OK, PROG, CliError, database_path, json_text, quoted
from hescb_desktop.cli.database import refuse_foreign
from hescb_desktop.domain import labels
from hescb_desktop.services import actions as action_service
from hescb_desktop.services import crud, meetings
from hescb_desktop.services.action_log import ActionLogEntry, action_log, to_csv
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.entities import PEOPLE, RESOURCES
from hescb_desktop.storage.lock import lock_data_dir


def _open(data_dir: Path) -> ServiceContext:
    path = database_path(data_dir)
    if not path.is_file() or refuse_foreign(path).blank:
        raise CliError(f"no database in {data_dir}: run `{PROG} init` first")
    return open_context(data_dir, create=False)


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"{what} {quoted(text)} is not a date like 2026-03-31") from None


def _write(text: str | bytes) -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except BrokenPipeError:
        with suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _owner_id(ctx: ServiceContext, name: str) -> str:
    wanted = " ".join(name.split()).casefold()
    if not wanted:
        raise CliError("the owner is empty: give a person's name")
    found = [p for p in crud.list_all(ctx.uow(write=False), PEOPLE) if p.name.casefold() == wanted]
    if not found:
        raise CliError(f"unknown owner {quoted(name)}: give the name of a person on the board")
    if len(found) > 1:
        raise CliError(f"{quoted(name)} names {len(found)} people: cannot tell which")
    return found[0].id


# ---------------------------------------------------------------- actions
def cmd_actions(args: argparse.Namespace, data_dir: Path) -> int:
    if args.verb == "list":
        return _list(args, data_dir)
    lock = lock_data_dir(data_dir)
    try:
        ctx = _open(data_dir)
        try:
            return _add(args, ctx) if args.verb == "add" else _update(args, ctx)
        finally:
            ctx.close()
    finally:
        lock.release()


def _list(args: argparse.Namespace, data_dir: Path) -> int:
    status = action_service.parse_status(args.status) if args.status else None
    ctx = _open(data_dir)
    try:
        owner = _owner_id(ctx, args.owner) if args.owner else None
        entries = action_log(ctx.uow(write=False))
    finally:
        ctx.close()
    today = date.today()
    entries.sort(key=lambda e: (e.ref_year, e.ref_body, e.ref_number))
    chosen = [
        e
        for e in entries
        if (status is None or e.status is status)
        and (owner is None or e.owner_id == owner)
        and (not args.overdue or e.overdue(today))
    ]
    if args.json:
        _write(json_text([_json(e) for e in chosen], indent=2) + "\n")
    elif args.csv:
        _write(to_csv(chosen))
    else:
        lines = [
            f"{e.reference}\t{e.due.isoformat() if e.due else '-'}"
            f"\t{labels.ACTION_STATUS[e.status]}"
            f"\t{e.owner or '-'}\t{' '.join(e.description.split())}"
            for e in chosen
        ]
        _write("".join(line + "\n" for line in lines))
    return EXIT_OK


def _json(e: ActionLogEntry) -> dict[str, Any]:
    def iso(d: date | None) -> str | None:
        return d.isoformat() if d else None

    return {
        "reference": e.reference,
        "raised_on": iso(e.raised_on),
        "meeting": e.meeting or None,
        "minute": e.minute or None,
        "description": e.description,
        "owner": e.owner or None,
        "organisation": e.organisation_code or None,
        "due_date": iso(e.due_date),
        "revised_due_date": iso(e.revised_due_date),
        "revision_reason": e.revision_reason,
        "status": e.status.value,
        "completed_on": iso(e.completed_on),
        "latest_update": e.latest_update,
        "id": e.id,
    }


def _add(args: argparse.Namespace, ctx: ServiceContext) -> int:
    due = _date(args.due, "due date")
    owner = _owner_id(ctx, args.owner)
    meeting_id = None
    if args.meeting:
        meeting_id = meetings.find_meeting(ctx.uow(write=False), args.meeting).id
    result = action_service.new_action(
        ctx.uow(),
        description=args.description,
        owner_id=owner,
        due=due,
        raised_on=None if meeting_id else date.today(),
        meeting_id=meeting_id,
    )
    print(result.value.reference)
    return EXIT_OK


def _update(args: argparse.Namespace, ctx: ServiceContext) -> int:
    if args.reason and not args.due:
        raise CliError("--reason goes with --due (a revised due date)")
    if args.due and not args.reason.strip():
        raise CliError("a revised due date needs --reason (the date agreed is kept)")
    change = action_service.ActionChange(
        status=action_service.parse_status(args.status) if args.status else None,
        note=args.note,
        due=_date(args.due, "due date") if args.due else None,
        reason=args.reason,
        at_meeting_id=(
            meetings.find_meeting(ctx.uow(write=False), args.meeting).id if args.meeting else None
        ),
    )
    action = action_service.find_action(ctx.uow(write=False), args.ref)
    result = action_service.update_action(ctx.uow(), action.id, change)
    a = result.value
    due = action_service.current_due(a)
    print(f"{a.reference}: {labels.ACTION_STATUS[a.status]}, due {due.isoformat() if due else '-'}")
    return EXIT_OK


# ---------------------------------------------------------------- meetings
def cmd_meetings(args: argparse.Namespace, data_dir: Path) -> int:
    ctx = _open(data_dir)
    try:
        uow = ctx.uow(write=False)
        rows = meetings.list_meetings(uow)
        rooms = {r.id: r.name for r in crud.list_all(ctx.uow(write=False), RESOURCES)}
        people = {p.id: p.name for p in crud.list_all(ctx.uow(write=False), PEOPLE)}
    finally:
        ctx.close()
    out: list[dict[str, Any]] = []
    for m in rows:
        start = m.start_utc.astimezone(meetings.LONDON)
        end = m.end_utc.astimezone(meetings.LONDON)
        out.append(
            {
                "ref": meetings.meeting_ref(m),
                "body": m.body,
                "title": m.title,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "venue": rooms.get(m.venue_id or ""),
                "chair": people.get(m.chair_id or ""),
                "clerk": people.get(m.clerk_id or ""),
                "status": m.status.value,
                "marking": m.marking.value,
                "id": m.id,
            }
        )
    if args.json:
        _write(json_text(out, indent=2) + "\n")
        return EXIT_OK
    lines = [
        f"{o['ref']}\t{o['start'][11:16]}-{o['end'][11:16]}\t{o['status']}\t{o['title']}"
        f"\t{o['venue'] or '-'}"
        for o in out
    ]
    _write("".join(line + "\n" for line in lines))
    return EXIT_OK
