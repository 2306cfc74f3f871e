"""What a service hands back: the value and the change set views react to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from hescb_desktop.domain.undo import TxRef

if TYPE_CHECKING:
    from hescb_desktop.storage.uow import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class Changes:
    """Which tables and rows one user action changed (views refresh from this)."""

    tables: frozenset[str] = frozenset()
    ids: tuple[str, ...] = ()
    tx: TxRef | None = None  # the transaction it made: what undo takes back (services.undo)

    @property
    def empty(self) -> bool:
        return not self.tables

    def touches(self, *tables: str) -> bool:
        return bool(self.tables.intersection(tables))


@dataclass(frozen=True)
class Result(Generic[T]):
    value: T
    changes: Changes = field(default_factory=Changes)


def changes_of(uow: UnitOfWork, ids: tuple[str, ...] = ()) -> Changes:
    """What a committed unit of work changed: its tables, the given ids and its transaction."""
    return Changes(uow.tables_changed, tuple(ids), uow.tx)
