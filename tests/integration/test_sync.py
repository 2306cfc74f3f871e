"""Sync between PCs through a share folder (real SQLite files, real files on the share)."""

from __future__ import annotations

import itertools
import json
import random
from datetime import date

import pytest
from sqlalchemy import text
from sync_office import Office, content

from hescb_desktop.services import actions, crud
from hescb_desktop.services import entities as E
from hescb_desktop.sync.publisher import chunks, publish, unpublished
from hescb_desktop.sync.segments import SegmentError, read_segment
from hescb_desktop.sync.share import FormatTooNewError


def test_a_change_reaches_the_other_pc(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam Okafor", "role": "CFO"}).value
    assert office.sync("a").published > 0
    report = office.sync("b")
    assert report.merged > 0
    assert report.peers == 1
    assert crud.get(b.uow(write=False), E.PEOPLE, person.id).role == "CFO"
    assert content(a) == content(b)


def test_reading_twice_changes_nothing(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "Sam"})
    office.sync("a")
    office.sync("b")
    before = content(b)
    # forget the cursor: every segment is read again
    with b.engine.begin() as conn:
        conn.execute(text("UPDATE sync_peers SET cursor = 0"))
    assert office.sync("b").merged == 0
    assert content(b) == before


def test_concurrent_edits_converge_and_keep_the_loser(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam"}).value
    office.settle()
    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "Chief Fire Officer"})
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "Deputy Chief Fire Officer"})
    office.settle()
    role_a = crud.get(a.uow(write=False), E.PEOPLE, person.id).role
    assert role_a == crud.get(b.uow(write=False), E.PEOPLE, person.id).role
    for pc in ("a", "b"):
        conflicts = office.rows(
            pc, "SELECT kind, column_name, kept_value, lost_value FROM conflicts"
        )
        assert len(conflicts) == 1
        kind, column, kept, lost = conflicts[0]
        assert (kind, column) == ("field", "role")
        assert json.loads(str(kept)) == role_a
        assert {json.loads(str(kept)), json.loads(str(lost))} == {
            "Chief Fire Officer",
            "Deputy Chief Fire Officer",
        }


def test_sequential_edits_are_not_conflicts(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam"}).value
    office.settle()
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "ACFO"})
    office.settle()
    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "DCFO"})
    office.settle()
    assert crud.get(b.uow(write=False), E.PEOPLE, person.id).role == "DCFO"
    assert office.rows("a", "SELECT count(*) FROM conflicts") == [(0,)]
    assert office.rows("b", "SELECT count(*) FROM conflicts") == [(0,)]


def test_edit_to_a_deleted_record_stays_deleted_and_is_kept(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam"}).value
    office.settle()
    crud.delete(a.uow(), E.PEOPLE, person.id)
    crud.update(b.uow(), E.PEOPLE, person.id, {"email": "sam@herts.example"})
    office.settle()
    for pc in ("a", "b"):
        assert office.rows(pc, "SELECT deleted FROM people") == [(1,)]
        assert office.rows(pc, "SELECT kind, column_name, lost_value FROM conflicts") == [
            ("deleted", "email", '"sam@herts.example"')
        ]


def test_references_taken_offline_are_renumbered_the_same_everywhere(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    office.settle()
    actions.raise_action(a.uow(), {"description": "from A", "raised_on": date(2026, 11, 2)})
    actions.raise_action(b.uow(), {"description": "from B", "raised_on": date(2026, 11, 2)})
    office.settle()
    refs_a = sorted(
        (x.reference, x.description) for x in crud.list_all(a.uow(write=False), E.ACTIONS)
    )
    refs_b = sorted(
        (x.reference, x.description) for x in crud.list_all(b.uow(write=False), E.ACTIONS)
    )
    assert refs_a == refs_b
    assert [r for r, _ in refs_a] == ["HESCB/2026/001", "HESCB/2026/002"]
    notices = office.rows("a", "SELECT message FROM sync_notices") + office.rows(
        "b", "SELECT message FROM sync_notices"
    )
    assert any("is now HESCB/2026/002" in str(m[0]) for m in notices)


def test_three_pcs_random_offline_work_converges(office: Office) -> None:
    rng = random.Random(7)
    names = ["a", "b", "c"]
    for n in names:
        office.pc(n)
    seed = crud.create(office.pc("a").uow(), E.OBJECTIVES, {"title": "Joint HQ"}).value
    office.settle()
    for step in range(40):
        pc = office.pc(rng.choice(names))
        live = crud.list_all(pc.uow(write=False), E.OBJECTIVES)
        roll = rng.random()
        if roll < 0.3 or not live:
            crud.create(pc.uow(), E.OBJECTIVES, {"title": f"Objective {step}"})
        elif roll < 0.85:
            target = rng.choice(live)
            crud.update(
                pc.uow(),
                E.OBJECTIVES,
                target.id,
                {rng.choice(["stage", "theme", "description"]): f"v{step}"},
            )
        elif target := next((o for o in live if o.id != seed.id), None):
            crud.delete(pc.uow(), E.OBJECTIVES, target.id)
        if rng.random() < 0.3:
            office.sync(rng.choice(names))
    office.settle()
    exports = [content(office.pc(n)) for n in names]
    assert exports[0] == exports[1] == exports[2]


def test_a_corrupt_segment_is_left_alone_and_reported(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "First"})
    office.sync("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "Second"})
    office.sync("a")
    segs = sorted(office.share.segments_dir(a.device_id).iterdir())
    assert len(segs) == 2
    original = segs[0].read_bytes()
    segs[0].write_bytes(original.replace(b"First", b"Fir5t"))
    report = office.sync("b")
    assert report.merged == 0
    assert any("checksum" in p for p in report.problems)
    assert crud.list_all(b.uow(write=False), E.PEOPLE) == []
    segs[0].write_bytes(original)  # the share heals (e.g. a late write completes)
    assert office.sync("b").merged > 0
    assert len(crud.list_all(b.uow(write=False), E.PEOPLE)) == 2


def test_a_gap_is_waited_for_not_skipped(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "First"})
    office.sync("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "Second"})
    office.sync("a")
    first = sorted(office.share.segments_dir(a.device_id).iterdir())[0]
    hidden = first.with_name("hidden")
    first.rename(hidden)
    report = office.sync("b")
    assert report.merged == 0
    assert any("waiting for changes 1-" in p for p in report.problems)
    hidden.rename(first)
    office.sync("b")
    assert len(crud.list_all(b.uow(write=False), E.PEOPLE)) == 2


def test_crash_after_writing_before_marking_adopts_the_segment(office: Office) -> None:
    a = office.pc("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "First"})
    office.share.ensure_format()  # publish writes only into a share that was founded
    publish(a.engine, office.share, a.device_id)
    with a.engine.begin() as conn:  # as if the PC died before recording the publish
        conn.execute(text("UPDATE change_log SET published = 0"))
    crud.create(a.uow(), E.PEOPLE, {"name": "Second"})
    assert publish(a.engine, office.share, a.device_id) == len(
        office.rows("a", "SELECT seq FROM change_log")
    )
    segs = sorted(p.name for p in office.share.segments_dir(a.device_id).iterdir())
    assert len(segs) == 2
    assert unpublished(a.engine, a.device_id) == []


def test_a_copied_database_writing_as_the_same_device_is_caught(office: Office) -> None:
    a = office.pc("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "First"})
    office.share.ensure_format()  # publish writes only into a share that was founded
    publish(a.engine, office.share, a.device_id)
    crud.create(a.uow(), E.PEOPLE, {"name": "Second"})
    folder = office.share.segments_dir(a.device_id)
    (folder / "000000000900-000000000901.jsonl").write_text("from somewhere else\n")
    with pytest.raises(SegmentError, match="copy of this database"):
        publish(a.engine, office.share, a.device_id)


def test_newer_share_format_stops_and_asks_for_an_update(office: Office) -> None:
    office.pc("a")
    office.sync("a")
    (office.share.root / "FORMAT").write_text('{"format": 99, "min_app_version": "9.0"}\n')
    with pytest.raises(FormatTooNewError, match="update the app"):
        office.sync("a")


def test_a_newer_pcs_unknown_column_is_kept_not_dropped(office: Office) -> None:
    a = office.pc("a")
    office.pc("b")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam"}).value
    with a.engine.begin() as conn:  # as if a newer app had logged a column we do not have
        conn.execute(
            text(
                "INSERT INTO change_log (device_id, seq, tx, hlc, table_name, row_id, column_name,"
                " value, prev_hlc, user, published) SELECT device_id, max(seq) + 1, max(seq) + 1,"
                " max(hlc) + 1, 'people', :row, 'pronouns', '\"they/them\"', NULL, 'x', 0"
                " FROM change_log"
            ),
            {"row": person.id},
        )
    office.sync("a")
    report = office.sync("b")
    assert report.problems == []
    kept = office.rows("b", "SELECT value FROM change_log WHERE column_name = 'pronouns'")
    assert kept == [('"they/them"',)]


def test_a_newer_pcs_new_list_value_is_kept_not_applied(office: Office) -> None:
    """A newer app may add a value to a list (an enum such as a resource's kind). An older PC
    keeps that value in change_log and does not apply it; the merge does not fail (before, it
    raised on every round, so that PC could never sync again). A new row that needs the value
    gets the list's stand-in (here its first value) until a value this app knows arrives."""
    a, newer = office.pc("a"), office.pc("newer")
    office.pc("b")
    drone = crud.create(a.uow(), E.RESOURCES, {"name": "Drone 1", "kind": "asset"}).value
    office.sync("a")
    office.sync("newer")
    office.sync("b")
    with newer.engine.begin() as conn:  # as if the newer app had written these two commits
        hlc = int(conn.execute(text("SELECT max(hlc) FROM change_log")).scalar_one())
        writes = [
            (1, 1, drone.id, "kind", '"hovercraft"'),  # an edit
            (2, 2, "newer-resource", "name", '"Hovercraft 2"'),  # a new row
            (3, 2, "newer-resource", "kind", '"hovercraft"'),
            (4, 2, "newer-resource", "deleted", "false"),
        ]
        for seq, tx, row, col, value in writes:
            conn.execute(
                text(
                    "INSERT INTO change_log (device_id, seq, tx, hlc, table_name, row_id,"
                    " column_name, value, prev_hlc, user, published) VALUES (:d, :seq, :tx, :h,"
                    " 'resources', :row, :col, :v, NULL, 'newer', 0)"
                ),
                {"d": newer.device_id, "seq": seq, "tx": tx, "h": hlc + tx, "row": row,
                 "col": col, "v": value},
            )  # fmt: skip
    office.sync("newer")
    for pc in ("b", "a"):
        report = office.sync(pc)
        assert report.problems == [] and report.merged == 4, (pc, report.summary())
        ctx = office.pc(pc)
        kinds = {r.name: r.kind for r in crud.list_all(ctx.uow(write=False), E.RESOURCES)}
        assert kinds == {"Drone 1": "asset", "Hovercraft 2": "room"}, pc
        kept = office.rows(pc, "SELECT row_id FROM change_log WHERE value = '\"hovercraft\"'")
        assert sorted(r[0] for r in kept) == sorted([drone.id, "newer-resource"])
    crud.update(a.uow(), E.RESOURCES, drone.id, {"kind": "room"})  # a value every app knows
    office.sync("a")
    office.sync("b")
    kinds = {r.name: r.kind for r in crud.list_all(office.pc("b").uow(write=False), E.RESOURCES)}
    assert kinds["Drone 1"] == "room"


def test_segments_split_only_between_commits(office: Office) -> None:
    a = office.pc("a")
    for i in range(5):
        with a.uow() as uow:
            for j in range(3):
                crud.add(uow, E.PEOPLE, {"name": f"P{i}-{j}"})
            uow.commit()
    records = unpublished(a.engine, a.device_id)
    per_commit = len(records) // 5
    parts = list(chunks(records, limit=per_commit + 1))  # never split a commit to fit
    assert [len(p) for p in parts] == [2 * per_commit, 2 * per_commit, per_commit]
    assert [r for part in parts for r in part] == records
    for left, right in itertools.pairwise(parts):
        assert left[-1].tx != right[0].tx
    office.share.ensure_format()
    publish(a.engine, office.share, a.device_id, limit=per_commit + 1)
    for path in office.share.segments_dir(a.device_id).iterdir():
        assert read_segment(path).records


def test_a_segment_never_spans_numbers_this_pc_skipped(office: Office) -> None:
    """Changes waiting to be sent again (a crash before they were marked sent, their file then
    lost) on both sides of a number this PC skipped (a file not its own had sat there): each run
    of numbers is a segment of its own, whose header's range its records fill, and the other PC
    takes them all (found by the protected-board state machine: one segment spanned the gap, did
    not read back, and the round failed)."""
    a = office.pc("a")
    office.pc("b")
    for name in ("Ann", "Bob", "Cat", "Dan"):
        crud.create(a.uow(), E.PEOPLE, {"name": name})
    records = unpublished(a.engine, a.device_id)
    txs = sorted({r.tx for r in records})
    second = [r.seq for r in records if r.tx == txs[-2]]  # the numbers of one commit
    with a.engine.begin() as conn:  # as healing leaves it: those numbers hold nothing of A's
        conn.exec_driver_sql(
            "DELETE FROM change_log WHERE device_id = ? AND seq BETWEEN ? AND ?",
            (a.device_id, second[0], second[-1]),
        )
    records = unpublished(a.engine, a.device_id)
    parts = list(chunks(records))
    assert [(p[0].seq, p[-1].seq) for p in parts] == [
        (records[0].seq, second[0] - 1),
        (second[-1] + 1, records[-1].seq),
    ]
    office.share.ensure_format()
    assert office.sync("a").published == len(records)  # and a void for the number skipped
    voids = 0
    for path in office.share.segments_dir(a.device_id).iterdir():
        segment = read_segment(path)
        voids += segment.header.get("void") is True
        assert segment.records or (segment.first_seq, segment.last_seq) == (second[0], second[-1])
    assert voids == 1
    report = office.sync("b")
    assert not report.problems, report.problems
    held = office.rows("b", f"SELECT count(*) FROM change_log WHERE device_id = '{a.device_id}'")
    assert held == [(len(records),)]


def _restore(office: Office, name: str) -> int:
    from hescb_desktop.sync.bootstrap import bootstrap
    from hescb_desktop.sync.snapshot import newest_snapshot

    info = newest_snapshot(office.share)
    assert info is not None
    ctx = office.pcs.pop(name, None)
    if ctx is not None:
        ctx.close()
    carried = bootstrap(office.root / name / "hescb.sqlite", info)
    office.pc(name)
    return carried


def test_a_new_pc_starts_from_the_snapshot_and_replays_the_rest(office: Office) -> None:
    a = office.pc("a")
    for i in range(5):
        crud.create(a.uow(), E.PEOPLE, {"name": f"Early {i}"})
    office.sync("a")  # the first round also leaves a snapshot
    crud.create(a.uow(), E.PEOPLE, {"name": "After the snapshot"})
    office.sync("a")
    assert _restore(office, "new") == 0
    new = office.pc("new")
    assert len(crud.list_all(new.uow(write=False), E.PEOPLE)) == 5  # what the snapshot held
    report = office.sync("new")
    assert report.merged > 0
    assert content(new) == content(a)
    assert new.device_id != a.device_id


def test_unpublished_local_changes_survive_a_restore(office: Office) -> None:
    a = office.pc("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "On the share"})
    office.sync("a")
    b = office.pc("b")
    mine = crud.create(b.uow(), E.PEOPLE, {"name": "Typed offline on B"}).value
    device_before = b.device_id
    assert _restore(office, "b") > 0
    b = office.pc("b")
    assert b.device_id == device_before
    names = {p.name for p in crud.list_all(b.uow(write=False), E.PEOPLE)}
    assert names == {"On the share", "Typed offline on B"}
    assert office.sync("b").published > 0
    office.sync("a")
    assert crud.get(a.uow(write=False), E.PEOPLE, mine.id).name == "Typed offline on B"


def test_old_segments_go_once_acknowledged_and_in_a_snapshot(office: Office) -> None:
    from hescb_desktop.sync.retention import prune_own_segments
    from hescb_desktop.sync.snapshot import make_snapshot

    a = office.pc("a")
    office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "One"})
    office.sync("a")
    folder = office.share.segments_dir(a.device_id)
    # b has not acknowledged yet
    assert prune_own_segments(office.share, a.device_id, min_age_s=0) == 0
    office.sync("b")
    make_snapshot(office.root / "a" / "hescb.sqlite", office.share, a.device_id, a.clock.now(), "")
    segments = len(list(folder.iterdir()))
    assert segments > 0
    assert prune_own_segments(office.share, a.device_id) == 0  # too young: a PC may be joining
    assert prune_own_segments(office.share, a.device_id, min_age_s=0) == segments
    assert list(folder.iterdir()) == []
    # a PC arriving now finds a gap it cannot fill from segments, and is told to restore
    crud.create(a.uow(), E.PEOPLE, {"name": "Two"})
    office.sync("a")
    report = office.sync("late")
    assert report.needs_restore
    _restore(office, "late")
    office.sync("late")
    assert content(office.pc("late")) == content(a)


def test_a_pc_arriving_after_every_segment_was_removed_is_told_to_restore(office: Office) -> None:
    from hescb_desktop.sync.retention import prune_own_segments

    a = office.pc("a")
    office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "Only in the snapshot"})
    office.sync("a")
    office.sync("b")
    office.sync("a")  # a's first round left a snapshot; b has acknowledged everything
    assert prune_own_segments(office.share, a.device_id, min_age_s=0) > 0
    report = office.sync("late")  # nothing to read from a: not "nothing new"
    assert report.needs_restore
    assert any("no longer on the share" in p for p in report.problems)
    _restore(office, "late")
    office.sync("late")
    assert content(office.pc("late")) == content(a)
