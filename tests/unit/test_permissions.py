"""The rules table (issue 15, point 2), cell by cell: what each role may do to each kind of
record, by relation. The officer's grants are written out here as a literal list, apart from the
table in domain/permissions.py, so a change to either is caught."""

from __future__ import annotations

import itertools

import pytest

from hescb_desktop.domain.permissions import (
    FIELD_OPERATIONS,
    KIND_OF_TABLE,
    OWNER_COLUMNS,
    PARENT_OF,
    Kind,
    Operation,
    Relation,
    Role,
    allowed,
    explain,
    operation_of,
    owners_of,
)
from hescb_desktop.storage.synced_columns import SYNCED_COLUMNS

Op, K, R = Operation, Kind, Relation
OFFICER_MAY = {
    (Op.CREATE, K.CALENDAR_ITEM, R.OWN),
    (Op.CREATE, K.CALENDAR_ITEM, R.PRINCIPAL),
    (Op.EDIT, K.CALENDAR_ITEM, R.OWN),
    (Op.EDIT, K.CALENDAR_ITEM, R.PRINCIPAL),
    (Op.DELETE, K.CALENDAR_ITEM, R.OWN),
    (Op.DELETE, K.CALENDAR_ITEM, R.PRINCIPAL),
    (Op.MARK, K.CALENDAR_ITEM, R.OWN),
    (Op.MARK, K.CALENDAR_ITEM, R.PRINCIPAL),
    (Op.PROGRESS, K.ACTION, R.OWN),
    (Op.PROGRESS, K.ACTION, R.PRINCIPAL),
    (Op.CREATE, K.ACTION_UPDATE, R.OWN),
    (Op.CREATE, K.ACTION_UPDATE, R.PRINCIPAL),
    (Op.EDIT, K.ACTION_UPDATE, R.OWN),
    (Op.EDIT, K.ACTION_UPDATE, R.PRINCIPAL),
    (Op.CREATE, K.PAPER, R.OWN),
    (Op.CREATE, K.PAPER, R.PRINCIPAL),
    (Op.EDIT, K.PAPER, R.OWN),
    (Op.EDIT, K.PAPER, R.PRINCIPAL),
    (Op.DELETE, K.PAPER, R.OWN),
    (Op.DELETE, K.PAPER, R.PRINCIPAL),
    (Op.MARK, K.PAPER, R.OWN),
    (Op.MARK, K.PAPER, R.PRINCIPAL),
    (Op.CREATE, K.AGENDA_ITEM, R.OWN),
    (Op.CREATE, K.AGENDA_ITEM, R.PRINCIPAL),
    (Op.EDIT, K.AGENDA_ITEM, R.OWN),
    (Op.EDIT, K.AGENDA_ITEM, R.PRINCIPAL),
    (Op.DELETE, K.AGENDA_ITEM, R.OWN),
    (Op.DELETE, K.AGENDA_ITEM, R.PRINCIPAL),
    # issue 16: restricting their own records
    (Op.CREATE, K.RESTRICTION, R.OWN),
    (Op.CREATE, K.RESTRICTION, R.PRINCIPAL),
    (Op.EDIT, K.RESTRICTION, R.OWN),
    (Op.EDIT, K.RESTRICTION, R.PRINCIPAL),
    (Op.DELETE, K.RESTRICTION, R.OWN),
    (Op.DELETE, K.RESTRICTION, R.PRINCIPAL),
}
# issue 16: any enrolled PC publishes its sealing key and seals keys to readers' PCs
ANYONE_MAY = {(Op.CREATE, K.KEY, relation) for relation in Relation}
CELLS = list(itertools.product(Role, Operation, Kind, Relation))


@pytest.mark.parametrize(("role", "operation", "kind", "relation"), CELLS)
def test_every_cell(role: Role, operation: Operation, kind: Kind, relation: Relation) -> None:
    expected = {
        Role.SECRETARIAT: True,
        Role.OFFICER: (operation, kind, relation) in OFFICER_MAY | ANYONE_MAY,
        Role.VIEWER: (operation, kind, relation) in ANYONE_MAY,
    }[role]
    assert allowed(role, operation, kind, relation) is expected
    reason = explain(role, operation, kind, relation)
    assert (reason == "") is expected
    if not expected:
        assert "secretariat" in reason  # who to ask, or who may


def test_the_table_has_every_cell_of_every_vocabulary() -> None:
    assert len(CELLS) == 3 * len(Operation) * len(Kind) * len(Relation)
    officer = sum(allowed(*cell) for cell in CELLS if cell[0] is Role.OFFICER)
    assert officer == len(OFFICER_MAY | ANYONE_MAY)


def test_refusals_say_why_in_words() -> None:
    assert explain(Role.VIEWER, Op.EDIT, K.MINUTE, R.OWN) == (
        "a viewer reads only: ask the secretariat"
    )
    assert explain(Role.OFFICER, Op.APPROVE, K.MINUTE, R.OWN) == (
        "only the secretariat may approve minutes"
    )
    assert explain(Role.OFFICER, Op.CREATE, K.ACTION, R.OWN) == (
        "only the secretariat may create actions"
    )
    assert explain(Role.OFFICER, Op.ADMINISTER, K.DIRECTORY, R.OWN) == (
        "only the secretariat may administer directory entries"
    )
    assert explain(Role.OFFICER, Op.PROGRESS, K.ACTION, R.OTHER) == (
        "an officer records progress only on actions that they or their principal own:"
        " ask the secretariat"
    )
    assert explain(Role.OFFICER, Op.EDIT, K.CALENDAR_ITEM, R.OTHER).startswith(
        "an officer changes only calendar items that they or their principal own"
    )


def test_every_synced_table_is_one_kind_of_record() -> None:
    """A table added to the sync without a kind would fall outside every rule."""
    assert set(KIND_OF_TABLE) == set(SYNCED_COLUMNS)


# ------------------------------------------------------------------ the merge's classification
COMMON = {"created_at", "created_by", "updated_at", "updated_by", "deleted", "deleted_at"}
COMMON |= {"deleted_by"}
# every field change that is not a plain EDIT, written out apart from FIELD_OPERATIONS
NOT_EDIT = {
    ("actions", "status"): Op.PROGRESS,
    ("actions", "latest_update"): Op.PROGRESS,
    ("actions", "completed_on"): Op.PROGRESS,
    ("actions", "revised_due_date"): Op.PROGRESS,
    ("actions", "revision_reason"): Op.PROGRESS,
    ("actions", "updated_at"): Op.PROGRESS,
    ("actions", "updated_by"): Op.PROGRESS,
    ("actions", "created_at"): Op.PROGRESS,
    ("actions", "created_by"): Op.PROGRESS,
    ("minutes", "status"): Op.APPROVE,
    ("minutes", "approved_on"): Op.APPROVE,
    ("minutes", "reopen_reason"): Op.APPROVE,
    ("papers", "pack_issue"): Op.PUBLISH,
    ("board_packs", "status"): Op.PUBLISH,
    ("board_packs", "published_at"): Op.PUBLISH,
    ("board_packs", "published_by"): Op.PUBLISH,
    ("board_packs", "supplements"): Op.PUBLISH,
    ("board_packs", "distribution"): Op.PUBLISH,
}
ADMINISTERED = {"people", "organisations", "resources", "board_stages"}
FIELDS = sorted((t, c) for t, cols in SYNCED_COLUMNS.items() for c in cols)


def expected_operation(table: str, column: str) -> Operation:
    if column in {"deleted", "deleted_at", "deleted_by"}:
        return Op.DELETE
    if column == "marking":
        return Op.MARK
    if table in ADMINISTERED:
        return Op.ADMINISTER
    return NOT_EDIT.get((table, column), Op.EDIT)


@pytest.mark.parametrize(("table", "column"), FIELDS)
def test_every_synced_field_is_one_operation(table: str, column: str) -> None:
    assert operation_of(table, column, exists=False) is Op.CREATE
    assert operation_of(table, column, exists=True) is expected_operation(table, column)


def test_every_synced_column_has_a_decision() -> None:
    """A synced column added without deciding what changing it is fails here: FIELD_OPERATIONS
    must name every column of every synced table (beyond the bookkeeping every table has)."""
    decided = {t: set(cols) | COMMON | {"marking"} for t, cols in FIELD_OPERATIONS.items()}
    assert set(FIELD_OPERATIONS) == set(SYNCED_COLUMNS)
    for table, columns in SYNCED_COLUMNS.items():
        assert columns <= decided[table], (table, columns - decided[table])
        assert set(FIELD_OPERATIONS[table]) <= columns, table


def test_a_column_this_version_does_not_know_is_an_edit() -> None:
    assert operation_of("events", "colour_of_the_future", exists=True) is Op.EDIT
    assert operation_of("actions", "colour_of_the_future", exists=True) is Op.EDIT


def test_every_synced_table_says_who_owns_its_rows() -> None:
    assert set(OWNER_COLUMNS) == set(SYNCED_COLUMNS)
    for table, columns in OWNER_COLUMNS.items():
        assert set(columns) <= SYNCED_COLUMNS[table], table
    for child, (column, parent) in PARENT_OF.items():
        assert column in SYNCED_COLUMNS[child]
        assert parent in SYNCED_COLUMNS
    assert OWNER_COLUMNS["actions"] == ("owner_id",)
    assert OWNER_COLUMNS["events"] == ("owner_id",)
    assert OWNER_COLUMNS["papers"] == ("created_by",)
    assert PARENT_OF["action_updates"] == ("action_id", "actions")
    assert PARENT_OF["event_attendees"] == ("event_id", "events")


ROWS = {
    ("actions", "a1"): {"owner_id": "p-cfo"},
    ("events", "e1"): {"owner_id": None},
    ("events", "e2"): {"owner_id": "p-cfo"},
    ("events", "e3"): {"owner_id": None, "master_id": "e2"},
    ("papers", "pa1"): {"created_by": "p-officer"},
}


def _parent(table: str, row_id: str) -> dict[str, str | None] | None:
    return ROWS.get((table, row_id))


def test_owners_of_a_row_and_of_a_child_through_its_parent() -> None:
    assert owners_of("actions", ROWS["actions", "a1"], _parent) == {"p-cfo"}
    assert owners_of("action_updates", {"action_id": "a1"}, _parent) == {"p-cfo"}
    assert owners_of("attachments", {"paper_id": "pa1"}, _parent) == {"p-officer"}
    assert owners_of("agenda_items", {"presenter_id": "p1", "created_by": "p2"}, _parent) == {
        "p1",
        "p2",
    }
    # nobody's: no owner, a parent not (yet) here, a table with no owner
    assert owners_of("event_attendees", {"event_id": "e1"}, _parent) == frozenset()
    assert owners_of("action_updates", {"action_id": "gone"}, _parent) == frozenset()
    assert owners_of("minutes", {"created_by": "p1"}, _parent) == frozenset()
    # an exception of a series is its own owner's and the series owner's
    assert owners_of("events", {"owner_id": None, "master_id": "e2"}, _parent) == {"p-cfo"}
    assert owners_of("event_attendees", {"event_id": "e3"}, _parent) == {"p-cfo"}


def test_a_forged_loop_of_parents_ends() -> None:
    loop = {("events", "x"): {"master_id": "y", "owner_id": "p1"}}
    loop["events", "y"] = {"master_id": "x", "owner_id": "p2"}
    owners = owners_of("events", loop["events", "x"], lambda t, i: loop.get((t, i)))
    assert owners == {"p1", "p2"}
