"""The service side of the GUI's one path (ui/operations.py): run one service call in its own
unit of work and hand back an Outcome, never an exception, so that the caller on another thread
can tell a refusal (a DomainError, a database kept busy) from a fault (anything else, with its
traceback)."""

from __future__ import annotations

import logging
import sqlite3
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.exc import OperationalError

from hescb_desktop.domain.errors import DomainError
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.results import WHOLE_BOARD, Changes, Result
from hescb_desktop.storage.uow import UnitOfWork, collecting
from hescb_desktop.sync.share import ShareError

T = TypeVar("T")
log = logging.getLogger(__name__)
Uow = UnitOfWork  # what an operation's function is given (ui/ names it without storage)

BUSY_DATABASE = (
    "The database is busy (another program or a sync is writing to it) and did not free up "
    "in time. Nothing was changed; try again in a moment."
)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """The value, or why not."""

    value: T | None = None
    refusal: str = ""  # a DomainError's message, or BUSY_DATABASE
    fault: BaseException | None = None
    trace: str = ""

    @property
    def ok(self) -> bool:
        return not self.refusal and self.fault is None


def capture(call: Callable[[], T]) -> Outcome[T]:
    """Run `call`; a refusal or a fault becomes the Outcome (with the fault's traceback)."""
    try:
        return Outcome(value=call())
    except DomainError as exc:
        return Outcome(refusal=str(exc) or type(exc).__name__)
    except (ShareError, OSError) as exc:
        # the share (or a folder, a disk) is not there or not writable: a condition of the
        # office, not a fault of the app; said as a sentence, the traceback kept in the log
        log.warning("refused: %s", exc, exc_info=True)
        return Outcome(refusal=_unavailable(exc))
    except OperationalError as exc:
        if _locked(exc):
            return Outcome(refusal=BUSY_DATABASE)
        return Outcome(fault=exc, trace=traceback.format_exc())
    except Exception as exc:  # a fault: the GUI's crash dialog shows it, with the traceback
        return Outcome(fault=exc, trace=traceback.format_exc())


def run_write(ctx: ServiceContext, fn: Callable[[UnitOfWork], Result[T]]) -> Outcome[Result[T]]:
    """One operation: `fn` in a new unit of work (the service commits it)."""
    return capture(lambda: fn(ctx.uow()))


def run_job(
    ctx: ServiceContext,
    fn: Callable[[ServiceContext, Callable[[int, str], None]], Result[T]],
    progress: Callable[[int, str], None],
) -> Outcome[Result[T]]:
    """A long operation (an import, numbered copies): `fn(ctx, progress)` opens what units of
    work it needs through the services and reports progress as it goes."""
    return capture(lambda: fn(ctx, progress))


def as_job(
    fn: Callable[[ServiceContext], T], *, whole_board: bool = False
) -> Callable[[ServiceContext, Callable[[int, str], None]], Result[T]]:
    """A service call that takes the context and opens its own units of work (trust, retention,
    the demo's View as), as a job for the runner. Its change set is what those units of work
    committed; with one transaction, undo can take it back. `whole_board`: the call also
    changes what no unit of work records (a trust statement judges again what was merged, a
    disposal removes text), so every page reloads."""

    def job(ctx: ServiceContext, _progress: Callable[[int, str], None]) -> Result[T]:
        with collecting() as found:
            value = fn(ctx)
        if whole_board:
            return Result(value, WHOLE_BOARD)
        tx = found.txs[0] if len(found.txs) == 1 else None
        return Result(value, Changes(frozenset(found.tables), (), tx))

    return job


def run_read(ctx: ServiceContext, fn: Callable[[ServiceContext], T]) -> Outcome[T]:
    return capture(lambda: fn(ctx))


def _unavailable(exc: ShareError | OSError) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"Not done: {exc.strerror}{where}."
    return str(exc) or type(exc).__name__


def _locked(exc: OperationalError) -> bool:
    original = exc.orig
    return isinstance(original, sqlite3.OperationalError) and "locked" in str(original)
