"""One PC with a wrong clock must not poison the others (issue 13, point 3).

Real PCs (real SQLite files) on a real share folder; a PC's wrong clock is an injected wall
clock (`Office.skew`, as after a restart), or HESCB_TEST_CLOCK_AHEAD_MS for a real process. The
share's own file times are real, which is what every PC dates far-ahead changes by.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import board_pcs as pcs_
from sync_office import Office, content

from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.sync.hlc import ceiling, unpack, wall_ms

YEAR_MS = 365 * 24 * 3600 * 1000
HOUR_MS = 3600 * 1000


def role(ctx: ServiceContext, row: str) -> str | None:
    return crud.get(ctx.uow(write=False), E.PEOPLE, row).role


def stamps(office: Office, pc: str, device: str) -> list[tuple[int, int]]:
    return office.rows(
        pc, f"SELECT seq, hlc FROM change_log WHERE device_id = '{device}' ORDER BY seq"
    )


def own_stamps_within_the_bound(office: Office, pc: str) -> bool:
    ctx = office.pc(pc)
    top = ceiling(wall_ms())
    mine = [hlc for _seq, hlc in stamps(office, pc, ctx.device_id)]
    held = office.rows(pc, "SELECT value FROM local_state WHERE key = 'hlc_last'")
    return max(mine) <= top and int(held[0][0]) <= top and ctx.clock.last <= top


def test_a_pc_73_years_ahead_poisons_no_one(office: Office) -> None:
    a, b, c = office.pc("a"), office.pc("b"), office.pc("c")
    sam = crud.create(a.uow(), E.PEOPLE, {"name": "Sam", "role": "CFO"}).value
    ali = crud.create(a.uow(), E.PEOPLE, {"name": "Ali", "role": "DCFO"}).value
    office.settle()

    office.skew("a", 73 * YEAR_MS)  # A restarts with its clock in 2099
    crud.update(a.uow(), E.PEOPLE, sam.id, {"role": "from A"})
    crud.update(a.uow(), E.PEOPLE, ali.id, {"role": "from A too"})
    assert unpack(a.clock.last)[0] > wall_ms() + 72 * YEAR_MS
    c_before = time.time()
    crud.update(c.uow(), E.PEOPLE, ali.id, {"role": "from C"})  # C has not seen A's edit...
    report_a = office.sync("a")
    # A is told, and from now on follows the share's time
    assert report_a.clock[0] == (
        "This PC's clock is 73 years ahead of the share's: its changes were dated by the "
        "share's time. Set the clock right."
    )
    assert own_stamps_within_the_bound(office, "a")

    report_b = office.sync("b")  # B merges A's changes, and edits one of them
    short_a = a.device_id.replace("-", "")[-8:]
    assert report_b.clock == [
        f"PC {short_a}'s clock is 73 years ahead: its changes were dated by the share's time "
        f"({report_b.clamped} changes)"
    ]
    assert report_b.clamped >= 2 and "re-dated" in report_b.summary()
    assert role(b, sam.id) == "from A"
    crud.update(b.uow(), E.PEOPLE, sam.id, {"role": "from B, after A"})
    assert own_stamps_within_the_bound(office, "b")  # not dragged to 2099 by the edit on top

    time.sleep(max(0.0, c_before + 1.2 - time.time()))  # C merges A's changes later than B
    crud.update(c.uow(), E.PEOPLE, ali.id, {"role": "from C, later"})  # ... and edits again
    office.sync("c")
    office.settle()
    for pc in ("a", "b", "c"):  # B's edit on top of A's wins, and C's later edit over A's
        ctx = office.pc(pc)
        assert role(ctx, sam.id) == "from B, after A", pc
        assert role(ctx, ali.id) == "from C, later", pc
    assert content(a) == content(b) == content(c)
    # every PC stored A's changes with the same stamps, though they merged them at other times
    assert stamps(office, "a", a.device_id) == stamps(office, "b", a.device_id)
    assert stamps(office, "b", a.device_id) == stamps(office, "c", a.device_id)
    for pc in ("b", "c"):  # the good clocks stay true
        crud.update(office.pc(pc).uow(), E.PEOPLE, sam.id, {"name": f"Sam ({pc})"})
        assert own_stamps_within_the_bound(office, pc)

    office.skew("a", 73 * YEAR_MS)  # A restarts, its clock still wrong: it keeps the share's
    crud.update(a.uow(), E.PEOPLE, ali.id, {"role": "from A, after the fix"})
    assert own_stamps_within_the_bound(office, "a")
    office.settle()
    assert content(a) == content(b) == content(c)
    assert role(c, ali.id) == "from A, after the fix"
    assert any("73 years ahead" in n for n in sync_service.notices(b))


def test_a_board_already_poisoned_is_confined(office: Office) -> None:
    """Records stamped 2099 before the bound existed, held alike by every PC: they keep their
    stamps; an edit on top of one still wins (it takes that + 1) everywhere, and the PC that made
    it keeps a true clock and is not told its clock is wrong; the rest of the board is dated
    now."""
    a, b, c = office.pc("a"), office.pc("b"), office.pc("c")
    sam = crud.create(a.uow(), E.PEOPLE, {"name": "Sam", "role": "CFO"}).value
    ali = crud.create(a.uow(), E.PEOPLE, {"name": "Ali", "role": "DCFO"}).value
    office.settle()
    poisoned = (wall_ms() + 73 * YEAR_MS) << 16
    for pc in ("a", "b", "c"):  # as every PC stored it before this fix
        with office.pc(pc).engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE change_log SET hlc = ? WHERE row_id = ? AND column_name = 'role'",
                (poisoned, sam.id),
            )
    crud.update(b.uow(), E.PEOPLE, sam.id, {"role": "from B, on top of 2099"})
    assert own_stamps_within_the_bound(office, "b") is False  # the edit on top took 2099 + 1
    office.skew("b", 0)  # B restarts (its clock from hlc_last) ...
    assert b.clock.last <= ceiling(wall_ms())  # ... and the clock had not followed that edit
    crud.update(b.uow(), E.PEOPLE, ali.id, {"role": "from B"})
    report = office.sync("b")
    assert report.clock == [] and report.clamped == 0
    time.sleep(0.05)
    crud.update(c.uow(), E.PEOPLE, ali.id, {"role": "from C, later"})
    office.settle()
    for pc in ("a", "b", "c"):
        ctx = office.pc(pc)
        assert role(ctx, sam.id) == "from B, on top of 2099", pc
        assert role(ctx, ali.id) == "from C, later", pc  # not beaten by B's poisoned clock
        assert ctx.clock.last <= ceiling(wall_ms())
    assert content(a) == content(b) == content(c)


def test_a_pc_whose_clock_jumps_back_is_told(office: Office) -> None:
    a = office.pc("a")
    office.pc("b")
    office.skew("a", 3 * HOUR_MS + 60_000)  # three hours ahead: its changes are re-dated ...
    crud.create(a.uow(), E.PEOPLE, {"name": "Sam"})
    office.skew("a", 0)  # ... but the clock is put right before it syncs
    report = office.sync("a")
    assert report.clock[0] == (
        "This PC's changes were dated 3 hours ahead of the share's time (its clock had been "
        "set ahead): they were dated by the share's time"
    )
    office.settle()

    office.skew("a", 0)
    crud.create(a.uow(), E.PEOPLE, {"name": "Ali"})
    office.skew("a", -3 * HOUR_MS)  # the clock goes back three hours
    report = office.sync("a")
    assert report.clock == [
        "This PC's clock went back by 3 hours; its changes are dated after its last ones until "
        "the clock catches up"
    ]
    assert office.sync("a").clock == []  # told once
    crud.create(a.uow(), E.PEOPLE, {"name": "Jo"})
    office.settle()
    assert content(a) == content(office.pc("b"))


def test_a_healing_copy_of_a_re_dated_segment_keeps_the_stamps_the_original_gave(
    office: Office,
) -> None:
    """A PC far ahead publishes a segment (dated by its file's time, T1), then a PC with a
    true clock edits the same field (T2), then A's segment is damaged and A republishes it
    (the copy's file time T3 is later still). Dated by the copy's time, A's change would beat
    C's later one on the PCs that read the copy, and lose to it on A itself: the board would
    disagree for ever. The copy names the stamps the original gave, and every PC takes those."""
    a, b, c = office.pc("a"), office.pc("b"), office.pc("c")
    sam = crud.create(a.uow(), E.PEOPLE, {"name": "Sam", "role": "CFO"}).value
    office.settle()
    office.skew("a", 73 * YEAR_MS)
    crud.update(a.uow(), E.PEOPLE, sam.id, {"role": "from A"})
    office.sync("a")  # T1: A re-dates its own change by the segment's time
    time.sleep(0.05)
    crud.update(c.uow(), E.PEOPLE, sam.id, {"role": "from C, later"})  # T2 > T1
    newest = office.segments("a")[-1]
    data = bytearray(newest.read_bytes())
    data[len(data) // 2] ^= 0x20  # damaged before anyone read it
    newest.write_bytes(bytes(data))
    time.sleep(0.05)
    office.sync("b")  # B cannot read it and asks for it again
    office.sync("a")  # T3 > T2: A republishes it as a healing copy
    assert any(".h1." in p.name for p in office.segments("a"))
    office.settle()
    for pc in ("a", "b", "c"):
        assert role(office.pc(pc), sam.id) == "from C, later", pc
    assert content(a) == content(b) == content(c)
    assert stamps(office, "a", a.device_id) == stamps(office, "b", a.device_id)
    assert stamps(office, "b", a.device_id) == stamps(office, "c", a.device_id)
    for ctx in (b, c):  # the author's own stamp is kept for the History view, as from the original
        rows = sync_service.history(ctx, "people", sam.id)
        redated = [r for r in rows if r.value == "from A"]
        assert redated and redated[0].stamped_at is not None and redated[0].stamped_at.year >= 2099


def test_history_shows_both_times_of_a_re_dated_change(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    sam = crud.create(a.uow(), E.PEOPLE, {"name": "Sam", "role": "CFO"}).value
    office.settle()
    office.skew("a", 73 * YEAR_MS)
    crud.update(a.uow(), E.PEOPLE, sam.id, {"role": "from A"})
    office.settle()
    for ctx in (a, b):
        rows = sync_service.history(ctx, "people", sam.id)
        redated = [r for r in rows if r.value == "from A"]
        assert len(redated) == 1
        assert redated[0].stamped_at is not None and redated[0].stamped_at.year >= 2099
        assert abs(redated[0].at.timestamp() - time.time()) < 600
        created = [r for r in rows if r.value == "CFO"]  # made with a true clock: one time
        assert len(created) == 1 and created[0].stamped_at is None


def test_the_command_line_says_whose_clock_is_ahead(tmp_path: Path) -> None:
    """Real processes: PC A's clock 73 years ahead (HESCB_TEST_CLOCK_AHEAD_MS), PC B's true."""
    share = tmp_path / "share"
    share.mkdir()

    def cli(pc: str, *args: str, ahead: int = 0) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "HESCB_TEST_CLOCK_AHEAD_MS": str(ahead)}
        command = [sys.executable, "-m", "hescb_desktop", "--data-dir", str(tmp_path / pc)]
        return subprocess.run(
            [*command, *args], env=env, capture_output=True, text=True, timeout=120
        )

    for pc in ("a", "b"):
        assert cli(pc, "init").returncode == 0
    add = (
        "import sys; from pathlib import Path; from hescb_desktop.services import crud, entities;"
        " from hescb_desktop.services.context import open_context;"
        " ctx = open_context(Path(sys.argv[1]));"
        " crud.create(ctx.uow(), entities.PEOPLE, {'name': 'Sam'}); ctx.close()"
    )
    env = {**os.environ, "HESCB_TEST_CLOCK_AHEAD_MS": str(73 * YEAR_MS)}
    added = subprocess.run(
        [sys.executable, "-c", add, str(tmp_path / "a")], env=env, capture_output=True, text=True
    )
    assert added.returncode == 0, added.stderr
    synced = cli("a", "--share", str(share), "sync", ahead=73 * YEAR_MS)
    assert synced.returncode == 0, synced.stderr
    assert "This PC's clock is 73 years ahead of the share's" in synced.stderr
    status = cli("a", "--share", str(share), "sync-status", ahead=73 * YEAR_MS)
    assert "problem: This PC's clock is 73 years ahead of the share's" in status.stdout
    root = pcs_.pc_fingerprint(tmp_path / "a")  # B, new to A's board, confirms its root
    synced = cli("b", "--share", str(share), "sync", "--trust-root", root)
    assert synced.returncode == 0, synced.stderr
    assert "re-dated" in synced.stdout
    assert "'s clock is 73 years ahead: its changes were dated by the share's time" in (
        synced.stderr
    )
    fixed = cli("a", "--share", str(share), "sync")  # A's clock set right: it follows its own
    assert fixed.returncode == 0 and "clock" not in fixed.stderr
    assert "clock" not in cli("a", "--share", str(share), "sync-status").stdout
