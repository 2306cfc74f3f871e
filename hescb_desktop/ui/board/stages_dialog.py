"""The secretariat's stage editor: rename, add, reorder and delete the board's columns.
Each change is saved at once through the board service; a refusal (a duplicate name, a stage
that still holds cards) shows inline and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services import board
from hescb_desktop.services.operations import Uow
from hescb_desktop.services.results import Result
from hescb_desktop.ui.widgets.palette import OVERDUE_TEXT
from hescb_desktop.ui.widgets.permission import read_only
from hescb_desktop.ui.widgets.unsaved import GuardedDialog
from hescb_desktop.ui.workspace import Workspace


class StagesDialog(GuardedDialog):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setWindowTitle(self.tr("Board stages"))
        self.list = QListWidget()
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("Stage name"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setStyleSheet(f"color: {OVERDUE_TEXT};")
        row = QHBoxLayout()
        for text, slot in (
            (self.tr("Add"), self._on_add_clicked),
            (self.tr("Rename"), self._on_rename_clicked),
            (self.tr("Move left"), lambda: self._shift(-1)),
            (self.tr("Move right"), lambda: self._shift(1)),
            (self.tr("Delete"), self._on_delete_clicked),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        self.buttons = close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(self.name)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.list.currentItemChanged.connect(self._on_list_current_changed)
        self._load()
        read_only(self, workspace.why_not(Operation.ADMINISTER, Kind.PLAN))

    @classmethod
    def ask(cls, workspace: Workspace, parent: QWidget | None = None) -> None:
        cls(workspace, parent).exec()

    # the name field holds the chosen stage's name: a different name typed is an unsaved
    # rename (or, with no stage chosen, an unsaved new stage)
    def has_unsaved_changes(self) -> bool:
        typed = self.name.text().strip()
        item = self.list.currentItem()
        return bool(typed) and (item is None or typed != item.text())

    def unsaved_subject(self) -> str:
        item = self.list.currentItem()
        if item is None:
            return self.tr("the new stage “%1”").replace("%1", self.name.text().strip())
        return self.tr("the stage “%1”").replace("%1", item.text())

    def save_unsaved_changes(self) -> bool:
        stage_id = self._current_id()
        if stage_id:
            return self._rename(stage_id, wait=True)
        return self._add(wait=True)

    def _load(self, select: str = "") -> None:
        self.list.clear()
        for stage in self.workspace.ctx.read(board.list_stages):
            item = QListWidgetItem(stage.name)
            item.setData(Qt.ItemDataRole.UserRole, stage.id)
            self.list.addItem(item)
            if stage.id == select:
                self.list.setCurrentItem(item)

    def ids(self) -> list[str]:
        return [
            str(self.list.item(n).data(Qt.ItemDataRole.UserRole)) for n in range(self.list.count())
        ]

    def _current_id(self) -> str:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def _run(
        self, label: str, fn: Callable[[Uow], Result[Any]], select: str = "", *, wait: bool = False
    ) -> bool:
        """One operation (ui.operations); `wait`: the answer is needed (save, then close)."""
        if wait:
            outcome = self.workspace.runner.write_and_wait(fn, label=label, parent=self)
            if not outcome.ok:
                self.message.setText(outcome.refusal)
                return False
            self._saved(select)
            return True
        self.workspace.runner.write(
            fn,
            label=label,
            parent=self,
            on_done=lambda _value: self._saved(select),
            on_refused=self.message.setText,
        )
        return True

    def _saved(self, select: str) -> None:
        self.message.clear()
        self._load(select or self._current_id())

    def _add(self, *, wait: bool = False) -> bool:
        name = self.name.text()
        return self._run(
            self.tr("Add stage '%1'").replace("%1", name.strip()),
            lambda uow: board.add_stage(uow, name),
            wait=wait,
        )

    def _rename(self, stage_id: str, *, wait: bool = False) -> bool:
        name = self.name.text()
        return self._run(
            self.tr("Rename stage to '%1'").replace("%1", name.strip()),
            lambda uow: board.rename_stage(uow, stage_id, name),
            stage_id,
            wait=wait,
        )

    @Slot()
    def _on_list_current_changed(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.name.setText(item.text())

    @Slot()
    def _on_add_clicked(self) -> None:
        self._add()

    @Slot()
    def _on_rename_clicked(self) -> None:
        stage_id = self._current_id()
        if stage_id:
            self._rename(stage_id)

    @Slot()
    def _on_delete_clicked(self) -> None:
        stage_id = self._current_id()
        if stage_id:
            self._run(
                self.tr("Delete stage '%1'").replace("%1", self.name.text().strip()),
                lambda uow: board.delete_stage(uow, stage_id),
            )

    def _shift(self, step: int) -> None:
        stage_id = self._current_id()
        ids = self.ids()
        if not stage_id:
            return
        n = ids.index(stage_id)
        if not 0 <= n + step < len(ids):
            return
        ids[n], ids[n + step] = ids[n + step], ids[n]
        self._run(self.tr("Reorder stages"), lambda uow: board.reorder_stages(uow, ids), stage_id)
