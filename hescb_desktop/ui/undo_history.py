"""The Edit menu's Undo and Redo (issue 17): one history for every page.

Every operation with a label (ui.operations) that made a transaction goes on it. Undo is the
services' undo (services.undo): a new transaction that sets back exactly the fields that one
changed, and only where they still hold its values; redo is the undo of that undo. Both run as
operations, off the GUI thread. What another PC changed since is left, and the window says so.
The history is this session's and this board's: opening another board, or another person at
the keyboard, clears it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from hescb_desktop.domain.undo import TxRef
from hescb_desktop.services import undo as undo_service
from hescb_desktop.services.undo import UndoOutcome
from hescb_desktop.ui.operations import Runner, WriteFn

LIMIT = 100  # steps kept; the oldest go first


@dataclass(frozen=True)
class Step:
    label: str  # "Move 'Joint drone unit' to Delivering"
    ref: TxRef | None  # the transaction that undo (or redo) takes back
    # a change outside the change log (this PC's settings): how to put it back, and forward
    back: WriteFn[Any] | None = None
    forward: WriteFn[Any] | None = None


class UndoHistory(QObject):
    changed = Signal()
    told = Signal(str)  # what an undo or redo left, or why it could not be done

    def __init__(self, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._undo: list[Step] = []
        self._redo: list[Step] = []
        self._working = False

    # ------------------------------------------------------------------ the stacks
    def record(self, label: str, ref: TxRef) -> None:
        """A new action: it can be undone; nothing undone before can be redone any more."""
        self._undo.append(Step(label, ref))
        del self._undo[:-LIMIT]
        self._redo.clear()
        self.changed.emit()

    def record_local(self, label: str, back: WriteFn[Any], forward: WriteFn[Any]) -> None:
        """A change outside the change log (this PC's settings): `back` undoes it, `forward`
        does it again."""
        self._undo.append(Step(label, None, back, forward))
        del self._undo[:-LIMIT]
        self._redo.clear()
        self.changed.emit()

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
        self.changed.emit()

    @property
    def count(self) -> int:
        """How many steps can be undone."""
        return len(self._undo)

    @property
    def undo_label(self) -> str:
        return self._undo[-1].label if self._undo else ""

    @property
    def redo_label(self) -> str:
        return self._redo[-1].label if self._redo else ""

    def can_undo(self) -> bool:
        return bool(self._undo) and not self._working

    def can_redo(self) -> bool:
        return bool(self._redo) and not self._working

    def undo_text(self) -> str:
        return self.tr("Undo %1").replace("%1", self._undo[-1].label) if self._undo else ""

    def redo_text(self) -> str:
        return self.tr("Redo %1").replace("%1", self._redo[-1].label) if self._redo else ""

    # ------------------------------------------------------------------ undo, redo
    def undo(self, parent: QWidget | None = None) -> None:
        self._take_back(self._undo, self._redo, parent, self.tr("Undo"))

    def redo(self, parent: QWidget | None = None) -> None:
        self._take_back(self._redo, self._undo, parent, self.tr("Redo"))

    def _take_back(
        self, source: list[Step], target: list[Step], parent: QWidget | None, verb: str
    ) -> None:
        if not source or self._working:
            return
        step = source[-1]
        self._working = True
        self.changed.emit()

        def done(outcome: object) -> None:
            self._working = False
            if source and source[-1] == step:
                source.pop()
            if isinstance(outcome, UndoOutcome):
                if outcome.tx is not None:
                    target.append(Step(step.label, outcome.tx))
            else:  # a local change: what undid it now redoes it, and the other way round
                target.append(Step(step.label, None, step.forward, step.back))
            self.changed.emit()
            if isinstance(outcome, UndoOutcome) and outcome.left:
                self._tell(parent, verb, step, _left_text(self, outcome))

        def refused(message: str) -> None:
            # nothing of it can be taken back (changed since on another PC, or gone): it leaves
            # the history, so the steps before it can still be undone
            self._working = False
            if source and source[-1] == step:
                source.pop()
            self.changed.emit()
            self._tell(parent, verb, step, message)

        label, ref = step.label, step.ref
        operation: WriteFn[Any]
        if ref is not None:
            operation = lambda uow: undo_service.undo(uow, ref, label=label)  # noqa: E731
        else:
            assert step.back is not None
            operation = step.back
        self.runner.write(
            operation,
            label=f"{verb} {label}",
            undoable=False,
            parent=parent,
            on_done=done,
            on_refused=refused,
        )

    def _tell(self, parent: QWidget | None, verb: str, step: Step, text: str) -> None:
        self.told.emit(text)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            f"{verb} {step.label}",
            text,
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # told, without stopping the window


def _left_text(history: UndoHistory, outcome: UndoOutcome) -> str:
    lines = [f.message for f in outcome.left[:8]]
    more = len(outcome.left) - len(lines)
    if more > 0:
        lines.append(history.tr("… and %n more.", "", more))
    intro = history.tr("Done, except what was changed since (left as it is):")
    return "\n".join([intro, *lines])
