"""The synced tables of the whole mission. Later issues add columns through new migrations.

Conventions: every class mixes in `Synced` (UUIDv7 key, who/when, tombstone); records that can
carry a protective marking mix in `Marked`. References between rows are UUID foreign keys; human
references (HESCB/2026/014, 77/26) are separate columns.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from hescb_desktop.domain.enums import (
    ActionStatus,
    AttendanceRole,
    FoiStatus,
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
from hescb_desktop.domain.recurrence import span_of
from hescb_desktop.storage.base import (
    Base,
    Marked,
    Synced,
    UTCDateTime,
    enum_type,
    fk,
    text_col,
)


class Organisation(Synced, Base):
    __tablename__ = "organisations"
    code: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200))
    colour: Mapped[str] = mapped_column(String(9), default="#607080")


class Person(Synced, Base):
    __tablename__ = "people"
    name: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = text_col()
    organisation_id: Mapped[str | None] = fk("organisations")
    email: Mapped[str] = mapped_column(String(254), default="")


class Resource(Synced, Base):
    """A bookable room of the suite or a shared asset (the drone unit)."""

    __tablename__ = "resources"
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ResourceKind] = mapped_column(enum_type(ResourceKind))
    organisation_id: Mapped[str | None] = fk("organisations")
    capacity: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = text_col()


class Event(Synced, Marked, Base):
    __tablename__ = "events"
    __field_groups__ = (
        frozenset(
            {
                "start_utc",
                "end_utc",
                "all_day",
                "timezone",
                "rrule",
                "rdates",
                "long_span",
                "until_utc",
            }
        ),
    )
    summary: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = text_col()
    location: Mapped[str] = mapped_column(String(500), default="")
    calendar: Mapped[str] = mapped_column(String(120), default="Board meetings", index=True)
    start_utc: Mapped[datetime] = mapped_column(index=True)
    end_utc: Mapped[datetime] = mapped_column(index=True)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    rrule: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[str | None] = fk("organisations")
    owner_id: Mapped[str | None] = fk("people")
    meeting_id: Mapped[str | None] = fk("meetings")
    visibility: Mapped[Visibility] = mapped_column(enum_type(Visibility), default=Visibility.NORMAL)
    ics_uid: Mapped[str | None] = mapped_column(String(500), index=True)
    # Issue 5 (migration 0004): exceptions of a series (RECURRENCE-ID style) and extra dates.
    # An exception row names its series (master_id) and the original start of the occurrence it
    # replaces (recurrence_id, UTC; an all-day one: midnight UTC of the date); `cancelled` marks
    # a deleted occurrence (EXDATE). `rdates`: extra occurrences, comma-separated UTC stamps.
    # All-day events store midnight UTC of their dates and an empty time zone (floating dates).
    master_id: Mapped[str | None] = fk("events")
    recurrence_id: Mapped[datetime | None] = mapped_column(index=True)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    rdates: Mapped[str] = text_col()
    # Derived from the times and the rule whenever they are set (the validator below), so a
    # window is found by an index: short events by start_utc, long ones and series by this flag.
    # NULL (rows from before 0004) counts as long. until_utc: the end of the last occurrence.
    long_span: Mapped[bool | None] = mapped_column(Boolean, index=True)
    until_utc: Mapped[datetime | None] = mapped_column()

    @validates("start_utc", "end_utc", "rrule", "all_day", "timezone", "rdates")
    def _keep_span(self, key: str, value: Any) -> Any:
        current = {k: getattr(self, k, None) for k in _SPAN_INPUTS}
        current[key] = value
        start, end = current["start_utc"], current["end_utc"]
        if isinstance(start, datetime) and isinstance(end, datetime):
            self.long_span, self.until_utc = span_of(
                start,
                end,
                current["rrule"] or "",
                current["timezone"] or "",
                bool(current["all_day"]),
                current["rdates"] or "",
            )
        return value


_SPAN_INPUTS = ("start_utc", "end_utc", "rrule", "all_day", "timezone", "rdates")


class EventBooking(Synced, Base):
    """A room or asset booked for an event."""

    __tablename__ = "event_bookings"
    event_id: Mapped[str] = fk("events", nullable=False)
    resource_id: Mapped[str] = fk("resources", nullable=False)


class EventAttendee(Synced, Base):
    __tablename__ = "event_attendees"
    event_id: Mapped[str] = fk("events", nullable=False)
    person_id: Mapped[str] = fk("people", nullable=False)


class Objective(Synced, Marked, Base):
    """An objective of the programme, or a workstream under one (parent_id)."""

    __tablename__ = "objectives"
    # a move is one value: two PCs moving a card offline never leave it half in each column
    __field_groups__ = (
        frozenset({"rag_overall", "rag_override_reason"}),
        frozenset({"stage", "position"}),
    )
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[ObjectiveKind] = mapped_column(
        enum_type(ObjectiveKind), default=ObjectiveKind.OBJECTIVE
    )
    parent_id: Mapped[str | None] = fk("objectives")
    description: Mapped[str] = text_col()
    theme: Mapped[str] = mapped_column(String(120), default="")
    stage: Mapped[str] = mapped_column(String(60), default="Proposed", index=True)
    position: Mapped[float] = mapped_column(Float, default=0.0)
    lead_organisation_id: Mapped[str | None] = fk("organisations")
    partner_codes: Mapped[str] = mapped_column(String(120), default="")  # "HFRS,HCC"
    sro_id: Mapped[str | None] = fk("people")
    benefits: Mapped[str] = mapped_column(String(120), default="")  # "police,fire,public"
    start_date: Mapped[date | None] = mapped_column(Date)
    target_date: Mapped[date | None] = mapped_column(Date)
    rag_overall: Mapped[Rag | None] = mapped_column(enum_type(Rag, "rag_overall"))
    rag_time: Mapped[Rag | None] = mapped_column(enum_type(Rag, "rag_time"))
    rag_cost: Mapped[Rag | None] = mapped_column(enum_type(Rag, "rag_cost"))
    rag_scope: Mapped[Rag | None] = mapped_column(enum_type(Rag, "rag_scope"))
    rag_resources: Mapped[Rag | None] = mapped_column(enum_type(Rag, "rag_resources"))
    rag_override_reason: Mapped[str] = text_col()
    path_to_green: Mapped[str] = text_col()


class BoardStage(Synced, Base):
    """A column of the planning board; objectives name their stage (`objectives.stage`)."""

    __tablename__ = "board_stages"
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")


class RagAssessment(Synced, Base):
    """One RAG change of one dimension: the history the board asks for."""

    __tablename__ = "rag_assessments"
    objective_id: Mapped[str] = fk("objectives", nullable=False)
    dimension: Mapped[RagDimension] = mapped_column(enum_type(RagDimension))
    rating: Mapped[Rag] = mapped_column(enum_type(Rag))
    reason: Mapped[str] = text_col()
    assessed_on: Mapped[date] = mapped_column(Date)


class Milestone(Synced, Base):
    __tablename__ = "milestones"
    objective_id: Mapped[str] = fk("objectives", nullable=False)
    title: Mapped[str] = mapped_column(String(300))
    due_date: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[str | None] = fk("people")
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[date | None] = mapped_column(Date)


class ObjectiveDependency(Synced, Base):
    __tablename__ = "objective_dependencies"
    objective_id: Mapped[str] = fk("objectives", nullable=False)
    depends_on_id: Mapped[str] = fk("objectives", nullable=False)


class Risk(Synced, Marked, Base):
    __tablename__ = "risks"
    objective_id: Mapped[str] = fk("objectives", nullable=False)
    description: Mapped[str] = text_col()
    likelihood: Mapped[int] = mapped_column(Integer, default=3)
    impact: Mapped[int] = mapped_column(Integer, default=3)
    owner_id: Mapped[str | None] = fk("people")
    mitigation: Mapped[str] = text_col()


class Meeting(Synced, Marked, Base):
    __tablename__ = "meetings"
    body: Mapped[str] = mapped_column(String(60), default="HESCB", index=True)
    title: Mapped[str] = mapped_column(String(300))
    start_utc: Mapped[datetime] = mapped_column(index=True)
    end_utc: Mapped[datetime]
    venue_id: Mapped[str | None] = fk("resources")
    chair_id: Mapped[str | None] = fk("people")
    clerk_id: Mapped[str | None] = fk("people")
    status: Mapped[MeetingStatus] = mapped_column(
        enum_type(MeetingStatus), default=MeetingStatus.PLANNED
    )


class Paper(Synced, Marked, Base):
    """A board report; `reference` is the printed one (HESCB 43/26)."""

    __tablename__ = "papers"
    reference: Mapped[str] = mapped_column(String(40), index=True)
    ref_year: Mapped[int] = mapped_column(Integer)
    ref_number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    meeting_id: Mapped[str | None] = fk("meetings")
    report_of: Mapped[str] = mapped_column(String(200), default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    purpose: Mapped[Purpose] = mapped_column(enum_type(Purpose), default=Purpose.NOTING)
    part: Mapped[Part] = mapped_column(enum_type(Part), default=Part.PART_I)
    foi_status: Mapped[FoiStatus] = mapped_column(enum_type(FoiStatus), default=FoiStatus.OPEN)
    summary: Mapped[str] = text_col()
    recommendations: Mapped[str] = text_col()
    body_text: Mapped[str] = text_col()
    # issue 7: the pack issue that carried it (0 = the pack, N = supplement N, None = not yet)
    pack_issue: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Attachment(Synced, Base):
    """A file attached to a paper (an appendix PDF); the bytes are stored by content hash."""

    __tablename__ = "attachments"
    paper_id: Mapped[str] = fk("papers", nullable=False)
    filename: Mapped[str] = mapped_column(String(260))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer, default=0)
    media_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    # issue 7: "paper" (a PDF made elsewhere standing as the paper) or "appendix"; their order
    role: Mapped[str] = mapped_column(String(20), default="appendix", server_default="appendix")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    page_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AttachmentBlob(Synced, Base):
    """The bytes of an attached file, base64 in one synced row per content hash (issue 7): they
    reach every PC through the ordinary change log. See docs/architecture.md for the limits."""

    __tablename__ = "attachment_blobs"
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    data_b64: Mapped[str] = text_col()
    # issue 16: a restricted paper's file is kept apart, naming the paper (its bytes are then
    # sealed for the paper's readership); NULL: bytes shared by every paper that attaches them
    paper_id: Mapped[str | None] = mapped_column(String(36), index=True, nullable=True)


class BoardPack(Synced, Marked, Base):
    """The pack of one meeting's Part I or Part II: draft until published (issue 7).
    `marking` is the highest marking the pack may hold (its allowed marking)."""

    __tablename__ = "board_packs"
    meeting_id: Mapped[str] = fk("meetings", nullable=False)
    part: Mapped[Part] = mapped_column(enum_type(Part), default=Part.PART_I)
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str] = mapped_column(String(120), default="", server_default="")
    supplements: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    distribution: Mapped[str] = text_col()


class AgendaItem(Synced, Base):
    __tablename__ = "agenda_items"
    meeting_id: Mapped[str] = fk("meetings", nullable=False)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    presenter_id: Mapped[str | None] = fk("people")
    purpose: Mapped[Purpose] = mapped_column(enum_type(Purpose), default=Purpose.NOTING)
    part: Mapped[Part] = mapped_column(enum_type(Part), default=Part.PART_I)
    minutes_allocated: Mapped[int] = mapped_column(Integer, default=10)
    paper_id: Mapped[str | None] = fk("papers")
    objective_id: Mapped[str | None] = fk("objectives")
    # issue 16: what a public edition prints for a Part II item (the agreed title and the
    # exemption ground: Schedule 12A paragraph and/or the reason recorded); 0013
    public_title: Mapped[str] = mapped_column(String(300), default="", server_default="")
    exempt_paragraph: Mapped[int | None] = mapped_column(Integer, nullable=True)
    exempt_reason: Mapped[str] = text_col()


class Attendance(Synced, Base):
    __tablename__ = "attendance"
    meeting_id: Mapped[str] = fk("meetings", nullable=False)
    person_id: Mapped[str] = fk("people", nullable=False)
    role: Mapped[AttendanceRole] = mapped_column(enum_type(AttendanceRole))


class Declaration(Synced, Base):
    """A declaration of interest by a person on an agenda item."""

    __tablename__ = "declarations"
    meeting_id: Mapped[str] = fk("meetings", nullable=False)
    agenda_item_id: Mapped[str | None] = fk("agenda_items")
    person_id: Mapped[str] = fk("people", nullable=False)
    interest: Mapped[str] = text_col()


class Minute(Synced, Marked, Base):
    """One numbered minute (77/26) of one agenda item."""

    __tablename__ = "minutes"
    meeting_id: Mapped[str] = fk("meetings", nullable=False)
    agenda_item_id: Mapped[str | None] = fk("agenda_items")
    reference: Mapped[str] = mapped_column(String(20), index=True)
    ref_year: Mapped[int] = mapped_column(Integer)
    ref_number: Mapped[int] = mapped_column(Integer)
    part: Mapped[Part] = mapped_column(enum_type(Part), default=Part.PART_I)
    summary: Mapped[str] = text_col()
    status: Mapped[MinutesStatus] = mapped_column(
        enum_type(MinutesStatus), default=MinutesStatus.DRAFT
    )
    approved_on: Mapped[date | None] = mapped_column(Date)
    # why approved minutes were re-opened (issue 4): kept after they are approved again
    reopen_reason: Mapped[str] = text_col()


class Decision(Synced, Base):
    """A "RESOLVED – That ..." line; `decided_by` names the body (one decision each)."""

    __tablename__ = "decisions"
    minute_id: Mapped[str] = fk("minutes", nullable=False)
    meeting_id: Mapped[str] = fk("meetings", nullable=False)
    text: Mapped[str] = text_col()
    decided_by_id: Mapped[str | None] = fk("organisations")
    objective_id: Mapped[str | None] = fk("objectives")


class Action(Synced, Marked, Base):
    __tablename__ = "actions"
    __field_groups__ = (frozenset({"revised_due_date", "revision_reason"}),)
    reference: Mapped[str] = mapped_column(String(40), index=True)
    ref_body: Mapped[str] = mapped_column(String(20), default="HESCB")
    ref_year: Mapped[int] = mapped_column(Integer)
    ref_number: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = text_col()
    owner_id: Mapped[str | None] = fk("people")
    organisation_id: Mapped[str | None] = fk("organisations")
    raised_on: Mapped[date] = mapped_column(Date)
    meeting_id: Mapped[str | None] = fk("meetings")
    minute_id: Mapped[str | None] = fk("minutes")
    objective_id: Mapped[str | None] = fk("objectives")
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    revised_due_date: Mapped[date | None] = mapped_column(Date)
    revision_reason: Mapped[str] = text_col()
    status: Mapped[ActionStatus] = mapped_column(
        enum_type(ActionStatus), default=ActionStatus.OPEN, index=True
    )
    completed_on: Mapped[date | None] = mapped_column(Date)
    latest_update: Mapped[str] = text_col()
    # the meeting that agreed closure (issue 4: owners propose completion, the board closes)
    closed_at_meeting_id: Mapped[str | None] = fk("meetings")


class ActionUpdate(Synced, Base):
    """One entry of an action's history of updates (who and when are created_by/at)."""

    __tablename__ = "action_updates"
    action_id: Mapped[str] = fk("actions", nullable=False)
    note: Mapped[str] = text_col()
    status: Mapped[ActionStatus | None] = mapped_column(enum_type(ActionStatus))


class Opportunity(Synced, Marked, Base):
    """A police/fire collaboration opportunity considered (the statutory duty's register)."""

    __tablename__ = "opportunities"
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = text_col()
    raised_by_id: Mapped[str | None] = fk("people")
    raised_on: Mapped[date] = mapped_column(Date)
    assessment: Mapped[str] = text_col()
    outcome: Mapped[OpportunityOutcome] = mapped_column(
        enum_type(OpportunityOutcome), default=OpportunityOutcome.UNDER_REVIEW
    )
    outcome_reason: Mapped[str] = text_col()
    objective_id: Mapped[str | None] = fk("objectives")


class ConflictResolution(Synced, Base):
    """How a conflict was settled, for every PC: the id is the conflict's own id (the same on
    every PC, see `sync.merger.conflict_id`); who and when are updated_by/at. "kept" or
    "restored" (the other value was brought back). Two PCs that settle one conflict while apart:
    the later resolution wins, like any field."""

    __tablename__ = "conflict_resolutions"
    resolution: Mapped[str] = mapped_column(String(20), default="kept")


# ------------------------------------------------------------------ need-to-know (issue 16)
class Readership(Synced, Base):
    """Who may read restricted records: named people and/or roles. `key_id` names the current
    content key (a new one each time a reader is removed); `key_check` commits to it
    (`sync.sealing.key_check`), so a PC takes a key sealed to it only if it is that key."""

    __tablename__ = "readerships"
    label: Mapped[str] = mapped_column(String(300))  # "Chief officers and the secretariat"
    people: Mapped[str] = text_col()  # JSON list of person ids
    roles: Mapped[str] = text_col()  # JSON list of roles ("secretariat", "officer", "viewer")
    handling: Mapped[str] = text_col()  # "PERSONAL - for the Chief Fire Officer only"
    key_id: Mapped[str] = mapped_column(String(40))
    key_check: Mapped[str] = mapped_column(String(64))


class Restriction(Synced, Base):
    """A record restricted to a readership, with the title everyone else sees. Its id is derived
    from the record's (`services.restrict.restriction_id`): one per record on every PC."""

    __tablename__ = "restrictions"
    table_name: Mapped[str] = mapped_column(String(64), index=True)
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    readership_id: Mapped[str] = fk("readerships", nullable=False)
    public_title: Mapped[str] = mapped_column(String(300), default="", server_default="")
    handling: Mapped[str] = text_col()


class SealedKey(Synced, Base):
    """A readership's content key sealed (HPKE) to one reader PC by one PC that held it."""

    __tablename__ = "sealed_keys"
    readership_id: Mapped[str] = fk("readerships", nullable=False)
    key_id: Mapped[str] = mapped_column(String(40), index=True)
    reader_pc: Mapped[str] = mapped_column(String(64), index=True)  # its key's fingerprint
    sealed: Mapped[str] = text_col()  # base64


class PcBoxKey(Synced, Base):
    """A PC's public sealing key (X25519), signed by that PC's signing key: keys are sealed to
    it only once the signature checks against its enrolment."""

    __tablename__ = "pc_box_keys"
    pc: Mapped[str] = mapped_column(String(64), index=True)  # the PC's key fingerprint
    box_public: Mapped[str] = mapped_column(String(64))  # base64
    signature: Mapped[str] = mapped_column(String(120))  # base64


class PackCopy(Synced, Base):
    """A numbered copy of a meeting's pack with restricted items (issue 16, point 3): "Copy 3 of
    7 - issued to ACC R. Shah", printed in the footer of its restricted pages. `of_total` is the
    pack's number of copies when this one was issued (a later issue adds copies with a larger
    total; those already printed keep theirs). `issued_to` is the name as printed; a copy issued
    to one of the board's people names them in `issued_to_id` too. Returned or destroyed: the
    copies register (services/copies.py). Migration 0015."""

    __tablename__ = "pack_copies"
    meeting_id: Mapped[str] = fk("meetings", nullable=False)
    part: Mapped[Part] = mapped_column(enum_type(Part), default=Part.PART_II)
    number: Mapped[int] = mapped_column(Integer)
    of_total: Mapped[int] = mapped_column(Integer)
    issued_to_id: Mapped[str | None] = fk("people")
    issued_to: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    note: Mapped[str] = text_col()


class RetentionRule(Synced, Base):
    """How long one kind of record is kept (issue 16, point 5): `kind` is a key of
    `domain.retention.CLASSES`, `keep_years` NULL for permanent. Its id is derived from the kind
    (`services.retention.rule_id`): one row per kind on every PC. No row: the default. Set by
    the secretariat. Migration 0017."""

    __tablename__ = "retention_rules"
    kind: Mapped[str] = mapped_column(String(40), index=True)
    keep_years: Mapped[int | None] = mapped_column(Integer, nullable=True)


class DeadlineRule(Synced, Base):
    """How one body counts a meeting's deadlines (issue 18, point 2): the despatch of the pack
    `despatch_clear_days` clear days before the meeting (working days, or calendar days when
    `clear_days_are_working_days` is False), final papers `final_working_days` working days
    before despatch, drafts `draft_working_days` working days before that
    (`domain.deadlines.DeadlineRule`). Its id is derived from the body
    (`services.deadlines.rule_id`): one row per body on every PC. No row: the defaults. Set by
    the secretariat. Migration 0020."""

    __tablename__ = "deadline_rules"
    body: Mapped[str] = mapped_column(String(60), index=True)
    despatch_clear_days: Mapped[int] = mapped_column(Integer)
    clear_days_are_working_days: Mapped[bool] = mapped_column(Boolean)
    final_working_days: Mapped[int] = mapped_column(Integer)
    draft_working_days: Mapped[int] = mapped_column(Integer)


class Disposal(Synced, Base):
    """A disposal certificate (issue 16, point 5): which records the secretariat disposed of,
    when, by whom, under which rule and why, and how many of each kind. Kept for ever; the
    disposed records' text is not (`storage.disposal`). `records` is a JSON list of
    [table, id] pairs: the records named (their children go with them). Migration 0018."""

    __tablename__ = "disposals"
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
    made_by: Mapped[str] = mapped_column(String(200))  # the person's name, as printed
    rule: Mapped[str] = text_col()  # "closed-actions: 6 years", or "one record"
    reason: Mapped[str] = text_col()
    counts: Mapped[str] = text_col()  # JSON {kind label: n}
    records: Mapped[str] = text_col()  # JSON [[table, id], ...]
