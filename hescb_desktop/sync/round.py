"""One sync round: publish, read peers' new segments, merge, renumber clashes, acknowledge."""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from hescb_desktop import __version__
from hescb_desktop.storage.base import Base
from hescb_desktop.storage.capture import Actor
from hescb_desktop.storage.database import current_revision
from hescb_desktop.storage.disposed_values import is_disposed
from hescb_desktop.storage.engine import pooled, writer
from hescb_desktop.storage.journal import ChangeLog, SyncPeer
from hescb_desktop.sync import cascade, disposal, disposal_share, healing, judge, trust_round
from hescb_desktop.sync.board import identify_share
from hescb_desktop.sync.bootstrap import retry_waiting
from hescb_desktop.sync.clockguard import IncomingCheck, OwnCheck, notify
from hescb_desktop.sync.hlc import HybridLogicalClock
from hescb_desktop.sync.judge import describe as describe_refused
from hescb_desktop.sync.merger import MergeStats, held_back_lines, merge_records, put_state
from hescb_desktop.sync.publisher import pending_count, publish
from hescb_desktop.sync.renumber import renumber_clashes
from hescb_desktop.sync.retention import (
    ACK,
    covering_snapshot,
    prune_own_segments,
    prune_own_snapshots,
    snapshot_due,
)
from hescb_desktop.sync.screen import Reason, describe, screen
from hescb_desktop.sync.segments import Record, Segment, Signer, dated_by_author
from hescb_desktop.sync.share import OwnWrites, Share, replace_file
from hescb_desktop.sync.snapshot import SnapshotInfo, make_snapshot, newest_snapshot
from hescb_desktop.sync.verify import (
    COPIED,
    DAMAGE,
    WRITER_REFUSED,
    record_finding,
    remember_signed,
)

NUMBERED_TABLES = frozenset({"actions", "minutes", "papers"})


@dataclass
class PeerBatch:
    device_id: str
    cursor: int
    records: list[Record] = field(default_factory=list)
    user: str = ""
    problem: str = ""
    needs_restore: bool = False
    wants: list[healing.Want] = field(default_factory=list)  # asked of its author (healing.py)
    refused: Counter[Reason] = field(default_factory=Counter)  # records no PC may apply
    # seq -> digest: records a rewritten copy brings already disposed of (sync.disposal_share)
    kept: dict[int, str] = field(default_factory=dict)


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
    send_failed: str = ""  # this PC's own writes failed (read-only or full share): not all sent
    healed: list[str] = field(default_factory=list)  # republished, recovered, moved aside
    waiting: str = ""  # why this PC's changes wait here (not enrolled, revoked: issue 15)
    waiting_short: str = "not enrolled"  # the same in two words, for the summary

    def summary(self) -> str:
        text = (
            f"published {self.published}, merged {self.merged}, conflicts {self.conflicts}, "
            f"peers {self.peers}"
        )
        if self.renumbered:
            text += f", renumbered {len(self.renumbered)}"
        if self.healed:
            text += f", healed {len(self.healed)}"
        if self.clamped:
            text += f", re-dated {self.clamped} (clock ahead)"
        if self.problems:
            text += f", problems {len(self.problems)}"
        if self.send_failed and self.pending:
            text += f", not sent {self.pending}"
        if self.waiting and self.pending:
            text += f", kept here {self.pending} ({self.waiting_short})"
        return text


def sync_round(
    engine: Engine,
    share: Share,
    actor: Actor,
    clock: HybridLogicalClock,
    key: Ed25519PrivateKey | None = None,
    trust_root: str | None = None,
) -> SyncReport:
    """Raises ShareError when the share cannot be used at all (not this board's, not mounted,
    gone mid-round); peer problems are reported. This PC's own writes that fail (a read-only or
    full share) do not stop the round: the peers are still merged, and `send_failed` says why
    this PC's changes were not (all) sent.

    `key`: this PC's signing key (issue 15): on a protected board its segments are signed and
    peers' are verified (sync.trust_round); without one the board is read as not protected.
    `trust_root`: the root fingerprint to pin on a first round (raises RootNotPinnedError
    without it on a protected board)."""
    with pooled(engine) as held:  # one connection for the round's many short reads
        return _round(held, share, actor, clock, key, trust_root)


def _round(
    engine: Engine,
    share: Share,
    actor: Actor,
    clock: HybridLogicalClock,
    key: Ed25519PrivateKey | None,
    trust_root: str | None,
) -> SyncReport:
    share = identify_share(engine, share)
    trust = (
        trust_round.start(engine, share, actor.device_id, key, trust_root)
        if key is not None
        else trust_round.unprotected(engine)
    )
    if trust.newest > clock.last:
        _observe(engine, clock, trust.newest)
    signer = trust.signer
    if trust.state.protected:  # manifests and acks signed and checked (trust_round.TrustSeal)
        share = replace(share, seal=trust.seal)
    writes = OwnWrites(share)
    clock_check = OwnCheck(engine, clock, actor.device_id)
    device_file = writes.run("its device file", lambda: _write_device_file(share, actor), None)
    if device_file is not None:
        clock_check.measure(device_file)  # this PC's clock against the share's
    own = writes.run(
        "its changes",
        lambda: healing.reconcile_own(engine, share, actor.device_id, clock, signer),
        healing.Healed(),
    )
    report = SyncReport(
        published=writes.run(
            "its changes",
            lambda: _publish(engine, share, actor, own, clock_check, trust),
            0,
        )
    )
    clock_check.jumped_back()
    share.check_still_there()
    heal = writes.run(
        "its changes",
        lambda: healing.heal_own(engine, share, actor.device_id, clock, signer),
        healing.Healed(),
    )
    cursors = _cursors(engine)
    snapshot = functools.cache(lambda: newest_snapshot(share))  # read once, only if needed
    incoming = IncomingCheck(engine, clock.raw_wall)
    batches = [
        _collect(engine, share, peer, cursors.get(peer, 0), snapshot, incoming, trust)
        for peer in share.devices()
        if peer != actor.device_id
    ]
    report.peers = len(batches)
    remember_signed(engine, trust.check.taken)
    refused = _judge(engine, trust, batches)
    again = judge.Rejudged()

    def settle(conn: Connection, merged: list[Record]) -> int:
        """In the merge's transaction: the refusals kept, then what the merged changes decide
        otherwise judged again (sync.judge.rejudge, sync.cascade). Returns the newest clock
        merged now."""
        nonlocal again
        for device, refusals in refused.items():
            judge.keep(conn, device, refusals)
        late = judge.statement_triggers(conn, trust.fresh) if trust.fresh else None
        again = cascade.settle_in(conn, trust.state, actor.device_id, merged, late)
        return max((r.hlc for r in again.allowed), default=0)

    stats = _merge(engine, clock, batches, cursors, incoming, settle)  # may hold a batch back
    if stats.disposed or disposal.purge_due(engine):
        # no page of the file or its WAL keeps what went, nor a copy beside it; busy: next round
        with contextlib.suppress(sqlite3.OperationalError):
            disposal.tell(engine, clock.now(), disposal.purge(engine))
    disposal_share.retake_signatures(engine, share, actor.device_id, trust.state)
    retry_waiting(engine, actor.device_id)  # own changes a restore could not apply yet
    report.problems = [
        f"PC {b.device_id.replace('-', '')[-8:]}: {b.problem}" for b in batches if b.problem
    ] + heal.problems
    report.problems += screening_problems(batches, stats)
    for device, refusals in refused.items():
        report.problems += describe_refused(device, refusals, trust.state.names)
    for device, refusals in again.refused.items():
        report.problems += describe_refused(device, refusals, trust.state.names)
    report.problems += judge.describe_allowed(again.allowed, trust.state.names)
    stats.tables |= again.tables
    report.waiting = trust.waiting
    report.waiting_short = trust.waiting_short or report.waiting_short
    report.merged, report.conflicts, report.tables = stats.merged, stats.conflicts, stats.tables
    report.healed = own.messages + heal.messages
    report.tables |= own.tables
    if report.tables & NUMBERED_TABLES:  # only a merge can bring a clash
        report.renumbered = renumber_clashes(engine, actor, clock)
    if report.renumbered and not writes.failed:
        report.published += writes.run(
            "its changes", lambda: _publish(engine, share, actor, None, clock_check, trust), 0
        )
    report.clock = clock_check.finish() + incoming.messages()
    report.clamped = sum(incoming.counted.values()) + clock_check.redated
    notify(engine, clock, report.clock)
    report.pending = pending_count(engine, actor.device_id)
    share.check_still_there()  # never write an ack (or a snapshot) where the share used to be
    acks = {b.device_id: b.cursor for b in batches}
    writes.run("what it has merged", lambda: _write_ack(share, actor.device_id, acks), None)
    wants = {b.device_id: b.wants for b in batches}
    writes.run(
        "what it is waiting for",
        lambda: healing.write_wants(share, actor.device_id, wants),
        None,
    )
    report.needs_restore = (
        own.needs_restore
        or healing.still_lost(engine, actor.device_id)
        or any(b.needs_restore for b in batches)
    )
    if not writes.failed:
        writes.run("its snapshot", lambda: _housekeeping(engine, share, actor, clock, signer), None)
    report.send_failed = writes.failed
    return report


def _observe(engine: Engine, clock: HybridLogicalClock, newest: int) -> None:
    """This PC's clock passes the newest statement in force (its own enrolment, a role): a
    change made after it has been read is dated after it, and judged by it, even where this
    PC's wall clock is behind the secretariat's."""
    with writer(engine).begin() as conn:
        put_state(conn, "hlc_last", str(clock.observe(newest).hlc))


def _publish(
    engine: Engine,
    share: Share,
    actor: Actor,
    own: healing.Healed | None,
    clock_check: OwnCheck,
    trust: trust_round.TrustRound,
) -> int:
    if not trust.may_publish:  # not enrolled (yet), or revoked: kept here
        return 0
    notes = own.messages if own is not None else None
    return publish(
        engine,
        share,
        actor.device_id,
        notes=notes,
        on_written=clock_check,
        signer=trust.signer,
    )


def _judge(
    engine: Engine, trust: trust_round.TrustRound, batches: list[PeerBatch]
) -> dict[str, list[judge.Refusal]]:
    """The rules on merge (sync.judge), every peer's batch together in clock order: what each
    batch's writers may not do is taken out."""
    kept, refused = judge.judge_round(
        engine, trust.state, {b.device_id: b.records for b in batches}
    )
    for device, kept_now in cascade.revoked_records(engine, trust.check.revoked).items():
        refused.setdefault(device, []).extend(kept_now)
    cascade.refuse_in_round(engine, kept, refused)  # what names a row refused
    for b in batches:
        b.records = kept[b.device_id]
    return refused


def _housekeeping(
    engine: Engine,
    share: Share,
    actor: Actor,
    clock: HybridLogicalClock,
    signer: Signer | None = None,
) -> None:
    """A snapshot when one is due (at once after a disposal: its older ones removed), our own
    segments still holding disposed text rewritten, then our own old segments, snapshots and
    temporary files removed when safe."""
    db = engine.url.database
    may = share.seal is None or share.seal.may_snapshot()
    after_disposal = disposal_share.snapshot_due_after(engine)
    if db and db != ":memory:" and may and (after_disposal or snapshot_due(share)):
        made = make_snapshot(
            Path(db), share, actor.device_id, clock.now(), current_revision(engine) or ""
        )
        if after_disposal:
            disposal_share.snapshot_made(engine, share, actor.device_id, [made.stem])
        else:
            prune_own_snapshots(share, actor.device_id)
    disposal_share.rewrite_own(engine, share, actor.device_id, signer)
    pruned: list[tuple[int, int]] = []
    prune_own_segments(share, actor.device_id, removed=pruned)
    if pruned:
        healing.remember_pruned(engine, max(last for _, last in pruned))
    share.sweep_own_temps(actor.device_id)


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
    trust: trust_round.TrustRound | None = None,
) -> PeerBatch:
    """The peer's segments that continue `cursor`, verified. Where a range has several copies
    (healing segments, healing.py) the newest that verifies is taken; a gap or a range with no
    good copy stops the peer there, and is asked of its author (`batch.wants`)."""
    batch = PeerBatch(peer, cursor)
    files = healing.listing(share.segments_dir(peer))
    if not any(f.last > batch.cursor for f in files):
        _check_pruned(engine, snapshot(), batch)  # nothing to read: was it removed?
        return batch
    while ahead := [f for f in files if f.last > batch.cursor]:
        here = [f for f in ahead if f.first <= batch.cursor + 1]
        if not here:
            first = min(f.first for f in ahead)
            if _hold_all(engine, peer, batch.cursor + 1, first - 1):
                batch.cursor = first - 1  # a gap of records merged before (a forgotten cursor)
                continue
            batch.problem = f"waiting for changes {batch.cursor + 1}-{first - 1} (not on the share)"
            if covering_snapshot(share, peer, first - 1) is not None:
                batch.needs_restore = True
                batch.problem += "; they are in the newest snapshot: restore from it"
            else:
                batch.wants.append(healing.Want(batch.cursor + 1, first - 1, "missing"))
                batch.problem += f"; {healing.ASKED}"
            break
        check = _checker(engine, trust, peer)
        copied = _copied(engine, trust, peer)
        segment, chosen, problem, want = healing.read_best(here, peer, check, copied)
        if segment is None:
            if trust is not None and trust.state.protected and not _damage(problem):
                want = None  # not enrolled, revoked, not signed: nothing its author can heal
            batch.problem = problem + (f"; {healing.ASKED}" if want is not None else "")
            batch.wants += [want] if want is not None else []
            break
        _take_screened(batch, segment, chosen.path, incoming)
        batch.cursor = chosen.last
    return batch


def _checker(
    engine: Engine, trust: trust_round.TrustRound | None, peer: str
) -> Callable[[Segment, healing.SegFile], str] | None:
    """The trust check of a peer's segment copy; what it refuses is listed on the Security tab
    (a copy that passes later, or a healing copy taken instead, clears nothing: the file that
    failed is still there and still worth knowing about)."""
    if trust is None or not trust.state.protected:
        return None

    def check(segment: Segment, f: healing.SegFile) -> str:
        reason = trust.check.check(peer, segment)
        if reason:
            record_finding(engine, peer, f.path.name, reason)
        return reason

    return check


def _copied(
    engine: Engine, trust: trust_round.TrustRound | None, peer: str
) -> Callable[[healing.SegFile], None] | None:
    """On a protected board, another PC's segment copied into this peer's folder (a replay)
    is listed on the Security tab too, not only reported."""
    if trust is None or not trust.state.protected:
        return None
    return lambda f: record_finding(engine, peer, f.path.name, COPIED)


def _damage(problem: str) -> bool:
    """Whether a refused copy is one its author can heal by writing it again: a file that does
    not read whole (a checksum, a line that is not JSON, a range that does not match) or whose
    signature does not match it, rather than a writer that may not write at all (not signed,
    not enrolled, another PC's key, revoked, a replaced history)."""
    if any(reason in problem for reason in DAMAGE):
        return True
    return not any(reason in problem for reason in WRITER_REFUSED)


def _take_screened(
    batch: PeerBatch,
    segment: Segment,
    path: Path,
    incoming: IncomingCheck | None,
) -> None:
    """Add a segment's new records to the batch, but those no PC may apply (a table that never
    syncs, a malformed field, a value that does not fit): those are counted, never merged.
    What is kept is then re-dated where its PC's clock was far ahead (clockguard), the whole
    segment at once, so that every PC gives it the same stamps whatever its cursor."""
    kept, refused = screen(list(segment.records))
    digests = disposal_share.kept_of(segment.header)
    if digests:  # only for records that arrive disposed of: the chain was signed over these
        batch.kept.update(
            {r.seq: digests[r.seq] for r in kept if r.seq in digests and is_disposed(r.value)}
        )
    dated = dated_by_author(segment.header)
    redated = incoming.segment(path, kept, dated) if incoming is not None else kept
    kept = [r for r in redated if r.seq > batch.cursor]
    batch.records += kept
    batch.refused.update(refused)
    if kept:  # who works on that PC, as its own (screened) records say
        batch.user = kept[-1].user


def screening_problems(batches: list[PeerBatch], stats: MergeStats) -> list[str]:
    """What the screen refused and what the merge held back, one line each, for the user."""
    lines = [line for b in batches for line in describe(b.device_id, b.refused)]
    return lines + held_back_lines(stats)


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
    settle: Callable[[Connection, list[Record]], int] | None = None,
) -> MergeStats:
    """Merge every batch in one transaction (`settle`, if given, runs in it after the merge).
    If the database refuses the result (a row another PC created, or points to, that has not
    arrived: its segment is damaged, or hidden by a stale listing), find the batches that fit
    without it; the others wait, their cursor unmoved, and are read again next round. One PC's
    missing segment never stops the others' changes."""
    try:
        return _merge_once(engine, clock, batches, incoming, settle)
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
    return _merge_once(engine, clock, batches, incoming, settle)


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
    settle: Callable[[Connection, list[Record]], int] | None = None,
) -> MergeStats:
    with writer(engine).begin() as conn:
        merged = [r for b in batches for r in b.records]
        for b in batches:
            disposal_share.keep_digests(conn, b.device_id, b.kept)
        stats = merge_records(conn, merged)
        if settle is not None:  # the clock passes what it merges too
            stats.max_hlc = max(stats.max_hlc, settle(conn, merged))
        if incoming is not None:
            incoming.keep_stamps(conn)
        applied = disposal.apply(conn)  # a certificate merged, or a disposed row's late change
        stats.disposed = applied.values + applied.rows
        stats.tables |= applied.tables
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
    share.own_segments_dir(actor.device_id)  # its folder, never the folders above it
    path = share.device_dir(actor.device_id) / "device.json"
    replace_file(path, (json.dumps(body, sort_keys=True) + "\n").encode())
    return path


def _write_ack(share: Share, device_id: str, cursors: dict[str, int]) -> None:
    share.own_segments_dir(device_id)
    body: dict[str, Any] = dict(cursors)
    if share.seal is not None:  # a protected board: signed (retention.read_acks)
        body = share.seal.seal(ACK, {"cursors": cursors})
    replace_file(
        share.device_dir(device_id) / "ack.json",
        (json.dumps(body, sort_keys=True) + "\n").encode(),
    )
