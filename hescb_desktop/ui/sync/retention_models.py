"""The Retention tab's tables (issue 16, point 5) as Qt models over the retention service's
rows: the schedule, the records due for disposal, and the disposal certificates; and the words
they are shown in ("3 Dec 2026", "6 years", "2 closed actions, 1 calendar item").

A certificate counts its records by kind: a disposal under the schedule by the kind's label
("closed actions"), one record by what it is ("action"). Both read the same here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from hescb_desktop.domain import retention as policy
from hescb_desktop.services.retention import Certificate, DueRecord, Rule
from hescb_desktop.ui.sync.values import LONDON
from hescb_desktop.ui.widgets.labels import counted
from hescb_desktop.ui.widgets.row_model import Index, RowTableModel
from hescb_desktop.ui.widgets.tables import FullTextTips


def _tr(text: str) -> str:
    return QCoreApplication.translate("RetentionTab", text)


def day_text(day: date) -> str:
    """3 Dec 2026 (no leading zero)."""
    return f"{day.day} {day:%b %Y}"


def period_label(years: int | None) -> str:
    if years is None:
        return _tr("Permanently")
    return counted(years, _tr("%n year"), _tr("%n years"))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


S_KIND, S_COVERS, S_KEPT, S_RUNS_FROM, S_SET_BY = range(5)
ROW_PADDING = 12  # above and below a wrapped cell's lines


class PaddedRows(FullTextTips):
    """A row as tall as its wrapped text, with room above and below it."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), size.height() + ROW_PADDING)


class ScheduleModel(RowTableModel):
    def headers(self) -> list[str]:
        return [_tr("Kind of record"), _tr("What it covers"), _tr("Kept for"), _tr("Runs from"),
                _tr("Set by")]  # fmt: skip

    def cell(self, row: Rule, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == S_SET_BY:
            return self._set_by_tip(row)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return [
            row.label,
            _capital(row.covers),
            period_label(row.keep_years),
            _capital(row.runs_from),
            _tr("Default") if row.default else row.set_by,
        ][column]

    def _set_by_tip(self, row: Rule) -> str:
        if row.default:
            return _tr("The app's default: the board has not set a period for these")
        if row.set_at is None:
            return row.set_by
        on = day_text(row.set_at.astimezone(LONDON).date())
        return _tr("Set by %1 on %2").replace("%1", row.set_by).replace("%2", on)


D_KIND, D_REFERENCE, D_TITLE, D_SINCE, D_DUE = range(5)


class DueModel(RowTableModel):
    def headers(self) -> list[str]:
        return [_tr("Kind"), _tr("Reference"), _tr("Title"), _tr("Kept since"), _tr("Due on")]

    def cell(self, row: DueRecord, column: int, role: int) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        found = policy.BY_KEY.get(row.kind)
        return [
            found.label if found else row.kind,
            row.reference,
            row.title,
            day_text(row.runs_from),
            day_text(row.due_on),
        ][column]


C_MADE_ON, C_BY, C_RULE, C_RECORDS, C_REASON = range(5)


def made_on_text(when: datetime) -> str:
    """3 Dec 2026 16:05, London time (no leading zero on the day)."""
    local = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(LONDON)
    return f"{local.day} {local:%b %Y %H:%M}"


def count_text(n: int, kind: str) -> str:
    """ "1 closed action", "2 closed actions", "1 action": `kind` in either number."""
    one = kind[:-1] if kind.endswith("s") else kind
    return f"{n} {one}" if n == 1 else f"{n} {one}s"


def counts_text(counts: Mapping[str, int]) -> str:
    """ "2 closed actions, 5 calendar items" (in the order given)."""
    return ", ".join(count_text(n, kind) for kind, n in counts.items())


def counts_sentence(counts: Mapping[str, int]) -> str:
    """ "2 closed actions and 5 calendar items", as a sentence says it."""
    parts = [count_text(n, kind) for kind, n in counts.items()]
    if len(parts) < 2:
        return "".join(parts)
    return _tr("%1 and %2").replace("%1", ", ".join(parts[:-1])).replace("%2", parts[-1])


class CertificateModel(RowTableModel):
    def headers(self) -> list[str]:
        return [_tr("Made on"), _tr("By"), _tr("Rule"), _tr("Records"), _tr("Reason")]

    def cell(self, row: Certificate, column: int, role: int) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return [
            made_on_text(row.made_at),
            row.made_by,
            row.rule,
            counts_text(row.counts) or counted_records(row.records),
            row.reason,
        ][column]

    def row_of(self, certificate_id: str) -> int:
        """The row showing certificate `certificate_id` (-1 when it is not listed)."""
        return next((n for n, c in enumerate(self.rows()) if c.id == certificate_id), -1)


def counted_records(n: int) -> str:
    return counted(n, _tr("%n record"), _tr("%n records"))


def due_summary(rows: list[DueRecord], rules: list[Rule]) -> str:
    """What a disposal of `rows` is, in a sentence: how many of each kind, under which rule."""
    kept = {r.kind: period_label(r.keep_years).lower() for r in rules}
    kinds = [c for c in policy.CLASSES if any(d.kind == c.key for d in rows)]
    counts = {c.label.lower(): sum(1 for d in rows if d.kind == c.key) for c in kinds}
    under = "; ".join(f"{c.label.lower()}: kept {kept.get(c.key, '')}" for c in kinds)
    what = _tr("Dispose of %1, due under the retention schedule (%2)?")
    return what.replace("%1", counts_sentence(counts)).replace("%2", under)
