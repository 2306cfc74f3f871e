"""A round's trust: the root pinned, the board's statements read, this PC's identity and signer.

Called at the start of each sync round (`sync.round`). On a board that is not protected (no
ROOT on the share and none pinned here) nothing changes: segments go unsigned and are read as
before. On a protected board:

- a PC that has pinned no root stops with `RootNotPinnedError` (the CLI prints the fingerprint
  and exits 1) unless it is given the root to trust (`--trust-root`), which it then pins; a PC
  that founded a board of its own that was never shared gives it up for the share's;
- a share that names another root than the pinned one is not this board's share;
- the statements on the share are verified and kept; those that are not valid are listed on the
  Security tab; this PC's own statements are written to its folder if they are not there yet;
- this PC's identity (`storage.identity`) follows its key's certificate; a PC that is not
  enrolled (or revoked) keeps its changes until the secretariat approves it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError

from hescb_desktop.domain.permissions import Role
from hescb_desktop.storage.device import read_state
from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.identity import os_account, write_identity
from hescb_desktop.storage.journal import ChangeLog, LocalState, TrustStatement
from hescb_desktop.sync.segments import Signer
from hescb_desktop.sync.share import Share, ShareError
from hescb_desktop.sync.signing import (
    Purpose,
    canonical,
    fingerprint,
    public_bytes,
    same_fingerprint,
    sign,
    verify,
)
from hescb_desktop.sync.trust import (
    RootNotPinnedError,
    Statement,
    TrustError,
    TrustState,
    build,
    file_name,
    load_statements,
    publish_own,
    read_share,
    share_root,
    store,
    write_root_pointer,
)
from hescb_desktop.sync.verify import SegmentCheck, own_digest, record_finding

WAITING_APPROVAL = (
    "this PC is not enrolled on this board: ask the secretariat to approve it "
    "(its changes are kept here until then)"
)


class TrustSeal:
    """Snapshot manifests and acks of a protected board, signed and checked (share.Seal)."""

    def __init__(
        self, state: TrustState, key: Ed25519PrivateKey | None = None, device_id: str = ""
    ) -> None:
        self.state = state
        self.key = key
        self.device_id = device_id
        self.fingerprint = fingerprint(public_bytes(key)) if key is not None else ""

    def seal(self, purpose: str, body: dict[str, Any]) -> dict[str, Any]:
        if self.key is None:
            raise TrustError("this PC cannot sign: it has no key")
        signed = {**body, "signer": self.fingerprint}
        sig = sign(self.key, _PURPOSES[purpose], canonical(signed))
        return {**signed, "sig": base64.b64encode(sig).decode()}

    def opened(self, purpose: str, device: str, obj: dict[str, Any]) -> dict[str, Any] | None:
        signer, sig = obj.get("signer"), obj.get("sig")
        if not isinstance(signer, str) or not isinstance(sig, str):
            return None
        cert = self.state.pcs.get(signer)
        if cert is None or cert.device_id != device or cert.revoked_at is not None:
            return None
        body = {k: v for k, v in obj.items() if k != "sig"}
        try:
            raw = base64.b64decode(sig, validate=True)
        except ValueError:
            return None
        if not verify(cert.key, _PURPOSES[purpose], canonical(body), raw):
            return None
        if purpose == "snapshot manifest":  # a snapshot restores every PC's data: the
            at = obj.get("hlc")  # secretariat's alone are trusted
            if (
                type(at) is not int
                or self.state.role_at(cert.person_id, at) is not Role.SECRETARIAT
            ):
                return None
        return {k: v for k, v in body.items() if k != "signer"}

    def may_snapshot(self) -> bool:
        cert = self.state.pcs.get(self.fingerprint)
        return (
            cert is not None
            and cert.revoked_at is None
            and self.state.current_role(cert.person_id) is Role.SECRETARIAT
        )


_PURPOSES = {"snapshot manifest": Purpose.MANIFEST, "ack": Purpose.ACK}


def reading_seal(share: Share, root: str) -> TrustSeal:
    """For a PC about to join: the board's statements read from the share, checked against the
    root it was given, so that only a snapshot the secretariat signed is restored."""
    good, _ = read_share(share)
    return TrustSeal(build(good, root))


@dataclass
class TrustRound:
    state: TrustState
    check: SegmentCheck
    signer: Signer | None = None  # None: the board is not protected, segments go unsigned
    waiting: str = ""  # why this PC's changes are not sent ("" : they are)
    waiting_short: str = ""  # the same in two words for the summary line ("not enrolled")
    newest: int = 0  # the clock time of the newest statement in force (enrolment, role, ...)
    notes: list[str] = field(default_factory=list)
    seal: TrustSeal | None = None
    fresh: list[Statement] = field(default_factory=list)  # first read from the share this round

    @property
    def may_publish(self) -> bool:
        return not self.waiting


def unprotected(engine: Engine) -> TrustRound:
    """A round without a key (tests and tools that sync as before): nothing signed or checked.
    A PC that has pinned a root must sync with its key."""
    if read_state(engine).get("trust_root"):
        raise TrustError("this PC belongs to a protected board: it syncs with its key")
    state = TrustState()
    return TrustRound(state, SegmentCheck(engine, state))


def start(
    engine: Engine,
    share: Share,
    device_id: str,
    key: Ed25519PrivateKey,
    trust_root: str | None = None,
) -> TrustRound:
    own = fingerprint(public_bytes(key))
    pinned = _pin(engine, share, own, trust_root)
    if not pinned:
        state = TrustState()
        return TrustRound(state, SegmentCheck(engine, state))
    kept = load_statements(engine)
    good, bad = read_share(share, {file_name(s) for s in kept})
    fresh = list(good)
    if store(engine, good):
        kept = load_statements(engine)
    for device, item, reason in bad:
        record_finding(engine, device, item, reason)
    statements = kept
    state = build(statements, pinned)
    _list_rejected(engine, share, state)
    mine = [s for s in statements if s.issuer == own]
    publish_own(share, device_id, mine)
    identity = state.identity_of(own, os_account())
    write_identity(engine, pinned, identity if identity.person_id else None)
    cert = state.pcs.get(own)
    signer = Signer(key, own, lambda seq: own_digest(engine, device_id, seq))
    waiting = short = ""
    if cert is None:
        waiting, short = WAITING_APPROVAL, "not enrolled"
    elif cert.revoked_at is not None:
        waiting = "this PC has been revoked by the secretariat: its changes are not sent"
        short = "PC revoked"
    elif cert.device_id != device_id:
        waiting = "this PC's key is enrolled for another database: ask the secretariat"
        short = "enrolled for another database"
    rejected = {st.id for st, _ in state.rejected}
    newest = max((s.at for s in statements if s.id not in rejected), default=0)
    seal = TrustSeal(state, key, device_id)
    return TrustRound(
        state,
        SegmentCheck(engine, state),
        signer,
        waiting,
        waiting_short=short,
        seal=seal,
        newest=newest,
        fresh=fresh,
    )


def pin_root(engine: Engine, share: Share, own: str, trust_root: str | None) -> str:
    """Pin the share's root as a first round does (a `join` does it before its restore, which
    would otherwise make a never-shared founding look shared)."""
    return _pin(engine, share, own, trust_root)


def _pin(engine: Engine, share: Share, own: str, trust_root: str | None) -> str:
    """The root this PC trusts for this share ("" : the board is not protected)."""
    state = read_state(engine)
    pinned = state.get("trust_root", "")
    on_share = share_root(share)
    if on_share == "?":
        raise ShareError("the share's ROOT file cannot be read: ask the secretariat")
    if trust_root is not None and not on_share:
        raise TrustError("this board is not protected: there is no root to trust")
    if not pinned:
        if not on_share:
            return ""
        if trust_root is None:
            raise RootNotPinnedError(on_share)
        if not same_fingerprint(trust_root, on_share):
            raise TrustError(
                f"the share's root fingerprint is {on_share}, not the one given: "
                "check it with the secretariat"
            )
        _put(engine, "trust_root", on_share)
        return on_share
    if on_share == pinned:
        if trust_root is not None and not same_fingerprint(trust_root, pinned):
            raise TrustError(f"this PC already trusts the root {pinned}")
        return pinned
    if not on_share:
        if pinned == own:  # this PC founded the board: the share is founded with it
            write_root_pointer(share, own)
            _put(engine, "trust_founded_here", "")
            return pinned
        raise ShareError(
            f"share folder {share.folder} does not name this board's root: "
            "is it another board's share? This PC works offline until it is sorted out"
        )
    # the share names another root
    if pinned == own and state.get("trust_founded_here") == "1" and _never_shared(engine):
        if trust_root is None:
            raise RootNotPinnedError(on_share)
        if not same_fingerprint(trust_root, on_share):
            raise TrustError(
                f"the share's root fingerprint is {on_share}, not the one given: "
                "check it with the secretariat"
            )
        _give_up_founding(engine, own)
        _put(engine, "trust_root", on_share)
        return on_share
    raise ShareError(
        f"share folder {share.folder} belongs to another board (root {on_share}; this PC "
        f"trusts {pinned}): check the share folder in Settings"
    )


def _never_shared(engine: Engine) -> bool:
    with engine.connect() as conn:
        published = conn.scalar(
            select(func.count()).select_from(ChangeLog).where(ChangeLog.published.is_(True))
        )
    return not published


def _give_up_founding(engine: Engine, own: str) -> None:
    """A PC that founded a board never shared, joining another: its founding goes (the root
    statement, and its founder's person record, never published); what else it holds is kept
    and sent once it is enrolled."""
    statements = [s for s in load_statements(engine) if s.issuer == own and s.kind == "root"]
    founder = {str(s.body.get("person_id", "")) for s in statements}
    with writer(engine).begin() as conn:
        conn.execute(delete(TrustStatement).where(TrustStatement.issuer == own))
        for person in founder - {""}:
            try:
                with conn.begin_nested():  # a founder other rows name (the demo's) is kept
                    conn.exec_driver_sql("DELETE FROM people WHERE id = ?", (person,))
                    conn.execute(
                        delete(ChangeLog).where(
                            ChangeLog.table_name == "people",
                            ChangeLog.row_id == person,
                            ChangeLog.published.is_(False),
                        )
                    )
            except IntegrityError:
                continue
        conn.execute(delete(LocalState).where(LocalState.key == "trust_founded_here"))


def _list_rejected(engine: Engine, share: Share, state: TrustState) -> None:
    by_key = {c.fingerprint: c.device_id for c in state.pcs.values()}
    for st, reason in state.rejected:
        device = by_key.get(st.issuer) or _device_of_statement(share, st)
        record_finding(engine, device, f"trust/{file_name(st)}", reason)


def _device_of_statement(share: Share, st: Statement) -> str:
    for device in share.devices():
        folder = share.device_dir(device) / "trust"
        if (folder / file_name(st)).exists():
            return device
    return "?"


def _put(engine: Engine, key: str, value: str) -> None:
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    with writer(engine).begin() as conn:
        stmt = sqlite_insert(LocalState).values(key=key, value=value)
        conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
