"""`make bench`: sync on a share folder: a large merge, an idle round, publishing.

Everything runs in a temp dir (removed at the end), in this process, on real SQLite files and a
real share folder. Input: 5 peers' journal segments with 100,000 field changes in total (new
people and objectives, with a few edits: row templates taken from changes made through the real
services, so every row is valid, then given new ids, values, clocks and device ids per peer).

Measured, each a median of several runs:

1. merge: a fresh PC (new data dir) runs one `sync_round` that reads, verifies and merges all
   100,000 records: what a user waits for. The time inside it spent reading the segments and in
   the merge transaction (`merge_records` under `writer(engine).begin()`) is shown beside it.
   Printed beside the floor: plain `sqlite3` `executemany` of the same rows into a table shaped
   like change_log (same columns, keys and indexes, same pragmas), measured in the same run.
2. idle: a `sync_round` with 10 peers whose segments are all merged already (nothing new).
3. publish: `publish` of 1,000 local field changes made through the services.

Targets: merge under 1.5 s, idle under 50 ms, publish under 200 ms. Exit status 1 when one is
missed. `--profile` also prints where one merge round spends its time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import io
import json
import os
import platform
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import text

from hescb_desktop.services import crud, entities
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.storage.base import new_id
from hescb_desktop.storage.capture import Actor
from hescb_desktop.storage.database import current_revision
from hescb_desktop.sync import round as sync_round_module
from hescb_desktop.sync.hlc import pack, unpack
from hescb_desktop.sync.publisher import chunks, publish, unpublished
from hescb_desktop.sync.round import SyncReport, sync_round
from hescb_desktop.sync.segments import Record, write_segment
from hescb_desktop.sync.share import Share, replace_file
from hescb_desktop.sync.snapshot import make_snapshot

TARGET_MERGE_S = 1.5
TARGET_IDLE_S = 0.050
TARGET_PUBLISH_S = 0.200

MERGE_PEERS = 5
MERGE_RECORDS = 100_000
IDLE_PEERS = 10
IDLE_EXTRA_RECORDS = 2_000  # per peer added for the idle round (peers 6-10)
PUBLISH_RECORDS = 1_000
SEGMENT_RECORDS = 2_000  # peers publish as they go: several segments each, not one huge one

T = TypeVar("T")


class BenchError(Exception):
    """The benchmark's own set-up or a check on a result failed."""


# ------------------------------------------------------------------ input


@dataclass(frozen=True)
class Templates:
    """The records of one person and one objective created through the services."""

    person: list[Record]
    objective: list[Record]
    schema: str


def make_templates(ctx: ServiceContext) -> Templates:
    uow = ctx.uow
    person = crud.create(
        uow(),
        entities.PEOPLE,
        {"name": "Sam Okafor", "role": "Area Manager", "email": "sam@x.example"},
    ).value
    crud.create(
        uow(),
        entities.OBJECTIVES,
        {
            "title": "Joint estates review",
            "description": "Share fire and police stations where the estates allow it.",
            "theme": "Estates",
            "sro_id": person.id,
            "partner_codes": "HFRS,HC",
            "benefits": "police,fire,public",
            "rag_time": "amber",
            "start_date": datetime(2026, 1, 5).date(),
        },
    )
    records = unpublished(ctx.engine, ctx.device_id)
    person_recs = [r for r in records if r.table == "people"]
    objective_recs = [r for r in records if r.table == "objectives"]
    if not person_recs or not objective_recs:
        raise BenchError("the services did not log the template rows")
    return Templates(person_recs, objective_recs, current_revision(ctx.engine) or "")


@dataclass
class PeerWriter:
    """Builds one peer's records: whole transactions, consecutive seqs, rising clocks."""

    device_id: str
    user: str
    index: int
    start_ms: int
    records: list[Record] = field(default_factory=list)
    people: list[tuple[str, int]] = field(default_factory=list)  # (row id, hlc of creation)
    _tx_count: int = 0

    def _hlc(self, tx_number: int) -> int:
        # one commit every ~2 s per peer, peers interleaved by a few ms
        return pack(self.start_ms + tx_number * 2_000 + self.index * 7, 0)

    def _next_hlc(self) -> int:
        self._tx_count += 1
        return self._hlc(self._tx_count)

    def add_tx(self, rows: list[tuple[str, str, str, str, int | None]]) -> int:
        """rows: (table, row id, column, JSON value, prev_hlc); returns the commit's hlc."""
        hlc = self._next_hlc()
        tx = len(self.records) + 1
        for table, row, col, value, prev in rows:
            seq = len(self.records) + 1
            self.records.append(
                Record(self.device_id, seq, tx, hlc, table, row, col, value, prev, self.user)
            )
        return hlc

    def create(self, template: list[Record], overrides: dict[str, Any]) -> str:
        row = new_id()
        stamp = json.dumps(iso(self._hlc(self._tx_count + 1)))
        values = {
            "created_at": stamp,
            "updated_at": stamp,
            "created_by": json.dumps(self.user),
            "updated_by": json.dumps(self.user),
        }
        values.update({k: json.dumps(v) for k, v in overrides.items()})
        hlc = self.add_tx(
            [(r.table, row, r.col, values.get(r.col, r.value), None) for r in template]
        )
        if template[0].table == "people":
            self.people.append((row, hlc))
        return row

    def edit_person(self, n: int, fields: int) -> None:
        """One edit of a person's role (with updated_at/by as the services log them)."""
        row, created = self.people[n % len(self.people)]
        stamp = json.dumps(iso(self._hlc(self._tx_count + 1)))
        cols = [
            ("role", json.dumps(f"Role {n}")),
            ("updated_at", stamp),
            ("updated_by", json.dumps(self.user)),
        ][:fields]
        self.add_tx([("people", row, col, value, created) for col, value in cols])


def iso(hlc: int) -> str:
    return datetime.fromtimestamp(unpack(hlc)[0] / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def peer_records(tpl: Templates, index: int, count: int, start_ms: int) -> PeerWriter:
    """Exactly `count` records: people and objectives (sro = a new person), then role edits."""
    peer = PeerWriter(new_id(), f"Peer {index} user", index, start_ms)
    pair = len(tpl.person) + len(tpl.objective)
    n = 0
    while count - len(peer.records) >= pair + 3:  # keep a few for edits
        person = peer.create(
            tpl.person, {"name": f"Person {index}-{n}", "email": f"p{index}.{n}@herts.example"}
        )
        peer.create(
            tpl.objective,
            {
                "title": f"Objective {index}-{n}",
                "sro_id": person,
                "description": f"Workstream {n} of peer {index}: " + "x" * 80,
            },
        )
        n += 1
    if not peer.people:
        peer.create(tpl.person, {"name": f"Person {index}-0"})
    edit = 0
    while len(peer.records) < count:
        peer.edit_person(edit, min(3, count - len(peer.records)))
        edit += 1
    if len(peer.records) != count:
        raise BenchError(f"peer {index}: {len(peer.records)} records, wanted {count}")
    return peer


def put_peer(share: Share, peer: PeerWriter, schema: str) -> None:
    """The peer's segments, device.json and an ack on the share, as its own rounds leave them."""
    folder = share.segments_dir(peer.device_id)
    folder.mkdir(parents=True, exist_ok=True)
    for chunk in chunks(peer.records, SEGMENT_RECORDS):
        write_segment(folder, chunk, schema)
    body = {"device_id": peer.device_id, "user": peer.user, "app_version": "bench"}
    replace_file(
        share.device_dir(peer.device_id) / "device.json",
        (json.dumps(body, sort_keys=True) + "\n").encode(),
    )
    replace_file(share.device_dir(peer.device_id) / "ack.json", b"{}\n")


# ------------------------------------------------------------------ measuring


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


@contextmanager
def phase_timers(phases: dict[str, float]) -> Iterator[None]:
    """Add the time sync_round spends in its read (_collect) and merge (_merge) steps."""
    originals = {name: getattr(sync_round_module, name) for name in ("_collect", "_merge")}

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - started

        return timed_call

    for name, fn in originals.items():
        setattr(sync_round_module, name, wrap(name, fn))
    try:
        yield
    finally:
        for name, fn in originals.items():
            setattr(sync_round_module, name, fn)


def round_on(ctx: ServiceContext, share: Share) -> SyncReport:
    return sync_round(ctx.engine, share, Actor(ctx.device_id, "Receiving PC"), ctx.clock)


def count_rows(ctx: ServiceContext, table: str) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)


def change_log_ddl(ctx: ServiceContext) -> list[str]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'change_log' AND sql IS NOT NULL"
                " ORDER BY type DESC"
            )  # the table, then its indexes
        )
        return [str(r[0]) for r in rows]


def floor_insert(path: Path, ddl: list[str], rows: list[tuple[Any, ...]]) -> float:
    """Plain sqlite3: the same rows into a change_log-shaped table, one transaction."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        for stmt in ddl:
            conn.execute(stmt)
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO change_log (device_id, seq, tx, hlc, table_name, row_id, column_name,"
            " value, prev_hlc, user, published) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def forget_device(share: Share, device_id: str) -> None:
    """Take a receiving PC off the share again, so every run sees the same 5 (or 10) peers."""
    shutil.rmtree(share.device_dir(device_id), ignore_errors=True)


@dataclass
class Results:
    merge: list[float] = field(default_factory=list)
    read: list[float] = field(default_factory=list)
    merge_tx: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    idle: list[float] = field(default_factory=list)
    publish: list[float] = field(default_factory=list)
    publish_counts: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def bench(root: Path, args: argparse.Namespace, res: Results) -> None:
    share = Share(root / "share")
    share.folder.mkdir()
    share.ensure_format()

    started = time.perf_counter()
    template_ctx = open_context(root / "template")
    tpl = make_templates(template_ctx)
    # an office share has a recent snapshot: a round is not the day's snapshot round
    make_snapshot(
        template_ctx.db_path or Path(),
        share,
        template_ctx.device_id,
        template_ctx.clock.now(),
        tpl.schema,
    )
    ddl = change_log_ddl(template_ctx)
    template_ctx.close()
    start_ms = unpack(template_ctx.clock.now())[0] - 7 * 24 * 3600 * 1000  # a week offline
    per_peer = MERGE_RECORDS // MERGE_PEERS
    peers = [peer_records(tpl, i + 1, per_peer, start_ms) for i in range(MERGE_PEERS)]
    for peer in peers:
        put_peer(share, peer, tpl.schema)
    records = [r for p in peers for r in p.records]
    floor_rows = [
        (r.device_id, r.seq, r.tx, r.hlc, r.table, r.row, r.col, r.value, r.prev_hlc, r.user, True)
        for r in records
    ]
    people = sum(len(p.people) for p in peers)
    objectives = sum(1 for r in records if r.table == "objectives" and r.col == "title")
    print(
        f"Set-up: {len(records):,} field changes from {MERGE_PEERS} peers "
        f"({people:,} people, {objectives:,} objectives, role edits; "
        f"{len(list(share.root.rglob('*.jsonl')))} segments) "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    # The set-up's own objects (every record, the floor's rows) are kept out of the garbage
    # collector's full passes, so they do not slow the code measured: the app has no such heap.
    gc.collect()
    gc.freeze()

    # 1 + 2: the merge on a fresh PC each run, alternating with the floor
    receiver: ServiceContext | None = None
    for run in range(args.runs):
        if receiver is not None:
            forget_device(share, receiver.device_id)
            receiver.close()
        receiver = open_context(root / f"receiver-{run}")
        phases: dict[str, float] = {}
        with phase_timers(phases):
            seconds, report = timed(functools.partial(round_on, receiver, share))
        check_merge(receiver, report, len(records), people, objectives)
        res.merge.append(seconds)
        res.read.append(phases.get("_collect", 0.0))
        res.merge_tx.append(phases.get("_merge", 0.0))
        res.floor.append(floor_insert(root / "floor.sqlite", ddl, floor_rows))
        print(
            f"  merge run {run + 1}: {seconds:.2f} s (read {res.read[-1]:.2f} s, "
            f"merge transaction {res.merge_tx[-1]:.2f} s); floor {res.floor[-1]:.3f} s",
            flush=True,
        )
    assert receiver is not None

    if args.profile:
        profile_merge(root, share)

    # 3: idle: the last receiver (100,000 rows merged) with 5 more peers, all merged
    more = [
        peer_records(tpl, MERGE_PEERS + i + 1, IDLE_EXTRA_RECORDS, start_ms)
        for i in range(IDLE_PEERS - MERGE_PEERS)
    ]
    for peer in more:
        put_peer(share, peer, tpl.schema)
    catch_up = round_on(receiver, share)
    if catch_up.merged != IDLE_EXTRA_RECORDS * len(more) or catch_up.peers != IDLE_PEERS:
        raise BenchError(f"idle set-up round: {catch_up.summary()}")
    round_on(receiver, share)  # warm-up
    for _ in range(args.idle_runs):
        seconds, report = timed(lambda: round_on(receiver, share))
        if report.merged or report.published or report.peers != IDLE_PEERS or report.problems:
            raise BenchError(f"idle round was not idle: {report.summary()} {report.problems}")
        res.idle.append(seconds)

    # 4: publish 1,000 local changes made through the services on the same PC
    for _ in range(args.runs):
        res.publish_counts.append(make_local_changes(receiver, PUBLISH_RECORDS))
        seconds, published = timed(lambda: publish(receiver.engine, share, receiver.device_id))
        if published != res.publish_counts[-1]:
            raise BenchError(f"published {published}, expected {res.publish_counts[-1]}")
        res.publish.append(seconds * PUBLISH_RECORDS / published)  # scaled to exactly 1,000
    receiver.close()
    gc.unfreeze()


def check_merge(
    ctx: ServiceContext, report: SyncReport, records: int, people: int, objectives: int
) -> None:
    got = (report.merged, count_rows(ctx, "people"), count_rows(ctx, "objectives"))
    if got != (records, people, objectives) or report.problems or report.conflicts:
        raise BenchError(
            f"merge result: {report.summary()} {report.problems}; people/objectives {got[1:]},"
            f" expected {records} records, {people} people, {objectives} objectives"
        )


def make_local_changes(ctx: ServiceContext, wanted: int) -> int:
    """New people through the services, then edits of their role: `wanted` records in all.

    Returns the number of records actually pending (`wanted` unless the sizes do not add up).
    """

    def pending() -> int:
        return len(unpublished(ctx.engine, ctx.device_id))

    if pending():
        raise BenchError(f"{pending()} local changes were already pending")
    made = [crud.create(ctx.uow(), entities.PEOPLE, {"name": "Local person 0"}).value.id]
    per_person = pending()
    crud.update(ctx.uow(), entities.PEOPLE, made[0], {"role": "Role 0"})
    per_edit = pending() - per_person
    rest = wanted - per_person - per_edit
    fits = (n for n in range(rest // per_person, -1, -1) if (rest - n * per_person) % per_edit == 0)
    people = next(fits, rest // per_person)
    for n in range(people):
        made.append(
            crud.create(ctx.uow(), entities.PEOPLE, {"name": f"Local person {n + 1}"}).value.id
        )
    for i in range(-(-(rest - people * per_person) // per_edit)):
        crud.update(ctx.uow(), entities.PEOPLE, made[i % len(made)], {"role": f"Role {i + 1}"})
    return pending()


def profile_merge(root: Path, share: Share) -> None:
    ctx = open_context(root / "receiver-profiled")
    prof = cProfile.Profile()
    prof.enable()
    round_on(ctx, share)
    prof.disable()
    forget_device(share, ctx.device_id)
    ctx.close()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    print("\nProfile of one merge round (cProfile, so slower than measured):")
    print(out.getvalue())


# ------------------------------------------------------------------ report


def describe(name: str, runs: list[float], unit: str = "s") -> str:
    scale = 1000.0 if unit == "ms" else 1.0
    each = " ".join(f"{r * scale:.{0 if unit == 'ms' and scale * r >= 100 else 2}f}" for r in runs)
    return f"{name:<14} median {statistics.median(runs) * scale:8.3f} {unit}  (runs: {each})"


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def report(res: Results) -> int:
    merge, floor = statistics.median(res.merge), statistics.median(res.floor)
    idle, pub = statistics.median(res.idle), statistics.median(res.publish)
    print()
    print(
        f"Sync benchmark: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.system()} {platform.machine()}"
    )
    print(
        f"Merge of {MERGE_RECORDS:,} field changes from {MERGE_PEERS} peers, fresh PC, "
        "one sync_round:"
    )
    print(describe("sync_round", res.merge))
    print(describe("  read", res.read) + "   reading + verifying segments")
    print(describe("  merge tx", res.merge_tx) + "   merge_records in writer().begin()")
    print(describe("floor", res.floor) + "   sqlite3 executemany into change_log shape")
    print(
        f"ratio          {merge / floor:.1f}x the floor (merge transaction alone "
        f"{statistics.median(res.merge_tx) / floor:.1f}x)"
    )
    print(f"Idle round, {IDLE_PEERS} peers, nothing new:")
    print(describe("idle round", res.idle, "ms"))
    counts = sorted(set(res.publish_counts))
    print(
        f"Publish of {PUBLISH_RECORDS:,} local field changes (made: "
        f"{', '.join(str(c) for c in counts)} records, times scaled to {PUBLISH_RECORDS:,}):"
    )
    print(describe("publish", res.publish, "ms"))
    ok_merge, ok_idle, ok_pub = merge < TARGET_MERGE_S, idle < TARGET_IDLE_S, pub < TARGET_PUBLISH_S
    print(
        f"target         merge under {TARGET_MERGE_S:.1f} s: {verdict(ok_merge)} (the whole round)"
    )
    alone = statistics.median(res.merge_tx) < TARGET_MERGE_S
    print(f"               merge transaction alone under {TARGET_MERGE_S:.1f} s: {verdict(alone)}")
    print(f"target         idle round under {TARGET_IDLE_S * 1000:.0f} ms: {verdict(ok_idle)}")
    print(f"target         publish under {TARGET_PUBLISH_S * 1000:.0f} ms: {verdict(ok_pub)}")
    return 0 if ok_merge and ok_idle and ok_pub else 1


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="merge and publish runs (default 5)")
    parser.add_argument("--idle-runs", type=int, default=20, help="idle rounds (default 20)")
    parser.add_argument("--profile", action="store_true", help="also profile one merge round")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (printed)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    root = Path(tempfile.mkdtemp(prefix="hescb-bench-sync-"))
    res = Results()
    try:
        bench(root, args, res)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return report(res)


if __name__ == "__main__":
    sys.exit(main())
