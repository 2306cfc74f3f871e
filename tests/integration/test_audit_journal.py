"""The audit that holds (issue 15, point 6): the tables against the change log replayed with the
merge's rule, and the change log against its signed ranges. Real SQLite files, edited behind the
app's back with the sqlite3 module as an intruder would."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from audit_helpers import raw as _raw
from audit_helpers import sign_own_range as _sign_own_range
from sync_office import Office, content
from test_sync_hostile import drop_segment, forged, objective

from hescb_desktop.services import actions, audit, crud
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.storage.base import new_id
from hescb_desktop.storage.replay import disagreements


def _action(ctx: ServiceContext, description: str = "Agree the estates plan") -> str:
    made = actions.raise_action(ctx.uow(), {"description": description, "raised_on": date.today()})
    return str(made.value.id)


def _lines(ctx: ServiceContext) -> list[str]:
    return [d.line() for d in disagreements(ctx.engine)]


# ---------------------------------------------------------------------- the tables
def test_a_board_used_through_the_app_agrees_with_its_change_log(data_dir: Path) -> None:
    ctx = open_context(data_dir)
    try:
        row = _action(ctx)
        crud.update(ctx.uow(), E.ACTIONS, row, {"description": "Agree the plan", "due_date": None})
        crud.delete(ctx.uow(), E.ACTIONS, row)
        crud.create(ctx.uow(), E.PEOPLE, {"name": "Sam Smith"})
        assert _lines(ctx) == []
    finally:
        ctx.close()


def test_a_title_edited_in_the_file_is_named_by_table_row_and_field(data_dir: Path) -> None:
    ctx = open_context(data_dir)
    try:
        row = _action(ctx)
        _raw(ctx, "UPDATE actions SET description = 'Forged' WHERE id = ?", row)
        assert _lines(ctx) == [
            f'actions row {row}, field description: the table holds "Forged" but the change '
            'log says "Agree the estates plan"'
        ]
    finally:
        ctx.close()


def test_a_deletion_undone_in_the_file_is_found(data_dir: Path) -> None:
    ctx = open_context(data_dir)
    try:
        row = _action(ctx)
        crud.delete(ctx.uow(), E.ACTIONS, row)
        _raw(ctx, "UPDATE actions SET deleted = 0 WHERE id = ?", row)
        assert _lines(ctx) == [
            f"actions row {row}, field deleted: the table holds false but the change log says true"
        ]
    finally:
        ctx.close()


def test_rows_added_or_removed_in_the_file_are_found(data_dir: Path) -> None:
    ctx = open_context(data_dir)
    try:
        row = _action(ctx)
        forged_id = new_id()
        _raw(ctx, "INSERT INTO people (id, name, role, email, deleted) VALUES (?, 'X', '', '', 0)",
             forged_id)  # fmt: skip
        _raw(ctx, "DELETE FROM actions WHERE id = ?", row)
        assert sorted(_lines(ctx)) == [
            f"actions row {row} is in the change log but missing from the table",
            f"people row {forged_id} is in the table but the change log never created it",
        ]
    finally:
        ctx.close()


def test_a_value_set_where_the_log_has_none_is_found(data_dir: Path) -> None:
    ctx = open_context(data_dir)
    try:
        row = _action(ctx)
        _raw(ctx, "UPDATE actions SET completed_on = '2026-01-02' WHERE id = ?", row)
        assert _lines(ctx) == [
            f'actions row {row}, field completed_on: the table holds "2026-01-02" but the '
            "change log says no value"
        ]
    finally:
        ctx.close()


def test_merged_boards_agree_with_their_change_logs_after_conflicts_and_held_rows(
    office: Office,
) -> None:
    """Concurrent edits, an edit against a deletion, a row held back for a marking this app does
    not know, a field group: every PC's tables are what its change log says."""
    a, b = office.pc("a"), office.pc("b")
    row = _action(a)
    event = crud.create(
        a.uow(),
        E.EVENTS,
        {"summary": "Gold", "start_utc": "2026-03-02T10:00:00Z", "end_utc": "2026-03-02T11:00:00Z"},
    ).value.id
    office.settle()
    crud.update(a.uow(), E.ACTIONS, row, {"description": "a's words"})
    crud.update(b.uow(), E.ACTIONS, row, {"description": "b's words", "due_date": "2026-05-01"})
    crud.update(b.uow(), E.EVENTS, event, {"end_utc": "2026-03-02T12:00:00Z"})
    crud.delete(a.uow(), E.EVENTS, event)
    newer = new_id()
    recs = forged(office.root, newer, 1, objective("Operation Nightjar"))
    recs = [r._replace(value='"SECRET"') if r.col == "marking" else r for r in recs]
    # and a status this app does not know for the action, and a column it does not know
    last = recs[-1]
    recs += [
        last._replace(seq=last.seq + 1, tx=last.seq + 1, hlc=last.hlc + 9, table="actions",
                      row=row, col="status", value='"escalated"', prev_hlc=None),
        last._replace(seq=last.seq + 2, tx=last.seq + 1, hlc=last.hlc + 9, table="actions",
                      row=row, col="escalated_to", value='"Home Office"', prev_hlc=None),
    ]  # fmt: skip
    drop_segment(office, newer, recs)
    office.settle()
    assert content(a) == content(b)
    assert crud.get(a.uow(write=False), E.ACTIONS, row).status.value == "open"  # kept as it was
    kept = "SELECT count(*) FROM change_log WHERE value IN ('\"escalated\"', '\"Home Office\"')"
    assert office.rows("a", kept) == [(2,)] and office.rows("b", kept) == [(2,)]
    assert _lines(a) == [] and _lines(b) == []


# ---------------------------------------------------------------------- the signed ranges
def test_a_change_and_its_row_both_rewritten_after_signing_are_found(data_dir: Path) -> None:
    ctx = open_context(data_dir)
    try:
        row = _action(ctx)
        first, last = _sign_own_range(ctx)
        assert audit.range_problems(ctx.engine) == []
        trail = audit.audit_trail(ctx.engine, *audit.day_bounds(_today(), _today()))
        assert {e.verified for e in trail} == {"verified"}
        # the intruder makes the Chief Constable the author, in the table and in its log
        _raw(ctx, "UPDATE actions SET created_by = 'Chief Constable', updated_by ="
             " 'Chief Constable' WHERE id = ?", row)  # fmt: skip
        _raw(ctx, "UPDATE change_log SET user = 'Chief Constable', value = '\"Chief Constable\"'"
             " WHERE row_id = ? AND column_name IN ('created_by', 'updated_by')", row)  # fmt: skip
        _raw(ctx, "UPDATE change_log SET user = 'Chief Constable' WHERE row_id = ?", row)
        assert _lines(ctx) == []  # the tables agree with the rewritten log...
        problems = audit.range_problems(ctx.engine)  # ...which no longer matches its signature
        assert [p.line() for p in problems] == [
            f"change log of PC {ctx.device_id.replace('-', '')[-8:]}, changes {first}-{last}: "
            "the change log was rewritten after signing (its digest does not match)"
        ]
        trail = audit.audit_trail(ctx.engine, *audit.day_bounds(_today(), _today()))
        assert {e.verified for e in trail} == {"FAILED"}
    finally:
        ctx.close()


def test_a_signed_change_removed_from_the_log_is_found(data_dir: Path) -> None:
    ctx = open_context(data_dir)
    try:
        _action(ctx)
        first, last = _sign_own_range(ctx)
        _raw(ctx, "DELETE FROM change_log WHERE device_id = ? AND seq = ?", ctx.device_id, last)
        (problem,) = audit.range_problems(ctx.engine)
        assert problem.reason == f"1 of its {last - first + 1} changes are missing from the log"
    finally:
        ctx.close()


def test_changes_not_yet_sent_are_unpublished_and_later_ones_not_signed(data_dir: Path) -> None:
    ctx = open_context(data_dir)
    try:
        _action(ctx)
        trail = audit.audit_trail(ctx.engine, *audit.day_bounds(_today(), _today()))
        assert trail and {e.verified for e in trail} == {"unpublished"}
        _raw(ctx, "UPDATE change_log SET published = 1")
        trail = audit.audit_trail(ctx.engine, *audit.day_bounds(_today(), _today()))
        assert {e.verified for e in trail} == {"not signed"}
    finally:
        ctx.close()


def _today() -> date:
    return datetime.now(UTC).date()
