"""The unit of work: one per user action; it commits once and records every field it changed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hescb_desktop.domain.permissions import UNPROTECTED, Identity, Kind, Operation, Owners
from hescb_desktop.domain.undo import TxRef
from hescb_desktop.storage.capture import Actor, ChangeRecorder, Clock
from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.guard import refuse_unless
from hescb_desktop.storage.undo_journal import JournalNote, current_note, record


@dataclass
class Committed:
    """What the units of work committed inside `collecting()` changed: their tables, and their
    transactions in the order made."""

    tables: set[str] = field(default_factory=set)
    txs: list[TxRef] = field(default_factory=list)


_COLLECTOR: ContextVar[Committed | None] = ContextVar("committed", default=None)


@contextmanager
def collecting() -> Iterator[Committed]:
    """Every unit of work committed inside (on this thread) adds what it changed to the
    Committed yielded: how a service call that opens several units of work of its own (trust,
    retention) reports one change set (services.operations.as_job)."""
    found = Committed()
    token = _COLLECTOR.set(found)
    try:
        yield found
    finally:
        _COLLECTOR.reset(token)


class UnitOfWork:
    """`with uow: ...; uow.commit()`. Leaving without commit rolls back; ORM objects stay inside."""

    session: Session

    def __init__(
        self,
        engine: Engine,
        actor: Actor,
        clock: Clock,
        *,
        write: bool = True,
        identity: Identity = UNPROTECTED,
    ) -> None:
        self._engine = writer(engine) if write else engine
        self._recorder = ChangeRecorder(actor, clock, identity)
        self._write = write
        self.actor = actor
        self.identity = identity
        self.committed = False
        # recorded in undo_journal as it commits, when set (the command line sets it)
        self.journal: JournalNote | None = current_note()
        self._journalled = False

    @property
    def engine(self) -> Engine:
        """The database this unit of work reads and writes."""
        return self._engine

    @property
    def tables_changed(self) -> frozenset[str]:
        return frozenset(self._recorder.tables_changed)

    @property
    def tx(self) -> TxRef | None:
        """The transaction this unit of work wrote to the change log, once committed; None if
        it wrote nothing (or has not committed). What `services.undo.undo` takes back."""
        if not self.committed or not self._recorder.tx:
            return None
        return TxRef(self.actor.device_id, self._recorder.tx)

    @property
    def changes_written(self) -> int:
        return self._recorder.rows_written

    def __enter__(self) -> Self:
        self.session = Session(self._engine, expire_on_commit=False, autoflush=True)
        self._recorder.install(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            self.session.rollback()
        self.session.close()

    def require(self, operation: Operation, kind: Kind, owner_ids: Owners = None) -> None:
        """Raise NotAllowedError (a DomainError: the GUI shows it, the command line exits 2)
        unless the person at the keyboard may do this. The services ask before they change
        anything; every flush is checked field by field as well (storage.guard)."""
        refuse_unless(self.identity, operation, kind, owner_ids)

    def commit(self) -> None:
        if not self._write:
            raise RuntimeError("this unit of work is read-only")
        self.session.flush()
        if self.journal is not None and self._recorder.tx and not self._journalled:
            record(self.session, TxRef(self.actor.device_id, self._recorder.tx), self.journal)
            self._journalled = True
        self.session.commit()
        self.committed = True
        found = _COLLECTOR.get()
        if found is not None:
            found.tables.update(self.tables_changed)
            if self.tx is not None:
                found.txs.append(self.tx)
