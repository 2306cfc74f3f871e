"""`conflicts [--json]` and `conflicts resolve ID keep|other`: the open conflicts, scriptable.

A contract other tools script against; keep it stable:

- `conflicts` prints one line per open conflict: its id, the record (as the app names it), the
  field, the value kept and who/when/which PC, the other value and who/when/which PC.
- `conflicts --json` prints a JSON list, one object per open conflict, with the keys `id`,
  `kind` ("field", or "deleted": an edit to a record another PC deleted), `table`, `row_id`,
  `column`, `record`, `field`, `kept` and `other`. Each side is {`value`, `text`, `user`, `at`,
  `device`}: the value as logged (JSON), the same as a person reads it (a reference as the name
  of what it points at), the user, an ISO 8601 UTC time ("...Z"), the PC's full device id. For
  kind "deleted", `kept` is the deletion (value true) and `other` the edit. `[]` when none.
- `conflicts resolve ID keep|other` settles one: exit 0 and one line saying what was done. The
  resolution syncs: every PC then lists the conflict as closed. An id that is not an open
  conflict here: one line on stderr, exit 2, nothing changed.

Every PC gives a conflict the same id, so an id read on one PC can be resolved on another.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hescb_desktop.cli.base import (
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    CliError,
    database_path,
    json_text,
    say,
)
from hescb_desktop.cli.database import refuse_foreign
from hescb_desktop.domain.errors import NotFoundError
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.storage.lock import lock_data_dir

VALUE_WIDTH = 60


def _open(data_dir: Path) -> ServiceContext:
    path = database_path(data_dir)
    if not path.is_file() or refuse_foreign(path).blank:
        raise CliError(f"no database in {data_dir}: run `{PROG} init` first")
    return open_context(data_dir, create=False)


def cmd_conflicts(args: argparse.Namespace, data_dir: Path) -> int:
    if getattr(args, "verb", None) == "resolve":
        return _resolve(args, data_dir)
    ctx = _open(data_dir)
    try:
        items = [_item(ctx, row) for row in sync_service.list_conflicts(ctx)]
        names = sync_service.device_names(ctx)
    finally:
        ctx.close()
    if args.json:
        print(json_text(items, indent=2))
    else:
        for item in items:
            print(_line(item, names))
    return EXIT_OK


def _item(ctx: ServiceContext, row: sync_service.ConflictRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "table": row.table,
        "row_id": row.row_id,
        "column": row.column,
        "record": sync_service.describe_record(ctx, row.table, row.row_id),
        "field": _field(row.column),
        "kept": _side(
            row.kept_value,
            _named(ctx, row, row.kept_value),
            row.kept_user,
            row.kept_at,
            row.kept_device,
        ),
        "other": _side(
            row.lost_value,
            _named(ctx, row, row.lost_value),
            row.lost_user,
            row.lost_at,
            row.lost_device,
        ),
    }


def _side(value: Any, text: str, user: str, at: datetime, device: str) -> dict[str, Any]:
    return {
        "value": value,
        "text": text,
        "user": user,
        "at": at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "device": device,
    }


def _named(ctx: ServiceContext, row: sync_service.ConflictRow, value: Any) -> str:
    """A value as a person reads it: the name of the record a reference points at."""
    named = sync_service.describe_value(ctx, row.table, row.column, value)
    if named is not None:
        return named
    if value is None or value == "":
        return "(empty)"
    text = value if isinstance(value, str) else json_text(value)
    text = " ".join(text.split())
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1].rstrip() + "…"


def _field(column: str) -> str:
    """owner_id -> Owner, start_utc -> Start (as the Conflicts page names fields)."""
    words = column.removesuffix("_id").removesuffix("_utc").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _by(side: dict[str, Any], names: dict[str, str]) -> str:
    at = datetime.fromisoformat(side["at"].replace("Z", "+00:00"))
    pc = names.get(side["device"], f"PC {sync_service.short_id(side['device'])}")
    return f"{side['user'] or 'someone'}, {at:%Y-%m-%d %H:%M} UTC, {pc}"


def _line(item: dict[str, Any], names: dict[str, str]) -> str:
    """<id>  <record> · <field>: kept "X" (who, when, PC); other "Y" (who, when, PC)"""
    deleted = item["kind"] == "deleted"
    kept = "record deleted" if deleted else f'kept "{item["kept"]["text"]}"'
    other = "edit" if deleted else "other"
    return (
        f"{item['id']}  {item['record']} · {item['field']}: {kept} ({_by(item['kept'], names)});"
        f' {other} "{item["other"]["text"]}" ({_by(item["other"], names)})'
    )


def _resolve(args: argparse.Namespace, data_dir: Path) -> int:
    use_other = args.choice == "other"
    lock = lock_data_dir(data_dir)
    try:
        ctx = _open(data_dir)
        try:
            found = {r.id: r for r in sync_service.list_conflicts(ctx)}.get(args.id)
            try:
                if found is None:
                    raise NotFoundError(args.id)
                item = _item(ctx, found)
                settled = sync_service.resolve_conflict(ctx, args.id, use_other=use_other)
            except NotFoundError:
                say(
                    f"conflicts: no open conflict {args.id} on this PC (resolved already, or not"
                    f" synced here yet): nothing changed; `{PROG} conflicts` lists the open ones"
                )
                return EXIT_USAGE
        finally:
            ctx.close()
    finally:
        lock.release()
    also = f" (and {len(settled) - 1} field(s) changed with it)" if len(settled) > 1 else ""
    where = f"{item['record']} · {item['field']}"
    if use_other and found.kind == "deleted":
        print(f'resolved {args.id}: restored {where}, with "{item["other"]["text"]}"{also}')
    elif use_other:
        print(f'resolved {args.id}: {where} is now "{item["other"]["text"]}"{also}')
    else:
        print(f'resolved {args.id}: kept "{item["kept"]["text"]}" for {where}{also}')
    return EXIT_OK
