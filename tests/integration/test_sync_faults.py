"""Faults sync must survive: corrupt segments, skewed clocks, a share that fails mid-round,
two PCs writing at the same instant, a database copied to a second PC (issue 3)."""

from __future__ import annotations

import errno
import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sync_office import Office, content

from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.storage import device as device_module
from hescb_desktop.sync import round as round_module
from hescb_desktop.sync import share as share_module
from hescb_desktop.sync.hlc import MAX_AHEAD_MS, HybridLogicalClock, unpack, wall_ms
from hescb_desktop.sync.publisher import pending_count
from hescb_desktop.sync.segments import SegmentError, read_segment
from hescb_desktop.sync.share import ShareError

HOUR_MS = 3600 * 1000


def names(ctx: ServiceContext) -> set[str]:
    return {p.name for p in crud.list_all(ctx.uow(write=False), E.PEOPLE)}


# ---------------------------------------------------------------------- corrupt segments
def _truncate_mid_line(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _drop_trailer(data: bytes) -> bytes:
    return b"".join(data.splitlines(keepends=True)[:-1])


def _flip_bit_in_record(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    record = bytearray(lines[1])
    at = record.index(b'"value"') + 10  # inside the record's value
    record[at] ^= 0x04
    return b"".join([lines[0], bytes(record), *lines[2:]])


def _zero_filled(data: bytes) -> bytes:
    return bytes(len(data))


def _garbage(data: bytes) -> bytes:
    return random.Random(3).randbytes(len(data))


def _empty(data: bytes) -> bytes:
    return b""


CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "truncated mid-line": _truncate_mid_line,
    "truncated at a line, no trailer": _drop_trailer,
    "one bit flipped in a record": _flip_bit_in_record,
    "zero-filled": _zero_filled,
    "garbage": _garbage,
    "empty": _empty,
}


def _two_segments(office: Office) -> tuple[ServiceContext, ServiceContext, list[Path]]:
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "First"})
    office.sync("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "Second"})
    office.sync("a")
    segs = office.segments("a")
    assert len(segs) == 2
    return a, b, segs


def _cursor(office: Office, pc: str, peer: ServiceContext) -> int:
    found = office.rows(pc, f"SELECT cursor FROM sync_peers WHERE device_id = '{peer.device_id}'")
    return int(found[0][0]) if found else 0


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
@pytest.mark.parametrize("which", [0, 1], ids=["first segment", "last segment"])
def test_a_corrupt_segment_is_reported_never_merged_never_skipped(
    office: Office, corrupt: Callable[[bytes], bytes], which: int
) -> None:
    a, b, segs = _two_segments(office)
    original = segs[which].read_bytes()
    damaged = corrupt(original)
    assert damaged != original
    segs[which].write_bytes(damaged)
    with pytest.raises(SegmentError):
        read_segment(segs[which])
    crud.create(a.uow(), E.PEOPLE, {"name": "Third"})  # a good segment after the bad one
    office.sync("a")
    for _ in range(2):  # asking again changes nothing
        report = office.sync("b")
        assert len(report.problems) == 1
        assert report.problems[0].startswith(f"PC {a.device_id.replace('-', '')[-8:]}: ")
        assert names(b) == ({"First"} if which == 1 else set())
    good_before = office.rows("a", "SELECT max(seq) FROM change_log")[0][0]
    assert _cursor(office, "b", a) < good_before
    segs[which].write_bytes(original)  # the share heals (a late write completes, a copy back)
    report = office.sync("b")
    assert report.problems == []
    assert names(b) == {"First", "Second", "Third"}
    office.settle()
    assert content(a) == content(b)


@pytest.mark.parametrize("needs", ["the row it edits", "the row it points to"])
def test_changes_that_need_a_missing_segment_wait_and_the_rest_merge(
    office: Office, needs: str
) -> None:
    """PC a's segment is damaged (or hidden by a stale listing). PC b has a's changes and
    builds on them: it edits a's person, or adds a person in a's organisation. PC c can merge
    neither yet: b's changes wait, with b's cursor unmoved. PC d's unrelated changes still
    merge, and nothing fails. Once a's segment heals, c takes everything and all PCs agree."""
    a, b, c, d = (office.pc(n) for n in "abcd")
    org = crud.create(a.uow(), E.ORGANISATIONS, {"code": "HX", "name": "Estates"}).value
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Priya"}).value
    office.sync("a")
    office.sync("b")
    if needs == "the row it edits":
        crud.update(b.uow(), E.PEOPLE, person.id, {"role": "Area Manager"})
    else:
        crud.create(b.uow(), E.PEOPLE, {"name": "Sam", "organisation_id": org.id})
    office.sync("b")
    crud.create(d.uow(), E.PEOPLE, {"name": "Dana"})
    office.sync("d")
    [seg] = office.segments("a")
    original = seg.read_bytes()
    seg.write_bytes(original[: len(original) // 2])
    for _ in range(2):  # asking again changes nothing
        report = office.sync("c")
        assert names(c) == {"Dana"}
        waiting = [p for p in report.problems if "waiting" in p]
        assert len(waiting) == 1 and waiting[0].startswith(
            f"PC {b.device_id.replace('-', '')[-8:]}: "
        ), report.problems
        assert _cursor(office, "c", b) == 0
    seg.write_bytes(original)
    report = office.sync("c")
    assert report.problems == []
    assert names(c) == {"Priya", "Dana"} | ({"Sam"} if needs != "the row it edits" else set())
    office.settle()
    assert content(a) == content(b) == content(c) == content(d)


def test_a_segment_whose_name_disagrees_with_its_header_is_not_taken(office: Office) -> None:
    _, b, segs = _two_segments(office)
    first, second = segs[0].read_bytes(), segs[1].read_bytes()
    segs[0].write_bytes(second)  # the second segment's bytes under the first one's name
    report = office.sync("b")
    assert report.merged == 0
    assert any("name does not match" in p for p in report.problems)
    assert names(b) == set()
    segs[0].write_bytes(first)
    assert office.sync("b").problems == []
    assert names(b) == {"First", "Second"}


def test_every_single_bit_flip_is_caught_as_a_segment_error(office: Office) -> None:
    _, _, segs = _two_segments(office)
    original = segs[0].read_bytes()
    rng = random.Random(11)
    positions = rng.sample(range(len(original) * 8), k=min(1500, len(original) * 8))
    for bit in positions:
        damaged = bytearray(original)
        damaged[bit // 8] ^= 1 << (bit % 8)
        segs[0].write_bytes(bytes(damaged))
        with pytest.raises(SegmentError):
            read_segment(segs[0])
    segs[0].write_bytes(original)
    assert read_segment(segs[0]).records


def test_a_leftover_temp_file_is_ignored(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "First"})
    office.sync("a")
    folder = office.share.segments_dir(a.device_id)
    whole = office.segments("a")[0].read_bytes()
    # what a PC killed while writing leaves behind: a partial file under a temporary name
    (folder / ".000000000100-000000000120.jsonl.4242.tmp").write_bytes(whole[:40])
    (folder / "000000000100-000000000120.jsonl.tmp").write_bytes(whole[:40])
    crud.create(a.uow(), E.PEOPLE, {"name": "Second"})
    assert office.sync("a").published > 0  # the leftovers do not confuse the publisher
    report = office.sync("b")
    assert report.problems == []
    assert names(b) == {"First", "Second"}


# ---------------------------------------------------------------------- clocks
def test_an_edit_made_after_seeing_another_wins_though_its_clock_is_hours_behind(
    office: Office,
) -> None:
    a, b = office.pc("a"), office.pc("b")
    office.skew("b", -5 * HOUR_MS)
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam", "role": "CFO"}).value
    office.settle()
    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "ACFO"})
    office.sync("a")
    office.sync("b")  # B sees A's edit ...
    assert crud.get(b.uow(write=False), E.PEOPLE, person.id).role == "ACFO"
    office.skew("b", -5 * HOUR_MS)  # ... and keeps it across a restart
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "DCFO"})  # then edits: causally later
    office.settle()
    for ctx in (a, b):
        assert crud.get(ctx.uow(write=False), E.PEOPLE, person.id).role == "DCFO"
    assert office.rows("a", "SELECT count(*) FROM conflicts") == [(0,)]
    assert office.rows("b", "SELECT count(*) FROM conflicts") == [(0,)]
    assert content(a) == content(b)


def test_a_peer_far_in_the_future_is_clamped_and_later_local_edits_still_win(
    office: Office,
) -> None:
    a, c = office.pc("a"), office.pc("c")
    office.pc("b")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam", "role": "CFO"}).value
    office.settle()
    office.skew("c", 3 * 24 * HOUR_MS)  # C's clock is days ahead (beyond the bound)
    crud.update(c.uow(), E.PEOPLE, person.id, {"role": "from the future"})
    office.sync("c")
    report = office.sync("a")
    assert report.clamped > 0
    assert unpack(a.clock.last)[0] <= wall_ms() + MAX_AHEAD_MS  # not dragged along
    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "ACFO"})  # A has seen C's value
    office.settle()
    for pc in ("a", "b", "c"):
        ctx = office.pc(pc)
        assert crud.get(ctx.uow(write=False), E.PEOPLE, person.id).role == "ACFO"
        assert office.rows(pc, "SELECT count(*) FROM conflicts") == [(0,)]
    assert content(a) == content(office.pc("b")) == content(c)


def test_two_pcs_writing_at_the_same_instant(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam"}).value
    office.settle()
    instant = unpack(max(a.clock.last, b.clock.last))[0] + 1000
    for ctx in (a, b):  # both clocks read exactly the same millisecond
        ctx.clock = HybridLogicalClock(last=0, wall=lambda: instant)
    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "from A"})
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "from B"})
    stamps = office.rows("a", "SELECT max(hlc) FROM change_log") + office.rows(
        "b", "SELECT max(hlc) FROM change_log"
    )
    assert stamps[0] == stamps[1]  # the very same hlc
    office.settle()
    winner, loser = ("from A", "from B") if a.device_id > b.device_id else ("from B", "from A")
    for pc in ("a", "b"):
        ctx = office.pc(pc)
        assert crud.get(ctx.uow(write=False), E.PEOPLE, person.id).role == winner
        conflicts = office.rows(pc, "SELECT column_name, kept_value, lost_value FROM conflicts")
        assert conflicts == [("role", json.dumps(winner), json.dumps(loser))]
    assert content(a) == content(b)


# ---------------------------------------------------------------------- the share fails
def test_a_share_that_vanishes_between_publish_and_pull_fails_the_round_cleanly(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(b.uow(), E.PEOPLE, {"name": "From B"})
    office.settle()
    crud.create(a.uow(), E.PEOPLE, {"name": "From A"})
    crud.create(b.uow(), E.PEOPLE, {"name": "From B again"})
    office.sync("b")
    away = office.root / "share-away"
    real_publish = round_module.publish

    def publish_then_vanish(*args: Any, **kwargs: Any) -> int:
        done = real_publish(*args, **kwargs)
        office.share.folder.rename(away)  # the network drops here
        return done

    monkeypatch.setattr(round_module, "publish", publish_then_vanish)
    with pytest.raises((ShareError, OSError)):
        sync_service.run_sync(a, office.share.folder)
    monkeypatch.undo()
    assert not office.share.folder.exists()  # nothing was written to where the share was
    assert names(a) == {"From B", "From A"}  # nothing local lost
    away.rename(office.share.folder)  # the share comes back
    report = sync_service.run_sync(a, office.share.folder)
    assert report.problems == []
    assert names(a) == {"From B", "From A", "From B again"}
    office.settle()
    assert content(a) == content(b)


def test_a_share_that_is_a_file_is_unavailable(office: Office) -> None:
    a = office.pc("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "Offline"})
    not_a_folder = office.root / "share-file"
    not_a_folder.write_text("not a folder\n")
    with pytest.raises(ShareError, match="not available"):
        sync_service.run_sync(a, not_a_folder)
    with pytest.raises(ShareError, match="not available"):
        sync_service.run_sync(a, office.root / "no-such-share")
    assert pending_count(a.engine, a.device_id) > 0
    assert sync_service.run_sync(a, office.share.folder).published > 0


def _denied(*_: Any, **__: Any) -> Any:
    raise PermissionError(errno.EACCES, "Access is denied")  # WinError 5 / 32 analogue


@pytest.mark.parametrize(
    "targets",
    [("fsync",), ("link", "rename"), ("replace",)],
    ids=["writing a segment", "naming a segment", "writing the ack"],
)
def test_a_read_only_or_locked_share_still_pulls_says_not_sent_and_the_next_round_sends(
    office: Office, monkeypatch: pytest.MonkeyPatch, targets: tuple[str, ...]
) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(b.uow(), E.PEOPLE, {"name": "From B"})
    office.sync("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "From A"})
    pending = pending_count(a.engine, a.device_id)
    assert a.pc_key  # made now (its file in the data folder is fsynced): the fault is the share's
    for target in targets:
        monkeypatch.setattr(share_module.os, target, _denied)  # os itself: every caller's
    report = sync_service.run_sync(a, office.share.folder)
    monkeypatch.undo()
    assert "denied" in report.send_failed  # said, not hidden ...
    assert names(a) == {"From A", "From B"}  # ... and the peer's change was still merged
    for path in office.share.segments_dir(a.device_id).glob("*.jsonl"):
        read_segment(path)  # nothing partial under a final name
    if targets != ("replace",):  # the failure came before the segment was on the share
        assert pending_count(a.engine, a.device_id) == pending
        assert list(office.share.segments_dir(a.device_id).glob("*.tmp")) == []
    report = sync_service.run_sync(a, office.share.folder)
    assert report.problems == []
    assert pending_count(a.engine, a.device_id) == 0
    assert names(a) == {"From A", "From B"}
    office.sync("b")
    assert names(b) == {"From A", "From B"}
    assert content(a) == content(b)


def test_a_peer_segment_locked_by_another_program_is_retried(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "From A"})
    office.sync("a")
    real_read_bytes = Path.read_bytes

    def locked(self: Path) -> bytes:
        if self.suffix == ".jsonl":
            raise PermissionError(errno.EACCES, "The process cannot access the file")
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", locked)
    report = office.sync("b")
    monkeypatch.undo()
    assert report.merged == 0
    assert any("cannot read" in p for p in report.problems)
    assert _cursor(office, "b", a) == 0
    report = office.sync("b")
    assert report.problems == []
    assert names(b) == {"From A"}


# ---------------------------------------------------------------------- a copied database
def test_a_copied_database_with_the_same_device_id_catches_up_and_loses_nothing(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a file at the same path on the same computer keeps its device id (a backup put
    back), so a copy that still has it is a PC behind its own journal: it takes the original's
    later changes from the share as its own and publishes its edit after them (issue 13). Before,
    it stopped for ever ("is a copy of this database in use on another PC?")."""
    a = office.pc("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "Before the copy"})
    office.sync("a")
    a.close()
    del office.pcs["a"]
    shutil.copytree(office.root / "a", office.root / "copy")
    original_fingerprint = device_module.fingerprint(office.root / "a" / "hescb.sqlite")
    monkeypatch.setattr(device_module, "fingerprint", lambda _path: original_fingerprint)
    a, copy = office.pc("a"), office.pc("copy")
    assert copy.device_id == a.device_id  # the copy did not notice it moved
    crud.create(a.uow(), E.PEOPLE, {"name": "Typed on the original"})
    crud.create(copy.uow(), E.PEOPLE, {"name": "Typed on the copy"})
    office.sync("a")
    on_share = {p.name: p.read_bytes() for p in office.segments("a")}
    report = sync_service.run_sync(copy, office.share.folder)
    assert report.healed and "recovered from the share" in report.healed[0]
    assert {p.name: p.read_bytes() for p in office.segments("a")}.items() >= on_share.items()
    assert pending_count(copy.engine, copy.device_id) == 0
    b = office.pc("b")
    office.settle()
    expected = {"Before the copy", "Typed on the original", "Typed on the copy"}
    assert names(a) == names(copy) == names(b) == expected
    assert content(a) == content(copy) == content(b)


def test_a_database_copied_to_another_place_becomes_a_new_device(office: Office) -> None:
    a = office.pc("a")
    crud.create(a.uow(), E.PEOPLE, {"name": "Before the copy"})
    office.sync("a")
    a.close()
    del office.pcs["a"]
    shutil.copytree(office.root / "a", office.root / "copy")
    a, copy = office.pc("a"), office.pc("copy")
    assert copy.device_id != a.device_id
    crud.create(a.uow(), E.PEOPLE, {"name": "Typed on the original"})
    crud.create(copy.uow(), E.PEOPLE, {"name": "Typed on the copy"})
    office.settle()
    expected = {"Before the copy", "Typed on the original", "Typed on the copy"}
    assert names(a) == names(copy) == expected
    assert content(a) == content(copy)
