"""Change capture: every flush of a synced row writes one change_log row per changed field.

All rows of one flush share one hlc, so under per-field last-writer-wins a commit's fields win
or lose together; fields a model declares in `__field_groups__` (an event's start, end, all-day
and time zone) are always logged together, so they merge as one value.

Installed on each unit of work's session, so no service can change a synced table without a
trace. Hard deletes and bulk ORM UPDATE/DELETE of synced tables are refused: they would bypass it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import insert, inspect, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from hescb_desktop.domain.permissions import UNPROTECTED, Identity
from hescb_desktop.storage.base import Synced
from hescb_desktop.storage.codec import encode
from hescb_desktop.storage.guard import Changed, check_flush
from hescb_desktop.storage.journal import ChangeLog, LocalState
from hescb_desktop.storage.restricted import seal_fields

_BOOKKEEPING = ("created_at", "created_by", "updated_at", "updated_by")


class Clock(Protocol):
    """A hybrid logical clock: each call returns a value greater than every earlier one."""

    def now(self) -> int: ...

    def witness(self, stamp: int) -> int:
        """Follow a stamp this PC wrote, only within the clock's bound; returns the clock."""
        ...


class BypassError(RuntimeError):
    """A write that would not reach the change log (hard delete, bulk update, raw SQL)."""


@dataclass(frozen=True)
class Actor:
    device_id: str
    user: str


@dataclass
class _Field:
    table: str
    row_id: str
    column: str
    value: Any


class ChangeRecorder:
    """Session listener that turns a flush into change_log rows."""

    def __init__(self, actor: Actor, clock: Clock, identity: Identity = UNPROTECTED) -> None:
        self.actor = actor
        self.identity = identity
        self.clock = clock
        self.rows_written = 0
        self.tx = 0  # first seq this unit of work took: groups one commit's rows
        self.tables_changed: set[str] = set()

    def install(self, session: Session) -> None:
        from sqlalchemy import event

        event.listen(session, "before_flush", self._before_flush)
        event.listen(session, "do_orm_execute", self._refuse_bulk)

    # ----------------------------------------------------------------- listeners
    def _refuse_bulk(self, state: ORMExecuteState) -> None:
        if (state.is_update or state.is_delete) and any(
            issubclass(m.class_, Synced) for m in state.all_mappers
        ):
            raise BypassError("bulk UPDATE/DELETE of a synced table bypasses the change log")

    def _before_flush(self, session: Session, ctx: UOWTransaction, instances: object) -> None:
        for obj in session.deleted:
            if isinstance(obj, Synced):
                raise BypassError(f"{type(obj).__name__} rows are never deleted: set the tombstone")
        now = datetime.now(UTC)
        fields: list[_Field] = []
        changed: list[Changed] = []
        for obj in session.new:
            if isinstance(obj, Synced):
                fields.extend(mine := self._new_fields(obj, now))
                changed.append((obj, True, [f.column for f in mine]))
        for obj in session.dirty:
            if isinstance(obj, Synced) and session.is_modified(obj, include_collections=False):
                fields.extend(mine := self._dirty_fields(obj, now))
                changed.append((obj, False, [f.column for f in mine]))
        check_flush(self.identity, session, changed)  # the rules, as every PC checks on merge
        if fields:
            self._write(
                session.connection(),
                fields,
                new_ids={o.id for o in session.new if isinstance(o, Synced)},
            )

    # ----------------------------------------------------------------- fields
    def _new_fields(self, obj: Synced, now: datetime) -> list[_Field]:
        """Every field of a new row, but for empty (NULL) ones a peer's insert leaves NULL anyway
        (a quarter of an imported event's fields: see `implied_null`)."""
        mapper = inspect(type(obj))
        for attr in mapper.column_attrs:
            column = attr.columns[0]
            if getattr(obj, attr.key) is None and column.default is not None:
                setattr(obj, attr.key, _default_value(column.default))
        obj.created_at = obj.created_at or now
        obj.created_by = obj.created_by or self.actor.user
        obj.updated_at, obj.updated_by = obj.created_at, obj.created_by
        table = mapper.local_table.name
        return [
            _Field(table, obj.id, a.key, value)
            for a in mapper.column_attrs
            if a.key != "id"
            and ((value := getattr(obj, a.key)) is not None or not implied_null(a.columns[0]))
        ]

    def _dirty_fields(self, obj: Synced, now: datetime) -> list[_Field]:
        state = inspect(obj)
        changed = [
            a.key
            for a in state.mapper.column_attrs
            if a.key not in _BOOKKEEPING and state.attrs[a.key].history.has_changes()
        ]
        if not changed:
            return []
        if "deleted" in changed and obj.deleted and "deleted_at" not in changed:
            # (a redo sets the deletion's own time and person back: services.undo)
            obj.deleted_at, obj.deleted_by = now, self.actor.user
            changed += ["deleted_at", "deleted_by"]
        for group in getattr(type(obj), "__field_groups__", ()):
            if group.intersection(changed):
                changed += sorted(group)  # fields that belong together travel together
        obj.updated_at, obj.updated_by = now, self.actor.user
        table = state.mapper.local_table.name
        keys = dict.fromkeys([*changed, "updated_at", "updated_by"])
        return [_Field(table, obj.id, k, getattr(obj, k)) for k in keys]

    # ----------------------------------------------------------------- writing
    def _write(self, conn: Connection, fields: list[_Field], new_ids: set[str]) -> None:
        prev = _previous_clocks(conn, [f for f in fields if f.row_id not in new_ids])
        seq = _take_seq(conn, len(fields))
        self.tx = self.tx or seq
        rows = []
        hlc = self.clock.now()  # one stamp per flush: a commit's fields win or lose together
        # An edit is made after seeing the value it replaces, so it must sort after it, even when
        # that value is stamped far ahead (a board poisoned before the clock bound: the merge
        # re-dates anything new that far ahead). The clock follows such a stamp only within its
        # bound, so one edit on top of it never drags this PC's later edits along.
        hlc = max(hlc, max(prev.values(), default=0) + 1)
        clock_last = self.clock.witness(hlc)
        new_values: dict[tuple[str, str], dict[str, Any]] = {}
        for f in fields:
            if f.row_id in new_ids:
                new_values.setdefault((f.table, f.row_id), {})[f.column] = f.value
        # a restricted record's content is logged sealed for its readership (issue 16)
        texts = seal_fields(
            conn,
            [(f.table, f.row_id, f.column) for f in fields],
            [encode(f.value) for f in fields],
            new_values,
        )
        for i, f in enumerate(fields):
            rows.append(
                {
                    "device_id": self.actor.device_id,
                    "seq": seq + i,
                    "tx": self.tx,
                    "hlc": hlc,
                    "table_name": f.table,
                    "row_id": f.row_id,
                    "column_name": f.column,
                    "value": texts[i],
                    "user": self.actor.user,
                    "published": False,
                    "prev_hlc": prev.get((f.table, f.row_id, f.column)),
                }
            )
            self.tables_changed.add(f.table)
        conn.execute(insert(ChangeLog), rows)
        _put_state(conn, "hlc_last", str(clock_last))
        self.rows_written += len(rows)


def _default_value(default: Any) -> Any:
    if default.is_callable:
        return default.arg(None)
    return default.arg


def _previous_clocks(conn: Connection, fields: Iterable[_Field]) -> dict[tuple[str, str, str], int]:
    """The hlc of the value each field holds now: its highest (hlc, device) in the change log
    (per-field last-writer-wins means the newest entry is the value the row holds)."""
    by_row: dict[tuple[str, str], set[str]] = {}
    for f in fields:
        by_row.setdefault((f.table, f.row_id), set()).add(f.column)
    result: dict[tuple[str, str, str], int] = {}
    for (table, row_id), columns in by_row.items():
        best: dict[str, tuple[int, str]] = {}
        stmt = select(ChangeLog.column_name, ChangeLog.hlc, ChangeLog.device_id).where(
            ChangeLog.table_name == table,
            ChangeLog.row_id == row_id,
            ChangeLog.column_name.in_(columns),
        )
        for column, hlc, device in conn.execute(stmt):
            best[column] = max(best.get(column, (hlc, device)), (hlc, device))
        result.update({(table, row_id, c): clock[0] for c, clock in best.items()})
    return result


def _take_seq(conn: Connection, count: int) -> int:
    """Reserve `count` sequence numbers for this device (inside the write transaction)."""
    current = conn.execute(select(LocalState.value).where(LocalState.key == "next_seq")).scalar()
    first = int(current) if current is not None else 1
    _put_state(conn, "next_seq", str(first + count))
    return first


def _put_state(conn: Connection, key: str, value: str) -> None:
    stmt = sqlite_insert(LocalState).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def implied_null(column: Any) -> bool:
    """Whether a new row's NULL in `column` need not be logged: a peer inserting the row without
    this column gets NULL too, because the column has no server default. (A merge inserts a new
    row with the columns it received; the ORM's Python-side defaults never apply there.)"""
    return column.server_default is None and not column.primary_key
