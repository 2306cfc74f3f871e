"""What the person at the keyboard may not do is disabled, its tooltip saying why (issue 15).

The pages ask `Workspace.why_not` (the rules table in domain/permissions.py, for this PC's person)
and `gate` each button or menu entry with the answer: enabled only when allowed (and when the
page's own condition holds, such as a row being selected); when refused, the tooltip gives the
reason in words, so a viewer sees a read-only app and knows whom to ask. The services refuse the
same changes whatever the GUI shows.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

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


def sentence(why: str) -> str:
    """A refusal as it reads on its own: "A viewer reads only: ask the secretariat."."""
    return f"{why[0].upper()}{why[1:]}." if why else ""
