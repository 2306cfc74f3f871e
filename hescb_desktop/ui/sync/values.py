"""How a logged field and its value read to a person: "Revised due date", "12 Mar 2026"."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication

from hescb_desktop.domain.timezones import LONDON
from hescb_desktop.ui.widgets.field_labels import field_label
from hescb_desktop.ui.widgets.labels import format_date

__all__ = ["LONDON", "field_label", "first_line", "format_value", "is_empty"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _tr(text: str) -> str:
    return QCoreApplication.translate("SyncValues", text)


def format_value(value: Any) -> str:
    """A logged JSON value as text: dates and times in London time, yes/no, "(empty)"."""
    if value is None or value == "":
        return _tr("(empty)")
    if isinstance(value, bool):
        return _tr("Yes") if value else _tr("No")
    if isinstance(value, str) and _DATE.match(value):
        return format_date(date.fromisoformat(value))
    if isinstance(value, str) and _DATETIME.match(value):
        try:
            at = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if at.tzinfo is not None:
            at = at.astimezone(LONDON)
        return f"{at:%d %b %Y, %H:%M}"
    if isinstance(value, (list, dict)):
        return str(value)
    return str(value)


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value is False
