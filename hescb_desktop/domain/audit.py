"""The audit trail's rows (issue 15, point 6), as the command line, the CSV, the PDF and the
History view show them: made by `services.audit`, printed by `reports.audit_trail`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hescb_desktop.domain.enums import Marking

VERIFIED, NOT_SIGNED, UNPUBLISHED, FAILED = "verified", "not signed", "unpublished", "FAILED"
CSV_HEADER = (
    "time",
    "person",
    "role",
    "pc",
    "table",
    "row_id",
    "title",
    "field",
    "value",
    "verified",
)


@dataclass(frozen=True)
class AuditEntry:
    """One change: when (its hlc's wall time, UTC), who, their role then, from which PC, which
    record and field, the new value (short), and whether its signed journal still checks."""

    at: datetime
    person: str
    role: str
    pc: str
    table: str
    row_id: str
    title: str
    field: str
    value: str
    verified: str
    marking: Marking = Marking.OFFICIAL  # the record's, so a printed trail is marked for it
    device_id: str = ""
    seq: int = 0

    def time_text(self) -> str:
        """UTC, ISO 8601 to the second: 2026-12-02T18:07:11Z."""
        return self.at.strftime("%Y-%m-%dT%H:%M:%SZ")

    def csv_row(self) -> tuple[str, ...]:
        return (
            self.time_text(),
            self.person,
            self.role,
            self.pc,
            self.table,
            self.row_id,
            self.title,
            self.field,
            self.value,
            self.verified,
        )
