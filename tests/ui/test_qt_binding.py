"""The Qt binding itself keeps Python's reference counts right.

PySide6 6.12.0 drops a reference to None on every call that returns nothing; on Python 3.11
(where None is not immortal) the app then aborts with "deallocating None" after some thousands
of painter calls (a board of 300 cards does that in seconds). pyproject.toml keeps it out.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QImage, QPainter


def test_calls_returning_nothing_keep_none_alive() -> None:
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    thing = QObject()
    before = sys.getrefcount(None)
    for _ in range(500):
        painter.setPen(Qt.PenStyle.NoPen)
        thing.setObjectName("x")
    painter.end()
    assert sys.getrefcount(None) - before > -100
