"""Numbered copies of a pack with restricted items (issue 16, point 3), through the services on
a real SQLite file: numbering and totals across issues, who may issue, the states and their
refusals, finding a copy, and the register."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pack_data import Board, build_board
from sqlalchemy import text

from hescb_desktop.domain.enums import Marking, Part
from hescb_desktop.domain.errors import NotFoundError, ValidationError
from hescb_desktop.domain.permissions import Identity, NotAllowedError, Role
from hescb_desktop.services import boardpacks, copies
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.storage.identity import write_identity

ISSUED_AT = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def board(ctx: ServiceContext) -> Board:
    return build_board(ctx, hostile=False)


def issue(ctx: ServiceContext, board: Board, *names: str, part: Part = Part.PART_II) -> list:  # type: ignore[type-arg]
    return list(copies.issue_copies(ctx.uow(), board.meeting_id, part, names, now=ISSUED_AT).value)


def count_copies(ctx: ServiceContext) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM pack_copies")).scalar_one())


def test_numbering_continues_across_issues_and_each_issue_has_its_own_total(
    ctx: ServiceContext, board: Board
) -> None:
    first = issue(ctx, board, "Alex Chair", "ACC R. Shah", "Sam Officer")
    assert [(c.number, c.of_total) for c in first] == [(1, 3), (2, 3), (3, 3)]
    # a board person's name links the copy to them; another name is kept as typed
    assert first[0].issued_to_id is not None and first[0].issued_to == "Alex Chair"
    assert first[1].issued_to_id is None and first[1].issued_to == "ACC R. Shah"
    second = issue(ctx, board, "DCFO  J.   Byrne", "Ms K. Patel")
    assert [(c.number, c.of_total, c.issued_to) for c in second] == [
        (4, 5, "DCFO J. Byrne"),
        (5, 5, "Ms K. Patel"),
    ]
    rows = copies.register(ctx.uow(write=False), board.meeting_id)
    # the copies already printed keep the total they were issued with
    assert [(r.copy.number, r.copy.of_total) for r in rows] == [
        (1, 3),
        (2, 3),
        (3, 3),
        (4, 5),
        (5, 5),
    ]
    assert rows[1].label == "Copy 2 of 3 – issued to ACC R. Shah"
    assert rows[1].reference == "HESCB/2026-03-12 II #2"
    assert copies.file_name(rows[1]) == "HESCB-2026-03-12-Part-II-copy-02-of-03-ACC-R-Shah.pdf"
    # a destroyed copy's number is never used again
    copies.mark_destroyed(ctx.uow(), rows[4].copy.id)
    assert [c.number for c in issue(ctx, board, "Late Member")] == [6]


def test_a_pack_without_restricted_items_is_refused(ctx: ServiceContext, board: Board) -> None:
    # the Part I pack may hold OFFICIAL only: its sensitive paper went to the Part II pack
    with pytest.raises(ValidationError, match="holds no paper marked OFFICIAL-SENSITIVE"):
        issue(ctx, board, "Alex Chair", part=Part.PART_I)
    assert count_copies(ctx) == 0
    # raised to OFFICIAL-SENSITIVE, it holds the sensitive paper: copies may be issued
    boardpacks.set_pack_options(
        ctx.uow(), board.meeting_id, Part.PART_I, marking=Marking.OFFICIAL_SENSITIVE
    )
    assert [c.part for c in issue(ctx, board, "Alex Chair", part=Part.PART_I)] == [Part.PART_I]
    # numbered per pack: the Part II pack starts at 1 too
    assert [c.number for c in issue(ctx, board, "Alex Chair")] == [1]


def test_a_part_two_pack_with_nothing_in_it_is_refused(ctx: ServiceContext, board: Board) -> None:
    previous = board.previous_id  # a meeting with no Part II item
    with pytest.raises(ValidationError, match="Part II pack of HESCB/2026-01-15 holds no items"):
        copies.issue_copies(ctx.uow(), previous, Part.PART_II, ["Alex Chair"])
    assert count_copies(ctx) == 0


@pytest.mark.parametrize(
    ("names", "words"),
    [
        ((), "name at least one person"),
        (("Alex Chair", "  "), "a name is empty"),
        (("Ms K. Patel", "ms k.  patel"), "named twice"),
        (("Alex Chair", "alex chair"), "named twice"),
        (("X" * 121,), "longer than 120 characters"),
        (("Bell\x07",), "control character"),
    ],
)
def test_bad_recipients_are_refused_and_nothing_is_issued(
    ctx: ServiceContext, board: Board, names: tuple[str, ...], words: str
) -> None:
    with pytest.raises(ValidationError, match=words):
        issue(ctx, board, *names)
    assert count_copies(ctx) == 0


def test_someone_holding_a_copy_gets_no_second_until_it_is_back(
    ctx: ServiceContext, board: Board
) -> None:
    first = issue(ctx, board, "Alex Chair", "ACC R. Shah")
    for name in ("Alex Chair", "acc r. shah"):
        with pytest.raises(ValidationError, match="still holds copy"):
            issue(ctx, board, "New Member", name)
    assert count_copies(ctx) == 2
    copies.mark_returned(ctx.uow(), first[1].id)
    assert [c.number for c in issue(ctx, board, "ACC R. Shah")] == [3]


def test_returned_and_destroyed_states_and_their_refusals(
    ctx: ServiceContext, board: Board
) -> None:
    a, b, c = issue(ctx, board, "Alex Chair", "ACC R. Shah", "Sam Officer")
    back = ISSUED_AT + timedelta(days=8)
    assert copies.mark_returned(ctx.uow(), a.id, back).value.returned_at == back
    with pytest.raises(ValidationError, match="copy 1 was already returned on 13 March 2026"):
        copies.mark_returned(ctx.uow(), a.id)
    # a returned copy may be destroyed, not before it came back
    with pytest.raises(ValidationError, match="cannot have been destroyed before that"):
        copies.mark_destroyed(ctx.uow(), a.id, back - timedelta(days=1))
    copies.mark_destroyed(ctx.uow(), a.id)
    copies.mark_destroyed(ctx.uow(), b.id)
    with pytest.raises(ValidationError, match="copy 2 was already destroyed"):
        copies.mark_destroyed(ctx.uow(), b.id)
    with pytest.raises(ValidationError, match="a destroyed copy cannot be returned"):
        copies.mark_returned(ctx.uow(), b.id)
    with pytest.raises(ValidationError, match="only issued on 5 March 2026"):
        copies.mark_returned(ctx.uow(), c.id, ISSUED_AT - timedelta(days=1))
    with pytest.raises(ValidationError, match="in the future"):
        copies.mark_returned(ctx.uow(), c.id, datetime.now(UTC) + timedelta(days=2))
    states = [(r.copy.number, r.state) for r in copies.register(ctx.uow(write=False))]
    assert states == [(1, "destroyed"), (2, "destroyed"), (3, "issued")]
    row = copies.register(ctx.uow(write=False))[0]
    assert row.copy.returned_at == back and row.copy.destroyed_at is not None


def test_a_copy_is_found_by_its_reference_or_its_id(ctx: ServiceContext, board: Board) -> None:
    issued = issue(ctx, board, "Alex Chair", "ACC R. Shah", "Sam Officer")
    uow = ctx.uow(write=False)
    for text_ in (
        "HESCB/2026-03-12 II #3",
        "hescb/2026-03-12 part II 3",
        "2026-03-12 2 #3",
        "HESCB/2026-03-12 #3",  # one pack of the meeting has copies
        issued[2].id,
        issued[2].id[:30],
    ):
        assert copies.find_copy(uow, text_).id == issued[2].id, text_
    with pytest.raises(NotFoundError, match="no copy 9"):
        copies.find_copy(uow, "HESCB/2026-03-12 II #9")
    with pytest.raises(ValidationError, match="is not a copy"):
        copies.find_copy(uow, "copy three")
    with pytest.raises(ValidationError, match="more than one copy"):
        copies.find_copy(uow, issued[0].id[:8])  # issued in the same moment: a shared prefix
    boardpacks.set_pack_options(
        ctx.uow(), board.meeting_id, Part.PART_I, marking=Marking.OFFICIAL_SENSITIVE
    )
    issue(ctx, board, "Alex Chair", part=Part.PART_I)
    with pytest.raises(ValidationError, match="say which part"):
        copies.find_copy(ctx.uow(write=False), "HESCB/2026-03-12 #1")


def test_the_register_is_marked_like_its_packs_and_lists_every_copy(
    ctx: ServiceContext, board: Board
) -> None:
    issue(ctx, board, "Alex Chair", "ACC R. Shah")
    content = copies.register_content(ctx.uow(write=False))
    assert [p.title for p in content.packs] == ["HESCB/2026-03-12 · Board meeting · Part II pack"]
    (pack,) = content.packs
    assert pack.marking is Marking.OFFICIAL_SENSITIVE
    assert [(c.number, c.issued_to, c.issued, c.state) for c in pack.copies] == [
        (1, "Alex Chair", "5 Mar 2026 09:30", "issued"),
        (2, "ACC R. Shah", "5 Mar 2026 09:30", "issued"),
    ]
    assert copies.register(ctx.uow(write=False), board.previous_id) == ()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OFFICER])
def test_only_the_secretariat_issues_returns_or_destroys_but_anyone_reads(
    ctx: ServiceContext, board: Board, role: Role
) -> None:
    (held,) = issue(ctx, board, "Alex Chair")
    write_identity(ctx.engine, "root-fp", Identity("p1", "Pat", role, "tester"))
    for attempt in (
        lambda: issue(ctx, board, "Someone Else"),
        lambda: copies.mark_returned(ctx.uow(), held.id),
        lambda: copies.mark_destroyed(ctx.uow(), held.id),
    ):
        with pytest.raises(NotAllowedError, match="secretariat"):
            attempt()
    assert [r.state for r in copies.register(ctx.uow(write=False))] == ["issued"]
    assert count_copies(ctx) == 1
