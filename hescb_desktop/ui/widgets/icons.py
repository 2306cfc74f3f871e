"""The app's icons: SVG files in resources/icons (found frozen or from a checkout)."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QIcon

from hescb_desktop.paths import resource_path


@lru_cache(maxsize=32)
def icon(name: str) -> QIcon:
    """resources/icons/<name>.svg; an empty icon when the file is missing (never an error)."""
    path = resource_path("icons", f"{name}.svg")
    return QIcon(str(path)) if path.exists() else QIcon()
