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

from dataclasses import dataclass, field
from enum import StrEnum

from hescb_desktop.domain.errors import DomainError


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
    PLAN = "planning record"  # objectives, milestones, RAG, risks, opportunities, stages
    DIRECTORY = "directory entry"  # people, organisations, rooms and assets
    CONFLICT_RESOLUTION = "conflict resolution"

    @property
    def plural(self) -> str:
        return _PLURALS.get(self, f"{self.value}s")


_PLURALS = {Kind.PLAN: "planning records", Kind.DIRECTORY: "directory entries"}


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
}

_OFFICER_SAYS = {
    Kind.CALENDAR_ITEM: "an officer changes only calendar items that they or their principal own",
    Kind.ACTION: "an officer records progress only on actions that they or their principal own",
    Kind.ACTION_UPDATE: "an officer updates only actions that they or their principal own",
    Kind.PAPER: "an officer proposes papers and changes only their own or their principal's",
    Kind.AGENDA_ITEM: (
        "an officer proposes agenda items and changes only their own or their principal's"
    ),
}


def allowed(role: Role, operation: Operation, kind: Kind, relation: Relation) -> bool:
    """Whether a person with `role` may do `operation` to a record of `kind` related to them
    as `relation`."""
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
