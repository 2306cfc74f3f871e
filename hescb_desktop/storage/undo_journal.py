"""The local record of transactions for the command line's undo stack (issue 17, point 3).

A unit of work made while an origin is set (`origin_set`: the command line sets "cli" around
each command it runs) records its transaction in `undo_journal` as it commits, in the same
SQLite transaction, so no write command can miss it. `services.undo` marks the entry it undid
(`undone_by_tx`) and records itself as an "undo" (or a "redo": the undo of an undo).

The stack, newest first, over one origin's entries on this PC:
- undo takes the first "edit" or "redo" not undone yet (skipping undo entries);
- redo takes the first "undo" not undone yet, skipping redo entries and undos already redone,
  and finds nothing once it meets an edit (a new edit clears what could be redone).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from hescb_desktop.domain.undo import TxRef
from hescb_desktop.storage.journal import UndoEntry


@dataclass(frozen=True)
class JournalNote:
    """What a unit of work records about itself when it commits."""

    origin: str  # "cli" or "gui"
    label: str
    undoes: int | None = None  # the tx an undo (or redo) takes back


_ORIGIN: ContextVar[JournalNote | None] = ContextVar("undo_origin", default=None)


@contextmanager
def origin_set(origin: str, label: str) -> Iterator[None]:
    """Every unit of work made inside records its transaction under `origin` and `label`."""
    token = _ORIGIN.set(JournalNote(origin, label))
    try:
        yield
    finally:
        _ORIGIN.reset(token)


def current_note() -> JournalNote | None:
    return _ORIGIN.get()


def record(session: Session, ref: TxRef, note: JournalNote) -> None:
    """Record `ref` (inside the committing transaction); an undo marks what it undid."""
    kind = "edit"
    if note.undoes is not None:
        undone = session.get(UndoEntry, (ref.device_id, note.undoes))
        kind = "redo" if undone is not None and undone.kind == "undo" else "undo"
        session.execute(
            update(UndoEntry)
            .where(UndoEntry.device_id == ref.device_id, UndoEntry.tx == note.undoes)
            .values(undone_by_tx=ref.tx)
        )
    session.execute(
        insert(UndoEntry).values(
            device_id=ref.device_id,
            tx=ref.tx,
            origin=note.origin,
            kind=kind,
            label=note.label,
            made_at=datetime.now(UTC).isoformat(timespec="seconds"),
            undoes_tx=note.undoes,
        )
    )


def entries(session: Session, device_id: str, origin: str) -> list[UndoEntry]:
    """This PC's entries of one origin, newest first."""
    stmt = (
        select(UndoEntry)
        .where(UndoEntry.device_id == device_id, UndoEntry.origin == origin)
        .order_by(UndoEntry.tx.desc())
    )
    return list(session.scalars(stmt))


def next_undo(found: list[UndoEntry]) -> UndoEntry | None:
    """The entry `undo` takes back: the newest edit or redo not undone yet."""
    return next((e for e in found if e.kind != "undo" and e.undone_by_tx is None), None)


def next_redo(found: list[UndoEntry]) -> UndoEntry | None:
    """The undo `redo` takes back, or None once an edit came after the undos."""
    for e in found:
        if e.kind == "edit":
            return None
        if e.kind == "undo" and e.undone_by_tx is None:
            return e
    return None
