"""The action log as a table (DOMAIN.md columns, the subset this preview shows)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Qt

from hescb_desktop.domain.dto import ActionDTO, OrganisationDTO, PersonDTO
from hescb_desktop.domain.enums import ActionStatus
from hescb_desktop.ui.widgets.due import urgency, urgency_text_colour
from hescb_desktop.ui.widgets.labels import format_date, status_label
from hescb_desktop.ui.widgets.palette import partner_colour
from hescb_desktop.ui.widgets.row_model import SORT_ROLE, RowTableModel
from hescb_desktop.ui.widgets.swatch import colour_dot

COL_REFERENCE, COL_DESCRIPTION, COL_OWNER, COL_ORGANISATION, COL_DUE, COL_STATUS = range(6)
# Still on the log until the board agrees closure: "complete" is only proposed by the owner.
OPEN = frozenset(set(ActionStatus) - {ActionStatus.CLOSED})


@dataclass(frozen=True)
class ActionLogRow:
    id: str
    reference: str
    ref_key: tuple[int, int, str]  # year, number, body: sorts HESCB/2026/014 after /009
    description: str
    owner: str
    organisation_code: str
    raised_on: date
    due: date | None  # the revised due date when there is one
    status: ActionStatus
    latest_update: str

    @property
    def open(self) -> bool:
        return self.status in OPEN


def action_log_rows(
    actions: Iterable[ActionDTO],
    people: Mapping[str, PersonDTO],
    organisations: Mapping[str, OrganisationDTO],
) -> list[ActionLogRow]:
    """Join each action to its owner's name and organisation code (newest reference first)."""
    rows = [_row(a, people, organisations) for a in actions]
    return sorted(rows, key=lambda r: r.ref_key, reverse=True)


def _row(
    a: ActionDTO, people: Mapping[str, PersonDTO], orgs: Mapping[str, OrganisationDTO]
) -> ActionLogRow:
    owner = people.get(a.owner_id or "")
    org = orgs.get(a.organisation_id or "") or orgs.get(
        owner.organisation_id or "" if owner else ""
    )
    return ActionLogRow(
        a.id,
        a.reference,
        (a.ref_year, a.ref_number, a.ref_body),
        a.description,
        owner.name if owner else "",
        org.code if org else "",
        a.raised_on,
        a.revised_due_date or a.due_date,
        a.status,
        a.latest_update,
    )


class ActionTableModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.today = date.today()

    def headers(self) -> list[str]:
        return [
            self.tr("Reference"),
            self.tr("Action"),
            self.tr("Owner"),
            self.tr("Organisation"),
            self.tr("Due"),
            self.tr("Status"),
        ]

    def cell(self, row: ActionLogRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and row.open:
            return urgency_text_colour(urgency(row.due, self.today))
        if role == Qt.ItemDataRole.DecorationRole and column == COL_ORGANISATION:
            return (
                colour_dot(partner_colour(row.organisation_code)) if row.organisation_code else None
            )
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_DESCRIPTION:
            return row.description + (f"\n\n{row.latest_update}" if row.latest_update else "")
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        return None

    def _text(self, row: ActionLogRow, column: int) -> str:
        if column == COL_REFERENCE:
            return row.reference
        if column == COL_DESCRIPTION:
            return row.description.splitlines()[0] if row.description else ""
        if column == COL_OWNER:
            return row.owner
        if column == COL_ORGANISATION:
            return row.organisation_code
        if column == COL_DUE:
            return format_date(row.due)
        return status_label(row.status)

    def _sort_key(self, row: ActionLogRow, column: int) -> str:
        if column == COL_REFERENCE:
            year, number, body = row.ref_key
            return f"{year:04d}{number:06d}{body}"
        if column == COL_DUE:
            return row.due.isoformat() if row.due else "9999"
        return self._text(row, column).casefold()
