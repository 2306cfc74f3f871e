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
from sqlalchemy import Connection, Engine, delete, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.journal import SecurityFinding, SignedRange
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
        # signed by a PC's key after its revocation: refused, their records kept as refused
        # (sync.cascade: a row only they made is refused on every PC, whatever names it)
        self.revoked: list[tuple[str, Segment, str]] = []

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
            reason = revoked_text(cert.revoked_at)
            self.revoked.append((device, segment, reason))
            return reason
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
    stamped it; a value disposed of: the digest it had, `sync.disposal`), None when not
    held."""
    if seq < 1:
        return None
    with engine.connect() as conn:
        kept = conn.execute(  # its value was disposed of: the digest it was signed over
            text("SELECT digest FROM kept_digests WHERE device_id = :d AND seq = :s"),
            {"d": device, "s": seq},
        ).scalar()
        if kept is not None:
            return str(kept)
        found = range_records(conn, device, seq, seq)
    return record_digest(found[0]) if found else None


def own_digest(engine: Engine, device: str, seq: int) -> str:
    """What this PC's next segment names as `prev` (segments.Signer.digest_of)."""
    return held_digest(engine, device, seq) or ""


def range_records(conn: Connection, device: str, first: int, last: int) -> list[Record]:
    """The change-log rows of one PC's range as they travelled in its segment. A record the
    share's time re-dated (`sync.clockguard.redate`) gets its author's stamp back
    (`stamped_hlc`), and its prev_hlc, when redate pointed it at another re-dated change of the
    same field and PC, the stamp that change had. A change refused by the rules on merge (or
    taken back when judged again, sync.judge) travelled in the segment too: it is read from
    `refused_changes`."""
    rows = conn.execute(
        text(
            "SELECT device_id, seq, tx, hlc, table_name, row_id, column_name, value, prev_hlc,"
            " user, stamped_hlc FROM change_log WHERE device_id = :d AND seq BETWEEN :f AND :l"
            " UNION ALL SELECT device_id, seq, tx, hlc, table_name, row_id, column_name, value,"
            " prev_hlc, user, stamped_hlc FROM refused_changes WHERE device_id = :d"
            " AND seq BETWEEN :f AND :l ORDER BY seq"
        ),
        {"d": device, "f": first, "l": last},
    ).all()
    return [
        Record(
            r[0],
            r[1],
            r[2],
            r[3] if r[10] is None else r[10],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8] if r[10] is None or r[8] is None else _own_stamp(conn, r),
            r[9],
        )
        for r in rows
    ]


def _own_stamp(conn: Connection, r: Any) -> int:
    found = conn.execute(
        text(
            "SELECT stamped_hlc FROM change_log WHERE device_id = :d AND table_name = :t"
            " AND row_id = :r AND column_name = :c AND hlc = :h AND stamped_hlc IS NOT NULL"
            " UNION ALL SELECT stamped_hlc FROM refused_changes WHERE device_id = :d"
            " AND table_name = :t AND row_id = :r AND column_name = :c AND hlc = :h"
            " AND stamped_hlc IS NOT NULL"
        ),
        {"d": r[0], "t": r[4], "r": r[5], "c": r[6], "h": r[8]},
    ).first()
    return int(r[8] if found is None else found[0])


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
    records = range_records(conn, rng.device_id, rng.first_seq, rng.last_seq)
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
