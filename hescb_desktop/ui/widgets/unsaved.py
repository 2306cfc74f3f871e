"""Nothing typed is lost (issue 14): one mechanism for every dialog and embedded editor.

An editor says whether it holds unsaved changes, what to call them and how to save them
(`UnsavedEditor`). `settle_unsaved` asks "Save changes to …?" (Save / Discard / Cancel) and
answers whether the caller may go on: closing a dialog (its Close or Cancel button, Esc, the
window's X all end in `QDialog.reject`), leaving a page, opening another record.

Dirty tracking is a snapshot of the editor's input widgets (`FormSnapshot`) taken when it was
filled; an editor may add its own test (a `QTextDocument`'s modified flag, say).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QTextEdit,
    QWidget,
)

if TYPE_CHECKING:
    from hescb_desktop.ui.operations import WriteFn
    from hescb_desktop.ui.workspace import Workspace

T = TypeVar("T")


class Answer(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


class UnsavedEditor(Protocol):
    def has_unsaved_changes(self) -> bool: ...

    def unsaved_subject(self) -> str:
        """What holds the changes, for "Save changes to <subject>?"."""
        ...

    def save_unsaved_changes(self) -> bool:
        """Save; False if refused (the editor shows why and stays open)."""
        ...


def tr(text: str) -> str:
    return QCoreApplication.translate("Unsaved", text)


def question_text(subject: str) -> str:
    return tr("Save changes to %1?").replace("%1", subject)


def ask_save_changes(parent: QWidget | None, subject: str) -> Answer:
    """The question, as a real message box: Save (default), Discard, Cancel (Esc)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(tr("Unsaved changes"))
    box.setText(question_text(subject))
    box.setInformativeText(tr("If you don't save, your changes are lost."))
    box.setTextFormat(Qt.TextFormat.PlainText)
    buttons = QMessageBox.StandardButton
    box.setStandardButtons(buttons.Save | buttons.Discard | buttons.Cancel)
    box.setDefaultButton(buttons.Save)
    box.setEscapeButton(buttons.Cancel)
    clicked = box.exec()
    if clicked == buttons.Save:
        return Answer.SAVE
    return Answer.DISCARD if clicked == buttons.Discard else Answer.CANCEL


def settle_unsaved(editor: UnsavedEditor, parent: QWidget | None) -> bool:
    """True when the caller may go on: nothing unsaved, saved, or the user chose Discard."""
    if not editor.has_unsaved_changes():
        return True
    answer = ask_save_changes(parent, editor.unsaved_subject())
    if answer is Answer.SAVE:
        return editor.save_unsaved_changes()
    if answer is Answer.DISCARD:
        discard = getattr(editor, "discard_unsaved_changes", None)
        if discard is not None:  # an embedded editor puts the saved values back
            discard()
        return True
    return False


# ---------------------------------------------------------------------------- snapshots
INPUTS = (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox, QAbstractButton)


def widget_value(w: QWidget) -> Any:
    """What a user can change in an input widget, comparable with ==."""
    if isinstance(w, QLineEdit):
        return w.text()
    if isinstance(w, QPlainTextEdit | QTextEdit):
        return w.toPlainText()
    if isinstance(w, QComboBox):
        return (w.currentIndex(), w.currentText())
    if isinstance(w, QDateTimeEdit):
        return w.dateTime()
    if isinstance(w, QSpinBox):
        return w.value()
    if isinstance(w, QAbstractButton):
        return w.isChecked()
    if isinstance(w, QListWidget):
        return tuple(w.item(n).checkState() for n in range(w.count()))
    return None


def input_widgets(root: QWidget) -> list[QWidget]:
    """Every input under `root` (line edits inside spin boxes and combos are their parts)."""
    found: list[QWidget] = []
    for w in root.findChildren(QWidget):
        if isinstance(w, QLineEdit) and isinstance(w.parent(), QAbstractSpinBox | QComboBox):
            continue
        if isinstance(w, QAbstractButton) and not w.isCheckable():
            continue
        if isinstance(w, (*INPUTS, QListWidget)):
            found.append(w)
    return found


class FormSnapshot:
    """The values of some input widgets as last saved (or loaded)."""

    def __init__(self, widgets: Iterable[QWidget] = ()) -> None:
        self._values: dict[QWidget, Any] = {}
        self.take(widgets)

    def take(self, widgets: Iterable[QWidget]) -> None:
        for w in widgets:
            self._values[w] = widget_value(w)

    def changed(self) -> list[QWidget]:
        return [w for w, v in self._values.items() if widget_value(w) != v]

    def is_changed(self) -> bool:
        return bool(self.changed())


class GuardedDialog(QDialog):
    """A dialog that asks before it drops unsaved changes.

    Subclasses call `watch_for_unsaved()` once their fields are filled and may name what they
    edit (`unsaved_subject()`). Save presses the dialog's OK (or Save) button, which checks the
    input, saves and accepts, or shows why not and stays open; a dialog that saves in place
    overrides `save_unsaved_changes()`. Close, Cancel, Esc and the window's X all come through
    `reject`.
    """

    def watch_for_unsaved(self, widgets: Iterable[QWidget] | None = None) -> None:
        self.snapshot = FormSnapshot(input_widgets(self) if widgets is None else widgets)

    def has_unsaved_changes(self) -> bool:
        snapshot: FormSnapshot | None = getattr(self, "snapshot", None)
        return snapshot is not None and snapshot.is_changed()

    def unsaved_subject(self) -> str:
        return self.windowTitle()

    def submit(
        self,
        fn: WriteFn[T],
        *,
        label: str,
        on_done: Callable[[T], None] | None = None,
    ) -> None:
        """Save through one operation (ui.operations): OK waits (disabled) meanwhile; success
        runs `on_done(value)` and closes the dialog; a refusal is shown in the dialog's error
        label (or a message box) and the dialog stays open with everything typed in it."""
        workspace: Workspace = getattr(self, "workspace")  # noqa: B009 (every such dialog has one)
        buttons = [b for box in self.findChildren(QDialogButtonBox) for b in box.buttons()]
        for button in buttons:
            button.setEnabled(False)

        def done(value: T) -> None:
            for button in buttons:
                button.setEnabled(True)
            if on_done is not None:
                on_done(value)
            self.accept()

        def refused(message: str) -> None:
            for button in buttons:
                button.setEnabled(True)
            error = getattr(self, "error", None)
            if isinstance(error, QLabel):
                error.setText(message)
                error.show()
            else:
                QMessageBox.warning(self, self.windowTitle(), message)

        workspace.runner.write(fn, label=label, parent=self, on_done=done, on_refused=refused)

    def save_unsaved_changes(self) -> bool:
        for box in self.findChildren(QDialogButtonBox):
            for button in box.buttons():
                if box.buttonRole(button) == QDialogButtonBox.ButtonRole.AcceptRole:
                    button.click()
                    workspace = getattr(self, "workspace", None)
                    if workspace is not None:
                        workspace.runner.settle()  # the save runs off the GUI thread
                    return not self.isVisible()
        raise NotImplementedError(f"{type(self).__name__} has no OK button to save with")

    def reject(self) -> None:
        if not self.has_unsaved_changes():
            super().reject()
            return
        answer = ask_save_changes(self, self.unsaved_subject())
        if answer is Answer.DISCARD:
            super().reject()
        elif answer is Answer.SAVE and self.save_unsaved_changes() and self.isVisible():
            super().reject()  # saved in place (the dialog was not accepted by its save)
