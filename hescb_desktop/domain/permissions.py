"""Who may do what: the board's rules, written once (issue 15, point 2).

One table: (role, operation, kind of record, the person's relation to the record) -> allowed.
Every cell not granted is refused. The services will ask it before a change (the GUI hides or
disables what the person cannot do; the command line refuses with `explain`), and so will every
PC on merge, for the person named in each signed record with the roles in force at that change's
clock time. Nothing here knows about Qt, SQL or the share.

The roles (DOMAIN.md, issue 15):
- *secretariat* administers the board: enrols PCs and people, sets roles, approves minutes,
  publishes papers and packs, edits anything;
- *officer* (chief officers and their staff): calendar items they or their principal own,
  progress on actions they or their principal own, proposing papers and agenda items (and
  editing or withdrawing their own proposals);
- *viewer* reads only.

A staff officer acting for a principal has the relation PRINCIPAL to the principal's records.
A marking is changed only by a record's originator (or the secretariat): the MARK operation.
`Identity` is the person at the keyboard as this PC's enrolment says; `Identity.may` and
`Identity.why_not` ask the table for that person.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hescb_desktop.domain.errors import DomainError
from hescb_desktop.domain.restriction import RESTRICTABLE


class Role(StrEnum):
    SECRETARIAT = "secretariat"
    OFFICER = "officer"
    VIEWER = "viewer"


class Operation(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"
    MARK = "mark"  # change a record's protective marking
    PROGRESS = "progress"  # an action's status and latest update
    APPROVE = "approve"  # minutes approved (or reopened)
    PUBLISH = "publish"  # a paper or a pack published or despatched
    ADMINISTER = "administer"  # people, roles, PCs (enrol, revoke), the board's lists


class Kind(StrEnum):
    """Kinds of record the rules speak of; each synced table belongs to one (`KIND_OF_TABLE`)."""

    CALENDAR_ITEM = "calendar item"
    ACTION = "action"
    ACTION_UPDATE = "action update"
    MEETING = "meeting"
    AGENDA_ITEM = "agenda item"
    PAPER = "paper"
    MINUTE = "minute"
    PACK = "board pack"
    PACK_COPY = "numbered copy"  # a numbered copy of a restricted pack and its register
    PLAN = "planning record"  # objectives, milestones, RAG, risks, opportunities, stages
    DIRECTORY = "directory entry"  # people, organisations, rooms and assets
    CONFLICT_RESOLUTION = "conflict resolution"
    RESTRICTION = "restriction"  # a readership, or a record's restriction to one (issue 16)
    KEY = "sealing key"  # a PC's public sealing key, a content key sealed to a reader's PC
    RETENTION = "retention rule"  # how long a kind of record is kept (issue 16): the secretariat's

    @property
    def plural(self) -> str:
        return _PLURALS.get(self, f"{self.value}s")


_PLURALS = {
    Kind.PLAN: "planning records",
    Kind.DIRECTORY: "directory entries",
    Kind.PACK_COPY: "numbered copies",
}


class Relation(StrEnum):
    OWN = "own"  # the person owns, authored or is the subject of the record
    PRINCIPAL = "principal"  # owned by a principal the person acts for
    OTHER = "other"  # anyone else's, or nobody's


KIND_OF_TABLE: dict[str, Kind] = {
    "events": Kind.CALENDAR_ITEM,
    "event_attendees": Kind.CALENDAR_ITEM,
    "event_bookings": Kind.CALENDAR_ITEM,
    "actions": Kind.ACTION,
    "action_updates": Kind.ACTION_UPDATE,
    "meetings": Kind.MEETING,
    "attendance": Kind.MEETING,
    "declarations": Kind.MEETING,
    "agenda_items": Kind.AGENDA_ITEM,
    "papers": Kind.PAPER,
    "attachments": Kind.PAPER,
    "attachment_blobs": Kind.PAPER,
    "minutes": Kind.MINUTE,
    "decisions": Kind.MINUTE,
    "board_packs": Kind.PACK,
    "pack_copies": Kind.PACK_COPY,
    "objectives": Kind.PLAN,
    "objective_dependencies": Kind.PLAN,
    "milestones": Kind.PLAN,
    "rag_assessments": Kind.PLAN,
    "risks": Kind.PLAN,
    "opportunities": Kind.PLAN,
    "board_stages": Kind.PLAN,
    "people": Kind.DIRECTORY,
    "organisations": Kind.DIRECTORY,
    "resources": Kind.DIRECTORY,
    "conflict_resolutions": Kind.CONFLICT_RESOLUTION,
    "readerships": Kind.RESTRICTION,
    "restrictions": Kind.RESTRICTION,
    "sealed_keys": Kind.KEY,
    "pc_box_keys": Kind.KEY,
    "retention_rules": Kind.RETENTION,
    "disposals": Kind.RETENTION,
    # a body's deadline rule (issue 18): part of how its meetings run, the secretariat's (an
    # officer has no grant on meetings); a page showing meetings refreshes when one changes
    "deadline_rules": Kind.MEETING,
}

_MINE = frozenset({Relation.OWN, Relation.PRINCIPAL})

# What an officer may do, and to which of their records; everything else is the secretariat's.
OFFICER_GRANTS: dict[tuple[Operation, Kind], frozenset[Relation]] = {
    # their own and their principal's diary
    (Operation.CREATE, Kind.CALENDAR_ITEM): _MINE,
    (Operation.EDIT, Kind.CALENDAR_ITEM): _MINE,
    (Operation.DELETE, Kind.CALENDAR_ITEM): _MINE,
    (Operation.MARK, Kind.CALENDAR_ITEM): _MINE,
    # progress on the actions they or their principal own
    (Operation.PROGRESS, Kind.ACTION): _MINE,
    (Operation.CREATE, Kind.ACTION_UPDATE): _MINE,
    (Operation.EDIT, Kind.ACTION_UPDATE): _MINE,
    # proposing papers and agenda items, and keeping their own proposals
    (Operation.CREATE, Kind.PAPER): _MINE,
    (Operation.EDIT, Kind.PAPER): _MINE,
    (Operation.DELETE, Kind.PAPER): _MINE,
    (Operation.MARK, Kind.PAPER): _MINE,
    (Operation.CREATE, Kind.AGENDA_ITEM): _MINE,
    (Operation.EDIT, Kind.AGENDA_ITEM): _MINE,
    (Operation.DELETE, Kind.AGENDA_ITEM): _MINE,
    # restricting their own records to a readership, and changing the readerships they made
    (Operation.CREATE, Kind.RESTRICTION): _MINE,
    (Operation.EDIT, Kind.RESTRICTION): _MINE,
    (Operation.DELETE, Kind.RESTRICTION): _MINE,
}

_OFFICER_SAYS = {
    Kind.CALENDAR_ITEM: "an officer changes only calendar items that they or their principal own",
    Kind.ACTION: "an officer records progress only on actions that they or their principal own",
    Kind.ACTION_UPDATE: "an officer updates only actions that they or their principal own",
    Kind.PAPER: "an officer proposes papers and changes only their own or their principal's",
    Kind.AGENDA_ITEM: (
        "an officer proposes agenda items and changes only their own or their principal's"
    ),
    Kind.RESTRICTION: "an officer restricts only their own records, to readerships they made",
}


def allowed(role: Role, operation: Operation, kind: Kind, relation: Relation) -> bool:
    """Whether a person with `role` may do `operation` to a record of `kind` related to them
    as `relation`. Any enrolled PC, a viewer's too, publishes its own public sealing key and
    seals a content key it holds to another reader's PC (Kind.KEY, CREATE): neither gives
    anyone more than they had (a key is taken only if its readership's check matches)."""
    if kind is Kind.KEY and operation is Operation.CREATE:
        return True
    if role is Role.SECRETARIAT:
        return True
    if role is Role.OFFICER:
        return relation in OFFICER_GRANTS.get((operation, kind), frozenset())
    return False


def explain(role: Role, operation: Operation, kind: Kind, relation: Relation) -> str:
    """Why not, in words for the person refused ("" when it is allowed)."""
    if allowed(role, operation, kind, relation):
        return ""
    if role is Role.VIEWER:
        return "a viewer reads only: ask the secretariat"
    if (operation, kind) in OFFICER_GRANTS:
        return f"{_OFFICER_SAYS[kind]}: ask the secretariat"
    return f"only the secretariat may {operation.value} {kind.plural}"


Owners = str | set[str] | frozenset[str] | list[str] | tuple[str, ...] | None


@dataclass(frozen=True)
class Identity:
    """Who is at the keyboard, as this PC's enrolment says (issue 15, point 1).

    `person_id` is the board's person (a row of `people`), "" when the board does not know this
    PC's account yet. `protected` is False on a board made before issue 15 that the secretariat
    has not upgraded (and in an in-memory database): there everyone may still do everything, as
    before, and the window says the board is not protected.
    """

    person_id: str
    name: str
    role: Role
    account: str = ""
    acts_for: frozenset[str] = field(default_factory=frozenset)
    protected: bool = True

    @property
    def known(self) -> bool:
        return bool(self.person_id) or not self.protected

    def relation(self, owner_ids: Owners) -> Relation:
        """How a record owned by `owner_ids` (an owner, author or subject; several for a record
        with several) relates to this person."""
        if owner_ids is None:
            return Relation.OTHER
        owners = {owner_ids} if isinstance(owner_ids, str) else set(owner_ids)
        if self.person_id and self.person_id in owners:
            return Relation.OWN
        if owners & self.acts_for:
            return Relation.PRINCIPAL
        return Relation.OTHER

    def may(self, operation: Operation, kind: Kind, owner_ids: Owners = None) -> bool:
        if not self.protected:
            return True
        return allowed(self.role, operation, kind, self.relation(owner_ids))

    def why_not(self, operation: Operation, kind: Kind, owner_ids: Owners = None) -> str:
        """ "" when allowed, else the refusal in words ("Ask the secretariat to add you" for an
        account the board does not know)."""
        if self.may(operation, kind, owner_ids):
            return ""
        if not self.person_id:
            return (
                f"this board does not know the account {self.account!r}: "
                "ask the secretariat to add you"
            )
        return explain(self.role, operation, kind, self.relation(owner_ids))


UNPROTECTED = Identity(person_id="", name="", role=Role.SECRETARIAT, protected=False)


class NotAllowedError(DomainError):
    """A change the person at the keyboard may not make (the message says why, in words)."""


# ---------------------------------------------------------------------------------------------
# Which rule a change to a row is: the classification the services and the merge share.

Row = Mapping[str, Any]

# The columns naming the person(s) who own, authored or are the subject of a row: a row's owners
# are the values of these columns (`created_by` is the person id of whoever made it, on a
# protected board). Papers carry their author as free text (`author`), so a paper is its
# proposer's: the person who created it. A table with () has no owner of its own: it is the
# board's, or its parent's (PARENT_OF).
OWNER_COLUMNS: dict[str, tuple[str, ...]] = {
    "events": ("owner_id",),
    "event_attendees": (),
    "event_bookings": (),
    "actions": ("owner_id",),
    "action_updates": (),
    "meetings": (),
    "attendance": (),
    "declarations": ("person_id",),
    "agenda_items": ("presenter_id", "created_by"),
    "papers": ("created_by",),
    "attachments": (),
    "attachment_blobs": ("created_by",),  # bytes kept by content hash, shared by papers
    "minutes": (),
    "decisions": (),
    "board_packs": (),
    # the person a copy is issued to holds it, but only the secretariat issues, returns or
    # destroys copies: no owner, so an officer's relation is always OTHER
    "pack_copies": (),
    "retention_rules": (),  # the board's schedule: the secretariat's
    "disposals": (),  # the certificates: the secretariat's
    "deadline_rules": (),  # a body's deadline rule: the secretariat's
    "objectives": ("sro_id",),
    "objective_dependencies": (),
    "milestones": ("owner_id",),
    "rag_assessments": (),
    "risks": ("owner_id",),
    "opportunities": ("raised_by_id",),
    "board_stages": (),
    "people": (),
    "organisations": (),
    "resources": (),
    "conflict_resolutions": (),
    "readerships": ("created_by",),
    # a restriction is its record's owners' (NAMED_PARENT), whoever wrote the row: an officer
    # restricts only their own or their principal's records, on every PC's merge too
    "restrictions": (),
    "sealed_keys": (),
    "pc_box_keys": (),
}

# A child row whose owners are its parent's: table -> (its column naming the parent, the parent's
# table). A row's owners are its own (OWNER_COLUMNS) and its parent's: an exception of a series
# (an event naming its `master_id`) is the series owner's too.
PARENT_OF: dict[str, tuple[str, str]] = {
    "events": ("master_id", "events"),
    "event_attendees": ("event_id", "events"),
    "event_bookings": ("event_id", "events"),
    "action_updates": ("action_id", "actions"),
    "attendance": ("meeting_id", "meetings"),
    "attachments": ("paper_id", "papers"),
    "decisions": ("minute_id", "minutes"),
    "objective_dependencies": ("objective_id", "objectives"),
    "rag_assessments": ("objective_id", "objectives"),
}
_PARENT_DEPTH = 3  # attendee -> exception -> series: no deeper (and never round a forged loop)

# A row whose owners are those of a record it names by table and id: table -> (the column naming
# the table, the column naming the id, the tables it may name). A restriction is its record's.
NAMED_PARENT: dict[str, tuple[str, str, frozenset[str]]] = {
    "restrictions": ("table_name", "record_id", frozenset(RESTRICTABLE)),
}


def parent_key(table: str, row: Row) -> tuple[str, str] | None:
    """(table, id) of the row's parent, if it names one (PARENT_OF or NAMED_PARENT)."""
    if table in PARENT_OF:
        column, parent_table = PARENT_OF[table]
        parent_id = row.get(column)
        return (parent_table, str(parent_id)) if parent_id else None
    if table in NAMED_PARENT:
        table_column, id_column, tables = NAMED_PARENT[table]
        named, parent_id = row.get(table_column), row.get(id_column)
        if isinstance(named, str) and named in tables and parent_id:
            return (named, str(parent_id))
    return None


def owners_of(
    table: str, row: Row, parent: Callable[[str, str], Row | None], depth: int = 0
) -> frozenset[str]:
    """The person ids owning `row` of `table` (its values, before the change for an existing
    row): its owner columns' values and its parent's owners. `parent(table, id)` returns the
    parent row's values (None if it is not there)."""
    own = frozenset(str(row[c]) for c in OWNER_COLUMNS.get(table, ()) if row.get(c))
    key = parent_key(table, row) if depth < _PARENT_DEPTH else None
    if key is None:
        return own
    found = parent(*key)
    if found is None:
        return own
    return own | owners_of(key[0], found, parent, depth + 1)


# Every synced column's operation when an existing row changes (a new row is CREATE, whatever the
# column). Columns common to every table are decided below (_COMMON_OPERATIONS); the lists are
# explicit so a new synced column without a decision fails a test (tests/unit/test_permissions).
_E, _P = Operation.EDIT, Operation.PROGRESS


def _columns(operation: Operation, names: str) -> dict[str, Operation]:
    return dict.fromkeys(names.split(), operation)


# the bookkeeping that accompanies every change of a row: the weakest change to that row
_TOUCH = ("created_at", "created_by", "updated_at", "updated_by")
_DELETION = ("deleted", "deleted_at", "deleted_by")
_ADMINISTERED = frozenset({"people", "organisations", "resources", "board_stages"})

FIELD_OPERATIONS: dict[str, dict[str, Operation]] = {
    "events": _columns(
        _E,
        "all_day calendar cancelled description end_utc ics_uid location long_span master_id "
        "meeting_id organisation_id owner_id rdates recurrence_id rrule start_utc summary "
        "timezone until_utc visibility",
    ),
    "event_attendees": _columns(_E, "event_id person_id"),
    "event_bookings": _columns(_E, "event_id resource_id"),
    "actions": _columns(
        _E,
        "closed_at_meeting_id description due_date meeting_id minute_id objective_id "
        "organisation_id owner_id raised_on ref_body ref_number ref_year reference",
    )
    # an owner's progress: the status (complete is proposed, the board closes: closing also
    # sets closed_at_meeting_id, an edit), the latest update, a revised date with its reason
    | _columns(_P, "status latest_update completed_on revised_due_date revision_reason"),
    "action_updates": _columns(_E, "action_id note status"),
    "meetings": _columns(_E, "body chair_id clerk_id end_utc start_utc status title venue_id"),
    "attendance": _columns(_E, "meeting_id person_id role"),
    "declarations": _columns(_E, "agenda_item_id interest meeting_id person_id"),
    "agenda_items": _columns(
        _E,
        "meeting_id minutes_allocated objective_id paper_id part position presenter_id "
        "purpose title public_title exempt_paragraph exempt_reason",
    ),
    "papers": _columns(
        _E,
        "author body_text foi_status meeting_id part purpose recommendations ref_number "
        "ref_year reference report_of summary title",
    )
    | _columns(Operation.PUBLISH, "pack_issue"),
    "attachments": _columns(
        _E, "filename media_type page_count paper_id position role sha256 size"
    ),
    "attachment_blobs": _columns(_E, "data_b64 paper_id sha256 size"),
    "minutes": _columns(_E, "agenda_item_id meeting_id part ref_number ref_year reference summary")
    | _columns(Operation.APPROVE, "status approved_on reopen_reason"),
    "decisions": _columns(_E, "decided_by_id meeting_id minute_id objective_id text"),
    "board_packs": _columns(_E, "meeting_id part")
    | _columns(Operation.PUBLISH, "status published_at published_by supplements distribution"),
    # issuing, returning and destroying a copy: the secretariat's (no officer grant)
    "pack_copies": _columns(
        _E,
        "destroyed_at issued_at issued_to issued_to_id meeting_id note number of_total part "
        "returned_at",
    ),
    "objectives": _columns(
        _E,
        "benefits description kind lead_organisation_id parent_id partner_codes "
        "path_to_green position rag_cost rag_overall rag_override_reason rag_resources "
        "rag_scope rag_time sro_id stage start_date target_date theme title",
    ),
    "objective_dependencies": _columns(_E, "depends_on_id objective_id"),
    "milestones": _columns(_E, "done done_on due_date objective_id owner_id title"),
    "rag_assessments": _columns(_E, "assessed_on dimension objective_id rating reason"),
    "risks": _columns(_E, "description impact likelihood mitigation objective_id owner_id"),
    "opportunities": _columns(
        _E,
        "assessment description objective_id outcome outcome_reason raised_by_id raised_on title",
    ),
    "board_stages": _columns(Operation.ADMINISTER, "name position"),
    "people": _columns(Operation.ADMINISTER, "email name organisation_id role"),
    "organisations": _columns(Operation.ADMINISTER, "code colour name"),
    "resources": _columns(Operation.ADMINISTER, "capacity description kind name organisation_id"),
    "conflict_resolutions": _columns(_E, "resolution"),
    "readerships": _columns(_E, "handling key_check key_id label people roles"),
    "restrictions": _columns(_E, "handling public_title readership_id record_id table_name"),
    "sealed_keys": _columns(_E, "key_id reader_pc readership_id sealed"),
    "pc_box_keys": _columns(_E, "box_public pc signature"),
    "retention_rules": _columns(_E, "keep_years kind"),
    "disposals": _columns(_E, "counts made_at made_by reason records rule"),
    "deadline_rules": _columns(
        _E,
        "body clear_days_are_working_days despatch_clear_days draft_working_days "
        "final_working_days",
    ),
}

# what the bookkeeping columns of an existing row count as: the least an owner changes there
_TOUCH_OPERATION: dict[str, Operation] = {"actions": _P}


def operation_of(table: str, column: str, exists: bool) -> Operation:
    """Which operation a change of `column` of a row of `table` is (`exists`: the row was there
    before). One per field, so the merge checks each change record on its own: a new row is
    CREATE, its tombstone DELETE, its marking MARK; an action's status and latest update are
    PROGRESS; minutes' approval APPROVE; a paper's or pack's publication PUBLISH; the directory
    and the board's lists ADMINISTER; anything else EDIT (a column this version does not know
    included). `updated_at`/`updated_by` go with every change, so they count as the least change
    an owner makes (PROGRESS on an action, EDIT elsewhere)."""
    if not exists:
        return Operation.CREATE
    if column in _DELETION:
        return Operation.DELETE
    if column == "marking":
        return Operation.MARK
    if column in _TOUCH:
        if table in _ADMINISTERED:
            return Operation.ADMINISTER
        return _TOUCH_OPERATION.get(table, _E)
    return FIELD_OPERATIONS.get(table, {}).get(column, _E)
