"""Change sets (issue 17, point 2): an operation's and a sync round's say which kinds of record
they changed, so that each page showing one of those kinds reloads once, and no other."""

from __future__ import annotations

from hescb_desktop.domain.permissions import KIND_OF_TABLE, Kind
from hescb_desktop.services import crud
from hescb_desktop.services.context import memory_context
from hescb_desktop.services.entities import ORGANISATIONS
from hescb_desktop.services.operations import as_job
from hescb_desktop.services.results import SYNC_STATE, WHOLE_BOARD, Changes, kinds_of
from hescb_desktop.services.sync import merged_changes
from hescb_desktop.sync.round import SyncReport


def test_a_round_that_merged_actions_and_found_a_conflict() -> None:
    changes = merged_changes(SyncReport(tables={"actions", "action_updates"}, conflicts=1))
    assert {"actions", "action_updates", "conflicts"} <= changes.tables
    assert changes.concerns(frozenset({Kind.ACTION}))
    assert changes.concerns(frozenset({SYNC_STATE}))  # the conflicts page and badge
    assert not changes.concerns(frozenset({Kind.CALENDAR_ITEM, Kind.PLAN}))


def test_a_quiet_round_concerns_only_the_sync_state() -> None:
    changes = merged_changes(SyncReport())
    assert changes.kinds == {SYNC_STATE}  # the findings it judged: the Security tab
    assert "sync_notices" not in changes.tables
    healed = merged_changes(SyncReport(healed=["republished 3 segments"]))
    assert "sync_notices" in healed.tables


def test_the_whole_board_names_every_kind() -> None:
    assert WHOLE_BOARD.kinds == {*Kind, SYNC_STATE} - _kinds_without_tables()
    assert kinds_of(["no_such_table"]) == {SYNC_STATE}


def _kinds_without_tables() -> set[str]:
    return set(Kind) - set(KIND_OF_TABLE.values())


def test_a_service_call_with_units_of_work_of_its_own_reports_what_they_committed() -> None:
    ctx = memory_context()

    def two(ctx_: object) -> int:
        crud.create(ctx.uow(), ORGANISATIONS, {"code": "HC", "name": "Constabulary"})
        crud.create(ctx.uow(), ORGANISATIONS, {"code": "HF", "name": "Fire"})
        return 2

    result = as_job(two)(ctx, lambda _p, _t: None)
    assert result.value == 2 and result.changes.tables == {"organisations"}
    assert result.changes.tx is None  # two transactions: not one edit to undo
    one = as_job(lambda c: crud.create(c.uow(), ORGANISATIONS, {"code": "X", "name": "X"}))
    made = one(ctx, lambda _p, _t: None)
    assert made.changes.tables == {"organisations"} and made.changes.tx is not None
    nothing = as_job(lambda c: 0)(ctx, lambda _p, _t: None)
    assert nothing.changes == Changes()
    board = as_job(lambda c: 0, whole_board=True)(ctx, lambda _p, _t: None)
    assert board.changes == WHOLE_BOARD
