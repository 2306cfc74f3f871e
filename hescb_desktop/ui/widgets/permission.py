"""What the person at the keyboard may not do is disabled, its tooltip saying why (issue 15).

The pages ask `Workspace.why_not` (the rules table in domain/permissions.py, for this PC's person)
and `gate` each button or menu entry with the answer: enabled only when allowed (and when the
page's own condition holds, such as a row being selected); when refused, the tooltip gives the
reason in words, so a viewer sees a read-only app and knows whom to ask. The services refuse the
same changes whatever the GUI shows.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialogButtonBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

_OWN_TIP = "hescbAllowedToolTip"  # the tooltip a target had before it was first gated


def gate(target: QWidget | QAction, why: str, *, enabled: bool = True) -> None:
    """Enable `target` when `enabled` and nothing forbids it (`why` == ""); its tooltip is then
    its own, else the reason it is refused."""
    own = target.property(_OWN_TIP)
    if own is None:
        own = target.toolTip()
        target.setProperty(_OWN_TIP, own)
    target.setEnabled(enabled and not why)
    target.setToolTip(why or str(own))


def read_only(root: QWidget, why: str) -> None:
    """A form the person may not change, shown as it is: its text fields read-only, its lists,
    dates and boxes fixed, and every button outside its dialog buttons (Close) disabled with
    the reason as its tooltip. Nothing is changed when `why` is empty."""
    if not why:
        return
    for text in root.findChildren(QLineEdit):
        text.setReadOnly(True)
    for plain in root.findChildren(QPlainTextEdit):
        plain.setReadOnly(True)
    for rich in root.findChildren(QTextEdit):
        rich.setReadOnly(True)
    for spin in root.findChildren(QAbstractSpinBox):  # dates and numbers
        spin.setReadOnly(True)
    for combo in root.findChildren(QComboBox):
        combo.setEnabled(False)
        combo.setToolTip(why)
    boxes = {b for box in root.findChildren(QDialogButtonBox) for b in box.buttons()}
    for button in root.findChildren(QAbstractButton):
        if button not in boxes and not _is_tab_button(button):
            gate(button, why)


def _is_tab_button(button: QAbstractButton) -> bool:
    """A tab bar's scroll arrows and the like: how the form is read, not what it changes."""
    parent = button.parentWidget()
    return parent is not None and parent.inherits("QTabBar")


def sentence(why: str) -> str:
    """A refusal as it reads on its own: "A viewer reads only: ask the secretariat."."""
    return f"{why[0].upper()}{why[1:]}." if why else ""
