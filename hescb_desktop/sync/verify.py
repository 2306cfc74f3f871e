"""Checking what comes from the share against the board's trust (issue 15).

- `SegmentCheck.check(device, segment)`: a peer's segment is taken only when its signature
  verifies against an enrolled PC of that folder's device, not revoked for that range, and its
  `prev` matches the record before it as this PC holds it. Unsigned segments are taken only as
  far as the board's upgrade (or the PC's enrolment) says they were already in use. The reasons
  are the ones the Security tab shows: "signature does not match", "PC not enrolled",
  "PC revoked on 3 Mar 2027 10:14", "segment replaced", "not signed".
- `record_finding` / `clear_findings`: the Security tab's list (`security_findings`).
- `remember_signed`: the signatures taken, kept so that change_log can be checked again later
  (`signed_ranges`, `range_intact`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.journal import ChangeLog, SecurityFinding, SignedRange
from hescb_desktop.sync.hlc import to_datetime
from hescb_desktop.sync.segments import Record, Segment, encode_records, record_digest
from hescb_desktop.sync.signing import Purpose, canonical, digest, verify
from hescb_desktop.sync.trust import TrustState

NOT_SIGNED = "not signed"
NOT_ENROLLED = "PC not enrolled"
BAD_SIGNATURE = "signature does not match"
ALTERED = "segment altered (its changes do not match its signature)"
REPLACED = "segment replaced (it does not follow the changes already taken from this PC)"
OTHER_PC = "signed by another PC's key"
COPIED = "another PC's segment copied here (its header names that PC)"
DAMAGE = (BAD_SIGNATURE, ALTERED)  # its author can heal these by writing the segment again
REVOKED = "PC revoked on"
# refusals of the writer itself (or of a copy of another PC's segment, its header naming that
# PC: segments.ForeignHeaderError): writing the segment again cannot heal them
WRITER_REFUSED = (NOT_SIGNED, NOT_ENROLLED, OTHER_PC, REPLACED, REVOKED, "names another PC")


def revoked_text(at: int) -> str:
    return f"{REVOKED} {to_datetime(at).strftime('%-d %b %Y %H:%M')}"


class SegmentCheck:
    """The checks of one round, for one trust state."""

    def __init__(self, engine: Engine, state: TrustState) -> None:
        self.engine = engine
        self.state = state
        self.taken: list[tuple[str, Segment]] = []  # signed segments that passed

    def check(self, device: str, segment: Segment) -> str:
        """ "" when the segment may be merged, else the reason it may not."""
        state = self.state
        if not state.protected:
            return ""
        header = segment.header
        signer = header.get("signer")
        if not signer:
            cert = state.pc_of_device(device)
            legacy = max(state.legacy.get(device, 0), cert.legacy_until if cert else 0)
            return "" if segment.last_seq <= legacy else NOT_SIGNED
        cert = state.pcs.get(signer) if isinstance(signer, str) else None
        if cert is None:
            return NOT_ENROLLED
        if cert.device_id != device:
            return OTHER_PC
        try:
            signature = base64.b64decode(segment.signature, validate=True)
        except (binascii.Error, ValueError):
            return BAD_SIGNATURE
        if not verify(cert.key, Purpose.SEGMENT, canonical(header), signature):
            return BAD_SIGNATURE
        if header.get("body_sha256") != segment.body_sha256:
            return ALTERED
        if cert.revoked_after is not None and segment.last_seq > cert.revoked_after:
            assert cert.revoked_at is not None
            return revoked_text(cert.revoked_at)
        if not self._follows(device, segment.first_seq, header.get("prev")):
            return REPLACED
        self.taken.append((device, segment))
        return ""

    def _follows(self, device: str, first: int, prev: object) -> bool:
        """Whether `prev` names the record before this segment as this PC holds it (or it holds
        none: a first segment, numbers that hold nothing, a range pruned before it came)."""
        held = held_digest(self.engine, device, first - 1)
        return held is None or held == prev


def held_digest(engine: Engine, device: str, seq: int) -> str | None:
    """The digest of record `seq` of `device` as change_log holds it (its hlc as its author
    stamped it), None when not held."""
    if seq < 1:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(ChangeLog).where(ChangeLog.device_id == device, ChangeLog.seq == seq)
        ).first()
    if row is None:
        return None
    return record_digest(as_record(row))


def own_digest(engine: Engine, device: str, seq: int) -> str:
    """What this PC's next segment names as `prev` (segments.Signer.digest_of)."""
    return held_digest(engine, device, seq) or ""


def as_record(r: Any) -> Record:
    """A change_log row (ORM object or Core row) as the record its segment carried."""
    return Record(
        r.device_id,
        r.seq,
        r.tx,
        r.stamped_hlc if r.stamped_hlc is not None else r.hlc,
        r.table_name,
        r.row_id,
        r.column_name,
        r.value,
        r.prev_hlc,
        r.user,
    )


# ------------------------------------------------------------------ signatures kept
def remember_signed(engine: Engine, signed: Iterable[tuple[str, Segment]]) -> None:
    rows = [
        {
            "device_id": device,
            "first_seq": seg.first_seq,
            "last_seq": seg.last_seq,
            "signer": str(seg.header.get("signer", "")),
            "header": canonical(seg.header).decode(),
            "signature": seg.signature,
        }
        for device, seg in signed
        if seg.signed
    ]
    if not rows:
        return
    with writer(engine).begin() as conn:
        stmt = sqlite_insert(SignedRange)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["device_id", "first_seq"],
                set_={
                    "last_seq": stmt.excluded.last_seq,
                    "signer": stmt.excluded.signer,
                    "header": stmt.excluded.header,
                    "signature": stmt.excluded.signature,
                },
            ),
            rows,
        )


def range_intact(conn: Connection, rng: SignedRange, key: bytes | None) -> str:
    """ "" when change_log still holds exactly the records the signed range covered (and, given
    the signer's key, the signature verifies), else what is wrong."""
    header = orjson.loads(rng.header)
    rows = conn.execute(
        select(ChangeLog)
        .where(
            ChangeLog.device_id == rng.device_id,
            ChangeLog.seq.between(rng.first_seq, rng.last_seq),
        )
        .order_by(ChangeLog.seq)
    )
    records = [as_record(r) for r in rows]
    if header.get("void") is not True and len(records) != rng.last_seq - rng.first_seq + 1:
        return "changes are missing from the change log"
    if digest(encode_records(records)) != header.get("body_sha256"):
        return "the change log no longer matches what was signed"
    if key is not None:
        try:
            signature = base64.b64decode(rng.signature, validate=True)
        except (binascii.Error, ValueError):
            return "its signature is malformed"
        if not verify(key, Purpose.SEGMENT, canonical(header), signature):
            return "its signature does not match"
    return ""


# ------------------------------------------------------------------ the Security tab's list
def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def record_finding(engine: Engine, device: str, item: str, reason: str) -> None:
    now = _now()
    with writer(engine).begin() as conn:
        stmt = sqlite_insert(SecurityFinding).values(
            device_id=device, item=item[:200], reason=reason, first_seen=now, last_seen=now
        )
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["device_id", "item"],
                set_={"reason": reason, "last_seen": now},
            )
        )


def clear_findings(engine: Engine, device: str, items: Iterable[str]) -> None:
    """Forget findings about files that have been taken since (a healed copy) or are gone."""
    names = [i[:200] for i in items]
    if not names:
        return
    with writer(engine).begin() as conn:
        conn.execute(
            delete(SecurityFinding).where(
                SecurityFinding.device_id == device, SecurityFinding.item.in_(names)
            )
        )


def findings(engine: Engine) -> list[SecurityFinding]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(SecurityFinding).order_by(SecurityFinding.last_seen.desc())
            ).scalars()
        )
