"""Adding many new rows of one synced table at once (an .ics import of thousands of events),
with exactly the change_log rows the session's ChangeRecorder would write for them (every
field, but NULLs a peer's insert leaves NULL anyway).

The ORM path costs about a millisecond a row (object set-up, a flush, one change_log row per
column through SQLAlchemy); this one inserts the rows with one executemany and their change_log
rows with one executemany on the same connection, inside the unit of work's transaction. What
it writes is what `ChangeRecorder._new_fields`/`_write` write: every column but `id`, defaults
filled, created/updated by and at, one hlc for the batch, sequence numbers taken in order, the
unit of work's `tx`. New rows only: edits keep going through the session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import inspect

from hescb_desktop.storage.base import Synced, new_id
from hescb_desktop.storage.capture import _put_state, _take_seq, implied_null
from hescb_desktop.storage.codec import encode
from hescb_desktop.storage.guard import check_new_rows
from hescb_desktop.storage.uow import UnitOfWork

_CHANGE_LOG_SQL = (
    "INSERT INTO change_log (device_id, seq, tx, hlc, table_name, row_id, column_name, value,"
    " prev_hlc, user, published) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 0)"
)


def add_new_rows(
    uow: UnitOfWork, model: type[Synced], rows: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Insert `rows` (column values, already checked) as new rows; returns their ids."""
    if not rows:
        return []
    mapper = inspect(model)
    table = mapper.local_table
    keys = [a.key for a in mapper.column_attrs]
    defaults = {}
    for attr in mapper.column_attrs:
        default = attr.columns[0].default
        if default is not None and not default.is_callable:
            defaults[attr.key] = default.arg
    recorder = uow._recorder
    now = datetime.now(UTC)
    user = recorder.actor.user
    full: list[dict[str, Any]] = []
    for row in rows:
        values = {key: row.get(key, defaults.get(key)) for key in keys}
        values["id"] = new_id()
        values["created_at"] = values["updated_at"] = now
        values["created_by"] = values["updated_by"] = user
        values["deleted"] = bool(values.get("deleted") or False)
        full.append(values)
    session = uow.session
    session.flush()  # anything pending first, so seq order follows the order of the writes
    check_new_rows(uow.identity, session, table.name, full)  # the rules, as on every flush
    conn = session.connection()
    conn.exec_driver_sql("PRAGMA cache_size=-65536")  # this connection only: 64 MB of pages
    columns = list(table.columns)
    dialect = conn.dialect
    processors = [column.type.bind_processor(dialect) for column in columns]
    attr_of = {attr.columns[0].key: attr.key for attr in mapper.column_attrs}
    names = [attr_of[column.key] for column in columns]
    records = [
        tuple(
            (p(values[n]) if p is not None and values[n] is not None else values[n])
            for n, p in zip(names, processors, strict=True)
        )
        for values in full
    ]
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(c.name for c in columns)}) VALUES ({marks})",
        records,
    )
    column_of = {a.key: a.columns[0] for a in mapper.column_attrs}
    logged = [k for k in keys if k != "id"]
    null_implied = {k for k in logged if implied_null(column_of[k])}
    fields: list[tuple[str, str, Any]] = [
        (values["id"], key, value)
        for values in full
        for key in logged
        if (value := values[key]) is not None or key not in null_implied
    ]
    count = len(fields)
    seq = _take_seq(conn, count)
    recorder.tx = recorder.tx or seq
    hlc = recorder.clock.now()
    device = recorder.actor.device_id
    memo: dict[tuple[type, Any], str] = {}
    name = str(table.name)
    log = []
    for n, (row_id, key, value) in enumerate(fields, start=seq):
        text = memo.get((type(value), value))  # column values are all hashable
        if text is None:
            text = memo[(type(value), value)] = encode(value)
        log.append((device, n, recorder.tx, hlc, name, row_id, key, text, user))
    conn.exec_driver_sql(_CHANGE_LOG_SQL, log)
    _put_state(conn, "hlc_last", str(hlc))
    recorder.rows_written += count
    recorder.tables_changed.add(name)
    return [values["id"] for values in full]
