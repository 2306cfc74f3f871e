"""What a service hands back: the value and the change set views react to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from hescb_desktop.domain.permissions import KIND_OF_TABLE
from hescb_desktop.domain.undo import TxRef

if TYPE_CHECKING:
    from hescb_desktop.storage.uow import UnitOfWork

T = TypeVar("T")

# This PC's own bookkeeping of sync (never merged): conflicts to settle, notices, security
# findings, refused changes, trust statements, disposal state. Pages that show it say so.
SYNC_STATE = "sync state"

# This PC's sync bookkeeping a page may show: what a sync round or a trust statement changes
SYNC_STATE_TABLES = frozenset({"conflicts", "sync_notices", "trust_statements"})


def kinds_of(tables: Iterable[str]) -> frozenset[str]:
    """The kinds of record (domain.permissions.Kind) that changes to `tables` concern; tables
    of no kind (this PC's sync bookkeeping) count as SYNC_STATE. One map for every page."""
    return frozenset(KIND_OF_TABLE.get(table, SYNC_STATE) for table in tables)


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

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of record changed (`kinds_of`): what pages compare with what they show."""
        return kinds_of(self.tables)

    def concerns(self, shown: frozenset[str]) -> bool:
        return bool(self.kinds & shown)


WHOLE_BOARD = Changes(frozenset(KIND_OF_TABLE) | SYNC_STATE_TABLES)
"""Any record may have changed: a board restarted from the share, another person at the
keyboard, a trust statement (it judges again what was merged), a disposal."""


@dataclass(frozen=True)
class Result(Generic[T]):
    value: T
    changes: Changes = field(default_factory=Changes)


def changes_of(uow: UnitOfWork, ids: tuple[str, ...] = ()) -> Changes:
    """What a committed unit of work changed: its tables, the given ids and its transaction."""
    return Changes(uow.tables_changed, tuple(ids), uow.tx)
