"""Files on the share must not crash or silence a PC (issue 13, point 4).

Crafted segments carry valid checksums (made with `encode_segment`), so only the rules this app
applies on receive stand between them and every PC's database: records naming tables that never
sync, malformed records, a header naming another PC, an unknown marking. A crafted snapshot
(a real one with a trigger, a view and an extra table added) must not reach a joining PC.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from app_process import cli
from schema_history import downgrade
from sqlalchemy import text
from sync_office import Office, content

from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.sync import short_id
from hescb_desktop.storage.base import new_id
from hescb_desktop.storage.database import head_revision
from hescb_desktop.sync.hlc import pack, wall_ms
from hescb_desktop.sync.publisher import unpublished
from hescb_desktop.sync.restore import SnapshotError
from hescb_desktop.sync.segments import Record, encode_segment, segment_name
from hescb_desktop.sync.snapshot import make_snapshot, newest_snapshot


# ---------------------------------------------------------------------- crafting files
def drop_segment(office: Office, folder: str, records: list[Record]) -> Path:
    """Put `records` on the share as a segment in `folder`'s folder, checksums and all. The
    header names the first record's device (which need not be `folder`)."""
    data = encode_segment(records, head_revision())
    where = office.share.segments_dir(folder)
    where.mkdir(parents=True, exist_ok=True)
    path = where / segment_name(records[0].seq, records[-1].seq)
    path.write_bytes(data)
    return path


def forged(
    root: Path, device: str, first_seq: int, make: Callable[[ServiceContext], Any]
) -> list[Record]:
    """The records a real PC logs for `make`, as if `device` had written them from `first_seq`
    (one commit). The forging PC never syncs."""
    ctx = open_context(root / f"forger-{new_id()[-6:]}")
    try:
        make(ctx)
        recs = unpublished(ctx.engine, ctx.device_id)
    finally:
        ctx.close()
    return [
        r._replace(device_id=device, seq=first_seq + i, tx=first_seq) for i, r in enumerate(recs)
    ]


def person(name: str, **values: Any) -> Callable[[ServiceContext], Any]:
    return lambda ctx: crud.create(ctx.uow(), E.PEOPLE, {"name": name, **values}).value


def names(ctx: ServiceContext) -> set[str]:
    return {p.name for p in crud.list_all(ctx.uow(write=False), E.PEOPLE)}


def logged_by(office: Office, pc: str, device: str) -> list[tuple[Any, ...]]:
    return office.rows(
        pc, f"SELECT table_name, column_name FROM change_log WHERE device_id = '{device}'"
    )


# ---------------------------------------------------------------------- tables that never sync
def local_table_records(device: str, first_seq: int, victim: str) -> list[Record]:
    """Changes to this PC's own bookkeeping: a cursor, a conflict, the device id, the schema."""
    hlc = pack(wall_ms(), 0)
    aimed = [
        ("sync_peers", victim, "cursor", "0"),
        ("conflicts", new_id(), "kept_value", '"forged"'),
        ("local_state", "device_id", "value", json.dumps(device)),
        ("alembic_version", "0001", "version_num", '"9999"'),
    ]
    return [
        Record(device, first_seq + i, first_seq, hlc, table, row, col, value, None, "intruder")
        for i, (table, row, col, value) in enumerate(aimed)
    ]


def test_records_naming_tables_that_never_sync_are_refused_and_reported(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "From A"})
    office.sync("a")
    office.sync("b")
    fake = new_id()
    crafted = local_table_records(fake, 1, a.device_id)
    crafted += forged(office.root, fake, len(crafted) + 1, person("From the new PC"))
    drop_segment(office, fake, crafted)
    crud.create(a.uow(), E.PEOPLE, {"name": "From A again"})
    expected = (
        f"PC {short_id(fake)} sent 4 changes to tables that never sync "
        "(alembic_version, conflicts, local_state, sync_peers): ignored"
    )
    for pc, ctx in (("a", a), ("b", b)):
        device_before = ctx.device_id
        report = office.sync(pc)  # before: a traceback here, on every PC, every round
        assert expected in report.problems, report.problems
        assert sorted(set(logged_by(office, pc, fake))) == [
            ("people", c) for c in sorted({c for _, c in logged_by(office, pc, fake)})
        ]  # only the ordinary record of the new PC: nothing of the four is logged
        assert office.rows(pc, "SELECT value FROM local_state WHERE key = 'device_id'") == [
            (device_before,)
        ]
        assert office.rows(pc, "SELECT count(*) FROM conflicts") == [(0,)]
        assert office.rows(pc, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
        assert "From the new PC" in names(ctx)
    assert names(b) == {"From A", "From A again", "From the new PC"}
    assert office.sync("b").problems == []  # reported once, when read
    assert content(a) == content(b)


def test_the_command_line_sync_reports_a_crafted_segment_without_a_traceback(
    office: Office,
) -> None:
    a = office.pc("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "From A"})
    office.sync("a")
    fake = new_id()
    drop_segment(office, fake, local_table_records(fake, 1, a.device_id))
    data = office.root / "c"
    open_context(data).close()  # a PC set up before, as `init` leaves it
    result = cli("--data-dir", data, "--share", office.share.folder, "sync")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"sync: PC {short_id(fake)} sent 4 changes to tables that never sync" in result.stderr
    assert "merged" in result.stdout
    status = cli("--data-dir", data, "sync-status")
    assert status.returncode == 0, status.stderr
    assert f"problem: PC {short_id(fake)} sent 4 changes" in status.stdout
    c = open_context(data)
    try:
        assert names(c) == {"From A"}
    finally:
        c.close()


# ---------------------------------------------------------------------- malformed records
def _bad(**change: Any) -> Callable[[Record], Record]:
    return lambda r: r._replace(**change)


MALFORMED: dict[str, Callable[[Record], Record]] = {
    "hlc is text": _bad(hlc="soon"),
    "hlc beyond SQLite's integers": _bad(hlc=2**70),
    "tx is negative": _bad(tx=-1),
    "prev_hlc is a list": _bad(prev_hlc=[1]),
    "prev_hlc is negative": _bad(prev_hlc=-5),
    "table is a list": _bad(table=["people"]),
    "row is a number": _bad(row=5),
    "row is not an id": _bad(row="../../hescb.sqlite"),
    "user is huge": _bad(user="x" * 5000),
    "user is a list": _bad(user=["x"]),
    "value is not JSON": _bad(value="{not json"),
    "value is a list for a name": _bad(value='["a", "list"]'),
    "value is null for a required field": _bad(value="null"),
    "value is text for a yes/no field": _bad(col="deleted", value='"yes"'),
    "value is not a time for a time": _bad(col="created_at", value='"yesterday"'),
    "value is a time without a zone": _bad(col="updated_at", value='"2026-01-01T10:00:00"'),
    "a record setting the id": _bad(col="id", value='"00000000-0000-7000-8000-000000000000"'),
    "a table name no app uses": _bad(table="people; DROP TABLE people"),
}


@pytest.mark.parametrize("spoil", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_record_is_refused_and_the_rest_merges(
    office: Office, spoil: Callable[[Record], Record]
) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "From A"})
    office.sync("a")
    fake = new_id()
    good = forged(office.root, fake, 1, person("Kept"))
    name_rec = next(r for r in good if r.col == "name")
    # a later commit of the new PC that changes the person's name: spoiled
    bad = spoil(name_rec._replace(seq=len(good) + 1, tx=len(good) + 1, hlc=name_rec.hlc + 10))
    drop_segment(office, fake, [*good, bad])
    report = office.sync("b")  # before: a traceback, or the spoiled change taken
    assert [p for p in report.problems if short_id(fake) in p] == [
        p for p in report.problems if p.startswith(f"PC {short_id(fake)} sent 1 change ")
    ]
    assert len(report.problems) == 1, report.problems
    assert report.problems[0].endswith(": ignored")
    assert names(b) == {"From A", "Kept"}
    assert len(logged_by(office, "b", fake)) == len(good)  # the spoiled one is not logged
    office.sync("a")
    assert names(a) == {"From A", "Kept"}
    office.settle()
    assert content(a) == content(b)


def test_a_segment_whose_record_numbers_are_not_numbers_is_reported_not_merged(
    office: Office,
) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "From A"})
    office.sync("a")
    fake = new_id()
    good = forged(office.root, fake, 1, person("Never"))
    good[1] = good[1]._replace(seq=2.0)  # equal to 2, but not what this app writes
    drop_segment(office, fake, good)
    for _ in range(2):
        report = office.sync("b")
        assert any(
            p.startswith(f"PC {short_id(fake)}: ") and "malformed" in p for p in report.problems
        )
        assert names(b) == {"From A"}
    assert logged_by(office, "b", fake) == []


@pytest.mark.parametrize(
    ("where", "body"),
    [
        ("snapshots/intruder-99999999999999999999.json", {"hlc": "soon", "cursors": {}}),
        ("snapshots/intruder-99999999999999999998.json",
         {"hlc": 2**62, "cursors": {"x": "all"}, "sha256": ""}),
        ("devices/{fake}/ack.json", {"{a}": "everything"}),
        ("devices/{fake}/ack.json", {"{a}": [1]}),
    ],
    ids=["a manifest whose clock is text", "a manifest whose counts are text",
         "an ack that is text", "an ack that is a list"],
)  # fmt: skip
def test_crafted_manifests_and_acks_crash_no_round(
    office: Office, where: str, body: dict[str, Any]
) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "From A"})
    office.settle()
    fake = new_id()
    (office.share.segments_dir(fake)).mkdir(parents=True)
    (office.share.device_dir(fake) / "device.json").write_text("{}\n")
    path = office.share.root / where.format(fake=fake)
    path.parent.mkdir(parents=True, exist_ok=True)
    text_ = json.dumps(body).replace("{a}", a.device_id)
    path.write_text(text_)
    if "snapshots" in where:
        path.with_suffix(".sqlite").write_bytes(b"not a database")
    crud.create(b.uow(), E.PEOPLE, {"name": "From B"})
    for pc in ("a", "b", "a"):
        office.sync(pc)  # before: ValueError or TypeError, every round, on every PC
    assert names(a) == names(b) == {"From A", "From B"}
    newest = newest_snapshot(office.share)
    assert newest is None or "intruder" not in newest.path.name


# ---------------------------------------------------------------------- the folder names the PC
@pytest.mark.parametrize("order", ["abc", "cba", "bca", "cab"])
def test_a_segment_in_one_pcs_folder_claiming_another_pc_is_refused(
    office: Office, order: str
) -> None:
    """In PC a's folder, a segment whose header (and records) claim to be PC b's next changes.
    Before, it was taken as b's: b's real changes with those numbers were then dropped as
    already held, or a PC failed every round with an IntegrityError, depending on the order."""
    a, b, c = office.pc("a"), office.pc("b"), office.pc("c")
    crud.create(a.uow(), E.PEOPLE, {"name": "From A"})
    crud.create(b.uow(), E.PEOPLE, {"name": "From B"})
    office.settle()
    next_a = int(office.rows("a", "SELECT max(seq) FROM change_log WHERE device_id = "
                             f"'{a.device_id}'")[0][0]) + 1  # fmt: skip
    next_b = int(office.rows("b", "SELECT max(seq) FROM change_log WHERE device_id = "
                             f"'{b.device_id}'")[0][0]) + 1  # fmt: skip
    claim = forged(office.root, b.device_id, next_b, person("Forged as B"))
    # numbered to continue a's folder, header and records naming b
    shifted = [r._replace(seq=next_a + i, tx=next_a) for i, r in enumerate(claim)]
    path = drop_segment(office, a.device_id, shifted)
    crud.create(b.uow(), E.PEOPLE, {"name": "Really from B"})  # b's next changes, real
    crud.create(c.uow(), E.PEOPLE, {"name": "From C"})
    for pc in order:
        report = office.sync(pc)
        if pc == "a":  # its own folder: a file it did not write is moved aside (healing.py)
            assert any(
                f"a file this PC did not write is in its folder on the share: {path.name}" in m
                for m in report.healed
            ), report.healed
            assert not path.exists()
        elif path.exists():  # read before a moved it aside: refused, never taken as b's
            assert any(
                p.startswith(f"PC {short_id(a.device_id)}: {path.name} is refused: its header"
                             f" names another PC (PC {short_id(b.device_id)})")
                for p in report.problems
            ), report.problems  # fmt: skip
    for pc in order:
        office.sync(pc)
    for ctx in (b, c):
        assert names(ctx) == {"From A", "From B", "Really from B", "From C"}
    assert content(b) == content(c)
    assert office.rows("c", f"SELECT count(*) FROM change_log WHERE device_id = '{b.device_id}'"
                       " AND value = '\"Forged as B\"'") == [(0,)]  # fmt: skip


# ---------------------------------------------------------------------- a crafted snapshot
def _craft_snapshot(office: Office, sql: list[str], *, ignore_checks: bool = False) -> Path:
    info = newest_snapshot(office.share)
    assert info is not None
    conn = sqlite3.connect(info.path)
    try:
        if ignore_checks:
            conn.execute("PRAGMA ignore_check_constraints=ON")
        for stmt in sql:
            conn.execute(stmt)
        conn.commit()
    finally:
        conn.close()
    data = info.path.read_bytes()
    manifest = {**info.manifest, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    info.path.with_suffix(".json").write_text(json.dumps(manifest, sort_keys=True) + "\n")
    return info.path


def _snapshot_of(office: Office, pc: str) -> None:
    ctx = office.pc(pc)
    assert ctx.db_path is not None
    with ctx.engine.connect() as conn:
        schema = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    make_snapshot(ctx.db_path, office.share, ctx.device_id, ctx.clock.now(), schema)


def _objects(ctx: ServiceContext) -> set[tuple[str, str]]:
    with ctx.engine.connect() as conn:
        return {
            (str(t), str(n)) for t, n in conn.execute(text("SELECT type, name FROM sqlite_master"))
        }


TRIGGER = (
    "CREATE TRIGGER rewrite_titles AFTER UPDATE ON people BEGIN"
    " UPDATE people SET name = 'PWNED' WHERE id = new.id; END"
)
TRIGGER_ON_INSERT = (
    "CREATE TRIGGER rewrite_new AFTER INSERT ON people BEGIN"
    " UPDATE people SET name = 'PWNED' WHERE id = new.id; END"
)


def test_a_crafted_snapshot_brings_no_trigger_view_or_table_to_a_joining_pc(
    office: Office,
) -> None:
    a = office.pc("a")
    sam = crud.create(a.uow(), E.PEOPLE, {"name": "Sam", "role": "CFO"}).value
    crud.create(a.uow(), E.OBJECTIVES, {"title": "Estates review"})
    office.sync("a")
    _snapshot_of(office, "a")
    _craft_snapshot(
        office,
        [
            TRIGGER,
            TRIGGER_ON_INSERT,
            "CREATE VIEW everyone AS SELECT name FROM people",
            "CREATE TABLE exfiltrate (what TEXT)",
            "CREATE INDEX ix_odd ON people (email, role)",
            "INSERT INTO sync_peers (device_id, cursor, user, last_seen_hlc, problem)"
            " VALUES ('someone', 999999, 'x', 0, '')",
            "INSERT INTO local_state (key, value) VALUES ('share_folder', '/elsewhere')",
        ],
    )
    joiner = office.pc("joiner")
    made = {o for o in _objects(joiner)}  # what this app's own migrations make
    office.pcs.pop("joiner")
    joined = sync_service.join_share(joiner, office.share.folder, discard_demo=False)
    office.pcs["joiner"] = joined
    objects = _objects(joined)
    assert objects == made, objects ^ made  # no trigger, view, table or index of its making
    assert office.rows("joiner", "SELECT count(*) FROM sync_peers WHERE device_id = 'someone'") == [
        (0,)
    ]
    assert content(joined) == content(a)
    crud.update(joined.uow(), E.PEOPLE, sam.id, {"role": "ACFO"})
    crud.create(joined.uow(), E.PEOPLE, {"name": "Typed on the joiner"})
    assert names(joined) == {"Sam", "Typed on the joiner"}  # no trigger rewrote them
    office.sync("joiner")
    office.sync("a")
    assert crud.get(a.uow(write=False), E.PEOPLE, sam.id).role == "ACFO"
    assert content(joined) == content(a)


def test_an_older_snapshot_is_upgraded_without_running_its_triggers(office: Office) -> None:
    """A snapshot at an older schema is upgraded (in a scratch copy, its triggers dropped
    first): a trigger on the upgrade's own write (alembic_version) never runs."""
    a = office.pc("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "Sam"})
    office.sync("a")
    _snapshot_of(office, "a")
    info = newest_snapshot(office.share)
    assert info is not None
    downgrade(info.path, f"{int(head_revision()) - 1:04d}")  # an older app's snapshot
    _craft_snapshot(
        office,
        [
            "CREATE TRIGGER on_upgrade AFTER UPDATE ON alembic_version BEGIN"
            " UPDATE people SET name = 'PWNED'; END",
        ],
    )
    joiner = office.pc("joiner")
    made = _objects(joiner)
    office.pcs.pop("joiner")
    joined = sync_service.join_share(joiner, office.share.folder, discard_demo=False)
    office.pcs["joiner"] = joined
    assert names(joined) == {"Sam"}
    assert _objects(joined) == made
    assert office.rows("joiner", "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert content(joined) == content(a)


@pytest.mark.parametrize(
    "sql",
    [
        ["UPDATE objectives SET marking = 'SECRET'"],
        ["UPDATE people SET organisation_id = '00000000-0000-7000-8000-00000000dead'"],
        ["UPDATE change_log SET hlc = 'soon' WHERE seq = 1"],
        ["UPDATE people SET name = x'00ff'"],
        ["UPDATE people SET created_at = 'yesterday'"],
    ],
    ids=["a marking the app refuses", "a broken reference", "a clock that is text",
         "bytes for a name", "a time that is not a time"],
)  # fmt: skip
def test_a_snapshot_with_rows_the_app_refuses_is_not_restored(
    office: Office, sql: list[str]
) -> None:
    a = office.pc("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "Sam"})
    crud.create(a.uow(), E.OBJECTIVES, {"title": "Estates review"})
    office.sync("a")
    _snapshot_of(office, "a")
    _craft_snapshot(office, ["PRAGMA foreign_keys=OFF", *sql], ignore_checks=True)
    joiner = office.pc("joiner")
    crud.create(joiner.uow(), E.PEOPLE, {"name": "Typed before joining"})
    db = joiner.db_path
    assert db is not None
    office.pcs.pop("joiner")
    joiner.close()
    before = db.read_bytes()
    with pytest.raises(SnapshotError, match="not restored"):
        sync_service.join_share(open_context(db.parent), office.share.folder, discard_demo=False)
    assert db.read_bytes() == before  # the PC's database as it was
    assert sorted(p.name for p in db.parent.iterdir() if "restoring" in p.name) == []
    again = office.pc("joiner")
    assert names(again) == {"Typed before joining"}


# ---------------------------------------------------------------------- unknown markings
def objective(title: str) -> Callable[[ServiceContext], Any]:
    return lambda ctx: (
        crud.create(ctx.uow(), E.OBJECTIVES, {"title": title, "theme": "Estates"}).value
    )


def _marked(office: Office, pc: str, row: str) -> list[tuple[Any, ...]]:
    return office.rows(pc, f"SELECT title, marking, deleted FROM objectives WHERE id = '{row}'")


def test_a_new_row_with_an_unknown_marking_is_held_back_then_comes_back_whole(
    office: Office,
) -> None:
    a, b = office.pc("a"), office.pc("b")
    office.settle()
    newer = new_id()  # a PC running a newer app, which knows a marking this one does not

    def objective_and_milestone(ctx: ServiceContext) -> None:
        made = objective("Operation Nightjar")(ctx)
        crud.create(ctx.uow(), E.MILESTONES, {"objective_id": made.id, "title": "Phase 1"})

    recs = forged(office.root, newer, 1, objective_and_milestone)
    row = next(r.row for r in recs if r.table == "objectives")
    recs = [r._replace(value='"SECRET"') if r.col == "marking" else r for r in recs]
    hlc = recs[-1].hlc
    drop_segment(office, newer, recs)
    for pc, ctx in (("a", a), ("b", b)):
        report = office.sync(pc)
        held = [p for p in report.problems if "held back" in p]
        assert held == [
            f"PC {short_id(newer)}: an objective marked 'SECRET' is held back: this version of"
            " the app does not know that marking (update the app to see it)"
        ], report.problems
        assert not any("waiting" in p for p in report.problems)  # the milestone did not stall
        assert [o.title for o in crud.list_all(ctx.uow(write=False), E.OBJECTIVES)] == []
        ((title, marking, deleted),) = _marked(office, pc, row)
        assert (title, marking, deleted) == ("", "OFFICIAL-SENSITIVE", 1)  # never OFFICIAL
        logged = office.rows(pc, f"SELECT count(*) FROM change_log WHERE row_id = '{row}'")
        assert logged == [(len([r for r in recs if r.row == row]),)]
    assert office.sync("b").problems == []  # said once
    # the newer PC later lowers it to a marking this app knows: the row comes back whole
    seq = len(recs) + 1
    drop_segment(
        office,
        newer,
        [Record(newer, seq, seq, hlc + 20, "objectives", row, "marking", '"OFFICIAL-SENSITIVE"',
                recs[0].hlc, "newer user")],
    )  # fmt: skip
    for pc, ctx in (("a", a), ("b", b)):
        office.sync(pc)
        got = crud.get(ctx.uow(write=False), E.OBJECTIVES, row)
        assert (got.title, got.theme, got.marking, got.deleted) == (
            "Operation Nightjar",
            "Estates",
            "OFFICIAL-SENSITIVE",
            False,
        )
    assert content(a) == content(b)


def test_an_existing_row_given_an_unknown_marking_is_hidden_until_a_known_one_arrives(
    office: Office,
) -> None:
    a, b = office.pc("a"), office.pc("b")
    plan = crud.create(a.uow(), E.OBJECTIVES, {"title": "Estates plan"}).value
    office.settle()
    newer = new_id()
    created = int(
        office.rows("b", f"SELECT max(hlc) FROM change_log WHERE row_id = '{plan.id}'")[0][0]
    )
    hlc = created + 1000
    drop_segment(
        office,
        newer,
        [
            Record(newer, 1, 1, hlc, "objectives", plan.id, "marking", '"SECRET"', created, "n"),
            Record(newer, 2, 1, hlc, "objectives", plan.id, "title", '"Nightjar"', created, "n"),
        ],
    )
    report = office.sync("b")
    assert any("an objective marked 'SECRET' is held back" in p for p in report.problems)
    assert crud.list_all(b.uow(write=False), E.OBJECTIVES) == []
    ((title, marking, deleted),) = _marked(office, "b", plan.id)
    assert deleted == 1 and marking == "OFFICIAL-SENSITIVE" and title != "Nightjar"
    # an edit from a PC that knows nothing of it: logged, not shown
    crud.update(a.uow(), E.OBJECTIVES, plan.id, {"theme": "Estates"})
    office.sync("a")  # a holds it back too
    assert crud.list_all(a.uow(write=False), E.OBJECTIVES) == []
    office.sync("b")
    assert crud.list_all(b.uow(write=False), E.OBJECTIVES) == []
    assert office.rows("b", f"SELECT count(*) FROM change_log WHERE row_id = '{plan.id}'"
                       " AND value = '\"SECRET\"'") == [(1,)]  # fmt: skip
    drop_segment(
        office,
        newer,
        [Record(newer, 3, 3, hlc + 5000, "objectives", plan.id, "marking", '"OFFICIAL"', hlc, "n")],
    )
    for ctx in (a, b):
        office.sync("a" if ctx is a else "b")
        got = crud.get(ctx.uow(write=False), E.OBJECTIVES, plan.id)
        assert (got.title, got.marking, got.deleted) == ("Nightjar", "OFFICIAL", False)
    office.settle()
    assert content(a) == content(b)
    assert crud.get(a.uow(write=False), E.OBJECTIVES, plan.id).theme == "Estates"
