"""What undo and redo name (issue 17, point 3): one user action's transaction in the change log.

Plain values, so the GUI can keep them on its undo stack without knowing the storage."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TxRef:
    """One committed unit of work: the PC that made it and the first seq it took (`tx`)."""

    device_id: str
    tx: int
