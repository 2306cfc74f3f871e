"""Sizes that fit the screen a window opens on (a 768-pixel laptop screen, or 1920x1080 at
150%, must still show a dialog's buttons)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget


def screen_of(widget: QWidget | None) -> QScreen | None:
    """The screen `widget` is on (the primary one if it is on none).

    Never `widget.screen()`: PySide6 (6.11) makes the QScreen's Python wrapper a child of the
    widget's, so when a dialog or window whose wrapper sits in a reference cycle is collected,
    the wrapper of the screen is handed to Python, and collecting it deletes the application's
    one QScreen: the next window painted crashes (SIGSEGV in QScreen::virtualSiblings; seen in
    CI). The static lookups below give a wrapper nobody owns (tests/ui/test_screen_wrapper.py).
    """
    if widget is not None:
        window = widget.window()
        found = QGuiApplication.screenAt(window.geometry().center())
        if found is not None:
            return found
    return QGuiApplication.primaryScreen()


def fitted_size(wanted: QSize, widget: QWidget | None) -> QSize:
    """`wanted`, made smaller to fit nine tenths of the room on the screen `widget` is on (the
    screen less its task bars); never below what `widget` needs to show itself."""
    screen = screen_of(widget)
    if screen is None:
        return wanted
    room = screen.availableGeometry().size() * 0.9
    fitted = wanted.boundedTo(room)
    if widget is not None:
        fitted = fitted.expandedTo(widget.minimumSizeHint())
    return fitted
