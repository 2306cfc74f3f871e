"""Healing the journal: a PC republishes what others cannot read, and keeps its own folder true.

    <share>/hescb-sync/devices/<reader>/wants.json     {"<author>": [{"first": 1, "last": 26,
                                                        "why": "damaged", "file": "<name>"}]}
    <share>/hescb-sync/devices/<author>/segments/<first>-<last>.h<n>.jsonl   a healing segment

- **Readers** (`Want`, `read_best`, `write_wants`): for each peer, the seq ranges they cannot
  read (a file that fails verification: "damaged") or wait for (a gap: "missing"), written in
  their own folder each round it changes, removed once nothing is wanted.
- **Authors** (`heal_own`): each round, after publishing, every range this PC has published and
  not pruned must be listed in its folder (a newest segment deleted before anyone read it is
  found here), and every range a peer wants is republished from `change_log` as a healing
  segment of the next generation (written, read back). Readers try the newest generation first
  and fall back to older copies, so a healing copy that is itself damaged is wanted again. The
  bad original is left where it is: files under a segment name are only ever created and, when
  retention allows, deleted; a damage one reader sees may be its own path's (a stale cache, a
  half-synced replica) while the file is whole for the others, and the healing copy supersedes
  it anyway. Retention removes both alike.
- **Own folder** (`reconcile_own`, before publishing): a file beyond what this PC has published
  is one of three things. Its own unmarked segment (a crash between writing and recording it):
  adopted. A valid segment of this PC's records this PC does not hold (its WAL was lost after a
  crash, or its database restored from a backup): recovered, merged as its own published
  changes; its unpublished changes made since are renumbered past the share's end, so nothing
  typed is lost. Anything else (fails verification, or differs from what this PC published
  under those numbers): not this PC's; renamed `<name>.foreign` (no reader takes it as a
  segment any more), this PC carries on past its numbers, and a void segment tells readers
  those numbers hold nothing. Without signed segments (issue 15) a well-formed forged segment
  beyond this PC's records cannot be told from one it lost: it is taken as lost, like every
  reader takes it.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.storage.base import new_id
from hescb_desktop.storage.database import current_revision
from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.journal import ChangeLog, LocalState, SyncNotice
from hescb_desktop.sync.hlc import HybridLogicalClock
from hescb_desktop.sync.merger import merge_records, put_state
from hescb_desktop.sync.retention import safe_to_prune
from hescb_desktop.sync.segments import (
    ForeignHeaderError,
    ReadBackError,
    Record,
    Segment,
    SegmentError,
    Signer,
    encode,
    generation,
    healing_name,
    parse_name,
    read_segment,
    segment_header,
    signed_by,
    write_verified,
)
from hescb_desktop.sync.share import Share, ShareError, read_bytes, replace_file, with_retries
from hescb_desktop.sync.snapshot import newest_snapshot
from hescb_desktop.sync.verify import range_records

WANTS = "wants.json"
FOREIGN = ".foreign"
MAX_GENERATION = 9  # copies of one range; beyond, a reader that still fails is told so
MAX_RECORDS = 20_000
PRUNED_KEY = "pruned_through"
ASKED = "asked that PC to send them again"
MAX_WANTS_BYTES = 1 << 20
LOST_KEY = "own_changes_only_in_snapshot"  # "first-last", until this PC restarts from it


def pc(device_id: str) -> str:
    return f"PC {device_id.replace('-', '')[-8:]}"


def span(first: int, last: int) -> str:
    return f"{first}" if first == last else f"{first}-{last}"


# ---------------------------------------------------------------------- a PC's folder
@dataclass(frozen=True)
class SegFile:
    first: int
    last: int
    gen: int
    path: Path


def listing(folder: Path) -> list[SegFile]:
    """The segments (plain and healing) in one PC's folder, by range; [] when unreadable."""
    try:
        names = [p for p in folder.iterdir()]
    except OSError:
        return []
    found = []
    for path in names:
        rng = parse_name(path.name)
        if rng is not None:
            found.append(SegFile(rng[0], rng[1], generation(path.name), path))
    return sorted(found, key=lambda f: (f.first, f.last, f.gen))


def uncovered(first: int, last: int, files: Iterable[SegFile]) -> list[tuple[int, int]]:
    """The parts of first..last that no listed file covers."""
    gaps, at = [], first
    for f in sorted(files, key=lambda f: f.first):
        if f.last < at:
            continue
        if f.first > last:
            break
        if f.first > at:
            gaps.append((at, f.first - 1))
        at = max(at, f.last + 1)
        if at > last:
            break
    if at <= last:
        gaps.append((at, last))
    return gaps


# ---------------------------------------------------------------------- readers
@dataclass(frozen=True)
class Want:
    first: int
    last: int
    why: str  # "damaged" or "missing"
    file: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"first": self.first, "last": self.last, "why": self.why, "file": self.file}


def read_best(
    candidates: list[SegFile],
    device: str | None = None,
    check: Callable[[Segment, SegFile], str] | None = None,
    copied: Callable[[SegFile], None] | None = None,
) -> tuple[Segment | None, SegFile, str, Want | None]:
    """The newest copy of the next range that verifies. Returns (segment, file, problem, want):
    when none verifies, no segment, the newest copy's error and what to ask its author for (no
    want for a failure to read at all: a lock or a vanished file is not damage). `copied` is
    told of each copy whose header names another PC (a segment replayed into this folder)."""
    ordered = sorted(candidates, key=lambda f: (-f.gen, -f.last))
    first_error: SegmentError | ShareError | None = None
    void: tuple[Segment, SegFile] | None = None
    for f in ordered:
        try:
            segment = read_segment(f.path, device)  # a header naming another PC is refused
        except (SegmentError, ShareError) as exc:
            if copied is not None and isinstance(exc, ForeignHeaderError):
                copied(f)
            first_error = first_error or exc
            continue
        refused = check(segment, f) if check is not None else ""
        if refused:  # not to be trusted (issue 15): an older copy may be; else ask its author
            first_error = first_error or SegmentError(f"{f.path.name}: {refused}")
            continue
        if segment.header.get("void") is not True:
            return segment, f, "", None
        void = void or (segment, f)  # "nothing here" only if no copy holds changes
    if void is not None:
        return void[0], void[1], "", None
    newest = ordered[0]
    transient = isinstance(first_error, ShareError) or isinstance(
        getattr(first_error, "__cause__", None), OSError
    )
    want = None if transient else Want(newest.first, newest.last, "damaged", newest.path.name)
    return None, newest, str(first_error), want


def write_wants(share: Share, me: str, wants: dict[str, list[Want]]) -> None:
    """This PC's wants file: replaced when it changes, removed when nothing is wanted."""
    path = share.device_dir(me) / WANTS
    body = {peer: [w.as_json() for w in ws] for peer, ws in sorted(wants.items()) if ws}
    data = (json.dumps(body, sort_keys=True) + "\n").encode()
    try:
        current: bytes | None = read_bytes(path)
    except FileNotFoundError:
        current = None
    if not body:
        if current is not None:
            path.unlink(missing_ok=True)
        return
    if current != data:
        share.own_segments_dir(me)  # this PC's folder, never the folders above it
        replace_file(path, data)


def wanted_of(share: Share, me: str) -> dict[str, list[Want]]:
    """What every other PC wants of this one (a malformed wants file is ignored: it is theirs)."""
    found: dict[str, list[Want]] = {}
    for peer in share.devices():
        if peer == me:
            continue
        path = share.device_dir(peer) / WANTS
        try:
            if path.stat().st_size > MAX_WANTS_BYTES:  # not one this app wrote
                continue
            body = json.loads(read_bytes(path))
        except (OSError, ValueError):
            continue
        entries = body.get(me, []) if isinstance(body, dict) else []
        for entry in entries if isinstance(entries, list) else []:
            want = _want(entry)
            if want is not None:
                found.setdefault(peer, []).append(want)
    return found


def _want(entry: Any) -> Want | None:
    if not isinstance(entry, dict):
        return None
    first, last, why = entry.get("first"), entry.get("last"), entry.get("why")
    name = entry.get("file", "")
    if type(first) is not int or type(last) is not int or not 1 <= first <= last:
        return None
    if why not in ("damaged", "missing") or not isinstance(name, str):
        return None
    return Want(first, last, why, name)


# ---------------------------------------------------------------------- authors
@dataclass
class Healed:
    """What healing did this round, in words for the user, and the tables it changed."""

    messages: list[str] = field(default_factory=list)
    tables: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    needs_restore: bool = False  # this PC lost its own changes the snapshot alone still holds


def _in_snapshot(share: Share, me: str) -> int:
    snapshot = newest_snapshot(share)
    return snapshot.cursors.get(me, 0) if snapshot is not None else 0


def heal_own(
    engine: Engine,
    share: Share,
    me: str,
    clock: HybridLogicalClock,
    signer: Signer | None = None,
) -> Healed:
    """Republish what is missing from this PC's folder, and what other PCs cannot read."""
    healed = Healed()
    folder = share.segments_dir(me)
    if not folder.is_dir():
        return healed
    files = listing(folder)
    # below this, a missing segment was pruned, or could have been: every active PC has it and
    # the newest snapshot holds it
    pruned = max(_pruned_through(engine, files), safe_to_prune(share, me))
    schema = current_revision(engine) or ""
    next_seq = _next_seq(engine, me)
    jobs: dict[tuple[int, int], tuple[int, list[str]]] = {}  # range -> generation, reasons
    # published numbers run from 1 to the top without gaps, but for numbers this PC never
    # held (a void segment on the share says so): those are covered by the void
    for gap in uncovered(pruned + 1, _published_top(engine, me), files):
        jobs[gap] = (_next_generation(files, *gap), ["they were no longer on the share"])
    for peer, wants in wanted_of(share, me).items():
        for want in wants:
            first, last = max(want.first, pruned + 1), min(want.last, next_seq - 1)
            if first > last:
                continue
            if want.why == "missing":
                gaps = uncovered(first, last, files)
            elif _names_a_file(files, want) and not _superseded(files, want):
                gaps = [(first, last)]
            else:  # healed already, or no such file (pruned, moved aside): nothing to do
                gaps = []
            why = "damaged" if want.why == "damaged" else "missing"
            for gap in gaps:
                gen, reasons = jobs.get(gap, (_next_generation(files, *gap), []))
                reasons.append(f"{pc(peer)} could not read them ({why} on the share)")
                jobs[gap] = (gen, reasons)
    for (first, last), (gen, reasons) in sorted(jobs.items()):
        if gen > MAX_GENERATION:
            healed.problems.append(
                f"changes {span(first, last)} of this PC were republished {MAX_GENERATION} "
                f"times and still cannot be read: {'; '.join(reasons)}"
            )
            continue
        if republish(engine, folder, me, first, last, gen, schema, _in_snapshot(share, me), signer):
            healed.messages.append(f"republished changes {span(first, last)}: {'; '.join(reasons)}")
    _notify(engine, clock, healed.messages)
    return healed


def _names_a_file(files: list[SegFile], want: Want) -> bool:
    """A damaged want names the file the reader failed on, with its range."""
    return any(
        f.path.name == want.file and (f.first, f.last) == (want.first, want.last) for f in files
    )


def _superseded(files: list[SegFile], want: Want) -> bool:
    """A copy newer than the one the reader failed on already covers what it wants."""
    failed = generation(want.file) if parse_name(want.file) else 0
    return any(f.gen > failed and f.first <= want.first and f.last >= want.last for f in files)


def _next_generation(files: list[SegFile], first: int, last: int) -> int:
    overlapping = [f.gen for f in files if f.first <= last and f.last >= first]
    return max(overlapping, default=0) + 1


def republish(
    engine: Engine,
    folder: Path,
    me: str,
    first: int,
    last: int,
    gen: int,
    schema: str,
    in_snapshot: int = 0,
    signer: Signer | None = None,
) -> list[Path]:
    """Write first..last again from change_log as healing segments of generation `gen` (read
    back; a copy that does not read back is written once more as the next generation). Numbers
    this PC does not hold become a void segment: they will never hold a change of this PC;
    except up to `in_snapshot`, the last of its changes the newest snapshot holds: those are
    not lost (readers restore from the snapshot) and a void would hide them."""
    held = _records(engine, me, first, last)
    dated = stored_dates(engine, me, first, last)
    kept = kept_digests(engine, me, first, last)
    written = []
    for part in _islands(held, first, last):
        if not part[2] and part[0] <= in_snapshot:
            if part[1] <= in_snapshot:
                continue
            part = (in_snapshot + 1, part[1], [])
        for attempt in range(3):
            try:
                copy = write_copy(folder, me, part, gen + attempt, schema, signer, dated, kept)
                written.append(copy)
                break
            except ReadBackError:
                if attempt == 2:
                    raise
    return written


def _islands(held: list[Record], first: int, last: int) -> Iterable[tuple[int, int, list[Record]]]:
    """first..last cut into runs of held records (at most MAX_RECORDS, at commit boundaries when
    possible) and runs of numbers not held."""
    at, i = first, 0
    while at <= last:
        if i < len(held) and held[i].seq == at:
            run = [held[i]]
            i += 1
            while i < len(held) and held[i].seq == run[-1].seq + 1:
                if len(run) >= MAX_RECORDS and held[i].tx != run[-1].tx:
                    break
                run.append(held[i])
                i += 1
            yield run[0].seq, run[-1].seq, run
            at = run[-1].seq + 1
        else:
            end = held[i].seq - 1 if i < len(held) else last
            yield at, end, []
            at = end + 1


def write_copy(
    folder: Path,
    me: str,
    part: tuple[int, int, list[Record]],
    gen: int,
    schema: str,
    signer: Signer | None = None,
    dated: Mapping[int, tuple[int, int | None]] | None = None,
    kept: Mapping[int, str] | None = None,
) -> Path:
    """One healing segment (a void one when `records` is empty), written and read back.
    `dated`: the stamps this PC stored for those of its records the share's time re-dated
    (`stored_dates`); the copy names them, and its readers take them rather than re-date the
    records by the copy's own, later, time (every PC then holds the stamps the original gave).
    `kept`: the digests its disposed records had (`sync.disposal_share`)."""
    first, last, records = part
    header = {**segment_header(me, first, last, schema), "heals": f"{first}-{last}"}
    header["generation"] = gen
    if not records:
        header["void"] = True
    if dated:
        header["dated"] = [[seq, *dated[seq]] for seq in sorted(dated) if first <= seq <= last]
    if kept:  # records whose values were disposed of: the digests the chain was signed over
        header["kept"] = [[seq, kept[seq]] for seq in sorted(kept) if first <= seq <= last]
    return write_verified(folder / healing_name(first, last, gen), encode(header, records, signer))


# This PC's published changes: those in change_log, and those taken back when judged again
# (sync.judge.rejudge: kept in refused_changes). Both were sent under their numbers; healing
# keeps treating them as sent (never recovered from the share, republished when wanted).
_SENT = (
    "SELECT device_id, seq, tx, hlc, table_name, row_id, column_name, value, prev_hlc, user,"
    " published FROM change_log WHERE device_id = :me"
    " UNION ALL SELECT device_id, seq, tx, hlc, table_name, row_id, column_name, value,"
    " prev_hlc, user, 1 FROM refused_changes WHERE device_id = :me"
)


def _records(engine: Engine, me: str, first: int, last: int) -> list[Record]:
    """This PC's published records first..last as they travelled: a record the share's time
    re-dated carries its own stamp again (verify.range_records), so a healing copy chains as
    the original did (a copy with the re-dated clock made this PC's next segment read as
    "segment replaced" on a PC that took the copy)."""
    sql = f"SELECT seq FROM ({_SENT}) WHERE published = 1 AND seq BETWEEN :first AND :last"
    with engine.connect() as conn:
        bounds = {"me": me, "first": first, "last": last}
        sent = {int(r[0]) for r in conn.execute(text(sql), bounds)}
        return [r for r in range_records(conn, me, first, last) if r.seq in sent]


def stored_dates(
    engine: Engine, me: str, first: int, last: int
) -> dict[int, tuple[int, int | None]]:
    """seq -> (hlc, prev_hlc) as stored, for this PC's records first..last the share's time
    re-dated (clockguard: they travelled with this PC's own stamps, `stamped_hlc`)."""
    sql = (
        "SELECT seq, hlc, prev_hlc FROM change_log WHERE device_id = :me AND seq BETWEEN :f"
        " AND :l AND stamped_hlc IS NOT NULL UNION ALL SELECT seq, hlc, prev_hlc FROM"
        " refused_changes WHERE device_id = :me AND seq BETWEEN :f AND :l"
        " AND stamped_hlc IS NOT NULL"
    )
    with engine.connect() as conn:
        rows = conn.execute(text(sql), {"me": me, "f": first, "l": last})
        return {int(s): (int(h), None if p is None else int(p)) for s, h, p in rows}


def kept_digests(engine: Engine, me: str, first: int, last: int) -> dict[int, str]:
    """seq -> the digest each of this PC's records first..last had before its value was
    disposed of (sync.disposal)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT seq, digest FROM kept_digests WHERE device_id = :me"
                " AND seq BETWEEN :f AND :l"
            ),
            {"me": me, "f": first, "l": last},
        )
        return {int(s): str(d) for s, d in rows}


def _published_ranges(engine: Engine, me: str, after: int) -> list[tuple[int, int]]:
    """This PC's published seqs above `after`, as runs (gaps and islands, in SQL)."""
    sql = (
        "SELECT min(seq), max(seq) FROM (SELECT seq, seq - row_number() OVER (ORDER BY seq) AS g"
        f" FROM ({_SENT}) WHERE published = 1 AND seq > :after) GROUP BY g ORDER BY 1"
    )
    with engine.connect() as conn:
        return [(int(a), int(b)) for a, b in conn.execute(text(sql), {"me": me, "after": after})]


def _next_seq(engine: Engine, me: str) -> int:
    with engine.connect() as conn:
        state = conn.execute(select(LocalState.value).where(LocalState.key == "next_seq")).scalar()
        top = conn.exec_driver_sql(
            "SELECT max(seq) FROM change_log WHERE device_id = ?", (me,)
        ).scalar()
    return max(int(state or 1), int(top or 0) + 1)


def _pruned_through(engine: Engine, files: list[SegFile]) -> int:
    """The highest seq this PC has pruned from its folder (retention remembers it). A database
    from before healing has no record: what precedes its oldest listed segment counts as pruned."""
    with engine.connect() as conn:
        value = conn.execute(select(LocalState.value).where(LocalState.key == PRUNED_KEY)).scalar()
    if value is not None:
        return int(value)
    guess = files[0].first - 1 if files else 0
    remember_pruned(engine, guess)
    return guess


def still_lost(engine: Engine, me: str) -> bool:
    """Whether this PC still lacks its own changes that only the snapshot holds (found by
    `reconcile_own`): asked each round until it has restarted from the snapshot."""
    with engine.connect() as conn:
        lost = conn.execute(select(LocalState.value).where(LocalState.key == LOST_KEY)).scalar()
        if not lost:
            return False
        first, last = (int(n) for n in lost.split("-"))
        held = conn.exec_driver_sql(
            "SELECT count(*) FROM change_log WHERE device_id = ? AND seq BETWEEN ? AND ?",
            (me, first, last),
        ).scalar()
    if held == last - first + 1:
        _put(engine, LOST_KEY, "")
        return False
    return True


def _put(engine: Engine, key: str, value: str) -> None:
    with writer(engine).begin() as conn:
        put_state(conn, key, value)


def remember_pruned(engine: Engine, last: int) -> None:
    with writer(engine).begin() as conn:
        current = conn.execute(
            select(LocalState.value).where(LocalState.key == PRUNED_KEY)
        ).scalar()
        if current is None or int(current) < last:
            put_state(conn, PRUNED_KEY, str(last))


def _notify(engine: Engine, clock: HybridLogicalClock, messages: list[str]) -> None:
    if not messages:
        return
    with writer(engine).begin() as conn:
        for message in messages:
            conn.execute(
                sqlite_insert(SyncNotice).values(
                    id=new_id(), hlc=clock.now(), kind="healed", message=message
                )
            )


# ---------------------------------------------------------------------- this PC's own folder
def reconcile_own(
    engine: Engine,
    share: Share,
    me: str,
    clock: HybridLogicalClock,
    signer: Signer | None = None,
) -> Healed:
    """Before publishing: adopt, recover or move aside what lies in this PC's folder beyond
    what it has published (see the module's docstring)."""
    healed = Healed()
    folder = share.segments_dir(me)
    if not folder.is_dir():
        return healed
    files = listing(folder)
    published_top = _published_top(engine, me)
    beyond = [f for f in files if f.last > published_top]
    if not beyond:
        return healed
    local = _local_records(engine, me, min(f.first for f in beyond))
    adopt: list[int] = []
    recovered: dict[int, Record] = {}
    foreign: list[SegFile] = []
    expect = min((s for s, (_, pub) in local.items() if not pub), default=None)
    for f in beyond:
        kind, records = _classify(f, me, local, signer)
        if kind == "damaged" and expect is not None and f.first == expect:
            own = [local[n][0] for n in range(f.first, f.last + 1)]
            _rewrite_own(engine, folder, me, f, own, files, healed, signer)
            expect = f.last + 1
        elif kind == "damaged" or kind == "foreign":
            foreign.append(f)
        elif kind == "same" and expect is not None and f.first == expect:
            adopt += [r.seq for r in records if not local[r.seq][1]]
            expect = f.last + 1
        elif kind == "same":
            continue  # ours, already held: left to the publisher as it always was
        else:
            recovered.update(
                {r.seq: r for r in records if r.seq not in local or local[r.seq][0] != r}
            )
    if not recovered and not foreign:
        # a crash after writing: the publisher adopts it as it always has, and marks it
        # published through the clock's check (its stamps re-dated as every reader dates them)
        _notify(engine, clock, healed.messages)
        return healed
    top = max(f.last for f in beyond)
    moved, lost = _apply(engine, me, clock, adopt, list(recovered.values()), top, healed)
    for f in foreign:
        _move_aside(f.path)
    remaining = listing(folder)
    schema = current_revision(engine) or ""
    in_snapshot = _in_snapshot(share, me)
    restore: list[str] = []
    for first, last in _voids(engine, me, top, remaining):
        gen = _next_generation(remaining, first, last)
        republish(engine, folder, me, first, last, gen, schema, in_snapshot, signer)
        if first <= in_snapshot:
            healed.needs_restore = True
            _put(engine, LOST_KEY, f"{first}-{min(last, in_snapshot)}")
            restore.append(
                f"this PC had lost changes {span(first, min(last, in_snapshot))} it had sent, "
                "and the share keeps them only in its snapshot: restart this PC from it"
            )
    if lost:
        text = (
            f"this PC had lost changes {_ranges(lost)} it had sent; "
            "they were recovered from the share"
        )
        healed.messages.append(
            text + (f" (the {moved} changes made here since are sent after them)" if moved else "")
        )
    for f in foreign:
        healed.messages.append(
            f"a file this PC did not write is in its folder on the share: {f.path.name}; "
            f"moved aside (this PC's changes continue from {top + 1})"
        )
    healed.messages += restore
    _notify(engine, clock, healed.messages)
    return healed


def _published_top(engine: Engine, me: str) -> int:
    """This PC's highest published seq (unpublished ones are the newest: a short walk back)."""
    sql = (
        "SELECT seq FROM change_log WHERE device_id = ? AND published = 1 ORDER BY seq DESC LIMIT 1"
    )
    with engine.connect() as conn:
        top = conn.exec_driver_sql(sql, (me,)).scalar()
        taken = conn.exec_driver_sql(
            "SELECT max(seq) FROM refused_changes WHERE device_id = ?", (me,)
        ).scalar()
    return max(int(top or 0), int(taken or 0))


def _local_records(engine: Engine, me: str, first: int) -> dict[int, tuple[Record, bool]]:
    """This PC's records from `first` as they travelled (its own stamps), and whether sent."""
    sql = f"SELECT seq, published FROM ({_SENT}) WHERE seq >= :first ORDER BY seq"
    with engine.connect() as conn:
        sent = {int(r[0]): bool(r[1]) for r in conn.execute(text(sql), {"me": me, "first": first})}
        if not sent:
            return {}
        return {r.seq: (r, sent[r.seq]) for r in range_records(conn, me, first, max(sent))}


def _rewrite_own(
    engine: Engine,
    folder: Path,
    me: str,
    f: SegFile,
    records: list[Record],
    files: list[SegFile],
    healed: Healed,
    signer: Signer | None = None,
) -> None:
    """This PC's own segment, written but damaged on the share before this PC recorded it as
    sent (a crash between the two): written again from change_log as a healing copy of the same
    range, then recorded as sent. Its numbers stay theirs (readers take the copy)."""
    schema = current_revision(engine) or ""
    gen = _next_generation(files, f.first, f.last)
    dated = stored_dates(engine, me, f.first, f.last)
    kept = kept_digests(engine, me, f.first, f.last)
    write_copy(folder, me, (f.first, f.last, records), gen, schema, signer, dated, kept)
    _mark_published(engine, me, [r.seq for r in records])
    healed.messages.append(
        f"republished changes {span(f.first, f.last)}: this PC's copy on the share was damaged "
        "before it was recorded as sent"
    )


def _classify(
    f: SegFile, me: str, local: dict[int, tuple[Record, bool]], signer: Signer | None = None
) -> tuple[str, tuple[Record, ...]]:
    """ "same" (every record is what this PC holds), "lost" (this PC's records it does not hold,
    or holds unpublished under other contents) or "foreign"."""
    try:
        segment = read_segment(f.path)
    except FileNotFoundError:
        return "same", ()
    except (SegmentError, ShareError):
        if _own_unsent(f, local):
            return "damaged", ()  # this PC's own write, damaged before it was recorded as sent
        return "foreign", ()
    if segment.header.get("device_id") != me:
        return "foreign", ()
    if signer is not None and not signed_by(segment, signer):
        # a protected board: only what this PC's key signed is its own. A file not signed by
        # it at exactly the numbers of its own unsent commits is its own write altered on the
        # share before it was recorded as sent (others may have taken it as written): written
        # again under the same numbers, never moved aside with the changes renumbered (those
        # who took it would then refuse everything after, as a replaced history)
        return ("damaged" if _own_unsent(f, local) else "foreign"), ()
    records = segment.records
    for r in records:
        held, published = local.get(r.seq, (r, False))
        if published and _content(held) != _content(r):  # other changes under these numbers
            return "foreign", ()
    if all(r.seq in local and _content(local[r.seq][0]) == _content(r) for r in records):
        return "same", records
    return "lost", records


def _own_unsent(f: SegFile, local: dict[int, tuple[Record, bool]]) -> bool:
    """Whether `f` covers exactly whole commits of this PC that it holds and has not recorded
    as sent (its first copy: a crash between writing it and recording it)."""
    span_ = range(f.first, f.last + 1)
    if f.gen != 0 or not all(n in local and not local[n][1] for n in span_):
        return False
    after = local.get(f.last + 1)
    starts = local[f.first][0].tx == f.first
    return starts and (after is None or after[0].tx == f.last + 1)


def _content(rec: Record) -> tuple[object, ...]:
    """A record but for its stamps: a far-ahead PC's own rows are re-dated once published
    (clockguard), while its segment on the share keeps the stamps it wrote."""
    return (rec.device_id, rec.seq, rec.tx, rec.table, rec.row, rec.col, rec.value, rec.user)


def _apply(
    engine: Engine,
    me: str,
    clock: HybridLogicalClock,
    adopt: list[int],
    recovered: list[Record],
    top: int,
    healed: Healed,
) -> tuple[int, list[int]]:
    """One transaction: adopt, move unpublished changes past `top`, merge the recovered ones."""
    with writer(engine).begin() as conn:
        _mark(conn, me, adopt)
        moved = _renumber_unpublished(conn, me, top)
        stats = merge_records(conn, sorted(recovered, key=lambda r: r.seq), published=True)
        end = conn.exec_driver_sql(
            "SELECT max(seq) FROM change_log WHERE device_id = ?", (me,)
        ).scalar()
        current = conn.execute(
            select(LocalState.value).where(LocalState.key == "next_seq")
        ).scalar()
        put_state(conn, "next_seq", str(max(int(current or 1), int(end or 0) + 1, top + 1)))
        if stats.max_hlc:
            put_state(conn, "hlc_last", str(clock.observe(stats.max_hlc).hlc))
    healed.tables |= stats.tables
    return moved, sorted(r.seq for r in recovered)


def _renumber_unpublished(conn: Connection, me: str, top: int) -> int:
    """This PC's unpublished changes (made after the loss, or never sent) move to top + 1 on,
    in order, commits kept together (seq and tx shift alike)."""
    low = conn.exec_driver_sql(
        "SELECT min(seq), count(*) FROM change_log WHERE device_id = ? AND published = 0", (me,)
    ).first()
    if low is None or low[0] is None or int(low[0]) > top:
        return 0
    shift = top + 1 - int(low[0])
    conn.exec_driver_sql(  # through negative numbers: the key (device_id, seq) never collides
        "UPDATE change_log SET seq = -seq, tx = -tx WHERE device_id = ? AND published = 0", (me,)
    )
    conn.exec_driver_sql(
        "UPDATE change_log SET seq = ? - seq, tx = ? - tx WHERE device_id = ? AND seq < 0",
        (shift, shift, me),
    )
    return int(low[1])


def _mark(conn: Connection, me: str, numbers: list[int]) -> None:
    if numbers:
        conn.execute(
            update(ChangeLog)
            .where(ChangeLog.device_id == me, ChangeLog.seq.in_(numbers))
            .values(published=True)
        )


def _mark_published(engine: Engine, me: str, numbers: list[int]) -> None:
    if numbers:
        with writer(engine).begin() as conn:
            _mark(conn, me, numbers)


def _voids(engine: Engine, me: str, top: int, files: list[SegFile]) -> list[tuple[int, int]]:
    """Numbers up to `top` this PC holds no change under and no file covers."""
    held = _published_ranges(engine, me, 0)
    holes, at = [], 1
    for first, last in [*held, (top + 1, top + 1)]:
        if first > at:
            holes += uncovered(at, min(first - 1, top), files)
        at = max(at, last + 1)
    return holes


def _move_aside(path: Path) -> None:
    target = path.with_name(path.name + FOREIGN)
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}{FOREIGN}{n}")
    with contextlib.suppress(FileNotFoundError):  # gone meanwhile: nothing to move
        with_retries(lambda: os.rename(path, target))


def _ranges(numbers: list[int]) -> str:
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(span(a, b) for a, b in runs)


# ---------------------------------------------------------------------- joining
def missing_history(
    share: Share,
    me: str,
    snapshot_cursors: dict[str, int],
    holds: Callable[[str, int, int], bool] = lambda _peer, _first, _last: False,
) -> dict[str, list[Want]]:
    """Per PC on the share, the runs of its changes that neither its segments nor the snapshot
    (`snapshot_cursors`: per PC, the last change it holds) hold. Only the listing is looked at:
    a PC with no segment listed at all cannot be told from one that never published."""
    found: dict[str, list[Want]] = {}
    for peer in share.devices():
        if peer == me:
            continue
        files = listing(share.segments_dir(peer))
        held = snapshot_cursors.get(peer, 0)
        top = max((f.last for f in files), default=0)
        gaps = uncovered(held + 1, top, files) if top > held else []
        gaps = [(a, b) for a, b in gaps if not holds(peer, a, b)]  # this PC has them already
        if gaps:
            found[peer] = [Want(a, b, "missing") for a, b in gaps]
    return found


def describe_missing(missing: dict[str, list[Want]]) -> str:
    return ", ".join(
        f"{pc(peer)}'s changes {', '.join(span(w.first, w.last) for w in wants)}"
        for peer, wants in sorted(missing.items())
    )
