"""The database file: migrations, pragmas, device identity, refusing files it must not touch."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from damage import break_page, rot_text
from schema_history import downgrade
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import open_context
from hescb_desktop.storage.base import Base, Synced
from hescb_desktop.storage.database import head_revision, open_database
from hescb_desktop.storage.engine import DamagedDatabaseError, DatabaseError, make_engine


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_upgrade_to_head_on_empty_db_equals_the_models(tmp_path: Path) -> None:
    engine = open_database(tmp_path / "db.sqlite")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    engine.dispose()


def test_every_synced_table_has_uuid_key_and_tombstone(tmp_path: Path) -> None:
    engine = open_database(tmp_path / "db.sqlite")
    insp = inspect(engine)
    for mapper in Base.registry.mappers:
        if not issubclass(mapper.class_, Synced):
            continue
        cols = {c["name"]: c for c in insp.get_columns(mapper.local_table.name)}
        assert str(cols["id"]["type"]) == "VARCHAR(36)", mapper.local_table.name
        assert cols["id"].get("autoincrement") is not True
        for name in ("deleted", "created_at", "created_by", "updated_at", "updated_by"):
            assert name in cols, (mapper.local_table.name, name)
    engine.dispose()


def test_dtos_match_the_models_field_for_field() -> None:
    for spec in E.ALL:
        columns = {a.key for a in inspect(spec.model).column_attrs}
        fields = {f.name for f in dataclasses.fields(spec.dto)}
        assert fields == columns, spec.table
    assert {s.table for s in E.ALL} == {
        m.local_table.name for m in Base.registry.mappers if issubclass(m.class_, Synced)
    }


def test_marking_check_constraint_refuses_secret_even_in_raw_sql(tmp_path: Path) -> None:
    ctx = open_context(tmp_path)
    obj = crud.create(ctx.uow(), E.OBJECTIVES, {"title": "Drone unit"}).value
    with pytest.raises(IntegrityError), ctx.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE objectives SET marking='SECRET' WHERE id=?", (obj.id,))
    assert crud.get(ctx.uow(write=False), E.OBJECTIVES, obj.id).marking.value == "OFFICIAL"
    ctx.close()


def test_device_id_is_replaced_when_the_database_is_copied(tmp_path: Path) -> None:
    original = open_context(tmp_path / "pc1")
    crud.create(original.uow(), E.PEOPLE, {"name": "A"})
    original.close()
    (tmp_path / "pc2").mkdir()
    shutil.copy2(tmp_path / "pc1" / "hescb.sqlite", tmp_path / "pc2" / "hescb.sqlite")
    copy = open_context(tmp_path / "pc2")
    assert copy.new_device and copy.device_id != original.device_id
    crud.create(copy.uow(), E.PEOPLE, {"name": "B"})
    with copy.engine.connect() as conn:
        seqs = conn.exec_driver_sql(
            "SELECT min(seq) FROM change_log WHERE device_id=?", (copy.device_id,)
        ).scalar()
    assert seqs == 1
    copy.close()
    again = open_context(tmp_path / "pc1")
    assert again.device_id == original.device_id and not again.new_device
    again.close()


def test_not_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "hescb.sqlite"
    path.write_text("these are somebody's minutes, not a database\n")
    before = sha(path)
    with pytest.raises(DatabaseError, match="not an SQLite file"):
        open_database(path)
    assert sha(path) == before


def test_database_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hescb.sqlite"
    open_database(path).dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num='9999_future'")
    before = sha(path)
    with pytest.raises(DatabaseError, match=r"newer HESCB Desktop.*update the app"):
        open_database(path)
    assert sha(path) == before


def test_corrupt_database_fails_integrity_check(tmp_path: Path) -> None:
    path = tmp_path / "hescb.sqlite"
    ctx = open_context(tmp_path)
    for i in range(300):
        crud.create(ctx.uow(), E.PEOPLE, {"name": f"Person {i}", "role": "x" * 200})
    ctx.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page * 3, min(len(data), page * 8)):
        data[offset] = 0x5A
    path.write_bytes(bytes(data))
    before = sha(path)
    with pytest.raises(DatabaseError, match="integrity"):
        open_database(path)
    assert sha(path) == before


def test_head_revision_is_stamped_on_create(tmp_path: Path) -> None:
    engine = open_database(tmp_path / "x.sqlite")
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()
    engine.dispose()


def test_in_memory_engine_has_no_file(tmp_path: Path) -> None:
    engine = make_engine(None)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("select 1").scalar() == 1
    assert list(tmp_path.iterdir()) == []


def test_another_programs_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "hescb.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE budgets (line TEXT, amount REAL)")
        conn.execute("INSERT INTO budgets VALUES ('drones', 120000)")
    conn.close()
    before = sha(path)
    with pytest.raises(DatabaseError, match="not an HESCB Desktop database"):
        open_database(path)
    assert sha(path) == before
    wal = tmp_path / "hescb.sqlite-wal"  # a read-only look leaves an empty one
    assert not wal.exists() or wal.stat().st_size == 0


def test_an_empty_sqlite_file_gets_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "hescb.sqlite"
    sqlite3.connect(path).close()
    open_database(path).dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
            head_revision(),
        )
    conn.close()


def test_revisions_from_file_names_match_alembic() -> None:
    from alembic.script import ScriptDirectory

    from hescb_desktop.storage.database import alembic_config, known_revisions

    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_current_head() == head_revision()
    walked = [s.revision for s in script.walk_revisions()]
    assert list(reversed(walked)) == known_revisions()


def test_integrity_check_skipped_only_after_a_clean_close(tmp_path: Path) -> None:
    ctx = open_context(tmp_path)
    for i in range(300):
        crud.create(ctx.uow(), E.PEOPLE, {"name": f"Person {i}", "role": "x" * 200})
    ctx.close()
    path = tmp_path / "hescb.sqlite"
    marker = tmp_path / "hescb.sqlite.clean"
    assert marker.exists()
    open_context(tmp_path).close()  # opening removes the marker; the clean close writes it again
    assert marker.exists()
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 3, 4096 * 8):
        data[offset] = 0x5A
    path.write_bytes(bytes(data))  # damaged behind the app's back: size same, mtime differs
    with pytest.raises(DatabaseError, match="integrity"):
        open_database(path)


def _closed_board(folder: Path) -> Path:
    ctx = open_context(folder)
    for i in range(300):
        crud.create(ctx.uow(), E.PEOPLE, {"name": f"Person {i}", "role": "x" * 200})
    ctx.close()
    assert (folder / "hescb.sqlite.clean").exists()
    return folder / "hescb.sqlite"


@pytest.mark.parametrize("damage", [rot_text, break_page], ids=["bits-flipped", "page-broken"])
def test_damage_behind_an_unchanged_size_and_time_is_refused(
    tmp_path: Path, damage: object
) -> None:
    """Bit rot keeps the file's size and time: the clean-close marker must not let it through
    (it did: the file opened, took writes and was marked clean again)."""
    path = _closed_board(tmp_path)
    damage(path, b"Person 150")  # type: ignore[operator]
    before = sha(path)
    for _ in range(2):  # refused, and refused again: nothing marked it clean in between
        with pytest.raises(DamagedDatabaseError, match=r"damaged.*recover"):
            open_database(path)
        with pytest.raises(DamagedDatabaseError):
            open_context(tmp_path)
    assert sha(path) == before
    wal = tmp_path / "hescb.sqlite-wal"  # a read-only look leaves an empty one
    assert not wal.exists() or wal.stat().st_size == 0


def test_a_sound_file_still_opens_without_its_integrity_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hescb_desktop.storage import database

    path = _closed_board(tmp_path)
    checked: list[Path] = []
    monkeypatch.setattr(database, "_check_integrity", checked.append)
    open_database(path).dispose()
    assert checked == []  # the CRC matched: no quick check
    open_database(path).dispose()  # the marker was removed at open: checked this time
    assert checked == [path]


def test_damage_met_during_a_session_is_never_marked_clean(tmp_path: Path) -> None:
    path = _closed_board(tmp_path)
    ctx = open_context(tmp_path)  # sound at open
    break_page(path, b"Person 150")  # the disk goes bad under the running app
    with pytest.raises(Exception, match="malformed"):
        crud.list_all(ctx.uow(write=False), E.PEOPLE)
    ctx.close()
    assert not (tmp_path / "hescb.sqlite.clean").exists()
    with pytest.raises(DamagedDatabaseError, match="integrity check"):
        open_database(path)


def _counts(path: Path, tables: list[str]) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def test_a_board_from_every_older_schema_upgrades_with_every_row(tmp_path: Path) -> None:
    """A PC that last ran an older app opens a board full of rows that point at each other (an
    action with its updates, an event with its bookings, a paper with its attachments). The
    migrations copy and drop tables to change constraints: with foreign keys on that failed
    ("FOREIGN KEY constraint failed" on DROP TABLE actions). Every row must come through."""
    from hescb_desktop.services.demo import build_demo
    from hescb_desktop.storage.database import current_revision, known_revisions

    ctx = open_context(tmp_path / "built")
    build_demo(ctx)
    built = ctx.db_path
    ctx.close()
    assert built is not None
    span_query = "SELECT id, long_span, until_utc FROM events ORDER BY id"
    conn = sqlite3.connect(built)
    written = conn.execute(span_query).fetchall()  # as the app's own writes set them
    conn.close()
    older = [r for r in known_revisions()[:-1] if r >= "0002"]
    assert older, "no older schema to upgrade from"
    for revision in older:
        path = tmp_path / revision / "hescb.sqlite"
        path.parent.mkdir()
        shutil.copy2(built, path)
        downgrade(path, revision)
        conn = sqlite3.connect(path)
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if r[0] not in ("alembic_version", "sqlite_sequence")
        ]
        conn.close()
        before = _counts(path, tables)
        assert before["actions"] and before["action_updates"] and before["events"]
        engine = open_database(path)
        try:
            assert current_revision(engine) == head_revision()
        finally:
            engine.dispose()
        assert _counts(path, tables) == before, revision
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            # events from before 0004 get their derived window columns (0007)
            spans = conn.execute(
                "SELECT count(*), count(long_span), sum(long_span) FROM events"
            ).fetchone()
            assert spans[0] == spans[1] and 0 < spans[2] < spans[0], (revision, spans)
            assert conn.execute(span_query).fetchall() == written, revision
            conn.execute("PRAGMA foreign_keys=ON")
            assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
        finally:
            conn.close()


def test_a_pooled_engine_keeps_one_connection_for_the_block_and_closes_it(tmp_path: Path) -> None:
    """A sync round runs on `pooled`: one connection reused (each new one parses the whole
    schema again), nested uses get their own, the pragmas hold on each, and nothing stays
    open after the block (a join or recovery may replace the file)."""
    from sqlalchemy import event

    from hescb_desktop.storage.engine import pooled

    ctx = open_context(tmp_path / "data")
    opened: list[object] = []
    try:
        with pooled(ctx.engine) as held:
            assert held is not ctx.engine and held.url == ctx.engine.url
            event.listen(held, "connect", lambda dbapi, _record: opened.append(dbapi))
            with held.connect() as first:
                outer = first.connection.driver_connection
            for _ in range(3):  # one after another: the same connection
                with held.begin() as again:
                    assert again.connection.driver_connection is outer
                    assert again.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            with held.connect() as first, held.connect() as nested:
                assert nested.connection.driver_connection is not outer
                assert nested.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert len(opened) == 2
        with pytest.raises(sqlite3.ProgrammingError):  # closed with the block
            outer.execute("SELECT 1")  # type: ignore[union-attr]
    finally:
        ctx.close()
