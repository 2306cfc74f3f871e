"""Local, unsynced bookkeeping: the change log, per-field clocks and this PC's own state.

`change_log` holds one row per changed field, from this PC (local seq) and, once the sync issue
merges them, from peers (their device id and seq): (device_id, seq) is the natural key, so reading
a change twice changes nothing. It doubles as the audit trail.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hescb_desktop.storage.base import Base


class ChangeLog(Base):
    __tablename__ = "change_log"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tx: Mapped[int] = mapped_column(BigInteger)  # seq of the first row of the same commit
    hlc: Mapped[int] = mapped_column(BigInteger)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(36))
    column_name: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)  # JSON
    prev_hlc: Mapped[int | None] = mapped_column(BigInteger)
    user: Mapped[str] = mapped_column(String(120))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    # the author's own stamp when `hlc` was re-dated by the share's time (its clock was far
    # ahead, sync.clockguard); NULL otherwise. Never merged: every PC derives it alike.
    stamped_hlc: Mapped[int | None] = mapped_column(BigInteger, default=None)

    __table_args__ = (
        Index("ix_change_log_row", "table_name", "row_id"),
        {"sqlite_with_rowid": False},  # keyed by (device_id, seq): one b-tree fewer per row
    )


class LocalState(Base):
    """Key/value state of this PC: device id, next seq, last hlc, settings. Never synced."""

    __tablename__ = "local_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SyncPeer(Base):
    """What this PC has merged from each other PC's journal on the share."""

    __tablename__ = "sync_peers"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)  # last seq merged
    user: Mapped[str] = mapped_column(String(120), default="")
    last_seen_hlc: Mapped[int] = mapped_column(BigInteger, default=0)
    problem: Mapped[str] = mapped_column(Text, default="")  # why its journal is not being read


class Conflict(Base):
    """A value that lost a concurrent edit (or an edit to a record another PC deleted)."""

    __tablename__ = "conflicts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "field" or "deleted"
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(36))
    column_name: Mapped[str] = mapped_column(String(64))
    kept_value: Mapped[str] = mapped_column(Text)
    kept_hlc: Mapped[int] = mapped_column(BigInteger)
    kept_device: Mapped[str] = mapped_column(String(36))
    kept_user: Mapped[str] = mapped_column(String(120))
    lost_value: Mapped[str] = mapped_column(Text)
    lost_hlc: Mapped[int] = mapped_column(BigInteger)
    lost_device: Mapped[str] = mapped_column(String(36))
    lost_user: Mapped[str] = mapped_column(String(120))
    resolved: Mapped[str] = mapped_column(String(20), default="")  # "", "kept", "restored"

    __table_args__ = (Index("ix_conflicts_row", "table_name", "row_id"),)


class SyncNotice(Base):
    """Something a merge did that users should see: a reference renumbered, a clock clamped."""

    __tablename__ = "sync_notices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hlc: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text)


class TrustStatement(Base):
    """A signed statement of the board's trust (sync/trust.py) as read from the share and
    verified: the root, a PC enrolled or revoked, a person's role. `data` holds the file's bytes
    (body, issuer key and signature), so the whole trust state can be checked again offline."""

    __tablename__ = "trust_statements"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of `data`
    kind: Mapped[str] = mapped_column(String(20))
    issuer: Mapped[str] = mapped_column(String(64))  # the signing key's fingerprint
    at: Mapped[int] = mapped_column(BigInteger)  # hlc
    data: Mapped[str] = mapped_column(Text)


class SignedRange(Base):
    """A segment's signature as it was verified (peers') or made (this PC's own): the range of
    change_log rows it covers and the digest of their record lines (issue 15). `selftest` and the
    audit re-derive the digest from change_log and check the signature again, so a change-log row
    rewritten after signing is found."""

    __tablename__ = "signed_ranges"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    first_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    signer: Mapped[str] = mapped_column(String(64))  # the signing PC key's fingerprint
    header: Mapped[str] = mapped_column(Text)  # the segment's header line, as signed (JSON)
    signature: Mapped[str] = mapped_column(Text)  # base64


class SecurityFinding(Base):
    """Something on the share this PC refused to trust, with its reason (the sync page's Security
    tab): a segment whose signature does not match, a PC not enrolled or revoked, a replaced
    segment, a statement from someone not allowed to make it. Kept until what it names is gone."""

    __tablename__ = "security_findings"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    item: Mapped[str] = mapped_column(String(200), primary_key=True)  # a file name, usually
    reason: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[str] = mapped_column(String(40))  # ISO UTC
    last_seen: Mapped[str] = mapped_column(String(40))


class RefusedChange(Base):
    """A change its writer was not allowed to make (rules on merge, issue 15): never applied,
    never silently dropped: kept here with the reason. A peer's change refused on merge, or one
    (a peer's or this PC's own) taken back when a change with an earlier clock arrived that made
    it one its writer may not make; merged again (and removed from here) if a later judgement
    allows it (sync.judge.rejudge)."""

    __tablename__ = "refused_changes"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tx: Mapped[int] = mapped_column(BigInteger)
    hlc: Mapped[int] = mapped_column(BigInteger)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(36))
    column_name: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    user: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
    prev_hlc: Mapped[int | None] = mapped_column(BigInteger, default=None)  # 0012
    # the author's own stamp when the share's time re-dated it (as in change_log), 0012
    stamped_hlc: Mapped[int | None] = mapped_column(BigInteger, default=None)

    __table_args__ = (Index("ix_refused_changes_row", "table_name", "row_id"),)


class ContentKey(Base):
    """A readership's content key this PC opened (issue 16): it reads and writes that
    readership's restricted text with it. Local: never synced, never in a snapshot; a PC that
    is not a reader has none."""

    __tablename__ = "content_keys"
    key_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    readership_id: Mapped[str] = mapped_column(String(36))
    key: Mapped[str] = mapped_column(Text)  # base64
    # held only to seal it to the readers' PCs (this PC's person restricted the record but is
    # not a reader): never used to show or write the text, dropped once every reader PC has it
    escrow: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class DisposedRow(Base):
    """A row whose text was disposed of (issue 16, point 5), under which certificate: the
    records a certificate names and their children (`storage.disposal`). Local: derived on
    every PC from the synced certificates."""

    __tablename__ = "disposed_rows"
    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    disposal_id: Mapped[str] = mapped_column(String(36), index=True)


class KeptDigest(Base):
    """The digest a change had before its value was disposed of (issue 16, point 5): segments
    chain by the digest of the record before them (`prev`), signed before the disposal, so the
    chain is checked against this, on every PC alike (`sync.verify.held_digest`). Kept in
    snapshots and restored from them; local otherwise."""

    __tablename__ = "kept_digests"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))


class UndoEntry(Base):
    """A transaction this PC made, for the command line's undo stack (issue 17, point 3): the
    command that made it (`origin` "cli") or the GUI ("gui"), whether it was an edit, an undo or
    a redo, and which transaction undid it. Local: never synced, never in a snapshot."""

    __tablename__ = "undo_journal"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tx: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    origin: Mapped[str] = mapped_column(String(10))  # "cli" or "gui"
    kind: Mapped[str] = mapped_column(String(10))  # "edit", "undo" or "redo"
    label: Mapped[str] = mapped_column(Text)
    made_at: Mapped[str] = mapped_column(String(40))  # ISO UTC
    undoes_tx: Mapped[int | None] = mapped_column(BigInteger, default=None)
    undone_by_tx: Mapped[int | None] = mapped_column(BigInteger, default=None)
