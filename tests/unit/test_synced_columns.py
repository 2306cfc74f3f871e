"""The allow-list of what sync may write cannot drift from the models (issue 13)."""

from __future__ import annotations

from sqlalchemy import inspect

from hescb_desktop.storage import models  # noqa: F401  (registers every synced model)
from hescb_desktop.storage.base import Base, Marked, Synced
from hescb_desktop.storage.synced_columns import (
    LOCAL_ONLY_TABLES,
    MARKED_RECORD_NAMES,
    MARKED_TABLES,
    SYNCED_COLUMNS,
    never_syncs,
)


def _synced_models() -> dict[str, type]:
    return {
        m.local_table.name: m.class_ for m in Base.registry.mappers if issubclass(m.class_, Synced)
    }


def test_the_allow_list_is_exactly_the_synced_models_columns_but_id() -> None:
    expected = {
        name: frozenset(a.key for a in inspect(cls).column_attrs) - {"id"}
        for name, cls in _synced_models().items()
    }
    assert expected == SYNCED_COLUMNS


def test_no_local_table_is_mergeable_and_every_other_table_is_synced() -> None:
    assert not LOCAL_ONLY_TABLES & SYNCED_COLUMNS.keys()
    assert all(never_syncs(t) for t in LOCAL_ONLY_TABLES)
    assert never_syncs("sqlite_master") and never_syncs("sqlite_sequence")
    # every table the app has is either synced or this PC's own (alembic's is not a model)
    assert set(Base.metadata.tables) == SYNCED_COLUMNS.keys() | (
        LOCAL_ONLY_TABLES - {"alembic_version"}
    )


def test_the_marked_tables_are_the_marked_models_and_each_has_a_name() -> None:
    marked = {n for n, cls in _synced_models().items() if issubclass(cls, Marked)}
    assert marked == MARKED_TABLES
    assert MARKED_RECORD_NAMES.keys() == MARKED_TABLES
