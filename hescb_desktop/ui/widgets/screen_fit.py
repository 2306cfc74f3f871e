"""Sizes that fit the screen a window opens on (a 768-pixel laptop screen, or 1920x1080 at
150%, must still show a dialog's buttons)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def fitted_size(wanted: QSize, widget: QWidget | None) -> QSize:
    """`wanted`, made smaller to fit nine tenths of the room on the screen `widget` is on (the
    screen less its task bars); never below what `widget` needs to show itself."""
    screen = widget.screen() if widget is not None else QGuiApplication.primaryScreen()
    if screen is None:
        return wanted
    room = screen.availableGeometry().size() * 0.9
    fitted = wanted.boundedTo(room)
    if widget is not None:
        fitted = fitted.expandedTo(widget.minimumSizeHint())
    return fitted
