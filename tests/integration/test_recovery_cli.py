"""`hescb-desktop recover`: a damaged database rebuilt from the share or from the copy kept
before an upgrade, keeping this PC's unsent changes; real processes, a real share folder."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from damage import break_page_of
from schema_history import downgrade

from hescb_desktop.paths import DB_FILENAME, LOCK_FILENAME
from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import open_context
from hescb_desktop.storage.database import head_revision

pytestmark = pytest.mark.slow


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HESCB_DATA_DIR"}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "hescb_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=180,
        check=False,
    )


def ok(*args: str | Path) -> str:
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def add_people(data: Path, prefix: str, count: int, role: str = "") -> None:
    ctx = open_context(data)
    for i in range(count):
        crud.create(ctx.uow(), E.PEOPLE, {"name": f"{prefix} {i}", "role": role or "Officer"})
    ctx.close()


def board(data: Path) -> dict[str, list[dict[str, object]]]:
    return json.loads(ok("--data-dir", data, "export-json"))["tables"]  # type: ignore[no-any-return]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> dict[str, str]:
    """The data dir's files and their contents (the lock file any command takes aside)."""
    return {p.name: sha(p) for p in sorted(folder.iterdir()) if p.name != LOCK_FILENAME}


def to_send(data: Path) -> int:
    out = ok("--data-dir", data, "sync-status")
    return int(re.search(r"to send: (\d+)", out).group(1))  # type: ignore[union-attr]


ADD_ACTION = ("actions", "add", "--description", "Agree the estates plan", "--owner", "Person 1")


def test_recover_from_the_share_keeps_the_unsent_edit(tmp_path: Path) -> None:
    """PC B's file is damaged. It comes back as the share's snapshot, plus PC A's changes
    published after it, plus B's own edit that it had not sent, which then reaches A."""
    share, pc_a, pc_b = tmp_path / "share", tmp_path / "pcA", tmp_path / "pcB"
    share.mkdir()
    add_people(pc_a, "Person", 200, role="r" * 150)
    ok("--data-dir", pc_a, "--share", share, "sync")  # the first round makes a snapshot
    ok("--data-dir", pc_b, "--share", share, "join")
    add_people(pc_a, "Later", 5)
    ok("--data-dir", pc_a, "--share", share, "sync")  # after the snapshot: the journal only
    ok("--data-dir", pc_b, *ADD_ACTION, "--due", "2030-01-31")  # not sent
    unsent = to_send(pc_b)
    assert unsent > 0
    db = pc_b / DB_FILENAME
    break_page_of(db, "people", b"Person 150")
    damaged = sha(db)
    refused = cli("--data-dir", pc_b, "--share", share, "sync")
    assert refused.returncode == 2 and "is damaged" in refused.stderr

    result = cli("--data-dir", pc_b, "recover")  # the share is the one in its settings
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip()
    assert summary.startswith("recover: recovered from the share's snapshot of ")
    assert re.search(r" and 40 changes from the journal; ", summary), summary
    assert f"kept {unsent} changes this PC had not sent" in summary
    assert "could not be read" not in summary
    kept = [p for p in pc_b.iterdir() if p.name.startswith(f"{DB_FILENAME}.damaged-")]
    assert [sha(p) for p in kept if not p.name.endswith(("-wal", "-shm"))] == [damaged]

    mine, theirs = board(pc_b), board(pc_a)
    assert [a["description"] for a in mine["actions"]] == ["Agree the estates plan"]
    assert theirs["actions"] == []
    assert {k: v for k, v in mine.items() if not k.startswith("action")} == {
        k: v for k, v in theirs.items() if not k.startswith("action")
    }
    assert len(mine["people"]) == 205
    ok("--data-dir", pc_b, "--share", share, "sync")
    ok("--data-dir", pc_a, "--share", share, "sync")
    assert board(pc_a) == board(pc_b)  # the edit reached A
    assert to_send(pc_b) == 0


def _upgraded_pc(data: Path) -> Path:
    """A PC whose board was upgraded by this app (so a copy was set aside before it), then
    edited: 30 people added after the upgrade, never sent (there is no share)."""
    add_people(data, "Person", 40)
    downgrade(data / DB_FILENAME, "0003")
    add_people(data, "After upgrade", 30, role="x" * 300)  # opening upgrades: copy set aside
    copy = data / f"{DB_FILENAME}.before-{head_revision()}"
    assert copy.is_file()
    return copy


def _names(data: Path) -> set[str]:
    return {str(p["name"]) for p in board(data)["people"]}


def _own_records(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(
            conn.execute("SELECT count(*) FROM change_log WHERE published = 0").fetchone()[0]
        )
    finally:
        conn.close()


@pytest.mark.parametrize("named", [True, False], ids=["--from-copy", "found-beside"])
def test_recover_from_the_copy_kept_before_the_upgrade(tmp_path: Path, named: bool) -> None:
    data = tmp_path / "pc"
    copy = _upgraded_pc(data)
    db = data / DB_FILENAME
    records = _own_records(db)
    break_page_of(db, "change_log", b"After upgrade 12")  # some of the unsent records too
    refused = cli("--data-dir", data, "sync-status")
    assert refused.returncode == 2 and "is damaged" in refused.stderr

    args = ["recover", "--from-copy", copy] if named else ["recover"]
    result = cli("--data-dir", data, *args)
    assert result.returncode == 0, result.stderr
    summary = result.stdout
    assert summary.startswith("recover: recovered from the copy kept before the last upgrade")
    kept, lost, dropped = (
        int(m.group(1)) if (m := re.search(pattern, summary)) else 0
        for pattern in (
            r"kept (\d+) changes this PC had not sent",
            r"; (\d+) could not be read",
            r"; (\d+) changes? could not be restored without the rest of their edit",
        )
    )
    assert kept > 0 and lost > 0, summary
    assert kept + lost + dropped == records, summary  # every unsent record is accounted for
    if not named:  # it looked for the share first
        assert "recover: not used: no share folder is set" in result.stderr
    names = _names(data)
    assert {f"Person {i}" for i in range(40)} <= names  # from the copy
    after = {n for n in names if n.startswith("After upgrade")}
    assert "After upgrade 0" in after and "After upgrade 29" in after  # carried from the file
    assert len(after) < 30  # the unreadable page's people are not invented
    assert to_send(data) == kept
    assert copy.is_file()


def test_no_source_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "pc"
    add_people(data, "Person", 200, role="r" * 150)
    db = data / DB_FILENAME
    break_page_of(db, "people", b"Person 150")
    before = listing(data)
    for extra in ([], ["--share", tmp_path / "unplugged"]):
        result = cli("--data-dir", data, *extra, "recover")
        assert result.returncode == 1, result
        assert result.stderr.startswith("recover: nothing to recover from: ")
        assert "no copy was kept before an upgrade" in result.stderr
        assert "left as it was" in result.stderr and len(result.stderr.splitlines()) == 1
        assert listing(data) == before


def test_recover_refuses_what_is_not_its_to_do(tmp_path: Path) -> None:
    data = tmp_path / "pc"
    add_people(data, "Person", 3)
    sound = cli("--data-dir", data, "recover")
    assert sound.returncode == 2 and "is not damaged" in sound.stderr
    break_page_of(data / DB_FILENAME, "local_state", b"device_fingerprint")
    missing = cli("--data-dir", data, "recover", "--from-copy", tmp_path / "nope.sqlite")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    nothing = cli("--data-dir", tmp_path / "empty", "recover")
    assert nothing.returncode == 2 and "nothing to recover" in nothing.stderr
    for result in (sound, missing, nothing):
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_unsent_records_a_damaged_page_took_leave_no_gap_in_what_is_sent(tmp_path: Path) -> None:
    """Some of PC B's unsent records are on the damaged page. The others are kept and sent
    under seqs without a gap (a gap would make every other PC wait for it for ever), and A
    ends with exactly B's board."""
    share, pc_a, pc_b = tmp_path / "share", tmp_path / "pcA", tmp_path / "pcB"
    share.mkdir()
    add_people(pc_a, "Person", 20)
    ok("--data-dir", pc_a, "--share", share, "sync")
    ok("--data-dir", pc_b, "--share", share, "join")
    add_people(pc_b, "Unsent", 30, role="x" * 300)
    unsent = to_send(pc_b)
    break_page_of(pc_b / DB_FILENAME, "change_log", b"Unsent 12")

    result = cli("--data-dir", pc_b, "recover")
    assert result.returncode == 0, result.stderr
    lost = int(re.search(r"; (\d+) could not be read", result.stdout).group(1))  # type: ignore[union-attr]
    kept = int(re.search(r"kept (\d+) changes", result.stdout).group(1))  # type: ignore[union-attr]
    dropped = re.search(r"; (\d+) changes? could not be restored", result.stdout)
    assert lost > 0 and kept + lost + (int(dropped.group(1)) if dropped else 0) == unsent
    synced = cli("--data-dir", pc_a, "--share", share, "sync")
    assert synced.returncode == 0 and "problems" not in synced.stdout, synced
    assert board(pc_a) == board(pc_b)
    names = {str(p["name"]) for p in board(pc_a)["people"]}
    assert "Unsent 0" in names and "Unsent 29" in names and len(names) < 50


def _device(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(
            conn.execute("SELECT value FROM local_state WHERE key = 'device_id'").fetchone()[0]
        )
    finally:
        conn.close()


def test_a_damaged_identity_page_keeps_the_pc_who_it_was(tmp_path: Path) -> None:
    """local_state is unreadable: the PC is the one whose records are unsent (only its own ever
    are); its sent records come back from its own segments, its unsent ones are sent after them
    as the same PC, and --share becomes its share again."""
    share, pc_a, pc_b = tmp_path / "share", tmp_path / "pcA", tmp_path / "pcB"
    share.mkdir()
    add_people(pc_a, "Person", 20)
    ok("--data-dir", pc_a, "--share", share, "sync")
    ok("--data-dir", pc_b, "--share", share, "join")
    ok("--data-dir", pc_b, "--share", share, *ADD_ACTION, "--due", "2030-01-31")  # sent
    ok("--data-dir", pc_b, "actions", "add", "--description", "Second, unsent", "--owner",
       "Person 2", "--due", "2030-02-28")  # fmt: skip
    me = _device(pc_b / DB_FILENAME)
    break_page_of(pc_b / DB_FILENAME, "local_state", b"device_fingerprint")

    result = cli("--data-dir", pc_b, "--share", share, "recover")
    assert result.returncode == 0, result.stderr
    assert "some of this PC's settings could not be read" in result.stdout
    assert _device(pc_b / DB_FILENAME) == me
    synced = cli("--data-dir", pc_a, "--share", share, "sync")
    assert synced.returncode == 0 and "problems" not in synced.stdout, synced
    assert {a["description"] for a in board(pc_a)["actions"]} == {
        "Agree the estates plan",
        "Second, unsent",
    }
    assert board(pc_a) == board(pc_b)
    again = cli("--data-dir", pc_b, "sync")  # the share it was given is its share now
    assert again.returncode == 0, again.stderr
