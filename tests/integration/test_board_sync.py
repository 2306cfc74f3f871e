"""Two PCs move cards offline and sync: the order is sensible and the same on both."""

from __future__ import annotations

from datetime import date

from sync_office import Office

from hescb_desktop.services import board, crud
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import OBJECTIVES

TODAY = date(2026, 11, 25)


def _column(ctx: ServiceContext, stage: str) -> list[str]:
    cards = board.load_board(ctx.uow(write=False), TODAY).cards
    return [c.title for c in sorted(cards, key=lambda c: c.sort_key()) if c.stage == stage]


def _ids(ctx: ServiceContext) -> dict[str, str]:
    return {o.title: o.id for o in crud.list_all(ctx.uow(write=False), OBJECTIVES)}


def _shared_board(office: Office) -> dict[str, str]:
    a = office.pc("a")
    for n, title in enumerate(("P", "Q", "R"), start=1):
        crud.create(a.uow(), OBJECTIVES, {"title": title, "stage": "Scoping", "position": n})
    for title in ("X", "Y"):
        crud.create(a.uow(), OBJECTIVES, {"title": title, "stage": "Proposed"})
    office.pc("b")
    office.settle()
    return _ids(a)


def test_two_pcs_drop_cards_in_the_same_gap(office: Office) -> None:
    ids = _shared_board(office)
    a, b = office.pc("a"), office.pc("b")
    board.move_card(a.uow(), ids["X"], "Scoping", after_id=ids["P"], before_id=ids["Q"])
    board.move_card(b.uow(), ids["Y"], "Scoping", after_id=ids["P"], before_id=ids["Q"])
    office.settle()
    on_a, on_b = _column(a, "Scoping"), _column(b, "Scoping")
    assert on_a == on_b  # the same order on both PCs
    assert on_a[0] == "P" and on_a[3:] == ["Q", "R"] and set(on_a[1:3]) == {"X", "Y"}
    # the tie is resolvable: a later drop between X and Y lands between them on both PCs
    first, second = on_a[1], on_a[2]
    board.move_card(a.uow(), ids["R"], "Scoping", after_id=ids[first], before_id=ids[second])
    office.settle()
    assert _column(a, "Scoping") == _column(b, "Scoping") == ["P", first, "R", second, "Q"]


def test_same_card_moved_on_both_pcs_ends_wholly_in_one_place(office: Office) -> None:
    ids = _shared_board(office)
    a, b = office.pc("a"), office.pc("b")
    board.move_card(a.uow(), ids["X"], "Closed")
    board.move_card(b.uow(), ids["X"], "Scoping", after_id=ids["P"], before_id=ids["Q"])  # later
    office.settle()
    got_a = crud.get(a.uow(write=False), OBJECTIVES, ids["X"])
    got_b = crud.get(b.uow(write=False), OBJECTIVES, ids["X"])
    assert (got_a.stage, got_a.position) == (got_b.stage, got_b.position) == ("Scoping", 1.5)
    assert _column(a, "Scoping") == _column(b, "Scoping") == ["P", "X", "Q", "R"]
    assert _column(a, "Closed") == _column(b, "Closed") == []


def test_reorders_in_different_columns_both_kept(office: Office) -> None:
    ids = _shared_board(office)
    a, b = office.pc("a"), office.pc("b")
    board.move_card(a.uow(), ids["R"], "Scoping", before_id=ids["P"])
    board.move_card(b.uow(), ids["Y"], "Proposed", before_id=ids["X"])
    office.settle()
    for pc in (a, b):
        assert _column(pc, "Scoping") == ["R", "P", "Q"]
        assert _column(pc, "Proposed") == ["Y", "X"]


def test_stage_renamed_on_one_pc_while_other_moves_a_card_into_it(office: Office) -> None:
    ids = _shared_board(office)
    a, b = office.pc("a"), office.pc("b")
    scoping = next(s.id for s in board.list_stages(a.uow(write=False)) if s.name == "Scoping")
    board.rename_stage(a.uow(), scoping, "Options appraisal")
    board.move_card(b.uow(), ids["X"], "Scoping", before_id=ids["P"])
    office.settle()
    for pc in (a, b):
        names = [s.name for s in board.list_stages(pc.uow(write=False))]
        assert "Options appraisal" in names and "Scoping" not in names
        # the card moved offline kept its old stage name: still on the board, never lost
        assert _column(pc, "Scoping") == ["X"]
        assert _column(pc, "Options appraisal") == ["P", "Q", "R"]
