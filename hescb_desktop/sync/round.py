"""One sync round: publish, read peers' new segments, merge, renumber clashes, acknowledge."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from hescb_desktop import __version__
from hescb_desktop.storage.base import Base
from hescb_desktop.storage.capture import Actor
from hescb_desktop.storage.database import current_revision
from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.journal import ChangeLog, SyncPeer
from hescb_desktop.sync.clockguard import IncomingCheck, OwnCheck, notify
from hescb_desktop.sync.hlc import HybridLogicalClock
from hescb_desktop.sync.merger import MergeStats, merge_records, put_state
from hescb_desktop.sync.publisher import pending_count, publish
from hescb_desktop.sync.renumber import renumber_clashes
from hescb_desktop.sync.retention import (
    covering_snapshot,
    prune_own_segments,
    prune_own_snapshots,
    snapshot_due,
)
from hescb_desktop.sync.segments import Record, SegmentError, parse_name, read_segment
from hescb_desktop.sync.share import Share, ShareError, replace_file
from hescb_desktop.sync.snapshot import SnapshotInfo, make_snapshot, newest_snapshot

NUMBERED_TABLES = frozenset({"actions", "minutes", "papers"})


@dataclass
class PeerBatch:
    device_id: str
    cursor: int
    records: list[Record] = field(default_factory=list)
    user: str = ""
    problem: str = ""
    needs_restore: bool = False


@dataclass
class SyncReport:
    published: int = 0
    merged: int = 0
    conflicts: int = 0
    peers: int = 0
    pending: int = 0
    renumbered: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    clamped: int = 0  # changes dated by the share's time (their PC's clock far ahead)
    clock: list[str] = field(default_factory=list)  # about clocks, this PC's and others'
    tables: set[str] = field(default_factory=set)
    needs_restore: bool = False  # a peer's old segments are gone: start from the snapshot

    def summary(self) -> str:
        text = (
            f"published {self.published}, merged {self.merged}, conflicts {self.conflicts}, "
            f"peers {self.peers}"
        )
        if self.renumbered:
            text += f", renumbered {len(self.renumbered)}"
        if self.clamped:
            text += f", re-dated {self.clamped} (clock ahead)"
        if self.problems:
            text += f", problems {len(self.problems)}"
        return text


def sync_round(engine: Engine, share: Share, actor: Actor, clock: HybridLogicalClock) -> SyncReport:
    """Raises ShareError when the share cannot be used at all; peer problems are reported."""
    share.ensure_format()
    own = OwnCheck(engine, clock, actor.device_id)
    own.measure(_write_device_file(share, actor))  # this PC's clock against the share's
    report = SyncReport(published=publish(engine, share, actor.device_id, on_written=own))
    own.jumped_back()
    share.check_still_there()
    cursors = _cursors(engine)
    snapshot = functools.cache(lambda: newest_snapshot(share))  # read once, only if needed
    incoming = IncomingCheck(engine, clock.raw_wall)
    batches = [
        _collect(engine, share, peer, cursors.get(peer, 0), snapshot, incoming)
        for peer in share.devices()
        if peer != actor.device_id
    ]
    report.peers = len(batches)
    stats = _merge(engine, clock, batches, cursors, incoming)  # may hold a batch back
    report.problems = [
        f"PC {b.device_id.replace('-', '')[-8:]}: {b.problem}" for b in batches if b.problem
    ]
    report.merged, report.conflicts, report.tables = stats.merged, stats.conflicts, stats.tables
    if report.tables & NUMBERED_TABLES:  # only a merge can bring a clash
        report.renumbered = renumber_clashes(engine, actor, clock)
    if report.renumbered:
        report.published += publish(engine, share, actor.device_id, on_written=own)
    report.clock = own.finish() + incoming.messages()
    report.clamped = sum(incoming.counted.values()) + own.redated
    notify(engine, clock, report.clock)
    report.pending = pending_count(engine, actor.device_id)
    share.check_still_there()  # never write an ack (or a snapshot) where the share used to be
    _write_ack(share, actor.device_id, {b.device_id: b.cursor for b in batches})
    report.needs_restore = any(b.needs_restore for b in batches)
    _housekeeping(engine, share, actor, clock)
    return report


def _housekeeping(engine: Engine, share: Share, actor: Actor, clock: HybridLogicalClock) -> None:
    """A snapshot when one is due, then our own old segments and snapshots removed when safe."""
    db = engine.url.database
    if db and db != ":memory:" and snapshot_due(share):
        make_snapshot(Path(db), share, actor.device_id, clock.now(), current_revision(engine) or "")
        prune_own_snapshots(share, actor.device_id)
    prune_own_segments(share, actor.device_id)


def _cursors(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {d: int(c) for d, c in conn.execute(select(SyncPeer.device_id, SyncPeer.cursor))}


def _collect(
    engine: Engine,
    share: Share,
    peer: str,
    cursor: int,
    snapshot: Callable[[], SnapshotInfo | None],
    incoming: IncomingCheck | None = None,
) -> PeerBatch:
    batch = PeerBatch(peer, cursor)
    try:
        paths = sorted(
            (rng, p)
            for p in share.segments_dir(peer).iterdir()
            if (rng := parse_name(p.name)) is not None
        )
    except OSError:
        paths = []
    if not any(last > batch.cursor for (_, last), _ in paths):
        _check_pruned(engine, snapshot(), batch)  # nothing to read: was it removed?
        return batch
    for (first, last), path in paths:
        if last <= batch.cursor:
            continue
        if first > batch.cursor + 1 and _hold_all(engine, peer, batch.cursor + 1, first - 1):
            batch.cursor = first - 1  # a gap of records merged before (a forgotten cursor)
        if first > batch.cursor + 1:
            batch.problem = f"waiting for changes {batch.cursor + 1}-{first - 1} (not on the share)"
            if covering_snapshot(share, peer, first - 1) is not None:
                batch.needs_restore = True
                batch.problem += "; they are in the newest snapshot: restore from it"
            break
        try:
            segment = read_segment(path)
        except (SegmentError, ShareError) as exc:
            batch.problem = str(exc)
            break
        records = incoming.segment(path, segment.records) if incoming else segment.records
        batch.records += [r for r in records if r.seq > batch.cursor]
        batch.cursor = last
        batch.user = segment.records[-1].user if segment.records else batch.user
    return batch


def _check_pruned(engine: Engine, snapshot: SnapshotInfo | None, batch: PeerBatch) -> None:
    """A peer whose changes beyond our cursor are only in the snapshot (its segments already
    removed): never silently nothing; this PC must restore from the snapshot."""
    held = snapshot.cursors.get(batch.device_id, 0) if snapshot is not None else 0
    if held > batch.cursor and not _hold_all(engine, batch.device_id, batch.cursor + 1, held):
        batch.problem = (
            f"changes {batch.cursor + 1}-{held} are no longer on the share; they are "
            "in the newest snapshot: restore from it"
        )
        batch.needs_restore = True


def _hold_all(engine: Engine, peer: str, first: int, last: int) -> bool:
    """Whether change_log already holds every record first..last of `peer`: a gap in its
    segments (pruned once acknowledged) that this PC need not wait for nor restore."""
    stmt = select(func.count()).where(
        ChangeLog.device_id == peer, ChangeLog.seq.between(first, last)
    )
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar() or 0) == last - first + 1


# the merge writes on the raw sqlite3 connection; the commit goes through SQLAlchemy
REFUSED = (IntegrityError, sqlite3.IntegrityError)
WAITING = "waiting: its changes need records another PC has not delivered yet"


def _merge(
    engine: Engine,
    clock: HybridLogicalClock,
    batches: list[PeerBatch],
    cursors: dict[str, int],
    incoming: IncomingCheck | None = None,
) -> MergeStats:
    """Merge every batch in one transaction. If the database refuses the result (a row another
    PC created, or points to, that has not arrived: its segment is damaged, or hidden by a stale
    listing), find the batches that fit without it; the others wait, their cursor unmoved, and
    are read again next round. One PC's missing segment never stops the others' changes."""
    try:
        return _merge_once(engine, clock, batches, incoming)
    except REFUSED:
        pass
    ready: list[PeerBatch] = []
    for batch in sorted(batches, key=lambda b: len(b.records)):
        if not batch.records or _fits(engine, [*ready, batch]):
            ready.append(batch)
            continue
        batch.records = []
        batch.cursor = cursors.get(batch.device_id, 0)
        batch.problem = batch.problem or WAITING
    return _merge_once(engine, clock, batches, incoming)


def _fits(engine: Engine, batches: list[PeerBatch]) -> bool:
    """Whether these batches merge without the database refusing it (tried, then undone)."""
    with writer(engine).connect() as conn:
        transaction = conn.begin()
        records = [r for b in batches for r in b.records]
        try:
            merge_records(conn, records)
        except REFUSED:
            return False
        else:  # the references are checked at commit: look at the tables merged into now
            return not any(
                conn.exec_driver_sql(f'PRAGMA foreign_key_check("{table}")').first()
                for table in {r.table for r in records}
                if table in Base.metadata.tables
            )
        finally:
            transaction.rollback()


def _merge_once(
    engine: Engine,
    clock: HybridLogicalClock,
    batches: list[PeerBatch],
    incoming: IncomingCheck | None = None,
) -> MergeStats:
    with writer(engine).begin() as conn:
        stats = merge_records(conn, [r for b in batches for r in b.records])
        if incoming is not None:
            incoming.keep_stamps(conn)
        for b in batches:
            stmt = sqlite_insert(SyncPeer).values(
                device_id=b.device_id,
                cursor=b.cursor,
                user=b.user,
                last_seen_hlc=0,
                problem=b.problem,
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["device_id"],
                    set_={
                        "cursor": b.cursor,
                        "problem": b.problem,
                        **({"user": b.user} if b.user else {}),
                    },
                )
            )
        if stats.max_hlc:
            put_state(conn, "hlc_last", str(clock.observe(stats.max_hlc).hlc))
    return stats


def _write_device_file(share: Share, actor: Actor) -> Path:
    body = {"device_id": actor.device_id, "user": actor.user, "app_version": __version__}
    path = share.device_dir(actor.device_id) / "device.json"
    replace_file(path, (json.dumps(body, sort_keys=True) + "\n").encode())
    return path


def _write_ack(share: Share, device_id: str, cursors: dict[str, int]) -> None:
    replace_file(
        share.device_dir(device_id) / "ack.json",
        (json.dumps(cursors, sort_keys=True) + "\n").encode(),
    )
