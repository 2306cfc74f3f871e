"""What the board documents print, as plain frozen data the services assemble (no database).

Every text field is user text: the reports escape it, so it prints exactly as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hescb_desktop.domain.enums import FoiStatus, Marking, Part, Purpose, Rag


@dataclass(frozen=True)
class AttachedPdf:
    """A PDF attached to a paper: the paper itself (made elsewhere) or an appendix."""

    key: str  # unique within one document (the attachment id)
    filename: str
    label: str  # "Appendix A: costs.pdf"
    data: bytes


@dataclass(frozen=True)
class PaperContent:
    reference: str  # HESCB 43/26
    title: str
    meeting: str  # "HESCB · Board meeting · 12 March 2026"
    agenda_number: str  # "8.2" or ""
    report_of: str
    author: str
    purpose: Purpose
    part: Part
    foi_status: FoiStatus
    marking: Marking
    summary: str = ""
    recommendations: str = ""
    body_text: str = ""
    attached_paper: AttachedPdf | None = None
    appendices: tuple[AttachedPdf, ...] = ()
    supplement: int | None = None  # a late paper: the supplement that carries it
    when: str = ""  # the meeting's date and time (the end of `meeting`), kept whole in the footer


@dataclass(frozen=True)
class MinuteItem:
    reference: str  # 77/26
    title: str
    summary: str
    resolutions: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()  # "ACTION: owner to ... by date"
    declarations: tuple[str, ...] = ()  # printed under the declarations of interest minute
    is_declarations: bool = False  # the minute of the "Declarations of interest" item


@dataclass(frozen=True)
class MinutesContent:
    board: str  # HESCB (the body)
    board_name: str  # Hertfordshire Emergency Services Collaboration Board
    meeting_title: str
    when: str  # "Thursday 12 March 2026, 10:00–12:00"
    venue: str
    part: Part
    marking: Marking
    approved_on: date | None  # None: draft
    present: tuple[str, ...] = ()
    in_attendance: tuple[str, ...] = ()
    apologies: tuple[str, ...] = ()
    declarations: tuple[str, ...] = ()  # their own section, unless declarations_minuted
    items: tuple[MinuteItem, ...] = ()
    declarations_minuted: bool = False  # a minute of the declarations item holds them
    public: bool = False  # the public edition (issue 16): exempt items as stubs only


@dataclass(frozen=True)
class ActionRow:
    reference: str
    raised_on: date
    source: str  # "HESCB 12 Mar 2026, minute 77/26"
    description: str
    owner: str  # "Jane Smith (HC)"
    due: date | None
    revised_due: date | None
    revision_reason: str
    status: str  # label, e.g. "In progress"
    completed_on: date | None
    latest_update: str
    marking: Marking = Marking.OFFICIAL


@dataclass(frozen=True)
class HighlightRow:
    """One objective of the highlight report."""

    title: str
    stage: str
    rag: tuple[Rag | None, ...]  # in HIGHLIGHT_DIMENSIONS order
    change: str  # "Time amber → red" / "No change" / "New"
    next_milestone: str  # "Outline business case · 30 Apr 2026" or ""
    path_to_green: str
    marking: Marking = Marking.OFFICIAL


HIGHLIGHT_DIMENSIONS = ("Overall", "Time", "Cost", "Scope", "Resources")
HIGHLIGHT_SHORT = ("All", "Time", "Cost", "Scope", "Res.")


@dataclass(frozen=True)
class HighlightContent:
    board: str
    as_of: date
    since: date | None  # the previous report (meeting) the change is measured from
    rows: tuple[HighlightRow, ...]
    left_out: int = 0  # objectives marked above the document


@dataclass(frozen=True)
class PackItem:
    """One agenda item and what the pack carries for it."""

    number: str
    title: str
    purpose: Purpose
    presenter: str
    part: Part
    kind: str  # "paper" | "minutes" | "actions" | "highlight" | "divider" | "withheld" | "part2"
    paper: PaperContent | None = None
    note: str = ""  # shown under an item without a paper
    start: str = ""  # when the item starts, "10:25" (London)


@dataclass(frozen=True)
class PackContent:
    board: str  # HESCB
    board_name: str
    meeting_title: str
    when: str
    venue: str
    part: Part
    marking: Marking  # the pack's marking: the highest of what it holds
    draft: bool
    items: tuple[PackItem, ...]
    distribution: tuple[str, ...] = ()
    supplement: int | None = None
    previous_minutes: MinutesContent | None = None
    actions: tuple[ActionRow, ...] = ()
    highlight: HighlightContent | None = None
    withheld: tuple[str, ...] = field(default=())  # papers left out (marked above the pack)
    published_on: date | None = None  # when the secretariat published it (None: a draft)
    public: bool = False  # the public edition (issue 16): exempt items as stubs only


@dataclass(frozen=True)
class CopyLine:
    """One numbered copy in the copies register (issue 16, point 3)."""

    number: int
    of_total: int
    issued_to: str
    issued: str  # "12 Oct 2026 14:05" (London)
    returned: str  # "" when not returned
    destroyed: str  # "" when not destroyed
    state: str  # issued | returned | destroyed


@dataclass(frozen=True)
class CopyRegisterPack:
    """The copies of one pack: its meeting, its part, its marking and each copy."""

    title: str  # "HESCB/2026-10-15 · Board meeting · Part II pack"
    when: str
    marking: Marking
    copies: tuple[CopyLine, ...]


@dataclass(frozen=True)
class CopyRegisterContent:
    board: str
    title: str  # "HESCB copies register" or "... for HESCB/2026-10-15"
    as_at: str  # "3 December 2026, 14:05"
    packs: tuple[CopyRegisterPack, ...]
