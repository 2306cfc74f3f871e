"""What a subject access bundle holds (issue 16, point 6): built by services.subject_access,
printed by reports.subject_access, written as JSON as it is here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from hescb_desktop.domain.enums import Marking
from hescb_desktop.domain.rules import highest_marking


@dataclass(frozen=True)
class SubjectRecord:
    kind: str  # "action", "agenda item", ...
    table: str
    id: str
    title: str  # a reference and/or its title or name, for a reader of the bundle
    why: tuple[str, ...]  # "owner", "presenter", "recorded it", "named in its text", ...
    when: str  # its creation date (ISO) or ""
    deleted: bool
    marking: str
    fields: dict[str, str]  # every field the board holds, as text


@dataclass(frozen=True)
class Withheld:
    kind: str
    table: str
    id: str
    public_title: str
    readership: str
    why: str  # "named as owner", or "its text cannot be read here: it may name them"


@dataclass
class SubjectAccess:
    person_id: str
    name: str
    email: str
    role: str
    made_at: str  # ISO UTC
    made_by: str
    records: list[SubjectRecord] = field(default_factory=list)
    withheld: list[Withheld] = field(default_factory=list)
    changes: int = 0  # field changes the change log holds made by them

    @property
    def marking(self) -> Marking:
        return highest_marking(Marking(r.marking) for r in self.records)

    def as_json(self) -> dict[str, Any]:
        return {
            "person": {
                "id": self.person_id,
                "name": self.name,
                "email": self.email,
                "role": self.role,
            },
            "made_at": self.made_at,
            "made_by": self.made_by,
            "marking": self.marking.value,
            "changes_made_by_them": self.changes,
            "records": [asdict(r) | {"why": list(r.why)} for r in self.records],
            "withheld": [asdict(w) for w in self.withheld],
        }
