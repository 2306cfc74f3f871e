"""Recovering a damaged local database, keeping every change of this PC it can still read.

Sources, best first: the share's newest snapshot and the journal after it (the join path:
`sync.bootstrap` and a sync round); the share's journal alone when it holds no snapshot yet; the
copy set aside before the last upgrade (`hescb.sqlite.before-<rev>`) when there is no share or
it cannot be used. What is kept from the damaged file, read with plain sqlite3 and read-only (a
damaged page makes some rows unreadable, so this PC's change log is read in ranges and what reads
is kept): this PC's identity and settings (`local_state`), and its own change records the source
lacks, unsent ones still to be sent. Its own records it had sent are also read back from its own
segments on the share. The damaged file is never written to nor deleted: it is set aside as
`hescb.sqlite.damaged-<stamp>` (with its -wal and -shm), and put back if recovery fails.
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.paths import DB_FILENAME
from hescb_desktop.services.context import open_context
from hescb_desktop.services.settings import load_settings, save_settings
from hescb_desktop.services.sync import run_sync
from hescb_desktop.storage.database import (
    CLEAN_SUFFIX,
    check_file,
    known_revisions,
    open_database,
)
from hescb_desktop.storage.device import fingerprint
from hescb_desktop.storage.engine import DamagedDatabaseError, DatabaseError
from hescb_desktop.sync.bootstrap import bootstrap
from hescb_desktop.sync.hlc import to_datetime
from hescb_desktop.sync.merger import merge_records, put_state
from hescb_desktop.sync.segments import Record, SegmentError, parse_name, read_segment
from hescb_desktop.sync.share import Share, ShareError, check_format, read_json
from hescb_desktop.sync.snapshot import SnapshotInfo, newest_snapshot

_COLUMNS = (
    "device_id, seq, tx, hlc, table_name, row_id, column_name, value, prev_hlc, user, published"
)


class NoSourceError(Exception):
    """No source can be used: nothing was changed. The message says why for each source."""


class NotDamagedError(ValidationError):
    """The database is sound: there is nothing to recover."""


# ---------------------------------------------------------------------- what the file still holds
@dataclass
class Salvage:
    """What could still be read from the damaged file."""

    device_id: str = ""
    state: dict[str, str] = field(default_factory=dict)
    records: dict[int, tuple[Record, bool]] = field(default_factory=dict)  # seq: (record, sent)
    unreadable: set[int] = field(default_factory=set)  # own seqs no read could return
    state_read: bool = True

    def add_sent(self, records: list[Record]) -> None:
        """This PC's records found in its own segments on the share (they were sent)."""
        for rec in records:
            if rec.device_id == self.device_id and rec.seq not in self.records:
                self.records[rec.seq] = (rec, True)
                self.unreadable.discard(rec.seq)

    def add_unsent(self, records: list[Record]) -> None:
        """This PC's unsent records the source itself holds (a copy of this database)."""
        for rec in records:
            if rec.seq not in self.records:
                self.records[rec.seq] = (rec, False)
                self.unreadable.discard(rec.seq)

    def lost(self, after: int) -> int:
        return sum(1 for seq in self.unreadable if seq > after)

    def plan(self, sent_upto: int) -> Plan:
        """What to carry. Sent records keep their seqs (the share has them). Unsent ones are
        carried a commit at a time and numbered on from the last sent one, so the seqs this PC
        publishes have no gap where a record could not be read (a reader would wait for it for
        ever); they never left this PC, so no other PC knows their old numbers. A commit with a
        record that could not be read is `partial`: applied on its own if what remains fits."""
        sent = [rec for rec, was in self.records.values() if was]
        last_sent = max([sent_upto, *(r.seq for r in sent)])
        unsent = sorted((r for r, was in self.records.values() if not was), key=lambda r: r.seq)
        commits = [list(g) for _, g in itertools.groupby(unsent, key=lambda r: r.tx)]
        end = max([last_sent, *self.unreadable, *(r.seq for r in unsent)])
        whole: list[list[Record]] = []
        partial: list[list[Record]] = []
        for i, commit in enumerate(commits):
            stop = commits[i + 1][0].tx if i + 1 < len(commits) else end + 1
            span = range(min(commit[0].tx, commit[0].seq), max(stop, commit[-1].seq + 1))
            broken = any(seq in self.unreadable for seq in span)
            (partial if broken else whole).append(commit)
        numbered = renumber(whole, last_sent + 1)
        return Plan(sent + numbered, partial, last_sent + 1 + len(numbered))


@dataclass(frozen=True)
class Plan:
    carried: list[Record]  # sent ones as they were, then whole unsent commits renumbered
    partial: list[list[Record]]  # unsent commits with a record missing, in their old numbers
    next_seq: int  # after `carried`

    def unsent(self, sent: set[int]) -> int:
        return sum(1 for r in self.carried if r.seq not in sent)


def renumber(commits: list[list[Record]], start: int) -> list[Record]:
    """The commits' records numbered start, start+1, ...; each one's tx is its commit's first."""
    out: list[Record] = []
    seq = start
    for commit in commits:
        tx = seq
        for rec in commit:
            out.append(rec._replace(seq=seq, tx=tx))
            seq += 1
    return out


@contextmanager
def damaged_copy(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection on a copy of the damaged file and its WAL, in a temp folder: even a
    read-only look at a WAL database leaves files beside it, and this one is not touched."""
    with tempfile.TemporaryDirectory(prefix="hescb-salvage-") as tmp:
        copy = Path(tmp) / DB_FILENAME
        for suffix in ("", "-wal"):
            part = db_path.with_name(db_path.name + suffix)
            if part.exists():
                shutil.copyfile(part, copy.with_name(copy.name + suffix))
        conn = sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)
        try:
            yield conn
        finally:
            conn.close()


def read_identity(conn: sqlite3.Connection, db_path: Path) -> Salvage:
    """This PC's state (identity, settings) as far as it reads. When the state cannot be read
    the device is the one whose records are unsent: only this PC's own ever are."""
    found = Salvage()
    found.state, found.state_read = _read_state(conn)
    found.device_id = found.state.get("device_id", "") or _unsent_device(conn)
    if found.device_id and found.state.get("device_id") != found.device_id:
        found.state["device_id"] = found.device_id
        found.state["device_fingerprint"] = fingerprint(db_path)
    return found


def read_own_records(conn: sqlite3.Connection, found: Salvage, from_seq: int, up_to: int) -> None:
    """This PC's change records from `from_seq` on, as far as they read. `up_to`: the highest
    seq known to exist elsewhere (its own segments on the share)."""
    if not found.device_id:
        return
    last = max(int(found.state.get("next_seq", "1") or 1) - 1, up_to, _max_seq(conn, found))
    _read_range(conn, found, max(from_seq, 1), last)


def _read_state(conn: sqlite3.Connection) -> tuple[dict[str, str], bool]:
    try:
        return {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM local_state")}, True
    except sqlite3.DatabaseError:
        pass
    state: dict[str, str] = {}
    keys = ("device_id", "device_fingerprint", "next_seq", "hlc_last", "share_folder")
    for key in keys:  # a damaged page may hold some keys only
        with suppress(sqlite3.DatabaseError):
            row = conn.execute("SELECT value FROM local_state WHERE key = ?", (key,)).fetchone()
            if row is not None:
                state[key] = str(row[0])
    return state, False


def _unsent_device(conn: sqlite3.Connection) -> str:
    """Only this PC's own records are ever unsent: their device is this PC's."""
    try:
        row = conn.execute(
            "SELECT device_id FROM change_log WHERE published = 0 LIMIT 1"
        ).fetchone()
    except sqlite3.DatabaseError:
        return ""
    return str(row[0]) if row else ""


def _max_seq(conn: sqlite3.Connection, found: Salvage) -> int:
    try:
        row = conn.execute(
            "SELECT max(seq) FROM change_log WHERE device_id = ?", (found.device_id,)
        ).fetchone()
    except sqlite3.DatabaseError:
        return 0
    return int(row[0] or 0)


def _read_range(conn: sqlite3.Connection, found: Salvage, lo: int, hi: int) -> None:
    """Own records lo..hi: all at once, or the halves of a range that fails, down to single
    seqs. Seqs are dense, so one that is not returned could not be read."""
    if lo > hi:
        return
    try:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM change_log WHERE device_id = ? AND seq BETWEEN ? AND ?",
            (found.device_id, lo, hi),
        ).fetchall()
    except sqlite3.DatabaseError:
        if lo == hi:
            found.unreadable.add(lo)
            return
        mid = (lo + hi) // 2
        _read_range(conn, found, lo, mid)
        _read_range(conn, found, mid + 1, hi)
        return
    got = set()
    for row in rows:
        if _plausible(row):
            found.records[int(row[1])] = (Record(*row[:10]), bool(row[10]))
            got.add(int(row[1]))
    found.unreadable.update(s for s in range(lo, hi + 1) if s not in got)


def _plausible(row: tuple[object, ...]) -> bool:
    return (
        isinstance(row[1], int)
        and isinstance(row[2], int)
        and isinstance(row[3], int)
        and all(isinstance(v, str) for v in (row[4], row[5], row[6], row[7]))
    )


# ---------------------------------------------------------------------- the sources
@dataclass(frozen=True)
class Source:
    kind: str  # "snapshot", "journal" (a share with no snapshot) or "copy"
    share: Path | None = None
    snapshot: SnapshotInfo | None = None
    copy: Path | None = None

    def describe(self) -> str:
        if self.snapshot is not None:
            return f"the share's snapshot of {to_datetime(self.snapshot.hlc):%Y-%m-%d %H:%M} UTC"
        if self.copy is not None:
            taken = datetime.fromtimestamp(self.copy.stat().st_mtime, UTC)
            return f"the copy kept before the last upgrade ({self.copy.name}, {taken:%Y-%m-%d})"
        return "the share's journal"


def share_source(share_folder: Path) -> Source:
    """The share as a source, read only (a share that is not one is never created here)."""
    share = Share(share_folder)
    if not share_folder.is_dir():
        raise ShareError(f"share folder {share_folder} is not available")
    format_file = share.root / "FORMAT"
    if not format_file.is_file():
        raise ShareError(f"{share_folder} holds no HESCB board (no hescb-sync/FORMAT)")
    check_format(read_json(format_file), "the share")
    snapshot = newest_snapshot(share)
    if snapshot is not None:
        check_format(snapshot.manifest, f"snapshot {snapshot.path.name}")
        return Source("snapshot", share_folder, snapshot)
    return Source("journal", share_folder)


def copy_source(copy: Path, device_id: str) -> Source:
    """A copy of this PC's database (the one set aside before an upgrade), checked sound."""
    if not copy.is_file():
        raise ValidationError(f"{copy} does not exist")
    try:
        check_file(copy, verify=True)
    except DatabaseError as exc:
        raise ValidationError(f"{copy} cannot be used: {exc}") from exc
    owner = _state_value(copy, "device_id")
    if device_id and owner and owner != device_id:
        raise ValidationError(f"{copy} is another PC's database, not a copy of this one")
    return Source("copy", copy=copy)


def upgrade_copies(db_path: Path) -> list[Path]:
    """The copies set aside before upgrades (`hescb.sqlite.before-0007`), newest first."""
    revisions = known_revisions()
    found = [
        p
        for p in db_path.parent.glob(f"{db_path.name}.before-*")
        if p.name.rsplit("-", 1)[-1] in revisions
    ]
    return sorted(found, key=lambda p: revisions.index(p.name.rsplit("-", 1)[-1]), reverse=True)


def _state_value(path: Path, key: str) -> str:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM local_state WHERE key = ?", (key,)).fetchone()
    except sqlite3.DatabaseError:
        row = None
    finally:
        conn.close()
    return str(row[0]) if row else ""


# ---------------------------------------------------------------------- recovering
@dataclass
class Recovery:
    source: Source
    kept_as: Path  # the damaged file, set aside
    journal: int = 0  # changes merged from the share's journal after the source
    kept_unsent: int = 0
    unreadable: int = 0
    identity_lost: bool = False
    settings_lost: bool = False
    waiting: int = 0  # rows that refer to records the source lacks (the share brings them)
    dropped: int = 0  # read, but the rest of their commit could not be: they did not fit
    sync_error: str = ""  # the round after recovery failed: the board is recovered, not synced
    not_used: list[str] = field(default_factory=list)  # why a better source was passed over

    def summary(self) -> str:
        text = f"recovered from {self.source.describe()}"
        if self.source.kind == "journal" and not self.sync_error:
            text += f" ({_changes(self.journal)})"
        elif self.source.share is not None and not self.sync_error:
            text += f" and {_changes(self.journal)} from the journal"
        text += f"; kept {_changes(self.kept_unsent)} this PC had not sent"
        if self.unreadable:
            text += f"; {self.unreadable} could not be read"
        if self.dropped:
            text += (
                f"; {_changes(self.dropped)} could not be restored without the rest of their edit"
            )
        if self.waiting and (self.source.kind == "copy" or self.sync_error):
            refer = "record refers" if self.waiting == 1 else "records refer"
            text += (
                f"; {self.waiting} {refer} to records not here yet (another PC's, which the next "
                "sync with the share brings)"
            )
        if self.identity_lost:
            text += "; this PC's identity could not be read, so it starts as a new PC"
        elif self.settings_lost:
            text += "; some of this PC's settings could not be read (check them in Settings)"
        return text + f"; the damaged file is kept as {self.kept_as.name}"


def _changes(count: int, noun: str = "change") -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def damage_of(db_path: Path) -> str:
    """Why `db_path` is damaged; raises NotDamagedError when it is sound, and DatabaseError when
    it is not ours or is newer (recovery is not the answer to those)."""
    try:
        check_file(db_path, verify=True)
    except DamagedDatabaseError as exc:
        return str(exc)
    raise NotDamagedError(f"{db_path} is not damaged: there is nothing to recover")


def recover(data_dir: Path, share: Path | None = None, from_copy: Path | None = None) -> Recovery:
    """Rebuild the data dir's damaged database from the best source that works. The caller
    holds the data dir's lock and has no connection open on the file.

    Raises NotDamagedError (sound file), ValidationError (a --from-copy that cannot be used)
    or NoSourceError (no source could be used: nothing was changed)."""
    db_path = data_dir / DB_FILENAME
    if not db_path.is_file():
        raise ValidationError(f"no database in {data_dir}: there is nothing to recover")
    damage_of(db_path)
    reasons: list[str] = []
    with damaged_copy(db_path) as conn:
        known = read_identity(conn, db_path)
        for source in _sources(db_path, known, share, from_copy, reasons):
            try:
                done = _recover_from(db_path, conn, known, source)
            except (
                ShareError,
                SegmentError,
                DatabaseError,
                SQLAlchemyError,
                sqlite3.Error,
                OSError,
            ) as exc:
                reasons.append(f"{source.describe()} could not be used ({exc})")
                continue
            break
        else:
            done = None
    if done is not None:
        done.not_used = reasons if done.source.share is None else []  # why not the share
        if done.source.share is not None:
            done.journal, done.sync_error = _sync(data_dir, done.source.share)
        return done
    raise NoSourceError(
        "nothing to recover from: " + "; ".join(reasons) + "; the database was left as it was"
    )


def _sources(
    db_path: Path, known: Salvage, share: Path | None, from_copy: Path | None, why: list[str]
) -> list[Source]:
    if from_copy is not None:
        return [copy_source(from_copy, known.device_id)]  # asked for: only that
    found: list[Source] = []
    saved = known.state.get("share_folder", "")
    folder = share or (Path(saved) if saved else None)
    if folder is None:
        why.append("no share folder is set")
    else:
        try:
            found.append(share_source(folder))
        except ShareError as exc:
            why.append(str(exc))
    copies = upgrade_copies(db_path)
    if not copies:
        why.append("no copy was kept before an upgrade")
    for copy in copies:
        try:
            found.append(copy_source(copy, known.device_id))
        except ValidationError as exc:
            why.append(str(exc))
    return found


def _recover_from(
    db_path: Path, conn: sqlite3.Connection, known: Salvage, source: Source
) -> Recovery:
    holds, read_from = _held_by(source, known.device_id)
    found = Salvage(known.device_id, dict(known.state), state_read=known.state_read)
    sent, named = own_segments(source.share, known.device_id, holds) if source.share else ([], 0)
    read_own_records(conn, found, read_from + 1, max([named, *(r.seq for r in sent)]))
    found.add_sent(sent)
    if source.copy is not None:
        found.add_unsent(_unsent_in(source.copy, known.device_id))
    plan = found.plan(max(holds, named))
    sent_seqs = {seq for seq, (_, was) in found.records.items() if was}
    with _set_aside(db_path) as kept_as:
        if source.snapshot is not None:
            _carrier(db_path, found, plan, sent_seqs)
            _bootstrap(db_path, source.snapshot)
            waiting = 0
        else:
            waiting = _rebuild(db_path, source.copy, found, plan, sent_seqs)
        applied, dropped = _carry_partial(db_path, found.device_id, plan)
    return Recovery(
        source,
        kept_as,
        waiting=waiting,
        kept_unsent=plan.unsent(sent_seqs) + applied,
        unreadable=found.lost(holds),
        dropped=dropped,
        identity_lost=not found.device_id,
        settings_lost=not found.state_read,
    )


def _violations(conn: Connection) -> int:
    return len(conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall())


def _unsent_in(copy: Path, device: str) -> list[Record]:
    conn = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM change_log WHERE device_id = ? AND published = 0",
            (device,),
        ).fetchall()
    finally:
        conn.close()
    return [Record(*r[:10]) for r in rows]


def _carry_partial(db_path: Path, device: str, plan: Plan) -> tuple[int, int]:
    """Each commit with a missing record, on its own and numbered on: kept if what remains fits
    (an edit of some fields), dropped if not (a new record without its name). Returns (kept,
    dropped) in records."""
    if not plan.partial:
        return 0, 0
    engine = open_database(db_path)
    applied = dropped = 0
    seq = plan.next_seq
    try:
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")  # checked per commit below, not at the end
            with conn.begin():
                broken = _violations(conn)
                for commit in plan.partial:
                    records = renumber([commit], seq)
                    try:
                        with conn.begin_nested():
                            merge_records(conn, records, published=True)
                            if _violations(conn) > broken:  # refers to a record not there
                                raise sqlite3.IntegrityError("a reference to a missing record")
                    except (SQLAlchemyError, sqlite3.Error):
                        dropped += len(records)
                        continue
                    applied += len(records)
                    seq += len(records)
                conn.exec_driver_sql(
                    "UPDATE change_log SET published = 0 WHERE device_id = ? AND seq >= ?",
                    (device, plan.next_seq),
                )
                put_state(conn, "next_seq", str(seq))
            raw.execute("PRAGMA foreign_keys=ON")
    finally:
        engine.dispose()
    return applied, dropped


def _held_by(source: Source, device: str) -> tuple[int, int]:
    """(this PC's last seq the source holds, the seq after which its records are read): for a
    copy, from its first unsent record on, as the damaged file may know it was sent since."""
    if source.snapshot is not None:
        held = source.snapshot.cursors.get(device, 0)
        return held, held
    if source.copy is None:
        return 0, 0
    conn = sqlite3.connect(f"{source.copy.resolve().as_uri()}?mode=ro", uri=True)
    try:
        held, unsent = conn.execute(
            "SELECT max(seq), min(CASE WHEN published = 0 THEN seq END) FROM change_log"
            " WHERE device_id = ?",
            (device,),
        ).fetchone()
    finally:
        conn.close()
    held = int(held or 0)
    return held, (int(unsent) - 1 if unsent is not None else held)


def own_segments(share_folder: Path, device: str, after: int) -> tuple[list[Record], int]:
    """This PC's records after `after` in its own segments on the share (the ones it sent), and
    the last seq its segments' names cover: sent, even where a segment does not verify (it is
    passed over), so no unsent record is ever numbered into that range."""
    folder = Share(share_folder).segments_dir(device)
    if not device or not folder.is_dir():
        return [], 0
    found: list[Record] = []
    named = 0
    for path in folder.iterdir():
        span = parse_name(path.name)
        if span is None:
            continue
        named = max(named, span[1])
        if span[1] <= after:
            continue
        try:
            segment = read_segment(path)
        except SegmentError:
            continue
        if segment.header.get("device_id") == device:
            found.extend(r for r in segment.records if r.seq > after and r.device_id == device)
    return found, named


@contextmanager
def _set_aside(db_path: Path) -> Iterator[Path]:
    """Move the damaged file (and its -wal, -shm) aside; put it back if the block fails."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
    moved: list[tuple[Path, Path]] = []
    for suffix in ("", "-wal", "-shm"):
        part = db_path.with_name(db_path.name + suffix)
        if part.exists():
            target = kept.with_name(kept.name + suffix)
            part.replace(target)
            moved.append((part, target))
    marker = db_path.with_name(db_path.name + CLEAN_SUFFIX)
    try:
        yield kept
    except BaseException:
        for leftover in (db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm"))):
            with suppress(OSError):
                leftover.unlink()
        for original, target in moved:
            target.replace(original)
        raise
    marker.unlink(missing_ok=True)  # it described the damaged file


def _carrier(db_path: Path, found: Salvage, plan: Plan, sent: set[int]) -> None:
    """A database at `db_path` holding only what bootstrap carries: this PC's state and its own
    records, so the snapshot is restored exactly as when a PC joins."""
    open_database(db_path).dispose()
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.executemany(
                "INSERT OR REPLACE INTO local_state (key, value) VALUES (?, ?)",
                _state_to_carry(found, plan).items(),
            )
            conn.executemany(
                f"INSERT INTO change_log ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(*rec, 1 if rec.seq in sent else 0) for rec in plan.carried],
            )
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def _state_to_carry(found: Salvage, plan: Plan) -> dict[str, str]:
    state = dict(found.state)
    if found.device_id:
        state["next_seq"] = str(plan.next_seq)
        logged = max((rec.hlc for rec, _ in found.records.values()), default=0)
        state["hlc_last"] = str(max(int(state.get("hlc_last", "0") or 0), logged))
    return state


def _bootstrap(db_path: Path, snapshot: SnapshotInfo) -> None:
    """sync.bootstrap, which keeps the file it replaces beside as `.before-join-<stamp>`: here
    that is the carrier made above, not the user's file (that is kept as `.damaged-<stamp>`)."""
    before = set(db_path.parent.glob(f"{db_path.name}.before-join-*"))
    bootstrap(db_path, snapshot)
    for carrier in set(db_path.parent.glob(f"{db_path.name}.before-join-*")) - before:
        carrier.unlink()


def _rebuild(db_path: Path, copy: Path | None, found: Salvage, plan: Plan, sent: set[int]) -> int:
    """From the copy (upgraded as it is opened) or from nothing (a share with no snapshot yet:
    the round that follows reads the whole journal), with this PC's state and records. Returns
    how many rows refer to records the copy lacks (another PC's, made after the copy was set
    aside): foreign keys are off while this PC's records go in, so none of its changes is
    refused for that, and those references resolve when the share's journal is next read."""
    incoming = db_path.with_name(db_path.name + ".recovering")
    try:
        if copy is not None:
            shutil.copyfile(copy, incoming)
        engine = open_database(incoming)
        try:
            dangling = _carry(engine, found, plan, sent)
        finally:
            engine.dispose()
        settle = sqlite3.connect(incoming)
        try:
            settle.execute("PRAGMA journal_mode=DELETE")  # one file, to be moved on its own
        finally:
            settle.close()
        incoming.replace(db_path)
    finally:
        for leftover in (
            incoming,
            *(incoming.with_name(incoming.name + s) for s in ("-wal", "-shm", CLEAN_SUFFIX)),
            *incoming.parent.glob(f"{incoming.name}.before-*"),  # the upgrade's copy of the copy
        ):
            leftover.unlink(missing_ok=True)
    return dangling


def _carry(engine: Engine, found: Salvage, plan: Plan, sent: set[int]) -> int:
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")  # outside a transaction, so it takes effect
        with conn.begin():
            for key, value in _state_to_carry(found, plan).items():
                put_state(conn, key, value)
            conn.exec_driver_sql(  # the copy's own unsent records come back renumbered
                "DELETE FROM change_log WHERE device_id = ? AND published = 0", (found.device_id,)
            )
            merge_records(conn, plan.carried, published=True)
            flags = [(int(r.seq in sent), found.device_id, r.seq) for r in plan.carried]
            if flags:
                conn.exec_driver_sql(
                    "UPDATE change_log SET published = ? WHERE device_id = ? AND seq = ?", flags
                )
            logged = conn.exec_driver_sql("SELECT max(hlc) FROM change_log").scalar() or 0
            carried = int(found.state.get("hlc_last", "0") or 0)
            put_state(conn, "hlc_last", str(max(int(logged), carried)))
            dangling = _violations(conn)
        raw.execute("PRAGMA foreign_keys=ON")
    return dangling


def _sync(data_dir: Path, share: Path) -> tuple[int, str]:
    """The round that brings the journal after the source (and sends what was kept)."""
    ctx = open_context(data_dir, create=False)
    try:
        settings = load_settings(ctx.uow(write=False))
        if not settings.share_folder:  # its settings could not be read: this is its share
            save_settings(ctx.uow(), replace(settings, share_folder=str(share)))
        report = run_sync(ctx, share)
    except (ShareError, SegmentError, ValidationError, OSError) as exc:
        return 0, str(exc)
    finally:
        ctx.close()
    return report.merged, ""
