"""The service side of the GUI's one path (ui/operations.py): run one service call in its own
unit of work and hand back an Outcome, never an exception, so that the caller on another thread
can tell a refusal (a DomainError, a database kept busy) from a fault (anything else, with its
traceback)."""

from __future__ import annotations

import sqlite3
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.exc import OperationalError

from hescb_desktop.domain.errors import DomainError
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.results import Result
from hescb_desktop.storage.uow import UnitOfWork

T = TypeVar("T")
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


def run_read(ctx: ServiceContext, fn: Callable[[ServiceContext], T]) -> Outcome[T]:
    return capture(lambda: fn(ctx))


def _locked(exc: OperationalError) -> bool:
    original = exc.orig
    return isinstance(original, sqlite3.OperationalError) and "locked" in str(original)
