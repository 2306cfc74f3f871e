"""The board's outputs: what the roadmap and the board PDF show (services.documents.board
makes the PDF)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from hescb_desktop.domain.board import BoardCard, BoardFilter
from hescb_desktop.domain.dto import MilestoneDTO, ObjectiveDependencyDTO
from hescb_desktop.domain.roadmap import BoardPrint, Roadmap, build_roadmap
from hescb_desktop.services import board, planning
from hescb_desktop.storage.uow import UnitOfWork


@dataclass(frozen=True)
class RoadmapLinks:
    """What a roadmap draws besides the cards: milestones and dependencies (read once, so a
    filter change re-lays the roadmap without the database)."""

    milestones: tuple[MilestoneDTO, ...]
    dependencies: tuple[ObjectiveDependencyDTO, ...]


def roadmap_links(uow: UnitOfWork) -> RoadmapLinks:
    milestones = planning.all_milestones(uow)
    return RoadmapLinks(milestones, planning.all_dependencies(uow))  # the uow opens again


def roadmap_from(
    cards: Iterable[BoardCard], links: RoadmapLinks, stage_order: Sequence[str], today: date
) -> Roadmap:
    return build_roadmap(cards, links.milestones, links.dependencies, today, stage_order)


def roadmap_of(
    uow: UnitOfWork, cards: Iterable[BoardCard], stage_order: Sequence[str], today: date
) -> Roadmap:
    """The roadmap of these cards, with their milestones and the dependencies between them."""
    milestones = planning.all_milestones(uow)
    dependencies = planning.all_dependencies(uow)  # the unit of work opens again: read-only
    return build_roadmap(cards, milestones, dependencies, today, stage_order)


def print_data(
    uow: UnitOfWork, today: date, board_filter: BoardFilter | None = None, *, note: str = ""
) -> BoardPrint:
    """The board (the cards the filter keeps) and its roadmap, ready to print."""
    loaded = board.load_board(uow, today)
    columns = list(loaded.stage_names)
    cards = tuple(c for c in loaded.cards if board_filter is None or board_filter.matches(c))
    columns += sorted({c.stage for c in cards} - set(columns))
    roadmap = roadmap_of(uow, cards, columns, today)
    return BoardPrint(tuple(columns), cards, roadmap, today, note)
