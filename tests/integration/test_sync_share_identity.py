"""Issue 13, points 1 and 7: the share's identity, a share that vanishes or is not mounted, a
share that cannot be written, temporary files, the format message, failed joins.

Real data dirs, real share folders, real `python -m hescb_desktop` processes; a read-only share
is a read-only bind mount and a full one a small tmpfs (see share_faults.py, which simulates
them where mounts cannot be made, and says so).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import board_pcs as pcs_
import pytest
from app_process import add_people, cli, env, export
from share_faults import full, read_only, small_disk

from hescb_desktop.cli import main as cli_main
from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import open_context
from hescb_desktop.storage.identity import os_account
from hescb_desktop.sync import share as share_module
from hescb_desktop.sync.board import BOARD_KEY
from hescb_desktop.sync.segments import parse_name, read_segment
from hescb_desktop.sync.share import FormatTooNewError, Share, ShareError

pytestmark = pytest.mark.slow


def sync(data: Path, share: Path) -> subprocess.CompletedProcess[str]:
    return cli("--data-dir", data, "--share", share, "sync")


def people(data: Path) -> set[str]:
    return {p["name"] for p in export(data)["people"]}  # type: ignore[union-attr,index]


def listing(folder: Path) -> dict[str, tuple[str, int, str]]:
    """Every file and folder under `folder`: kind, size and sha256."""
    found: dict[str, tuple[str, int, str]] = {}
    for item in sorted(folder.rglob("*")) if folder.exists() else []:
        rel = str(item.relative_to(folder))
        if item.is_dir():
            found[rel] = ("dir", 0, "")
        else:
            data = item.read_bytes()
            found[rel] = ("file", len(data), hashlib.sha256(data).hexdigest())
    return found


def local_state(data: Path, key: str) -> str | None:
    conn = sqlite3.connect(data / "hescb.sqlite")
    try:
        row = conn.execute("SELECT value FROM local_state WHERE key = ?", (key,)).fetchone()
    finally:
        conn.close()
    return str(row[0]) if row else None


def published_seqs(data: Path) -> tuple[set[int], int]:
    """The seqs of this PC's own records marked published, and how many are not."""
    conn = sqlite3.connect(data / "hescb.sqlite")
    try:
        device = conn.execute("SELECT value FROM local_state WHERE key = 'device_id'").fetchone()
        rows = conn.execute(
            "SELECT seq, published FROM change_log WHERE device_id = ?", (device[0],)
        ).fetchall()
    finally:
        conn.close()
    return {s for s, p in rows if p}, sum(1 for _, p in rows if not p)


def written_seqs(share: Path, device: str) -> set[int]:
    """The seqs a PC's whole segments on the share hold."""
    written: set[int] = set()
    for path in (share / "hescb-sync" / "devices" / device / "segments").glob("*.jsonl"):
        rng = parse_name(path.name)
        assert rng is not None
        read_segment(path)  # whole, or this raises
        written |= set(range(rng[0], rng[1] + 1))
    return written


def device_of(data: Path) -> str:
    found = local_state(data, "device_id")
    assert found
    return found


def two_pcs(tmp_path: Path) -> tuple[Path, Path, Path]:
    """PCs a and b of one board on one share (a its root, b enrolled), each with a person added,
    both synced (the board id remembered)."""
    share, a, b = tmp_path / "share", tmp_path / "a", tmp_path / "b"
    pcs_.board(share, a, b)
    for data, name in ((a, "Alice"), (b, "Bob")):
        add_person(data, name)
    for data in (a, b, a):
        done = sync(data, share)
        assert done.returncode == 0, done.stderr
    return share, a, b


def add_person(data: Path, name: str) -> None:
    ctx = open_context(data)
    crud.create(ctx.uow(), E.PEOPLE, {"name": name})
    ctx.close()


# ---------------------------------------------------------------------- identity
def test_a_share_founded_gets_a_board_id_that_every_pc_remembers(tmp_path: Path) -> None:
    share, a, b = two_pcs(tmp_path)
    board = json.loads((share / "hescb-sync" / "FORMAT").read_text())["board_id"]
    assert len(board) == 36
    assert local_state(a, BOARD_KEY) == local_state(b, BOARD_KEY) == board


def test_a_share_that_is_not_mounted_is_unavailable_never_a_new_share(tmp_path: Path) -> None:
    share, a, b = two_pcs(tmp_path)
    add_person(a, "Typed while unplugged")
    share.rename(tmp_path / "share-away")
    share.mkdir()  # the mount point, nothing mounted on it
    done = sync(a, share)
    assert done.returncode == 1
    assert "working offline" in done.stderr and "is the share mounted?" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(share.iterdir()) == []  # nothing written where the share should be
    status = cli("--data-dir", a, "--share", share, "sync-status")
    assert status.returncode == 0
    assert "problem: last sync failed, working offline: " in status.stdout
    assert "is the share mounted?" in status.stdout
    assert "to send: 0" not in status.stdout
    share.rmdir()
    (tmp_path / "share-away").rename(share)  # mounted again
    assert sync(a, share).returncode == 0
    assert "problem" not in cli("--data-dir", a, "--share", share, "sync-status").stdout
    assert sync(b, share).returncode == 0
    assert "Typed while unplugged" in people(b)
    assert export(a) == export(b)


def test_another_boards_share_is_refused(tmp_path: Path) -> None:
    share, a, _ = two_pcs(tmp_path)
    other_share, other_pc = tmp_path / "other-share", tmp_path / "other-pc"
    other_share.mkdir()
    assert cli("--data-dir", other_pc, "init").returncode == 0
    add_person(other_pc, "Someone else's board")
    assert sync(other_pc, other_share).returncode == 0
    before = listing(other_share)
    add_person(a, "Not for the other board")
    done = sync(a, other_share)
    assert done.returncode == 1
    assert "another board's sync folder" in done.stderr
    assert listing(other_share) == before  # not one file written there
    assert "Not for the other board" not in people(other_pc)
    assert sync(a, share).returncode == 0  # its own share still works


def _make_legacy(share: Path, pcs: list[Path]) -> None:
    """The share as the previous app left it: FORMAT without a board id, no PC remembering."""
    fmt = share / "hescb-sync" / "FORMAT"
    fmt.write_text(json.dumps({"format": 1, "min_app_version": "0.1.0"}, sort_keys=True) + "\n")
    for data in pcs:
        conn = sqlite3.connect(data / "hescb.sqlite")
        with conn:
            conn.execute("DELETE FROM local_state WHERE key = ?", (BOARD_KEY,))
        conn.close()


def test_a_share_from_the_previous_app_gets_one_board_id_when_pcs_sync_at_once(
    tmp_path: Path,
) -> None:
    share, a, b = two_pcs(tmp_path)
    c = tmp_path / "c"
    pcs_.init(c)
    _make_legacy(share, [a, b])
    fmt = (share / "hescb-sync" / "FORMAT").read_bytes()
    root = pcs_.root_of(share)  # c is new to the board: it confirms the root on its first sync
    rounds = pcs_.run_all(
        [(a, ["sync"], share), (b, ["sync"], share), (c, ["sync", "--trust-root", root], share)]
    )
    assert [r.returncode for r in rounds] == [0, 0, 0], rounds
    board = json.loads((share / "hescb-sync" / "BOARD").read_text())["board_id"]
    assert local_state(a, BOARD_KEY) == local_state(b, BOARD_KEY) == local_state(c, BOARD_KEY)
    assert local_state(a, BOARD_KEY) == board
    assert (share / "hescb-sync" / "FORMAT").read_bytes() == fmt  # format-1 readers unchanged
    assert not list((share / "hescb-sync").glob(".*.tmp"))


def test_many_pcs_naming_a_share_at_the_same_instant_agree(tmp_path: Path) -> None:
    folder = tmp_path / "share"
    (folder / "hescb-sync").mkdir(parents=True)
    (folder / "hescb-sync" / "FORMAT").write_text('{"format": 1, "min_app_version": "0.1.0"}\n')
    start = threading.Barrier(12)
    found: list[str | None] = []

    def name_it() -> None:
        start.wait()
        found.append(Share(folder).identify(None).board_id)

    threads = [threading.Thread(target=name_it) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(found) == 12 and len(set(found)) == 1 and found[0]


def test_a_pc_that_belongs_to_a_board_never_founds_a_share(tmp_path: Path) -> None:
    _, a, _ = two_pcs(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    ctx = open_context(a)
    try:
        with pytest.raises(ShareError, match="does not hold this board's sync folder"):
            sync_service.run_sync(ctx, empty)
    finally:
        ctx.close()
    assert list(empty.iterdir()) == []


# ---------------------------------------------------------------------- moved away mid-round
SEGMENTS_BEFORE_THE_MOVE = 8


def test_a_share_moved_away_between_two_segment_writes(tmp_path: Path) -> None:
    """A real `sync` process publishes one segment per commit; after a few segments the test
    moves the share away and leaves an empty folder in its place (an unmounted mount point).
    The process fails (exit 1) without creating anything there; what it wrote stays on the
    share, what it did not is not marked published; back again, the next round sends the rest
    and both PCs end identical."""
    share, a, b = two_pcs(tmp_path)
    add_people(a, "batch", 1200, per_commit=4)  # 300 commits: 300 one-commit segments
    away = tmp_path / "share-away"
    mine = share / "hescb-sync" / "devices" / device_of(a) / "segments"
    had = len(list(mine.glob("*.jsonl")))
    proc = subprocess.Popen(
        [sys.executable, "-m", "hescb_desktop", "--data-dir", str(a), "--share", str(share),
         "sync"],
        env=env(HESCB_SYNC_SEGMENT_RECORDS="1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while len(list(mine.glob("*.jsonl"))) < had + SEGMENTS_BEFORE_THE_MOVE:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.002)
    share.rename(away)
    share.mkdir()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, (out, err)
    assert "working offline" in err and "Traceback" not in err
    assert list(share.iterdir()) == []  # no hescb-sync made in the empty folder
    marked, unpublished = published_seqs(a)
    assert marked <= written_seqs(away, device_of(a))  # nothing unwritten marked published
    assert unpublished > 0  # the move really cut the publish short
    share.rmdir()
    away.rename(share)  # the share is back
    for data in (a, b, a):
        done = sync(data, share)
        assert done.returncode == 0, done.stderr
    assert published_seqs(a)[1] == 0
    one, two = export(a), export(b)
    assert one == two
    # the batch, Alice and Bob, and the board's two people enrolled at a and b
    assert len(one["people"]) == 1200 + 2 + 2  # type: ignore[arg-type]


# ---------------------------------------------------------------------- read-only, full
def _run_cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """The command line in this process (so a simulated fault reaches it)."""
    capsys.readouterr()
    code = cli_main([*map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_read_only_share_still_pulls_but_exits_1_not_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    share, a, b = two_pcs(tmp_path)
    add_person(b, "From B")
    assert sync(b, share).returncode == 0
    add_person(a, "From A")
    on_share = listing(share)
    with read_only(share, monkeypatch) as how:
        code, out, err = _run_cli(capsys, "--data-dir", a, "--share", share, "sync")
    print(f"read-only share: {how}")
    assert code == 1
    assert out.startswith("sync: published 0, merged ")
    assert "sync: not sent: this PC could not write its device file, its changes" in err
    assert "From B" in people(a)  # pulled and merged all the same
    assert published_seqs(a)[1] > 0
    assert listing(share) == on_share  # nothing written, nothing half-written
    status = cli("--data-dir", a, "--share", share, "sync-status")
    assert "problem: not sent: this PC could not write" in status.stdout
    assert sync(a, share).returncode == 0  # writable again: sent
    assert published_seqs(a)[1] == 0
    assert sync(b, share).returncode == 0
    assert export(a) == export(b)


def test_a_full_share_still_pulls_but_exits_1_not_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    share, a, b = tmp_path / "share", tmp_path / "a", tmp_path / "b"
    with small_disk(share) as mounted:
        pcs_.board(share, a, b)
        for data, name in ((a, "Alice"), (b, "Bob")):
            add_person(data, name)
            assert sync(data, share).returncode == 0
        assert sync(a, share).returncode == 0
        add_person(b, "From B")
        assert sync(b, share).returncode == 0
        add_people(a, "from A", 300)
        with full(share, mounted, monkeypatch) as how:
            code, _, err = _run_cli(capsys, "--data-dir", a, "--share", share, "sync")
            print(f"full share: {how}")
            assert code == 1
            assert "sync: not sent: this PC could not write its device file, its changes" in err
            assert "No space left on device" in err
            assert "From B" in people(a)
            marked, unpublished = published_seqs(a)
            assert unpublished > 0 and marked <= written_seqs(share, device_of(a))
            assert not list(share.rglob(".*.tmp"))  # the failed writes left no temp files
        assert sync(a, share).returncode == 0
        assert published_seqs(a)[1] == 0
        assert sync(b, share).returncode == 0
        assert export(a) == export(b)


# ---------------------------------------------------------------------- temporary files
def test_a_write_that_fails_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    real_fsync = os.fsync

    def full_at_fsync(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(share_module.os, "fsync", full_at_fsync)
    with pytest.raises(OSError, match="No space"):
        share_module.write_new_file(folder / "segment.jsonl", b"x" * 1000)
    with pytest.raises(OSError, match="No space"):
        share_module.replace_file(folder / "ack.json", b"{}\n")
    monkeypatch.setattr(share_module.os, "fsync", real_fsync)
    monkeypatch.setattr(share_module.os, "replace", full_at_fsync)
    with pytest.raises(OSError, match="No space"):
        share_module.replace_file(folder / "ack.json", b"{}\n")
    assert list(folder.iterdir()) == []


def test_old_temporary_files_in_our_folder_are_swept_a_peers_are_not(tmp_path: Path) -> None:
    share, a, b = two_pcs(tmp_path)
    me, peer = device_of(a), device_of(b)
    root = share / "hescb-sync"
    two_hours_ago = time.time() - 7200
    old_mine = [
        root / "devices" / me / "segments" / ".000000000100-000000000120.jsonl.4242.tmp",
        root / "devices" / me / ".ack.json.4242.tmp",
        root / "snapshots" / f".{me}-00000000000000000001.sqlite.4242.tmp",
    ]
    kept = [
        root / "devices" / me / "segments" / ".000000000200-000000000220.jsonl.4343.tmp",  # new
        root / "devices" / peer / "segments" / ".000000000100-000000000120.jsonl.77.tmp",
        root / "devices" / peer / ".ack.json.77.tmp",
        root / "snapshots" / f".{peer}-00000000000000000001.sqlite.77.tmp",
        root / "devices" / me / "segments" / "notes.txt",  # not ours to judge
    ]
    for path in old_mine + kept:
        path.write_bytes(b"partial")
    for path in old_mine + kept[1:]:
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert sync(a, share).returncode == 0
    assert [p for p in old_mine if p.exists()] == []
    assert [p for p in kept if not p.exists()] == []


# ---------------------------------------------------------------------- the format message
@pytest.mark.parametrize(
    ("fmt", "says", "never"),
    [
        (
            {"format": 3, "min_app_version": "0.1.0"},
            "uses sync format 3, and this HESCB Desktop (0.1.0) reads sync format 2 at most",
            "needs HESCB Desktop 0.1.0",
        ),
        (
            {"format": 3, "min_app_version": "0.4.0"},
            "it needs HESCB Desktop 0.4.0 or later",
            "needs HESCB Desktop 0.1.0",
        ),
        (
            {"format": 1, "min_app_version": "0.3.0"},
            "needs HESCB Desktop 0.3.0 or later, and this is 0.1.0",
            "sync format 1 (",
        ),
    ],
    ids=["newer format, same app", "newer format and app", "newer app"],
)
def test_a_newer_share_is_refused_with_the_versions_that_matter(
    tmp_path: Path, fmt: dict[str, object], says: str, never: str
) -> None:
    share, a, _ = two_pcs(tmp_path)
    (share / "hescb-sync" / "FORMAT").write_text(json.dumps(fmt) + "\n")
    done = sync(a, share)
    assert done.returncode == 1
    assert says in done.stderr and "update the app" in done.stderr
    assert never not in done.stderr
    with pytest.raises(FormatTooNewError, match="update the app"):
        share_module.check_format(fmt, "the share")


# ---------------------------------------------------------------------- failed joins
def _damage_snapshot(share: Path) -> None:
    [snap] = (share / "hescb-sync" / "snapshots").glob("*.sqlite")
    data = bytearray(snap.read_bytes())
    data[len(data) // 2] ^= 0xFF
    snap.write_bytes(bytes(data))


def _a_share_with_a_board(tmp_path: Path) -> tuple[Path, str]:
    """A share founded by the PC `office` (a person added first); and its root fingerprint."""
    share, office = tmp_path / "share", tmp_path / "office"
    share.mkdir()
    assert cli("--data-dir", office, "init").returncode == 0
    add_person(office, "Priya Shah")
    assert sync(office, share).returncode == 0
    assert list((share / "hescb-sync" / "snapshots").glob("*.sqlite"))
    return share, pcs_.pc_fingerprint(office)


@pytest.mark.parametrize(
    "fault", ["share not there", "newer format", "damaged snapshot", "read-only share"]
)
def test_a_new_pc_whose_join_fails_leaves_no_trace(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: str,
) -> None:
    share, root = _a_share_with_a_board(tmp_path)
    new_pc = tmp_path / "new"
    if fault == "share not there":
        share = tmp_path / "unplugged"
    elif fault == "newer format":
        (share / "hescb-sync" / "FORMAT").write_text('{"format": 3}\n')
    elif fault == "damaged snapshot":
        _damage_snapshot(share)
    args = ["--data-dir", new_pc, "--share", share, "join", "--trust-root", root]
    if fault == "read-only share":
        with read_only(share, monkeypatch):
            code, _, err = _run_cli(capsys, *args)
    else:
        code, _, err = _run_cli(capsys, *args)
    assert code == 1, err
    assert err.startswith("join: failed: ")
    assert not new_pc.exists()  # not even an empty folder or a lock file


@pytest.mark.parametrize(
    ("fault", "demo"),
    [
        ("not mounted", False),  # a demo PC belongs to no board: it may found a share there
        ("newer format", False),
        ("newer format", True),
        ("damaged snapshot", False),
        ("damaged snapshot", True),
        ("read-only share", False),
        ("read-only share", True),
    ],
)
def test_an_existing_pc_whose_join_fails_keeps_its_data_dir_byte_for_byte(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: str,
    demo: bool,
) -> None:
    share, root = _a_share_with_a_board(tmp_path)
    pc = tmp_path / "pc"
    if demo:
        assert cli("--data-dir", pc, "init", "--demo").returncode == 0
    else:  # a PC of this board (enrolled): synced once, a change not sent yet
        pcs_.Board(share, tmp_path / "office", fingerprints={tmp_path / "office": root}).enrol(pc)
        add_person(pc, "Sam Patel")
        assert sync(pc, share).returncode == 0
        add_person(pc, "Typed, not sent")
    (pc / "hescb.sqlite.before-join-20260101T000000Z").write_bytes(b"an older copy\n")
    (pc / "hescb.sqlite.demo-20260101T000000Z").write_bytes(b"a demo set aside\n")
    target = share
    if fault == "not mounted":
        target = tmp_path / "empty-mount-point"
        target.mkdir()
    elif fault == "newer format":
        (share / "hescb-sync" / "FORMAT").write_text('{"format": 3}\n')
    elif fault == "damaged snapshot":
        _damage_snapshot(share)
    before = listing(pc)
    args = ["--data-dir", pc, "--share", target, "join", "--discard-demo", "--trust-root", root]
    if fault == "read-only share":
        with read_only(share, monkeypatch):
            code, _, err = _run_cli(capsys, *args)
    else:
        code, _, err = _run_cli(capsys, *args)
    assert code == 1, err
    assert err.startswith("join: failed: ")
    if fault == "not mounted":
        assert "is the share mounted?" in err
        assert list(target.iterdir()) == []
    assert listing(pc) == before


def test_a_join_that_works_still_keeps_the_old_database_beside_the_new(tmp_path: Path) -> None:
    """The guard puts files back only when the join fails: a join that works is as before."""
    share, root = _a_share_with_a_board(tmp_path)
    pc = tmp_path / "pc"
    assert cli("--data-dir", pc, "init").returncode == 0
    add_person(pc, "Typed before joining")
    joined = cli("--data-dir", pc, "--share", share, "join", "--trust-root", root)
    assert joined.returncode == 0, joined.stderr
    assert list(pc.glob("hescb.sqlite.before-join-*"))
    # the board's founder (office's account) too; pc's own founding, never shared, is given up
    assert people(pc) == {"Priya Shah", "Typed before joining", os_account()}
