"""The journal heals itself (issue 13, points 2, 4 and 6): readers ask for what they cannot read,
the author republishes it, a PC keeps its own folder true, a join refuses a share with a hole in
its history, and a PC behind its own published journal recovers it from the share."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import board_pcs as pcs_
import pytest
from app_process import cli, env
from sync_office import Office, content

from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.storage.identity import os_account
from hescb_desktop.sync.healing import listing
from hescb_desktop.sync.retention import prune_own_segments
from hescb_desktop.sync.segments import (
    SegmentError,
    encode,
    generation,
    read_segment,
    segment_header,
)
from hescb_desktop.sync.snapshot import make_snapshot


def names(ctx: ServiceContext) -> set[str]:
    return {p.name for p in crud.list_all(ctx.uow(write=False), E.PEOPLE)}


def short(ctx: ServiceContext) -> str:
    return ctx.device_id.replace("-", "")[-8:]


def wants(office: Office, ctx: ServiceContext) -> dict[str, object]:
    path = office.share.device_dir(ctx.device_id) / "wants.json"
    return json.loads(path.read_text()) if path.exists() else {}


def flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    at = data.index(b'"value"') + 10
    data[at] ^= 0x04
    path.write_bytes(bytes(data))


def notices(office: Office, pc: str) -> list[str]:
    found = office.rows(pc, "SELECT message FROM sync_notices WHERE kind = 'healed'")
    return [m for (m,) in found]


# ---------------------------------------------------------------------- damaged and deleted
def test_a_damaged_and_a_deleted_segment_heal_without_anyone_editing_files(
    office: Office,
) -> None:
    a, b = office.pc("a"), office.pc("b")
    for name in ("First", "Second", "Third"):
        crud.create(a.uow(), E.PEOPLE, {"name": name})
        office.sync("a")
    first, second, third = office.segments("a")
    flip(first)
    second.unlink()
    report = office.sync("b")
    assert names(b) == set()
    [problem] = report.problems
    assert problem.startswith(f"PC {short(a)}: {first.name} fails its checksum")
    asked = wants(office, b)[a.device_id]
    assert asked == [{"first": 1, "last": 8, "why": "damaged", "file": first.name}]

    report = office.sync("a")  # the author's next round
    lo, hi = (int(x) for x in second.name.split(".")[0].split("-"))
    assert report.healed == [
        f"republished changes 1-8: PC {short(b)} could not read them (damaged on the share)",
        f"republished changes {lo}-{hi}: they were no longer on the share",
    ]
    assert "healed 2" in report.summary()
    assert sorted(notices(office, "a")) == sorted(report.healed)
    assert first.exists()  # the damaged original stays; the healing copy supersedes it
    heals = [f for f in listing(first.parent) if f.gen]
    assert [(f.first, f.last, f.gen) for f in heals] == [(1, 8, 1), (lo, hi, 1)]
    assert read_segment(heals[0].path).header["heals"] == "1-8"

    report = office.sync("b")
    assert report.problems == []
    assert names(b) == {"First", "Second", "Third"}
    assert wants(office, b) == {}  # cleared once healed
    assert office.sync("a").healed == []  # nothing more to do
    office.settle()
    assert content(a) == content(b)
    assert third.exists()


def test_a_healing_copy_that_is_itself_damaged_is_asked_for_again(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "First"})
    office.sync("a")
    [seg] = office.segments("a")
    flip(seg)
    office.sync("b")
    office.sync("a")
    [heal] = [f.path for f in listing(seg.parent) if f.gen == 1]
    flip(heal)
    report = office.sync("b")
    [problem] = report.problems
    assert problem.startswith(f"PC {short(a)}: {heal.name} fails its checksum")
    assert wants(office, b)[a.device_id] == [
        {"first": 1, "last": 8, "why": "damaged", "file": heal.name}
    ]
    assert office.sync("a").healed == [
        f"republished changes 1-8: PC {short(b)} could not read them (damaged on the share)"
    ]
    assert office.sync("b").problems == []
    assert names(b) == {"First"}
    assert content(a) == content(b)


def test_the_newest_segment_deleted_before_anyone_read_it_is_republished(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "First"})
    office.sync("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "Newest"})
    office.sync("a")
    newest = office.segments("a")[-1]
    newest.unlink()
    report = office.sync("a")
    assert len(report.healed) == 1
    assert report.healed[0].endswith("they were no longer on the share")
    office.sync("b")
    assert names(b) == {"First", "Newest"}
    assert content(a) == content(b)


def test_a_segment_that_does_not_read_back_is_written_again(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The share returns other bytes than were written (a cache, a filter driver): the round
    writes a healing copy instead of failing, and says so."""
    from hescb_desktop.sync import segments

    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "First"})
    real = segments.read_bytes
    spoiled: list[Path] = []

    def once_spoiled(path: Path) -> bytes:
        data = real(path)
        if not spoiled and path.suffix == ".jsonl":
            spoiled.append(path)
            return data[:-3]
        return data

    monkeypatch.setattr(segments, "read_bytes", once_spoiled)
    report = office.sync("a")
    monkeypatch.undo()
    assert report.published > 0
    assert len(report.healed) == 1 and "did not read back as written" in report.healed[0]
    assert sorted(generation(p.name) for p in office.segments("a")) == [0, 1]
    office.sync("b")
    assert content(a) == content(b)


def test_healing_segments_are_pruned_like_segments(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "First"})
    office.sync("a")
    [seg] = office.segments("a")
    flip(seg)
    office.sync("b")
    office.sync("a")
    office.sync("b")
    assert names(b) == {"First"}
    make_snapshot(office.root / "a" / "hescb.sqlite", office.share, a.device_id, a.clock.now(), "")
    assert prune_own_segments(office.share, a.device_id, min_age_s=0) == 2  # original and copy
    assert list(office.share.segments_dir(a.device_id).iterdir()) == []
    assert office.sync("a").healed == []  # pruned, not missing


# ---------------------------------------------------------------------- a file it did not write
@pytest.mark.parametrize("crafted", ["garbage", "another PC's segment"])
def test_a_file_this_pc_did_not_write_is_moved_aside_and_it_publishes_past_it(
    office: Office, crafted: str
) -> None:
    a, b, c = office.pc("a"), office.pc("b"), office.pc("c")
    crud.create(a.uow(), E.PEOPLE, {"name": "First"})
    crud.create(c.uow(), E.PEOPLE, {"name": "From C"})
    office.sync("a")
    office.sync("c")
    folder = office.share.segments_dir(a.device_id)
    bogus = folder / "000000000009-000000000010.jsonl"  # a's next seq
    if crafted == "garbage":
        bogus.write_bytes(b'{"kind": "header"}\nnot a segment\n')
        office.sync("b")  # a reader meets it first: damaged, asked for
        assert wants(office, b)[a.device_id] == [
            {"first": 9, "last": 10, "why": "damaged", "file": bogus.name}
        ]
    else:  # well formed, at a's next numbers, but the header names c (and c's records)
        [theirs] = office.segments("c")
        records = [r._replace(seq=r.seq + 8, tx=r.tx + 8) for r in read_segment(theirs).records]
        header = segment_header(c.device_id, 9, 16, "")
        bogus = folder / "000000000009-000000000016.jsonl"
        bogus.write_bytes(encode(header, records))
    crud.create(a.uow(), E.PEOPLE, {"name": "Second"})
    report = office.sync("a")
    assert (
        f"a file this PC did not write is in its folder on the share: {bogus.name}; moved aside"
    ) in report.healed[0]
    assert report.healed[0] in notices(office, "a")
    assert not bogus.exists()
    assert (folder / (bogus.name + ".foreign")).exists()
    assert report.published > 0 and report.problems == []
    newest = read_segment(office.segments("a")[-1])
    assert newest.first_seq == (11 if crafted == "garbage" else 17)  # the next free numbers
    for pc in ("b", "c", "a", "b", "c"):
        assert office.sync(pc).problems == []
    assert names(a) == names(b) == names(c) == {"First", "Second", "From C"}
    assert content(a) == content(b) == content(c)


# ---------------------------------------------------------------------- a same-id copy
def test_a_copy_with_the_same_device_id_catches_up_instead_of_stopping(
    office: Office,
) -> None:
    """A database file put back at the same place on the same PC (a backup restored) keeps its
    device id; it finds its own later changes on the share, takes them, and publishes past
    them. (A copy at another place or on another PC gets a new id: test_sync_faults.)"""
    a = office.pc("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "Before the backup"})
    office.sync("a")
    a.close()
    del office.pcs["a"]
    data = office.root / "a"
    backup = office.root / "backup"
    shutil.copytree(data, backup)
    a = office.pc("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "Sent after the backup"})
    office.sync("a")
    sent = [p.name for p in office.segments("a")]
    a.close()
    del office.pcs["a"]
    shutil.rmtree(data)
    shutil.copytree(backup, data)
    a = office.pc("a")
    assert names(a) == {"Before the backup"}
    crud.create(a.uow(), E.PEOPLE, {"name": "Typed after the restore"})
    report = office.sync("a")
    assert report.healed == [
        "this PC had lost changes 9-16 it had sent; they were recovered from the share "
        "(the 8 changes made here since are sent after them)"
    ]
    assert [p.name for p in office.segments("a")][:2] == sent  # nothing overwritten
    b = office.pc("b")
    office.settle()
    expected = {"Before the backup", "Sent after the backup", "Typed after the restore"}
    assert names(a) == names(b) == expected
    assert content(a) == content(b)


# ---------------------------------------------------------------------- real processes


def add_people(data: Path, *people: str) -> None:
    ctx = open_context(data)
    try:
        for name in people:
            crud.create(ctx.uow(), E.PEOPLE, {"name": name})
    finally:
        ctx.close()


def export(data: Path) -> dict[str, object]:
    result = cli("--data-dir", data, "export-json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["tables"]  # type: ignore[no-any-return]


def tree(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {"<absent>": ""}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else ""
        for p in sorted(folder.rglob("*"))
    }


def test_join_refuses_a_share_without_its_founding_history_until_healed(tmp_path: Path) -> None:
    share, a, b = tmp_path / "share", tmp_path / "a", tmp_path / "b"
    share.mkdir()
    assert cli("--data-dir", a, "init").returncode == 0
    add_people(a, "Founder")
    assert cli("--data-dir", a, "--share", share, "sync").returncode == 0
    add_people(a, "Later")
    assert cli("--data-dir", a, "--share", share, "sync").returncode == 0
    device = next((share / "hescb-sync" / "devices").iterdir())
    # its first segment: 1-16, init's founder (a person of the board, 8 records) and Founder
    founding = sorted((device / "segments").glob("*.jsonl"))[0]
    founding.unlink()
    shutil.rmtree(share / "hescb-sync" / "snapshots")
    b.mkdir()
    (b / "notes.txt").write_text("the user's own file\n")
    before = tree(b)

    root = pcs_.pc_fingerprint(a)  # b confirms the board's root: the history is what stops it
    joined = cli("--data-dir", b, "--share", share, "join", "--trust-root", root)
    assert joined.returncode == 1
    pc = device.name.replace("-", "")[-8:]
    assert f"the share's history is incomplete: PC {pc}'s changes 1-16 are missing and no " in (
        joined.stderr
    )
    assert "Traceback" not in joined.stderr
    assert len(joined.stderr.strip().splitlines()) == 1
    assert tree(b) == before  # the data dir is as it was
    asked = [
        json.loads(p.read_text()) for p in (share / "hescb-sync" / "devices").glob("*/wants.json")
    ]
    assert asked == [{device.name: [{"first": 1, "last": 16, "why": "missing", "file": ""}]}]

    healed = cli("--data-dir", a, "--share", share, "sync")  # the author's next round
    assert healed.returncode == 0
    assert "sync: republished changes 1-16: they were no longer on the share" in healed.stderr
    shutil.rmtree(share / "hescb-sync" / "snapshots")  # the segments alone must do
    joined = cli("--data-dir", b, "--share", share, "join", "--trust-root", root)
    assert joined.returncode == 0, joined.stderr
    assert export(b) == export(a)
    people = export(b)["people"]
    assert isinstance(people, list)
    assert {p["name"] for p in people} == {"Founder", "Later", os_account()}  # and init's founder


KILLED_AFTER_SYNC = """
import os, signal, sqlite3, sys
from pathlib import Path
from hescb_desktop.services import crud, entities as E, sync
from hescb_desktop.services.context import open_context
ctx = open_context(Path(sys.argv[1]))
# another connection stays open (as the app's would): closing the engine's does not checkpoint
keep = sqlite3.connect(Path(sys.argv[1]) / "hescb.sqlite")
keep.execute("SELECT count(*) FROM sqlite_master").fetchall()
for i in range(3):
    crud.create(ctx.uow(), E.PEOPLE, {"name": f"Sent then lost {i}"})
report = sync.run_sync(ctx, Path(sys.argv[2]))
assert report.published > 0
os.kill(os.getpid(), signal.SIGKILL)  # the PC dies: what it did is only in the WAL
"""


@pytest.mark.parametrize("how", ["backup restored", "WAL deleted after a kill"])
def test_a_pc_behind_its_own_published_journal_recovers_it(tmp_path: Path, how: str) -> None:
    share, a, b = tmp_path / "share", tmp_path / "a", tmp_path / "b"
    share.mkdir()
    for data in (a, b):
        assert cli("--data-dir", data, "init").returncode == 0
    add_people(a, "First batch")
    assert cli("--data-dir", a, "--share", share, "sync").returncode == 0
    backup = tmp_path / "backup"
    shutil.copytree(a, backup)
    if how == "backup restored":
        add_people(a, "Sent then lost 0")
        assert cli("--data-dir", a, "--share", share, "sync").returncode == 0
        shutil.rmtree(a)
        shutil.copytree(backup, a)
    else:
        killed = subprocess.run(
            [sys.executable, "-c", KILLED_AFTER_SYNC, str(a), str(share)],
            env=env(),
            timeout=120,
            check=False,
        )
        assert killed.returncode == -signal.SIGKILL
        assert (a / "hescb.sqlite-wal").stat().st_size > 0
        (a / "hescb.sqlite-wal").unlink()
        (a / "hescb.sqlite-shm").unlink(missing_ok=True)
    pinned = pcs_.pin(b, share, pcs_.pc_fingerprint(a))  # b (only reads) has it all
    assert pinned.returncode == 0, pinned.stderr
    lost = {p["name"] for p in export(b)["people"]} - {p["name"] for p in export(a)["people"]}  # type: ignore[union-attr]
    assert lost and all(n.startswith("Sent then lost") for n in lost)
    add_people(a, "Typed after the loss")

    done = cli("--data-dir", a, "--share", share, "sync")
    assert done.returncode == 0, done.stderr
    assert "sync: this PC had lost changes " in done.stderr
    assert "it had sent; they were recovered from the share" in done.stderr
    assert "Traceback" not in done.stderr
    status = cli("--data-dir", a, "--share", share, "sync-status")
    assert "to send: 0" in status.stdout
    for data in (b, a):
        assert cli("--data-dir", data, "--share", share, "sync").returncode == 0
    one, two = export(a), export(b)
    assert one == two
    people = {p["name"] for p in one["people"]}  # type: ignore[union-attr]
    assert people == {"First batch", "Typed after the loss", os_account()} | lost  # + the founder
    for path in (share / "hescb-sync").rglob("*.jsonl"):
        try:
            read_segment(path)
        except SegmentError as exc:
            raise AssertionError(f"a bad segment was left under a segment name: {exc}") from exc


def test_lost_changes_only_the_snapshot_holds_send_the_pc_to_the_snapshot(
    office: Office,
) -> None:
    """A backup older than the share's oldest segment: the changes between are only in the
    snapshot. They are not declared void (that would hide them): the PC is told to restart
    from the snapshot, and after it has, it holds everything."""
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "Before the backup"})
    office.sync("a")
    a.close()
    del office.pcs["a"]
    shutil.copytree(office.root / "a", office.root / "backup")
    a = office.pc("a")
    for name in ("Pruned since", "Still on the share"):
        crud.create(a.uow(), E.PEOPLE, {"name": name})
        office.sync("a")
    office.sync("b")
    make_snapshot(office.root / "a" / "hescb.sqlite", office.share, a.device_id, a.clock.now(), "")
    office.segments("a")[1].unlink()  # 9-16: as retention removes what the snapshot holds
    a.close()
    del office.pcs["a"]
    shutil.rmtree(office.root / "a")
    shutil.copytree(office.root / "backup", office.root / "a")
    a = office.pc("a")
    report = office.sync("a")
    assert report.needs_restore
    assert report.healed == [
        "this PC had lost changes 17-24 it had sent; they were recovered from the share",
        "this PC had lost changes 9-16 it had sent, and the share keeps them only in its "
        "snapshot: restart this PC from it",
    ]
    assert all(generation(p.name) == 0 for p in office.segments("a"))  # no void written
    assert office.sync("a").needs_restore  # asked again each round until it has
    a = sync_service.join_share(a, office.share.folder, discard_demo=False)
    office.pcs["a"] = a
    assert not office.sync("a").needs_restore
    office.settle()
    assert names(a) == names(b) == {"Before the backup", "Pruned since", "Still on the share"}
    assert content(a) == content(b)


# ---------------------------------------------------------------------- its own write, damaged
def test_its_own_segment_damaged_before_it_was_recorded_as_sent_is_written_again(
    office: Office,
) -> None:
    """A crash between writing a segment and recording it as sent, and the file damaged on the
    share meanwhile (the replica state machine found it): the segment is this PC's own, so it is
    written again as a healing copy under the same numbers (before, it was taken as a forged
    file: moved aside and the PC's changes renumbered)."""
    from sqlalchemy import text

    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "Sent once"})
    office.sync("a")
    with a.engine.begin() as conn:  # the crash: written, never recorded as sent
        conn.execute(text("UPDATE change_log SET published = 0"))
    [segment] = office.segments("a")
    data = bytearray(segment.read_bytes())
    data[0] ^= 0x20
    segment.write_bytes(bytes(data))
    report = office.sync("a")
    assert any("was damaged before it was recorded as sent" in m for m in report.healed)
    assert not segment.with_name(segment.name + ".foreign").exists()
    assert office.rows("a", "SELECT count(*) FROM change_log WHERE published = 0") == [(0,)]
    office.settle()
    assert names(b) == {"Sent once"}
    assert content(a) == content(b)
