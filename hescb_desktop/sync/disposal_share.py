"""Disposal on the share (issue 16, point 5): each PC's own old segments rewritten by their
owner, and snapshots rebuilt by the PCs that make them.

- **Segments** (`rewrite_own`): once every active PC has acknowledged every certificate this PC
  holds (their ack files say they merged it), each of this PC's own segment files that still
  holds a value it has disposed of is written again as a healing copy of the next generation
  (`healing.write_copy`): the same range, the disposed values as their markers, signed again
  (its `prev` is the kept digest of the record before it, so the chain still holds), its header
  naming the digests the disposed records had (`kept`: a PC that first reads them here keeps
  those, `keep_digests`). Then the file it replaces, and older copies of that range, are
  removed. A PC that is away writes its own when it comes back; a revoked PC's segments are
  nobody's to rewrite: they go when retention removes them (`docs/security.md`).
- **Snapshots** (`snapshot_due_after`): a PC that disposed of something since its last snapshot
  makes a new one at once (if it makes snapshots) and removes its older ones.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping

import orjson
from sqlalchemy import Connection, Engine, text

from hescb_desktop.storage.database import current_revision
from hescb_desktop.storage.disposed_values import is_disposed
from hescb_desktop.sync import healing
from hescb_desktop.sync.disposal import SNAPSHOT_KEY
from hescb_desktop.sync.retention import acknowledged, active_peers
from hescb_desktop.sync.segments import Segment, SegmentError, Signer, encode_records, read_segment
from hescb_desktop.sync.share import Share, ShareError
from hescb_desktop.sync.signing import Purpose, canonical, digest, verify
from hescb_desktop.sync.trust import TrustState
from hescb_desktop.sync.verify import range_records, remember_signed

# local_state: how many of this PC's own changes were disposed of when its folder was last found
# to hold none of their text (a new disposal makes it look again)
CLEAN_KEY = "disposal_segments_clean"


def kept_of(header: Mapping[str, object]) -> dict[int, str]:
    """A rewritten copy's `kept`: seq -> the digest that record had before its value was
    disposed of ({} for any other segment, or anything malformed)."""
    found = header.get("kept")
    out: dict[int, str] = {}
    if not isinstance(found, list):
        return out
    for entry in found:
        if (
            isinstance(entry, list)
            and len(entry) == 2
            and type(entry[0]) is int
            and isinstance(entry[1], str)
            and len(entry[1]) == 64
        ):
            out[entry[0]] = entry[1]
    return out


def keep_digests(conn: Connection, device: str, kept: Mapping[int, str]) -> None:
    """Inside the merge: the digests a peer's rewritten copy names (its records' values were
    disposed of before this PC read them), kept where this PC has none of its own."""
    if kept:
        conn.execute(
            text("INSERT OR IGNORE INTO kept_digests (device_id, seq, digest) VALUES (:d, :s, :g)"),
            [{"d": device, "s": seq, "g": g} for seq, g in sorted(kept.items())],
        )


def _certificates_acknowledged(engine: Engine, share: Share) -> bool:
    """Whether every active PC has merged every certificate this PC holds."""
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT device_id, max(seq) FROM change_log WHERE table_name = 'disposals'"
                " GROUP BY row_id, device_id"
            )
        ).all()
    for device, seq in found:
        peers = active_peers(share, device)
        if peers and acknowledged(share, device, peers) < int(seq):
            return False
    return True


def _disposed_own(engine: Engine, me: str) -> dict[int, str]:
    with engine.connect() as conn:
        return {
            int(s): str(d)
            for s, d in conn.execute(
                text("SELECT seq, digest FROM kept_digests WHERE device_id = :me"), {"me": me}
            )
        }


def rewrite_own(engine: Engine, share: Share, me: str, signer: Signer | None = None) -> list[str]:
    """Rewrite this PC's own segment files that still hold text it disposed of (see above).
    Returns what was done, in words."""
    disposed = _disposed_own(engine, me)
    if not disposed or _state(engine, CLEAN_KEY) == str(len(disposed)):
        return []  # nothing disposed of, or every file checked clean since the last disposal
    folder = share.segments_dir(me)
    files = healing.listing(folder)
    holding = [f for f in files if _holds_text(f, me, disposed)]
    if not holding:
        _put(engine, CLEAN_KEY, str(len(disposed)))  # healing copies come from the change log
        return []
    if not _certificates_acknowledged(engine, share):
        return []
    schema = current_revision(engine) or ""
    done: list[str] = []
    for f in holding:
        records = healing._records(engine, me, f.first, f.last)
        if [r.seq for r in records] != list(range(f.first, f.last + 1)):
            continue  # this PC no longer holds every change of that range: left to healing
        if any(r.seq in disposed and not is_disposed(r.value) for r in records):
            continue  # not yet disposed of here (a certificate still to apply)
        gen = healing._next_generation(healing.listing(folder), f.first, f.last)
        dated = healing.stored_dates(engine, me, f.first, f.last)
        kept = {s: d for s, d in disposed.items() if f.first <= s <= f.last}
        try:
            path = healing.write_copy(
                folder, me, (f.first, f.last, records), gen, schema, signer, dated, kept
            )
            remember_signed(engine, [(me, read_segment(path, me))])  # what the audit checks
        except (SegmentError, ShareError, OSError):
            continue  # tried again next round
        for old in files:
            if (old.first, old.last) == (f.first, f.last) and old.gen < gen:
                old.path.unlink(missing_ok=True)
        done.append(f"rewrote changes {healing.span(f.first, f.last)} without disposed text")
    return done


def _state(engine: Engine, key: str) -> str | None:
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT value FROM local_state WHERE key = :k"), {"k": key}
        ).scalar()
    return None if found is None else str(found)


def _put(engine: Engine, key: str, value: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO local_state (key, value) VALUES (:k, :v)"
                " ON CONFLICT (key) DO UPDATE SET value = :v"
            ),
            {"k": key, "v": value},
        )


def _holds_text(f: healing.SegFile, me: str, disposed: Mapping[int, str]) -> bool:
    """Whether a file of ours holds a disposed record's value other than its marker."""
    if not any(f.first <= s <= f.last for s in disposed):
        return False
    try:
        segment = read_segment(f.path, me)
    except (SegmentError, ShareError):
        return False  # damaged or gone: healing writes it again, from the change log
    return any(r.seq in disposed and not is_disposed(r.value) for r in segment.records)


def snapshot_due_after(engine: Engine) -> bool:
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT value FROM local_state WHERE key = :k"), {"k": SNAPSHOT_KEY}
        ).scalar()
    return found == "1"


def snapshot_made(engine: Engine, share: Share, me: str, keep: Iterable[str]) -> None:
    """A snapshot made after a disposal: this PC's older snapshots removed, the flag cleared."""
    folder = share.root / "snapshots"
    keep = set(keep)
    for manifest in sorted(folder.glob(f"{me}-*.json")) if folder.is_dir() else []:
        if manifest.stem not in keep:
            manifest.with_suffix(".sqlite").unlink(missing_ok=True)
            manifest.unlink(missing_ok=True)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM local_state WHERE key = :k"), {"k": SNAPSHOT_KEY})


def retake_signatures(engine: Engine, share: Share, me: str, state: TrustState) -> int:
    """A peer's signed range this PC keeps (for the audit, `signed_ranges`) that held values
    since disposed of no longer matches the change log: once its owner has rewritten it, the
    rewritten copy's signature is kept instead, if it verifies against that PC's enrolled key
    and covers exactly what this PC now holds. Returns how many were taken."""
    if not state.protected:
        return 0
    with engine.connect() as conn:
        ranges = conn.execute(
            text(
                "SELECT s.device_id, s.first_seq, s.last_seq, s.header FROM signed_ranges s"
                " WHERE s.device_id != :me AND EXISTS (SELECT 1 FROM kept_digests k"
                " WHERE k.device_id = s.device_id AND k.seq BETWEEN s.first_seq AND s.last_seq)"
            ),
            {"me": me},
        ).all()
    taken = []
    for device, first, last, stored in ranges:
        with engine.connect() as conn:
            held = digest(encode_records(range_records(conn, device, first, last)))
        if orjson.loads(stored).get("body_sha256") == held:
            continue  # it matches already
        for f in reversed(healing.listing(share.segments_dir(device))):
            if (f.first, f.last) != (first, last) or f.gen == 0:
                continue
            try:
                segment = read_segment(f.path, device)
            except (SegmentError, ShareError):
                continue
            if segment.body_sha256 == held and _signed_by_enrolled(segment, device, state):
                taken.append((device, segment))
                break
    remember_signed(engine, taken)
    return len(taken)


def _signed_by_enrolled(segment: Segment, device: str, state: TrustState) -> bool:
    header = segment.header
    cert = state.pcs.get(str(header.get("signer", "")))
    if cert is None or cert.device_id != device or header.get("body_sha256") != segment.body_sha256:
        return False
    try:
        signature = base64.b64decode(segment.signature, validate=True)
    except ValueError:
        return False
    return verify(cert.key, Purpose.SEGMENT, canonical(header), signature)
