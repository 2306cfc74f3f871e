"""The planning board with no I/O: cards, filters, swimlanes, card order and dependency cycles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from hescb_desktop.domain.enums import Marking, Rag

DEFAULT_STAGES = ("Proposed", "Scoping", "In delivery", "Embedding", "Closed")
# Migration 0005 seeds the default stages with fixed ids (the same on every PC). The seeded
# "Closed" stage keeps this id whatever it is renamed to, so "closed" means this row, not a name.
CLOSED_STAGE_ID = "00000000-0000-7000-8000-574100000005"
MIN_GAP = 1e-6  # closer neighbours than this: the column is renumbered before inserting


@dataclass(frozen=True, slots=True)
class BoardCard:
    """One objective as the board shows it (everything a card, a filter or a print needs)."""

    id: str
    title: str
    stage: str
    position: float
    theme: str
    lead_code: str
    lead_name: str
    lead_colour: str
    partner_codes: tuple[str, ...]
    sro: str
    rag: Rag | None
    rag_time: Rag | None
    rag_cost: Rag | None
    rag_scope: Rag | None
    rag_resources: Rag | None
    overridden: bool
    path_to_green: str
    start_date: date | None
    target_date: date | None
    next_milestone: str
    next_milestone_date: date | None
    open_actions: int
    overdue_actions: int
    marking: Marking
    opportunity: str = ""  # the collaboration opportunity it came from, if any
    description: str = ""
    workstream_of: str = ""  # a workstream: the title of its objective
    is_workstream: bool = False

    @property
    def sensitive(self) -> bool:
        return self.marking is Marking.OFFICIAL_SENSITIVE

    def sort_key(self) -> tuple[float, str]:
        """Board order: position, then id (the same on every PC, even for equal positions)."""
        return (self.position, self.id)


class Lanes(StrEnum):
    NONE = "none"
    THEME = "theme"
    LEAD = "lead"


@dataclass(frozen=True)
class BoardFilter:
    """What the user narrowed the board to; empty fields match everything."""

    text: str = ""
    organisation: str = ""  # a code: lead or partner
    theme: str = ""
    rag: Rag | None = None
    unrated: bool = False
    stage: str = ""
    officer: str = ""  # the senior responsible officer's name
    objectives_only: bool = False  # leave workstreams out

    @property
    def active(self) -> bool:
        return self != BoardFilter()

    def matches(self, card: BoardCard) -> bool:
        return (
            self._text_ok(card)
            and (not self.organisation or self._organisation_ok(card))
            and (not self.theme or card.theme == self.theme)
            and (self.rag is None or card.rag is self.rag)
            and (not self.unrated or card.rag is None)
            and (not self.stage or card.stage == self.stage)
            and (not self.officer or card.sro == self.officer)
            and not (self.objectives_only and card.is_workstream)
        )

    def _text_ok(self, card: BoardCard) -> bool:
        needle = self.text.strip().casefold()
        if not needle:
            return True
        hay = " ".join(
            (card.title, card.description, card.theme, card.sro, card.lead_code, card.workstream_of)
        )
        return needle in hay.casefold()

    def _organisation_ok(self, card: BoardCard) -> bool:
        return card.lead_code == self.organisation or self.organisation in card.partner_codes


@dataclass(frozen=True)
class Layout:
    """The board as drawn: lanes (one unnamed lane without swimlanes) x stage columns."""

    stages: tuple[str, ...]
    lanes: tuple[str, ...]
    cells: dict[tuple[str, str], list[BoardCard]] = field(default_factory=dict)

    def cell(self, lane: str, stage: str) -> list[BoardCard]:
        return self.cells.get((lane, stage), [])

    def count(self, stage: str) -> int:
        return sum(len(self.cell(lane, stage)) for lane in self.lanes)


def lay_out(
    cards: Iterable[BoardCard],
    stages: Sequence[str],
    lanes: Lanes = Lanes.NONE,
    board_filter: BoardFilter | None = None,
) -> Layout:
    """Filter, group and order the cards. Stages no column is configured for (a card synced
    from a PC that had another stage name) get a column of their own at the end: never hidden."""
    chosen = [c for c in cards if board_filter is None or board_filter.matches(c)]
    columns = list(stages)
    for extra in sorted({c.stage for c in chosen} - set(columns)):
        columns.append(extra)
    cells: dict[tuple[str, str], list[BoardCard]] = {}
    for card in chosen:
        cells.setdefault((lane_of(card, lanes), card.stage), []).append(card)
    for cell in cells.values():
        cell.sort(key=BoardCard.sort_key)
    lane_names = sorted({lane for lane, _ in cells}, key=_lane_order)
    if lanes is Lanes.NONE or not lane_names:
        lane_names = [""]
    return Layout(tuple(columns), tuple(lane_names), cells)


def lane_of(card: BoardCard, lanes: Lanes) -> str:
    if lanes is Lanes.THEME:
        return card.theme or "No theme"
    if lanes is Lanes.LEAD:
        return card.lead_code or "No lead"
    return ""


def _lane_order(name: str) -> tuple[bool, str]:
    return (name.startswith("No "), name.casefold())


# ------------------------------------------------------------------ order within a column
def position_between(before: float | None, after: float | None) -> float | None:
    """A position between two neighbours (None: no neighbour on that side). None back when the
    neighbours are too close (or equal, after two PCs dropped cards in the same place): the
    caller renumbers the column first."""
    if before is None and after is None:
        return 1.0
    if before is None:
        assert after is not None
        return after - 1.0
    if after is None:
        return before + 1.0
    if after - before < MIN_GAP:
        return None
    return (before + after) / 2


def renumbered(ids_in_order: Sequence[str]) -> dict[str, float]:
    """Evenly spaced positions 1, 2, 3 ... for a column in its current order."""
    return {row_id: float(n) for n, row_id in enumerate(ids_in_order, start=1)}


# ------------------------------------------------------------------ dependencies
def creates_cycle(edges: Iterable[tuple[str, str]], new: tuple[str, str]) -> list[str] | None:
    """The cycle (a path from the new dependency's target back to its source) that adding
    `new` = (objective, depends_on) would close, or None. Edges are (objective, depends_on)."""
    source, target = new
    if source == target:
        return [source, source]
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
    path = _path(graph, target, source)
    return [source, *path] if path else None


def _path(graph: Mapping[str, list[str]], start: str, goal: str) -> list[str]:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen = {start}
    while stack:
        node, path = stack.pop()
        if node == goal:
            return path
        for nxt in graph.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return []


def milestone_warning(title: str, due: date | None, target: date | None) -> str:
    """A warning (not a refusal) when a milestone falls after its objective's target date."""
    if due is None or target is None or due <= target:
        return ""
    return (
        f'milestone "{title}" is due {due:%d %b %Y}, after the objective\'s target date '
        f"({target:%d %b %Y})"
    )
