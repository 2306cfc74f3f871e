"""The roadmap with no drawing: financial-year quarters on a time axis, one row per objective
(its bar from start to target, its milestones), and the dependency links between rows. The
screen (ui/board/roadmap_view.py) and the PDF (reports/board_print.py) both draw from this."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from hescb_desktop.domain.board import BoardCard
from hescb_desktop.domain.dto import MilestoneDTO, ObjectiveDependencyDTO
from hescb_desktop.domain.enums import Marking
from hescb_desktop.domain.rules import highest_marking


@dataclass(frozen=True)
class Quarter:
    start: date
    end: date  # the first day of the next quarter

    @property
    def label(self) -> str:
        """UK public-sector financial year: Q1 is April to June; "Q1 26/27"."""
        fy = self.start.year if self.start.month >= 4 else self.start.year - 1
        q = ((self.start.month - 4) % 12) // 3 + 1
        return f"Q{q} {fy % 100:02d}/{(fy + 1) % 100:02d}"


@dataclass(frozen=True)
class RoadmapRow:
    card: BoardCard
    start: date
    end: date
    milestones: tuple[MilestoneDTO, ...]


@dataclass(frozen=True)
class Roadmap:
    quarters: tuple[Quarter, ...]
    rows: tuple[RoadmapRow, ...]
    links: tuple[tuple[int, int], ...]  # (row it depends on, dependent row)
    today: date

    @property
    def start(self) -> date:
        return self.quarters[0].start

    @property
    def end(self) -> date:
        return self.quarters[-1].end

    def fraction(self, day: date) -> float:
        """Where `day` falls across the axis, 0 to 1."""
        span = (self.end - self.start).days or 1
        return min(1.0, max(0.0, (day - self.start).days / span))


def quarter_start(day: date) -> date:
    month = ((day.month - 1) // 3) * 3 + 1
    return date(day.year, month, 1)


def next_quarter(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month >= 10 else date(day.year, day.month + 3, 1)


def build_roadmap(
    cards: Iterable[BoardCard],
    milestones: Iterable[MilestoneDTO],
    dependencies: Iterable[ObjectiveDependencyDTO],
    today: date,
    stage_order: Sequence[str] = (),
) -> Roadmap:
    """Rows for cards with a start or a target date, in stage order then start date."""
    by_objective: dict[str, list[MilestoneDTO]] = {}
    for m in milestones:
        by_objective.setdefault(m.objective_id, []).append(m)
    order = {s: n for n, s in enumerate(stage_order)}
    rows = []
    for card in cards:
        if card.start_date is None and card.target_date is None:
            continue
        start = card.start_date or card.target_date or today
        end = card.target_date or start + timedelta(days=90)
        ms = tuple(
            sorted(
                (m for m in by_objective.get(card.id, []) if m.due_date),
                key=lambda m: (m.due_date, m.id),
            )
        )
        rows.append(RoadmapRow(card, start, max(end, start), ms))
    rows.sort(key=lambda r: (order.get(r.card.stage, len(order)), r.start, r.card.title))
    index = {r.card.id: n for n, r in enumerate(rows)}
    links = tuple(
        (index[d.depends_on_id], index[d.objective_id])
        for d in dependencies
        if d.depends_on_id in index and d.objective_id in index
    )
    return Roadmap(_quarters(rows, today), tuple(rows), links, today)


def _quarters(rows: Sequence[RoadmapRow], today: date) -> tuple[Quarter, ...]:
    days = [today] + [r.start for r in rows] + [r.end for r in rows]
    days += [m.due_date for r in rows for m in r.milestones if m.due_date]
    first, last = quarter_start(min(days)), max(days)
    out = []
    q = first
    while q <= last:
        out.append(Quarter(q, next_quarter(q)))
        q = next_quarter(q)
    return tuple(out)


@dataclass(frozen=True)
class BoardPrint:
    """Everything the board and roadmap PDF shows (reports take this, never the database)."""

    stages: tuple[str, ...]
    cards: tuple[BoardCard, ...]
    roadmap: Roadmap
    today: date
    note: str = ""  # e.g. which filters were on

    @property
    def marking(self) -> Marking:
        """The highest marking of anything printed."""
        return highest_marking(c.marking for c in self.cards)
