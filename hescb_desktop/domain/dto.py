"""Frozen DTOs: what services hand to the UI, reports and the command line.

One per synced table, field for field (tests/unit/test_dto.py keeps them in step with the
models). ORM objects never leave a unit of work; these do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hescb_desktop.domain.enums import (
    ActionStatus,
    AttendanceRole,
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


@dataclass(frozen=True, slots=True)
class OrganisationDTO:
    """A row of `organisations`."""

    id: str
    code: str
    name: str
    colour: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class PersonDTO:
    """A row of `people`."""

    id: str
    name: str
    role: str
    organisation_id: str | None
    email: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class ResourceDTO:
    """A row of `resources`."""

    id: str
    name: str
    kind: ResourceKind
    organisation_id: str | None
    capacity: int | None
    description: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class EventDTO:
    """A row of `events`."""

    id: str
    summary: str
    description: str
    location: str
    calendar: str
    start_utc: datetime
    end_utc: datetime
    all_day: bool
    timezone: str
    rrule: str
    organisation_id: str | None
    owner_id: str | None
    meeting_id: str | None
    visibility: Visibility
    ics_uid: str | None
    master_id: str | None
    recurrence_id: datetime | None
    cancelled: bool
    rdates: str
    long_span: bool | None
    until_utc: datetime | None
    marking: Marking
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class EventBookingDTO:
    """A row of `event_bookings`."""

    id: str
    event_id: str
    resource_id: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class EventAttendeeDTO:
    """A row of `event_attendees`."""

    id: str
    event_id: str
    person_id: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class ObjectiveDTO:
    """A row of `objectives`."""

    id: str
    title: str
    kind: ObjectiveKind
    parent_id: str | None
    description: str
    theme: str
    stage: str
    position: float
    lead_organisation_id: str | None
    partner_codes: str
    sro_id: str | None
    benefits: str
    start_date: date | None
    target_date: date | None
    rag_overall: Rag | None
    rag_time: Rag | None
    rag_cost: Rag | None
    rag_scope: Rag | None
    rag_resources: Rag | None
    rag_override_reason: str
    path_to_green: str
    marking: Marking
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class BoardStageDTO:
    """A row of `board_stages`."""

    id: str
    name: str
    position: float
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class RagAssessmentDTO:
    """A row of `rag_assessments`."""

    id: str
    objective_id: str
    dimension: RagDimension
    rating: Rag
    reason: str
    assessed_on: date
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class MilestoneDTO:
    """A row of `milestones`."""

    id: str
    objective_id: str
    title: str
    due_date: date | None
    owner_id: str | None
    done: bool
    done_on: date | None
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class ObjectiveDependencyDTO:
    """A row of `objective_dependencies`."""

    id: str
    objective_id: str
    depends_on_id: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class RiskDTO:
    """A row of `risks`."""

    id: str
    objective_id: str
    description: str
    likelihood: int
    impact: int
    owner_id: str | None
    mitigation: str
    marking: Marking
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class MeetingDTO:
    """A row of `meetings`."""

    id: str
    body: str
    title: str
    start_utc: datetime
    end_utc: datetime
    venue_id: str | None
    chair_id: str | None
    clerk_id: str | None
    status: MeetingStatus
    marking: Marking
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class PaperDTO:
    """A row of `papers`."""

    id: str
    reference: str
    ref_year: int
    ref_number: int
    title: str
    meeting_id: str | None
    report_of: str
    author: str
    purpose: Purpose
    part: Part
    foi_status: FoiStatus
    summary: str
    recommendations: str
    body_text: str
    pack_issue: int | None
    marking: Marking
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class AttachmentDTO:
    """A row of `attachments`."""

    id: str
    paper_id: str
    filename: str
    sha256: str
    size: int
    media_type: str
    role: str
    position: int
    page_count: int
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class AttachmentBlobDTO:
    """A row of `attachment_blobs`."""

    id: str
    sha256: str
    size: int
    data_b64: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None
    paper_id: str | None = None


@dataclass(frozen=True, slots=True)
class PackCopyDTO:
    """A row of `pack_copies`."""

    id: str
    meeting_id: str
    part: Part
    number: int
    of_total: int
    issued_to_id: str | None
    issued_to: str
    issued_at: datetime
    returned_at: datetime | None
    destroyed_at: datetime | None
    note: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class BoardPackDTO:
    """A row of `board_packs`."""

    id: str
    meeting_id: str
    part: Part
    status: str
    published_at: datetime | None
    published_by: str
    supplements: int
    distribution: str
    marking: Marking
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class AgendaItemDTO:
    """A row of `agenda_items`."""

    id: str
    meeting_id: str
    position: int
    title: str
    presenter_id: str | None
    purpose: Purpose
    part: Part
    minutes_allocated: int
    paper_id: str | None
    objective_id: str | None
    public_title: str
    exempt_paragraph: int | None
    exempt_reason: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class AttendanceDTO:
    """A row of `attendance`."""

    id: str
    meeting_id: str
    person_id: str
    role: AttendanceRole
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class DeclarationDTO:
    """A row of `declarations`."""

    id: str
    meeting_id: str
    agenda_item_id: str | None
    person_id: str
    interest: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class MinuteDTO:
    """A row of `minutes`."""

    id: str
    meeting_id: str
    agenda_item_id: str | None
    reference: str
    ref_year: int
    ref_number: int
    part: Part
    summary: str
    status: MinutesStatus
    approved_on: date | None
    reopen_reason: str
    marking: Marking
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class DecisionDTO:
    """A row of `decisions`."""

    id: str
    minute_id: str
    meeting_id: str
    text: str
    decided_by_id: str | None
    objective_id: str | None
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class ActionDTO:
    """A row of `actions`."""

    id: str
    reference: str
    ref_body: str
    ref_year: int
    ref_number: int
    description: str
    owner_id: str | None
    organisation_id: str | None
    raised_on: date
    meeting_id: str | None
    minute_id: str | None
    objective_id: str | None
    due_date: date | None
    revised_due_date: date | None
    revision_reason: str
    status: ActionStatus
    completed_on: date | None
    latest_update: str
    closed_at_meeting_id: str | None
    marking: Marking
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class ActionUpdateDTO:
    """A row of `action_updates`."""

    id: str
    action_id: str
    note: str
    status: ActionStatus | None
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class OpportunityDTO:
    """A row of `opportunities`."""

    id: str
    title: str
    description: str
    raised_by_id: str | None
    raised_on: date
    assessment: str
    outcome: OpportunityOutcome
    outcome_reason: str
    objective_id: str | None
    marking: Marking
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class ConflictResolutionDTO:
    """A row of `conflict_resolutions`."""

    id: str
    resolution: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class ReadershipDTO:
    """A row of `readerships` (issue 16)."""

    id: str
    label: str
    people: str
    roles: str
    handling: str
    key_id: str
    key_check: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class RestrictionDTO:
    """A row of `restrictions` (issue 16)."""

    id: str
    table_name: str
    record_id: str
    readership_id: str
    public_title: str
    handling: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class SealedKeyDTO:
    """A row of `sealed_keys` (issue 16)."""

    id: str
    readership_id: str
    key_id: str
    reader_pc: str
    sealed: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class PcBoxKeyDTO:
    """A row of `pc_box_keys` (issue 16)."""

    id: str
    pc: str
    box_public: str
    signature: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class RetentionRuleDTO:
    """A row of `retention_rules`."""

    id: str
    kind: str
    keep_years: int | None
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class DeadlineRuleDTO:
    """A row of `deadline_rules`."""

    id: str
    body: str
    despatch_clear_days: int
    clear_days_are_working_days: bool
    final_working_days: int
    draft_working_days: int
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True, slots=True)
class DisposalDTO:
    """A row of `disposals`."""

    id: str
    made_at: datetime
    made_by: str
    rule: str
    reason: str
    counts: str
    records: str
    created_at: datetime | None
    created_by: str | None
    updated_at: datetime | None
    updated_by: str | None
    deleted: bool
    deleted_at: datetime | None
    deleted_by: str | None
