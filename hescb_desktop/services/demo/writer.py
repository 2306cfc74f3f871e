"""Units of work for the demo: one for the whole small build (all or nothing), or a commit
every chunk for the large one; and a unit of work joined to the open one, so services that open
their own (objectives.set_rag) write into the same transaction."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from hescb_desktop.domain.undo import TxRef
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.storage.uow import UnitOfWork


class Writer:
    """`with Writer(ctx, atomic) as w: ... w.uow ... w.checkpoint()`; commits on a clean exit."""

    def __init__(self, ctx: ServiceContext, *, atomic: bool) -> None:
        self._ctx = ctx
        self._atomic = atomic
        self._uow: UnitOfWork | None = None
        self.commits = 0

    @property
    def uow(self) -> UnitOfWork:
        assert self._uow is not None, "the writer is not open"
        return self._uow

    def __enter__(self) -> Self:
        self._open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        uow, self._uow = self._uow, None
        if uow is None:
            return
        if exc_type is None:
            uow.commit()
            self.commits += 1
        uow.__exit__(exc_type, exc, tb)

    def checkpoint(self) -> None:
        """Commit what is written so far and go on in a new unit of work (unless atomic)."""
        if self._atomic:
            return
        self.uow.commit()
        self.commits += 1
        self.uow.__exit__(None, None, None)
        self._open()

    def joined(self) -> UnitOfWork:
        return JoinedUnitOfWork(self.uow)

    def _open(self) -> None:
        self._uow = self._ctx.uow()
        self._uow.__enter__()


class JoinedUnitOfWork(UnitOfWork):
    """Runs a service inside an open unit of work: entering reuses its session, commit flushes.

    The outer unit of work still decides: it commits or rolls back everything together.
    """

    def __init__(self, outer: UnitOfWork) -> None:  # no super().__init__: nothing of its own
        self._outer = outer
        self.session = outer.session
        self.actor = outer.actor
        self.identity = outer.identity
        self.committed = False

    @property
    def tables_changed(self) -> frozenset[str]:
        return self._outer.tables_changed

    @property
    def changes_written(self) -> int:
        return self._outer.changes_written

    @property
    def tx(self) -> TxRef | None:
        return None  # the outer unit of work's, once it commits

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            return  # the exception reaches the outer unit of work, which rolls back

    def commit(self) -> None:
        self.session.flush()
        self.committed = True
