"""A bare PySide6 QMainWindow, started and timed like the app for `make bench`'s baseline.

Prints `shown <seconds>` (seconds since this script started running) once the window has been
shown and its show event processed, then quits; the benchmark times the whole process from outside.
"""

from __future__ import annotations

import sys
import time

START = time.perf_counter()

from PySide6.QtCore import QTimer  # noqa: E402  (timed from before the Qt import)
from PySide6.QtGui import QShowEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402


class BareWindow(QMainWindow):
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802  (Qt override)
        super().showEvent(event)
        QTimer.singleShot(0, self._report_and_quit)

    def _report_and_quit(self) -> None:
        print(f"shown {time.perf_counter() - START:.3f}", flush=True)
        QApplication.quit()


def main() -> int:
    app = QApplication(sys.argv)
    window = BareWindow()
    window.setWindowTitle("Bare QMainWindow")
    window.resize(1200, 800)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
