"""What a service hands back: the value and the change set views react to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Changes:
    """Which tables and rows one user action changed (views refresh from this)."""

    tables: frozenset[str] = frozenset()
    ids: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.tables

    def touches(self, *tables: str) -> bool:
        return bool(self.tables.intersection(tables))


@dataclass(frozen=True)
class Result(Generic[T]):
    value: T
    changes: Changes = field(default_factory=Changes)
