"""The rules table (issue 15, point 2), cell by cell: what each role may do to each kind of
record, by relation. The officer's grants are written out here as a literal list, apart from the
table in domain/permissions.py, so a change to either is caught."""

from __future__ import annotations

import itertools

import pytest

from hescb_desktop.domain.permissions import (
    KIND_OF_TABLE,
    Kind,
    Operation,
    Relation,
    Role,
    allowed,
    explain,
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
}
CELLS = list(itertools.product(Role, Operation, Kind, Relation))


@pytest.mark.parametrize(("role", "operation", "kind", "relation"), CELLS)
def test_every_cell(role: Role, operation: Operation, kind: Kind, relation: Relation) -> None:
    expected = {
        Role.SECRETARIAT: True,
        Role.OFFICER: (operation, kind, relation) in OFFICER_MAY,
        Role.VIEWER: False,
    }[role]
    assert allowed(role, operation, kind, relation) is expected
    reason = explain(role, operation, kind, relation)
    assert (reason == "") is expected
    if not expected:
        assert "secretariat" in reason  # who to ask, or who may


def test_the_table_has_every_cell_of_every_vocabulary() -> None:
    assert len(CELLS) == 3 * len(Operation) * len(Kind) * len(Relation)
    assert sum(allowed(*cell) for cell in CELLS if cell[0] is Role.OFFICER) == len(OFFICER_MAY)


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
