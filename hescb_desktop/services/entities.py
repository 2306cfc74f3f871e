"""The specs of every synced entity: model, DTO, label and required fields."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from hescb_desktop.domain import dto
from hescb_desktop.services.crud import EntitySpec
from hescb_desktop.storage import models as m

ORGANISATIONS = EntitySpec(m.Organisation, dto.OrganisationDTO, "organisation", ("code", "name"))
PEOPLE = EntitySpec(m.Person, dto.PersonDTO, "person", ("name",))
RESOURCES = EntitySpec(m.Resource, dto.ResourceDTO, "room or asset", ("name", "kind"))
EVENTS = EntitySpec(m.Event, dto.EventDTO, "event", ("summary", "start_utc", "end_utc"))
EVENT_BOOKINGS = EntitySpec(
    m.EventBooking, dto.EventBookingDTO, "booking", ("event_id", "resource_id")
)
EVENT_ATTENDEES = EntitySpec(
    m.EventAttendee, dto.EventAttendeeDTO, "attendee", ("event_id", "person_id")
)
OBJECTIVES = EntitySpec(m.Objective, dto.ObjectiveDTO, "objective", ("title",))
BOARD_STAGES = EntitySpec(m.BoardStage, dto.BoardStageDTO, "board stage", ("name",))
RAG_ASSESSMENTS = EntitySpec(
    m.RagAssessment,
    dto.RagAssessmentDTO,
    "RAG assessment",
    ("objective_id", "dimension", "rating", "assessed_on"),
)
MILESTONES = EntitySpec(m.Milestone, dto.MilestoneDTO, "milestone", ("objective_id", "title"))
DEPENDENCIES = EntitySpec(
    m.ObjectiveDependency,
    dto.ObjectiveDependencyDTO,
    "dependency",
    ("objective_id", "depends_on_id"),
)
RISKS = EntitySpec(m.Risk, dto.RiskDTO, "risk", ("objective_id", "description"))
MEETINGS = EntitySpec(m.Meeting, dto.MeetingDTO, "meeting", ("title", "start_utc", "end_utc"))
PAPERS = EntitySpec(
    m.Paper, dto.PaperDTO, "paper", ("title", "reference", "ref_year", "ref_number")
)
ATTACHMENTS = EntitySpec(
    m.Attachment, dto.AttachmentDTO, "attachment", ("paper_id", "filename", "sha256")
)
ATTACHMENT_BLOBS = EntitySpec(
    m.AttachmentBlob, dto.AttachmentBlobDTO, "attachment file", ("sha256",)
)
BOARD_PACKS = EntitySpec(m.BoardPack, dto.BoardPackDTO, "board pack", ("meeting_id",))
PACK_COPIES = EntitySpec(
    m.PackCopy,
    dto.PackCopyDTO,
    "numbered copy",
    ("meeting_id", "part", "number", "of_total", "issued_to", "issued_at"),
)
AGENDA_ITEMS = EntitySpec(
    m.AgendaItem, dto.AgendaItemDTO, "agenda item", ("meeting_id", "position", "title")
)
ATTENDANCE = EntitySpec(
    m.Attendance, dto.AttendanceDTO, "attendance", ("meeting_id", "person_id", "role")
)
DECLARATIONS = EntitySpec(
    m.Declaration,
    dto.DeclarationDTO,
    "declaration of interest",
    ("meeting_id", "person_id", "interest"),
)
MINUTES = EntitySpec(
    m.Minute, dto.MinuteDTO, "minute", ("meeting_id", "reference", "ref_year", "ref_number")
)
DECISIONS = EntitySpec(m.Decision, dto.DecisionDTO, "decision", ("minute_id", "meeting_id", "text"))
ACTIONS = EntitySpec(
    m.Action,
    dto.ActionDTO,
    "action",
    ("description", "reference", "ref_year", "ref_number", "raised_on"),
)
ACTION_UPDATES = EntitySpec(
    m.ActionUpdate, dto.ActionUpdateDTO, "action update", ("action_id", "note")
)
OPPORTUNITIES = EntitySpec(
    m.Opportunity, dto.OpportunityDTO, "collaboration opportunity", ("title", "raised_on")
)
CONFLICT_RESOLUTIONS = EntitySpec(
    m.ConflictResolution, dto.ConflictResolutionDTO, "conflict resolution", ("resolution",)
)
READERSHIPS = EntitySpec(m.Readership, dto.ReadershipDTO, "readership", ("label", "key_id"))
RESTRICTIONS = EntitySpec(
    m.Restriction, dto.RestrictionDTO, "restriction", ("table_name", "record_id", "readership_id")
)
RETENTION_RULES = EntitySpec(m.RetentionRule, dto.RetentionRuleDTO, "retention rule", ("kind",))
DISPOSALS = EntitySpec(m.Disposal, dto.DisposalDTO, "disposal certificate", ("made_at", "made_by"))
DEADLINE_RULES = EntitySpec(
    m.DeadlineRule,
    dto.DeadlineRuleDTO,
    "deadline rule",
    ("body", "despatch_clear_days", "final_working_days", "draft_working_days"),
)
SEALED_KEYS = EntitySpec(
    m.SealedKey, dto.SealedKeyDTO, "sealed key", ("readership_id", "key_id", "reader_pc")
)
PC_BOX_KEYS = EntitySpec(m.PcBoxKey, dto.PcBoxKeyDTO, "PC sealing key", ("pc", "box_public"))

ALL: tuple[EntitySpec[Any, Any], ...] = (
    ORGANISATIONS,
    PEOPLE,
    RESOURCES,
    EVENTS,
    EVENT_BOOKINGS,
    EVENT_ATTENDEES,
    OBJECTIVES,
    BOARD_STAGES,
    RAG_ASSESSMENTS,
    MILESTONES,
    DEPENDENCIES,
    RISKS,
    MEETINGS,
    PAPERS,
    ATTACHMENTS,
    AGENDA_ITEMS,
    ATTENDANCE,
    DECLARATIONS,
    MINUTES,
    DECISIONS,
    ACTIONS,
    ACTION_UPDATES,
    OPPORTUNITIES,
    ATTACHMENT_BLOBS,
    BOARD_PACKS,
    PACK_COPIES,
    CONFLICT_RESOLUTIONS,
    READERSHIPS,
    RESTRICTIONS,
    SEALED_KEYS,
    PC_BOX_KEYS,
    RETENTION_RULES,
    DISPOSALS,
    DEADLINE_RULES,
)
BY_TABLE = {spec.table: spec for spec in ALL}


def held_rows(spec: EntitySpec[Any, Any]) -> Select[Any]:
    """The rows that make a database "hold data": every row, tombstones too, except the
    board's default stages as the migration seeded them (never touched since)."""
    stmt = select(spec.model.id)
    if spec is BOARD_STAGES:
        stmt = stmt.where(spec.model.updated_at.is_not(None))
    return stmt
