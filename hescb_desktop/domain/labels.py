"""The one home of the words shown for the board's enums: GUI, command line and PDFs alike.

English as a UK board secretariat writes it (DOMAIN.md). The GUI passes these through Qt's
translator (ui/widgets/labels.py, context = the enum's name); the command line and the
reports print them as they are. tests/unit/test_labels.py checks every value has a label.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from hescb_desktop.domain.enums import (
    ActionStatus,
    AttendanceRole,
    Benefit,
    FoiStatus,
    Marking,
    MeetingStatus,
    MinutesStatus,
    ObjectiveKind,
    OpportunityOutcome,
    Part,
    Purpose,
    Rag,
    RagDimension,
    ResourceKind,
    Visibility,
)

ACTION_STATUS = {
    ActionStatus.OPEN: "Open",
    ActionStatus.IN_PROGRESS: "In progress",
    # the owner proposes, the board closes (DOMAIN.md: the action log)
    ActionStatus.COMPLETE: "Complete (proposed for closure)",
    ActionStatus.CLOSED: "Closed",
    ActionStatus.DEFERRED: "Deferred",
}
MEETING_STATUS = {
    MeetingStatus.PLANNED: "Planned",
    MeetingStatus.AGENDA_PUBLISHED: "Agenda published",
    MeetingStatus.HELD: "Held",
    MeetingStatus.MINUTES_DRAFTED: "Minutes drafted",
    MeetingStatus.MINUTES_APPROVED: "Minutes approved",
}
MINUTES_STATUS = {MinutesStatus.DRAFT: "Draft", MinutesStatus.APPROVED: "Approved"}
RAG = {Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green"}
NOT_RATED = "Not rated"
RAG_DIMENSION = {
    RagDimension.OVERALL: "Overall",
    RagDimension.TIME: "Time",
    RagDimension.COST: "Cost",
    RagDimension.SCOPE: "Scope",
    RagDimension.RESOURCES: "Resources",
}
PURPOSE = {
    Purpose.DECISION: "Decision",
    Purpose.DISCUSSION: "Discussion",
    Purpose.NOTING: "Noting",
}
# how an agenda or a paper's header says it ("8 Reports for decision · 9 Reports to note")
PURPOSE_PHRASE = {
    Purpose.DECISION: "For decision",
    Purpose.DISCUSSION: "For discussion",
    Purpose.NOTING: "To note",
}
PART = {Part.PART_I: "Part I", Part.PART_II: "Part II"}
PART_LONG = {Part.PART_I: "Part I (public)", Part.PART_II: "Part II (exempt)"}
FOI_STATUS = {FoiStatus.OPEN: "Open", FoiStatus.EXEMPT: "Exempt"}
MARKING = {
    m: m.value for m in Marking
}  # printed exactly as the Government Security Classifications
ATTENDANCE_ROLE = {
    AttendanceRole.PRESENT: "Present",
    AttendanceRole.IN_ATTENDANCE: "In attendance",
    AttendanceRole.APOLOGIES: "Apologies",
}
RESOURCE_KIND = {ResourceKind.ROOM: "Room", ResourceKind.ASSET: "Asset"}
VISIBILITY = {
    Visibility.NORMAL: "Normal",
    Visibility.BUSY_ONLY: "Busy only",
    Visibility.PRIVATE: "Private",
}
BENEFIT = {
    Benefit.POLICE: "Police",
    Benefit.FIRE: "Fire",
    Benefit.BOTH: "Both",
    Benefit.PUBLIC: "Public",
}
OBJECTIVE_KIND = {ObjectiveKind.OBJECTIVE: "Objective", ObjectiveKind.WORKSTREAM: "Workstream"}
OPPORTUNITY_OUTCOME = {
    OpportunityOutcome.UNDER_REVIEW: "Under review",
    OpportunityOutcome.ADOPTED: "Adopted",
    OpportunityOutcome.DECLINED: "Declined",
}

LABELS: dict[type[StrEnum], Mapping[Any, str]] = {
    ActionStatus: ACTION_STATUS,
    MeetingStatus: MEETING_STATUS,
    MinutesStatus: MINUTES_STATUS,
    Rag: RAG,
    RagDimension: RAG_DIMENSION,
    Purpose: PURPOSE,
    Part: PART,
    FoiStatus: FOI_STATUS,
    Marking: MARKING,
    AttendanceRole: ATTENDANCE_ROLE,
    ResourceKind: RESOURCE_KIND,
    Visibility: VISIBILITY,
    Benefit: BENEFIT,
    ObjectiveKind: OBJECTIVE_KIND,
    OpportunityOutcome: OPPORTUNITY_OUTCOME,
}


def label(value: StrEnum) -> str:
    """The words for any of the board's enum values."""
    return LABELS[type(value)][value]


def rag_label(rag: Rag | None) -> str:
    return RAG[rag] if rag is not None else NOT_RATED
