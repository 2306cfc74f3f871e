"""Kill -9 of real sync processes at random points (issue 3, "Faults it must survive").

After every kill, no file under a final segment name is partial (only `.tmp` leftovers may be);
after one clean round on each PC, the second PC holds exactly what the first does: nothing lost,
nothing twice.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import board_pcs as pcs_
import pytest
from app_process import add_people, export

from hescb_desktop.sync.segments import read_segment

pytestmark = pytest.mark.slow

PEOPLE = 3000
SEGMENT_RECORDS = 400
KILLS = 8
MORE = 300  # people added before each further round on the first PC


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k != "HESCB_DATA_DIR"}
    return {
        **clean,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONIOENCODING": "utf-8",
        "HESCB_SYNC_SEGMENT_RECORDS": str(SEGMENT_RECORDS),
    }


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hescb_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        env=env(),
        timeout=120,
        check=False,
    )


def sync_process(data: Path, share: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hescb_desktop",
            "--data-dir",
            str(data),
            "--share",
            str(share),
            "sync",
        ],
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def final_segments_are_whole(share: Path) -> int:
    count = 0
    for path in share.rglob("*.jsonl"):
        read_segment(path)  # raises SegmentError on anything partial
        count += 1
    return count


def test_sync_killed_at_random_points_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    share, first, second = tmp_path / "share", tmp_path / "pc1", tmp_path / "pc2"
    pcs_.board(share, first, second)  # pc1 founds the board, pc2 is enrolled
    add_people(first, "pc1", PEOPLE)
    add_people(second, "pc2", 200)
    rng = random.Random(2026)
    killed, more = 0, 0
    for n in range(KILLS):
        data = first if n % 4 != 3 else second  # mostly while publishing, sometimes merging
        if data == first and n:  # fresh work for every round that is to be cut short
            add_people(first, f"more{n}", MORE)
            more += MORE
        proc = sync_process(data, share)
        time.sleep(rng.uniform(0.3, 1.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait(timeout=60)
        final_segments_are_whole(share)
    assert killed >= KILLS // 2  # most rounds really were cut short
    for data in (first, second, first):
        done = cli("--data-dir", data, "--share", share, "sync")
        assert done.returncode == 0, done.stderr
    assert final_segments_are_whole(share) > PEOPLE * 5 // SEGMENT_RECORDS
    one, two = export(first), export(second)
    assert one == two
    people = one["people"]
    assert isinstance(people, list)
    names = sorted(p["name"] for p in people)
    expected = sorted(
        [f"pc1 {i}" for i in range(PEOPLE)]
        + [f"pc2 {i}" for i in range(200)]
        + [f"more{n} {i}" for n in range(1, KILLS) if n % 4 != 3 for i in range(MORE)]
        + ["pc1", pcs_.person(second)]  # the board's people at its two PCs (init, enrolment)
    )
    assert len(expected) == PEOPLE + 200 + more + 2
    assert names == expected  # nothing lost, nothing twice
    assert len({p["id"] for p in people}) == len(people)
