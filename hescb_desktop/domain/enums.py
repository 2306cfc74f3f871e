"""The fixed vocabularies of the board (DOMAIN.md). Values are what the database stores."""

from __future__ import annotations

from enum import StrEnum


class Marking(StrEnum):
    """Protective marking: only OFFICIAL and OFFICIAL-SENSITIVE may be held here."""

    OFFICIAL = "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"

    @property
    def rank(self) -> int:
        return _MARKING_RANK[self]


_MARKING_RANK = {Marking.OFFICIAL: 0, Marking.OFFICIAL_SENSITIVE: 1}


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def severity(self) -> int:
        return _RAG_SEVERITY[self]


_RAG_SEVERITY = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


class RagDimension(StrEnum):
    OVERALL = "overall"
    TIME = "time"
    COST = "cost"
    SCOPE = "scope"
    RESOURCES = "resources"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"  # proposed for closure by the owner
    CLOSED = "closed"  # closure agreed by the meeting
    DEFERRED = "deferred"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    AGENDA_PUBLISHED = "agenda_published"
    HELD = "held"
    MINUTES_DRAFTED = "minutes_drafted"
    MINUTES_APPROVED = "minutes_approved"


class Purpose(StrEnum):
    DECISION = "decision"
    DISCUSSION = "discussion"
    NOTING = "noting"


class Part(StrEnum):
    PART_I = "I"
    PART_II = "II"


class AttendanceRole(StrEnum):
    PRESENT = "present"
    IN_ATTENDANCE = "in_attendance"
    APOLOGIES = "apologies"


class ResourceKind(StrEnum):
    ROOM = "room"
    ASSET = "asset"


class Visibility(StrEnum):
    NORMAL = "normal"
    BUSY_ONLY = "busy_only"
    PRIVATE = "private"


class Benefit(StrEnum):
    POLICE = "police"
    FIRE = "fire"
    BOTH = "both"
    PUBLIC = "public"


class ObjectiveKind(StrEnum):
    OBJECTIVE = "objective"
    WORKSTREAM = "workstream"


class OpportunityOutcome(StrEnum):
    UNDER_REVIEW = "under_review"
    ADOPTED = "adopted"  # became an objective
    DECLINED = "declined"


class FoiStatus(StrEnum):
    OPEN = "open"
    EXEMPT = "exempt"


class MinutesStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
