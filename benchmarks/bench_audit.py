"""`make bench`: the audit's checks (issue 15, point 6) on a 100,000-change database.

Everything runs in a temp dir (removed at the end), on real SQLite files. The database: a fresh
PC that has merged 5 peers' segments holding 100,000 field changes (the records of
`bench_sync.py`: people and objectives made through the services, given new ids and clocks),
with a `signed_ranges` row for each of those segments (its header's body digest taken from the
segment file's own bytes, signed with a real Ed25519 key), as a format-2 merge leaves them.

Measured, each a median of several runs:
1. replay: the synced tables against the change log replayed with the merge's rule
   (`storage.replay.disagreements`), beside the floor: one plain `SELECT` of every change_log
   row's table, row, column, hlc, device and value with the sqlite3 module;
2. ranges: every signed range's change-log rows encoded again and their digest compared
   (`services.audit.range_problems`);
3. trail: the audit trail of every change (`services.audit.audit_trail`): names, titles,
   verified status.

Targets (what `selftest` adds must stay a few seconds on a big board): replay under 2 s, ranges
under 2 s, trail under 4 s. Exit status 1 when one is missed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from bench_sync import (
    MERGE_PEERS,
    MERGE_RECORDS,
    make_templates,
    peer_records,
    put_peer,
    round_on,
)

from hescb_desktop.domain.audit import VERIFIED
from hescb_desktop.services import audit
from hescb_desktop.services.context import open_context
from hescb_desktop.storage.replay import disagreements
from hescb_desktop.sync import signing
from hescb_desktop.sync.hlc import unpack
from hescb_desktop.sync.share import Share

TARGET_REPLAY_S, TARGET_RANGES_S, TARGET_TRAIL_S = 2.0, 2.0, 4.0
T = TypeVar("T")


CPU: dict[int, list[float]] = {}  # id(times) -> the CPU seconds of the same runs


def timed(fn: Callable[[], T], runs: int) -> tuple[list[float], T]:
    times: list[float] = []
    cpu: list[float] = []
    result = None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert result is not None
    CPU[id(times)] = cpu
    return times, result


def sign_segments(db: Path, share: Share) -> int:
    """A signed_ranges row per segment on the share, as a format-2 merge keeps them."""
    key = signing.new_key()
    signer = signing.fingerprint(signing.public_bytes(key))
    rows = []
    for path in sorted(share.root.rglob("segments/*.jsonl")):
        lines = path.read_bytes().splitlines(keepends=True)
        head = json.loads(lines[0])
        header = {
            **head,
            "format": 2,
            "signer": signer,
            "body_sha256": hashlib.sha256(b"".join(lines[1:-1])).hexdigest(),
            "prev": "",
        }
        signature = signing.sign(key, signing.Purpose.SEGMENT, signing.canonical(header))
        rows.append(
            (
                head["device_id"],
                head["first_seq"],
                head["last_seq"],
                signer,
                json.dumps(header),
                base64.b64encode(signature).decode(),
            )
        )
    with sqlite3.connect(db) as conn:
        conn.executemany("INSERT INTO signed_ranges VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.close()
    return len(rows)


def floor_read(db: Path) -> float:
    start = time.perf_counter()
    with sqlite3.connect(db) as conn:
        conn.execute(
            "SELECT table_name, row_id, column_name, hlc, device_id, value FROM change_log"
        ).fetchall()
    conn.close()
    return time.perf_counter() - start


def ms(times: list[float]) -> str:
    text = f"{statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}"
    cpu = CPU.get(id(times))
    return text + (f", CPU {statistics.median(cpu) * 1000:.0f} ms)" if cpu else ")")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="hescb-bench-audit-"))
    try:
        return bench(root, args.runs)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def bench(root: Path, runs: int) -> int:
    share = Share(root / "share")
    share.folder.mkdir()
    share.ensure_format()
    template = open_context(root / "template")
    tpl = make_templates(template)
    start_ms = unpack(template.clock.now())[0] - 7 * 24 * 3600 * 1000
    template.close()
    for i in range(MERGE_PEERS):
        put_peer(
            share, peer_records(tpl, i + 1, MERGE_RECORDS // MERGE_PEERS, start_ms), tpl.schema
        )
    ctx = open_context(root / "pc")
    report = round_on(ctx, share)
    assert ctx.db_path is not None
    ranges = sign_segments(ctx.db_path, share)
    with ctx.engine.connect() as conn:
        changes = conn.exec_driver_sql("SELECT count(*) FROM change_log").scalar()
    print(
        f"Set-up: {changes:,} changes merged ({len(report.problems)} problems), {ranges} signed "
        f"ranges; {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
        f"Python {platform.python_version()}, {platform.system()}",
        flush=True,
    )
    floor = [floor_read(ctx.db_path) for _ in range(runs)]
    replay, found = timed(lambda: disagreements(ctx.engine), runs)
    checked, problems = timed(lambda: audit.range_problems(ctx.engine), runs)
    now = datetime.now(UTC)
    trail_times, trail = timed(
        lambda: audit.audit_trail(ctx.engine, now - timedelta(days=30), now), runs
    )
    ctx.close()
    verified = sum(e.verified == VERIFIED for e in trail)
    ok = {
        "replay": statistics.median(replay) < TARGET_REPLAY_S and found == [],
        "ranges": statistics.median(checked) < TARGET_RANGES_S and problems == [],
        "trail": statistics.median(trail_times) < TARGET_TRAIL_S and verified == changes,
    }
    mark = {name: "ok" if good else "MISSED" for name, good in ok.items()}
    print(
        f"replay (tables vs change log): {ms(replay)}, {len(found)} disagreements; "
        f"floor (read change_log): {ms(floor)}  [{mark['replay']}]"
    )
    print(
        f"ranges (digests of {ranges} signed ranges): {ms(checked)}, {len(problems)} problems "
        f"[{mark['ranges']}]"
    )
    print(
        f"trail ({len(trail):,} changes, {verified:,} verified): {ms(trail_times)} "
        f"[{mark['trail']}]"
    )
    return 0 if all(ok.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
