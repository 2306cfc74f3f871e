"""One PC with a wrong clock must not poison the others (issue 13, point 3).

Per-field last-writer-wins trusts each change's time stamp. A PC whose clock reads 2099 would
win every later edit, and every PC that edits on top of its values (an edit sorts after the
value it replaces) would be dragged to 2099 with it. So, with one bound (`hlc.MAX_AHEAD_MS`):

- **Merge** (`IncomingCheck`): a segment whose records are stamped beyond the time the share
  gave the segment file (its mtime, the same for every reader) plus the bound has those records
  re-dated to that time (`redate`). The rule reads only the segment and its mtime, so every PC
  stores the same stamps whenever it merges them; this PC's "now" never enters into it. The
  author's own stamp is kept in `change_log.stamped_hlc` for the History view.
- **The author** (`OwnCheck`): after writing a segment it applies the same rule to its own
  change_log rows (same records, same mtime: the same stamps), so it agrees with everyone, and
  from the time the share gave its device file it learns how far ahead its clock is: its clock
  then follows the share's time (an offset, kept until its own clock is right) and its user is
  told. A PC whose clock went back is told too.
- **Capture** (`storage.capture`): an edit still sorts after the value it replaces (its hlc +
  1) but the clock never follows such a stamp beyond its wall clock + the bound.

Per record this adds one comparison (the segment's highest stamp against its limit); the rest
runs only for a segment that has something to re-date.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.storage.base import Base, new_id
from hescb_desktop.storage.journal import LocalState, SyncNotice
from hescb_desktop.sync.hlc import (
    MAX_AHEAD_MS,
    HybridLogicalClock,
    ceiling,
    pack,
    unpack,
    wall_ms,
)
from hescb_desktop.sync.segments import Record

# A share file's time later than this PC's wall clock plus this is not trusted (a crafted file,
# or a file server whose clock is wrong): it is taken as that. Generous (a day, not the bound)
# so that a PC whose own clock is some minutes slow still reads every segment's time as the
# others do: only a PC more than a day slow would then decide differently, for those files.
MTIME_TRUST_MS = 24 * 3600 * 1000
OFFSET_KEY = "clock_offset_ms"  # local_state: how far this PC's clock is set back to the share's
BACK_TOLD_KEY = "clock_back_told"  # local_state: the clock value a jump back was last told for

Lookup = Callable[[Record, int], int | None]
Dated = Mapping[int, tuple[int, int | None]]  # seq -> (hlc, prev_hlc) as its author stored them
_HLC = itemgetter(3)  # Record.hlc, as a C-level getter: this runs over every record merged


# ---------------------------------------------------------------------- the rule
def share_time(path: Path, reader_wall: int) -> int:
    """The time (ms) the share gave a file, bounded by this PC's wall clock + a day."""
    mtime = os.stat(path).st_mtime_ns // 1_000_000
    return min(mtime, reader_wall + MTIME_TRUST_MS)


@dataclass
class Redated:
    records: list[Record]  # the segment's records, those beyond its time re-dated
    stamped: dict[int, int]  # seq -> the author's own stamp, for each record re-dated
    ahead_ms: int  # how far the furthest original stamp was beyond the segment's time


def redate(
    records: Sequence[Record],
    seg_ms: int,
    lookup: Lookup | None = None,
    bound_ms: int = MAX_AHEAD_MS,
) -> Redated | None:
    """The segment's records as every PC stores them; None when none is beyond the bound.

    Records stamped beyond `seg_ms` + the bound take, in the order of their distinct stamps,
    consecutive stamps from just after the segment's other records (at the earliest `seg_ms`):
    a commit's fields keep one stamp, and two changes of one field keep their order. A record
    made on top of a value (its `prev_hlc`) still sorts after that value: an edit of another PC's
    value the author had seen, or of a value stamped far ahead before this rule existed (a board
    already poisoned keeps those stamps; the edit takes that + 1 and stays far ahead).

    `lookup(record, prev)` gives the stamp a far-ahead `prev_hlc` of the same author was
    re-dated to in an earlier segment (every reader merged that segment before this one).
    """
    limit = ceiling(seg_ms, bound_ms)
    if max(map(_HLC, records)) <= limit:  # the per-record cost on the hot path
        return None
    groups: dict[int, list[Record]] = defaultdict(list)
    below = 0
    for rec in records:
        if rec.hlc > limit:
            groups[rec.hlc].append(rec)
        elif rec.hlc > below:
            below = rec.hlc
    new: dict[int, int] = {}

    def mapped(rec: Record, prev: int) -> int:
        if prev <= limit:
            return prev
        if prev in new:
            return new[prev]
        found = lookup(rec, prev) if lookup is not None else None
        return prev if found is None else found

    nxt = max(pack(seg_ms, 0), below + 1)
    for stamp in sorted(groups):
        floor = max(
            (mapped(r, r.prev_hlc) + 1 for r in groups[stamp] if r.prev_hlc is not None),
            default=0,
        )
        if floor > nxt:
            new[stamp] = floor
            if floor <= limit:  # made on top of a value within the bound: carry on after it
                nxt = floor + 1
        else:
            new[stamp] = nxt
            nxt += 1
    out: list[Record] = []
    stamped: dict[int, int] = {}
    ahead = 0
    for rec in records:
        if rec.hlc > limit:
            prev = rec.prev_hlc
            prev = mapped(rec, prev) if prev is not None else None
            if new[rec.hlc] != rec.hlc:
                stamped[rec.seq] = rec.hlc
                ahead = max(ahead, unpack(rec.hlc)[0] - seg_ms)
            rec = rec._replace(hlc=new[rec.hlc], prev_hlc=prev)
        out.append(rec)
    if not stamped and out == list(records):
        return None
    return Redated(out, stamped, ahead)


def lookup_in(conn: Connection) -> Lookup:
    """Where a far-ahead prev_hlc of a record's author went: its re-dated stamp in change_log."""

    def lookup(rec: Record, prev: int) -> int | None:
        found = conn.execute(
            text(
                "SELECT hlc FROM change_log WHERE table_name = :t AND row_id = :r"
                " AND column_name = :c AND device_id = :d AND stamped_hlc = :p"
            ),
            {"t": rec.table, "r": rec.row, "c": rec.col, "d": rec.device_id, "p": prev},
        ).first()
        return int(found[0]) if found is not None else None

    return lookup


def how_far(ms: int) -> str:
    """A span of time as a person says it: "73 years", "3 hours", "12 minutes"."""
    minute, hour, day = 60_000, 3_600_000, 86_400_000
    for size, unit in ((365 * day, "year"), (day, "day"), (hour, "hour"), (minute, "minute")):
        if ms >= size:
            n = round(ms / size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{max(1, round(ms / 1000))} seconds"


def short(device: str) -> str:
    return device.replace("-", "")[-8:]


# ---------------------------------------------------------------------- merging peers' segments
@dataclass
class IncomingCheck:
    """One round's re-dating of peers' records (created by the round, used by `_collect`)."""

    engine: Engine
    wall: Callable[[], int] = wall_ms
    stamped: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    ahead: dict[str, int] = field(default_factory=dict)  # device -> furthest ahead (ms)
    counted: dict[str, int] = field(default_factory=dict)  # device -> records re-dated

    def segment(
        self, path: Path, records: Sequence[Record], dated: Dated | None = None
    ) -> Sequence[Record]:
        """A peer's segment as read: its records, re-dated where beyond the bound. `dated`: a
        healing copy's stamps as its author stored them (`dated_by_author`)."""
        if not records:
            return records
        seg_ms = share_time(path, self.wall())  # one stat per segment
        if dated:
            records = self._as_dated(records, dated, seg_ms)
        if max(map(_HLC, records)) <= ceiling(seg_ms):  # one comparison per record
            return records
        with self.engine.connect() as conn:
            result = redate(records, seg_ms, lookup_in(conn))
        if result is None:
            return records
        self._keep(records[0].device_id, result)
        return result.records

    def _as_dated(self, records: Sequence[Record], dated: Dated, seg_ms: int) -> list[Record]:
        """A healing copy is a later file than the segment its author re-dated its records by:
        re-dated by the copy's own time they would sort after changes they came before on the
        PCs that read the original (and on their author). So the copy names the stamps they
        were given then; each is taken only as an earlier stamp than the record's own and none
        beyond what a re-date by the copy's time could give (a re-date never moves a change
        later, and a copy gains nothing over writing a new segment). A stamp beyond that (a
        change made on top of a value a board already poisoned keeps far ahead) is re-dated by
        the rule, as the original was."""
        out: list[Record] = []
        stamped: dict[int, int] = {}
        limit = ceiling(seg_ms)
        for rec in records:
            given = dated.get(rec.seq)
            if (
                given is not None
                and given[0] < rec.hlc
                and given[0] <= limit
                and (given[1] is None or given[1] < given[0])
            ):
                stamped[rec.seq] = rec.hlc
                rec = rec._replace(hlc=given[0], prev_hlc=given[1])
            out.append(rec)
        if stamped:
            ahead = max(unpack(own)[0] - seg_ms for own in stamped.values())
            self._keep(out[0].device_id, Redated(out, stamped, max(ahead, 0)))
        return out

    def _keep(self, device: str, result: Redated) -> None:
        for rec in result.records:
            if rec.seq in result.stamped:
                self.stamped[(device, rec.seq)] = (result.stamped[rec.seq], rec.hlc)
        self.ahead[device] = max(self.ahead.get(device, 0), result.ahead_ms)

    def keep_stamps(self, conn: Connection) -> None:
        """Inside the merge's transaction: the author's own stamps of the re-dated records
        merged now (a record merged before keeps what it has), counted per PC (afresh: a merge
        the database refused is rolled back and tried again without some batches)."""
        self.counted = {}
        for (device, seq), (own, hlc) in self.stamped.items():
            done = conn.execute(
                text(
                    "UPDATE change_log SET stamped_hlc = :own WHERE device_id = :d AND seq = :s"
                    " AND hlc = :h AND stamped_hlc IS NULL"
                ),
                {"own": own, "d": device, "s": seq, "h": hlc},
            )
            if done.rowcount:
                self.counted[device] = self.counted.get(device, 0) + 1
            else:  # refused by the rules on merge: kept with its author's stamp too
                conn.execute(
                    text(
                        "UPDATE refused_changes SET stamped_hlc = :own WHERE device_id = :d"
                        " AND seq = :s AND hlc = :h AND stamped_hlc IS NULL"
                    ),
                    {"own": own, "d": device, "s": seq, "h": hlc},
                )

    def messages(self) -> list[str]:
        return [
            f"PC {short(d)}'s clock is {how_far(self.ahead[d])} ahead: its changes were dated by "
            f"the share's time ({n} change{'s' if n != 1 else ''})"
            for d, n in sorted(self.counted.items())
        ]


# ---------------------------------------------------------------------- this PC's own clock
@dataclass
class OwnCheck:
    """This PC's clock against the share's: its own records re-dated as the others date them,
    its clock set to the share's time while its own is far ahead, its user told."""

    engine: Engine
    clock: HybridLogicalClock
    device_id: str
    redated: int = 0
    ahead_ms: int = 0
    told_ahead: bool = False  # the clock was found far ahead this round (and now follows)
    messages: list[str] = field(default_factory=list)

    def measure(self, path: Path) -> None:
        """Compare this PC's own wall clock with the time the share just gave `path` (a file
        this PC wrote): far ahead, the clock follows the share's time; right again, its own."""
        try:
            seg_ms = share_time(path, self.clock.raw_wall())
        except OSError:
            return
        with self.engine.begin() as conn:
            self._learn(conn, seg_ms)

    def _learn(self, conn: Connection, seg_ms: int) -> None:
        ahead = self.clock.raw_wall() - seg_ms
        offset = -ahead if ahead > self.clock.bound_ms else 0
        if offset:
            self.ahead_ms = max(self.ahead_ms, ahead)
        before = self.clock.offset_ms
        if abs(offset - before) <= self.clock.bound_ms and bool(offset) == bool(before):
            return  # as it was (give or take the share's rounding): nothing new to tell
        self.clock.offset_ms = offset
        _put(conn, OFFSET_KEY, str(offset))
        if offset:
            self.told_ahead = not before
            self._restart_clock(conn)

    def own_segment(self, conn: Connection, path: Path, chunk: Sequence[Record]) -> None:
        """Called by `publish` in the transaction that marks `chunk` published: its rows get
        the stamps every reader will give them, and the fields they touch the values that win."""
        seg_ms = share_time(path, self.clock.raw_wall())
        self._learn(conn, seg_ms)
        result = redate(chunk, seg_ms, lookup_in(conn))
        if result is None:
            return
        changed = [r for r, old in zip(result.records, chunk, strict=True) if r != old]
        conn.execute(
            text(
                "UPDATE change_log SET hlc = :h, prev_hlc = :p,"
                " stamped_hlc = coalesce(stamped_hlc, :own) WHERE device_id = :d AND seq = :s"
            ),
            [
                {
                    "h": r.hlc,
                    "p": r.prev_hlc,
                    "own": result.stamped.get(r.seq),
                    "d": r.device_id,
                    "s": r.seq,
                }
                for r in changed
            ],
        )
        rewrite_winners(conn, {(r.table, r.row, r.col) for r in changed})
        self.redated += len(result.stamped)
        self.ahead_ms = max(self.ahead_ms, result.ahead_ms)
        self._restart_clock(conn)

    def as_stored(self, path: Path, records: Sequence[Record]) -> Sequence[Record]:
        """A segment of this PC's as its rows read once re-dated (to adopt it after a crash)."""
        with self.engine.connect() as conn:
            result = redate(records, share_time(path, self.clock.raw_wall()), lookup_in(conn))
        return records if result is None else result.records

    def _restart_clock(self, conn: Connection) -> None:
        """The clock starts again from the highest stamp within the bound of the share's time
        (this PC's own far-ahead ones are re-dated, or about to be, as every PC dates them)."""
        top = ceiling(self.clock.wall(), self.clock.bound_ms)
        if self.clock.last <= top:
            return  # within the bound already: never set back what it handed out
        held = conn.execute(
            text("SELECT max(hlc) FROM change_log WHERE hlc <= :top"), {"top": top}
        ).scalar()
        last = min(self.clock.last, max(int(held or 0), pack(self.clock.wall(), 0)))
        self.clock.reset(last)
        _put(conn, "hlc_last", str(last))

    def jumped_back(self) -> None:
        """A wall clock behind the clock's last value by more than the bound: told, once."""
        behind = self.clock.behind_by()
        if behind <= self.clock.bound_ms:
            return
        told = str(unpack(self.clock.last)[0])
        with self.engine.begin() as conn:
            before = conn.execute(
                select(LocalState.value).where(LocalState.key == BACK_TOLD_KEY)
            ).scalar()
            if before == told:
                return
            _put(conn, BACK_TOLD_KEY, told)
        self.messages.append(
            f"This PC's clock went back by {how_far(behind)}; its changes are dated after its "
            "last ones until the clock catches up"
        )

    def finish(self) -> list[str]:
        """What this PC's user is told about its own clock this round."""
        if self.told_ahead or (self.redated and self.clock.offset_ms):
            self.messages.insert(
                0,
                f"This PC's clock is {how_far(self.ahead_ms)} ahead of the share's: its changes "
                "were dated by the share's time. Set the clock right.",
            )
        elif self.redated:
            self.messages.insert(
                0,
                f"This PC's changes were dated {how_far(self.ahead_ms)} ahead of the share's "
                "time (its clock had been set ahead): they were dated by the share's time",
            )
        return self.messages


def load_offset(engine: Engine) -> int:
    with engine.connect() as conn:
        found = conn.execute(select(LocalState.value).where(LocalState.key == OFFSET_KEY)).scalar()
    return int(found) if found else 0


def rewrite_winners(conn: Connection, fields: Iterable[tuple[str, str, str]]) -> None:
    """Set each field to the value that wins in change_log (its highest (hlc, device))."""
    from hescb_desktop.sync.merger import _Converters

    convert = _Converters(conn)
    for table_name, row, col in sorted(fields):
        table = Base.metadata.tables.get(table_name)
        if table is None or col not in table.c:
            continue
        found = conn.execute(
            text(
                "SELECT value FROM change_log WHERE table_name = :t AND row_id = :r"
                " AND column_name = :c ORDER BY hlc DESC, device_id DESC LIMIT 1"
            ),
            {"t": table_name, "r": row, "c": col},
        ).first()
        if found is None:
            continue
        try:
            (value,) = convert.column(table, col, [found[0]], [row])
        except (ValueError, LookupError):
            continue  # a value this app does not know stays in change_log (as a merge keeps it)
        conn.exec_driver_sql(f'UPDATE "{table_name}" SET "{col}" = ? WHERE id = ?', (value, row))


def notify(engine: Engine, clock: HybridLogicalClock, messages: Iterable[str]) -> None:
    """Keep what the user was told in sync_notices (the Conflicts page lists them)."""
    rows = [{"id": new_id(), "hlc": clock.now(), "kind": "clock", "message": m} for m in messages]
    if rows:
        with engine.begin() as conn:
            conn.execute(sqlite_insert(SyncNotice), rows)


def _put(conn: Connection, key: str, value: str) -> None:
    stmt = sqlite_insert(LocalState).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
