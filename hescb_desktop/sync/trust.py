"""The board's trust: who its PCs and people are, as signed statements on the share (issue 15).

    <share>/hescb-sync/ROOT                                    the root's fingerprint (a pointer;
                                                               a joining PC is shown it to confirm)
    <share>/hescb-sync/devices/<device>/trust/<at>-<kind>-<id>.json   statements its PC issued
    <share>/hescb-sync/devices/<device>/request.json            a new PC asking to be enrolled

A statement file is canonical JSON `{"body": {...}, "key": <issuer public key>, "sig": ...}`,
signed by the issuing PC's Ed25519 key under `Purpose.STATEMENT`. Kinds:

- `root`: the PC that created the board (its key is the root a joining PC pins) and the
  founding person, secretariat. An upgraded board's root also lists how far each PC's unsigned
  segments go (`legacy`): those, and only those, are taken without a signature.
- `enrol`: a PC's key -> its device id, PC name, the person it works for and their account.
- `role`: a person's role (secretariat, officer, viewer), name and the principals they act for.
- `revoke`: a PC's key is refused for every segment after `after_seq` (what the secretariat had
  seen of it) and for every statement after the revocation's time.

Every PC builds the same `TrustState` from the same statements: they are taken in order of their
clock (`at`, then id), and each must be issued by the pinned root or by an enrolled, unrevoked PC
whose person was secretariat at that time. A statement that is not is kept out, with its reason.
The statements a PC has verified are kept in `trust_statements`, so it knows its board offline.

What is not promised (docs/security.md): a secretariat member's key used against the board (it
may enrol and set roles) and a statement back-dated by a stolen secretariat key. A role change
or a revocation that reaches a PC after it merged changes it governs has them judged again
there (sync.judge.statement_triggers, sync.cascade).
"""

from __future__ import annotations

import base64
import hashlib
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.domain.permissions import Identity, Role
from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.journal import TrustStatement
from hescb_desktop.sync.share import Share, ShareError, read_bytes, write_new_file
from hescb_desktop.sync.signing import (
    Purpose,
    canonical,
    fingerprint,
    public_bytes,
    sign,
    verify,
)

ROOT_FILE = "ROOT"
REQUEST_FILE = "request.json"
TRUST_DIR = "trust"
KINDS = ("root", "enrol", "role", "revoke")
MAX_STATEMENT_BYTES = 64 * 1024
_NAME = re.compile(r"^\d{1,20}-[a-z]{4,6}-[0-9a-f]{8}\.json$")


class TrustError(ShareError):
    """The board's trust cannot be established (no root pinned, another root, a bad request).
    A ShareError: whatever cannot sync for it works offline, as with a share that is away."""


class RootNotPinnedError(TrustError):
    """A PC meets a protected board for the first time: its root must be confirmed."""

    def __init__(self, root: str) -> None:
        super().__init__(
            f"this board's root fingerprint is {root}: check it with the secretariat by phone, "
            f'then sync again with --trust-root "{root}"'
        )
        self.root = root


# ------------------------------------------------------------------ statements
@dataclass(frozen=True)
class Statement:
    id: str  # sha256 of the file's bytes
    kind: str
    issuer: str  # the issuing key's fingerprint
    key: bytes  # the issuing key
    at: int
    body: dict[str, Any]
    data: bytes


def key_b64(key: Ed25519PrivateKey | bytes) -> str:
    raw = key if isinstance(key, bytes) else public_bytes(key)
    return base64.b64encode(raw).decode()


def issue(key: Ed25519PrivateKey, kind: str, at: int, body: dict[str, Any]) -> Statement:
    """A new statement of `kind`, signed by `key` at clock `at`."""
    full = {**body, "kind": kind, "at": at}
    data = canonical(
        {
            "body": full,
            "key": key_b64(key),
            "sig": base64.b64encode(sign(key, Purpose.STATEMENT, canonical(full))).decode(),
        }
    )
    parsed = parse(data)
    assert isinstance(parsed, Statement)  # what this PC has just signed reads back
    return parsed


def parse(data: bytes, purpose: Purpose = Purpose.STATEMENT) -> Statement | str:
    """The statement in `data`, its signature verified; else the reason it is refused."""
    if len(data) > MAX_STATEMENT_BYTES:
        return "too large to be a statement"
    try:
        obj = orjson.loads(data)
        body, key, sig = obj["body"], base64.b64decode(obj["key"]), base64.b64decode(obj["sig"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return "malformed (not a signed statement)"
    if not isinstance(body, dict) or len(key) != 32:
        return "malformed (not a signed statement)"
    if not verify(key, purpose, canonical(body), sig):
        return "signature does not match"
    kind, at = body.get("kind"), body.get("at")
    if purpose is Purpose.STATEMENT and kind not in KINDS:
        return "malformed (an unknown kind of statement)"
    if type(at) is not int or at < 0:
        return "malformed (its time)"
    return Statement(
        hashlib.sha256(data).hexdigest(), str(kind), fingerprint(key), key, at, body, data
    )


def file_name(st: Statement) -> str:
    return f"{st.at:020d}-{st.kind}-{st.id[:8]}.json"


# ------------------------------------------------------------------ the state
@dataclass
class PcCert:
    fingerprint: str
    key: bytes
    device_id: str
    person_id: str
    account: str
    pc_name: str
    enrolled_at: int
    legacy_until: int = 0  # its unsigned segments up to here were merged before the upgrade
    revoked_at: int | None = None
    revoked_after: int | None = None  # its segments after this seq are refused
    revoked_by: str = ""


@dataclass(frozen=True)
class RoleEntry:
    at: int
    role: Role
    acts_for: frozenset[str]


@dataclass
class TrustState:
    root: str = ""  # the pinned fingerprint ("" : the board is not protected)
    board_id: str = ""
    founded: bool = False  # the root statement is known
    pcs: dict[str, PcCert] = field(default_factory=dict)
    roles: dict[str, list[RoleEntry]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)  # account -> person id
    legacy: dict[str, int] = field(default_factory=dict)  # device -> last unsigned seq taken
    rejected: list[tuple[Statement, str]] = field(default_factory=list)

    @property
    def protected(self) -> bool:
        return bool(self.root)

    def pc_of_device(self, device_id: str) -> PcCert | None:
        """The newest unrevoked certificate of that device (a re-enrolled PC has a new key)."""
        found = [c for c in self.pcs.values() if c.device_id == device_id]
        live = [c for c in found if c.revoked_at is None] or found
        return max(live, key=lambda c: c.enrolled_at) if live else None

    def role_at(self, person_id: str, at: int) -> Role | None:
        entries = self.roles.get(person_id, [])
        i = bisect_right([e.at for e in entries], at)
        return entries[i - 1].role if i else None

    def acts_for_at(self, person_id: str, at: int) -> frozenset[str]:
        entries = self.roles.get(person_id, [])
        i = bisect_right([e.at for e in entries], at)
        return entries[i - 1].acts_for if i else frozenset()

    def current_role(self, person_id: str) -> Role | None:
        entries = self.roles.get(person_id)
        return entries[-1].role if entries else None

    def identity_of(self, key_fp: str, account: str) -> Identity:
        """Who the PC with this key works for (a not-enrolled PC: person "", a viewer)."""
        cert = self.pcs.get(key_fp)
        if cert is None or cert.revoked_at is not None:
            return Identity("", "", Role.VIEWER, account=account)
        entries = self.roles.get(cert.person_id, [])
        role = entries[-1].role if entries else Role.VIEWER
        acts = entries[-1].acts_for if entries else frozenset()
        return Identity(
            cert.person_id,
            self.names.get(cert.person_id, ""),
            role,
            account=cert.account or account,
            acts_for=acts,
        )


def build(statements: Iterable[Statement], root: str) -> TrustState:
    """The trust state from verified statements, the same on every PC for the same set."""
    state = TrustState(root=root)
    if not root:
        return state
    for st in sorted(statements, key=lambda s: (s.at, s.id)):
        why = _apply(state, st)
        if why:
            state.rejected.append((st, why))
    return state


def _apply(state: TrustState, st: Statement) -> str:
    body = st.body
    if st.kind == "root":
        if st.issuer != state.root:
            return "a root statement from a key that is not this board's root"
        if state.founded:
            return "a second root statement"
        return _found(state, st)
    if not state.founded:
        return "issued before the board's root statement"
    issuer = state.pcs.get(st.issuer)
    if issuer is None:
        return "PC not enrolled"
    if issuer.revoked_at is not None and issuer.revoked_at <= st.at:
        return f"PC revoked (at {issuer.revoked_at})"
    if state.role_at(issuer.person_id, st.at) is not Role.SECRETARIAT:
        return "issued by someone who is not the secretariat"
    try:
        if st.kind == "enrol":
            return _enrol(state, st)
        if st.kind == "role":
            return _role(state, st.at, body)
        return _revoke(state, st)
    except (KeyError, TypeError, ValueError):
        return "malformed"


def _found(state: TrustState, st: Statement) -> str:
    body = st.body
    try:
        person, device = str(body["person_id"]), str(body["device_id"])
        legacy = {str(d): int(n) for d, n in dict(body.get("legacy") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return "malformed"
    state.founded = True
    state.board_id = str(body.get("board_id", ""))
    state.legacy = legacy
    state.pcs[st.issuer] = PcCert(
        st.issuer,
        st.key,
        device,
        person,
        str(body.get("account", "")),
        str(body.get("pc_name", "")),
        st.at,
        legacy.get(device, 0),
    )
    _role(
        state,
        st.at,
        {"person_id": person, "role": "secretariat", "name": body.get("person_name", "")},
    )
    if body.get("account"):
        state.accounts[str(body["account"])] = person
    return ""


def _enrol(state: TrustState, st: Statement) -> str:
    body = st.body
    key = base64.b64decode(body["key"])
    fp = fingerprint(key)
    if fp in state.pcs:
        return "this PC is already enrolled"
    person = str(body["person_id"])
    state.pcs[fp] = PcCert(
        fp,
        key,
        str(body["device_id"]),
        person,
        str(body.get("account", "")),
        str(body.get("pc_name", "")),
        st.at,
        int(body.get("legacy_until", 0)),
    )
    if body.get("account"):
        state.accounts[str(body["account"])] = person
    if body.get("role"):
        _role(state, st.at, body)
    elif person not in state.roles and body.get("name"):
        state.names[person] = str(body["name"])
    return ""


def _role(state: TrustState, at: int, body: dict[str, Any]) -> str:
    person = str(body["person_id"])
    role = Role(str(body["role"]))
    acts = frozenset(str(p) for p in body.get("acts_for") or [])
    entries = state.roles.setdefault(person, [])
    entries.append(RoleEntry(at, role, acts))
    entries.sort(key=lambda e: e.at)
    if body.get("name"):
        state.names[person] = str(body["name"])
    return ""


def _revoke(state: TrustState, st: Statement) -> str:
    fp = str(st.body["fingerprint"])
    cert = state.pcs.get(fp)
    if cert is None:
        return "revokes a PC that is not enrolled"
    if fp == state.root:
        return "the root PC cannot be revoked"
    if cert.revoked_at is None:
        cert.revoked_at = st.at
        cert.revoked_after = int(st.body["after_seq"])
        cert.revoked_by = st.issuer
    return ""


# ------------------------------------------------------------------ local store
_VERIFIED: dict[str, Statement] = {}  # by id (the sha256 of its bytes): verified once


def load_statements(engine: Engine) -> list[Statement]:
    """The statements this PC kept, each verified again unless this process has verified the
    very same bytes already (the id is their SHA-256)."""
    with engine.connect() as conn:
        rows = conn.execute(select(TrustStatement.id, TrustStatement.data)).all()
    out = []
    for sid, data in rows:
        raw = data.encode()
        cached = _VERIFIED.get(sid)
        if cached is not None and cached.data == raw:
            out.append(cached)
            continue
        st = parse(raw)
        if isinstance(st, Statement) and st.id == sid:  # rewritten in the database: refused
            _VERIFIED[sid] = st
            out.append(st)
    return out


def store(engine: Engine, statements: Iterable[Statement]) -> int:
    """Keep verified statements (new ones only); returns how many were new."""
    rows = [
        {"id": s.id, "kind": s.kind, "issuer": s.issuer, "at": s.at, "data": s.data.decode()}
        for s in statements
    ]
    if not rows:
        return 0
    with writer(engine).begin() as conn:
        known = set(conn.execute(select(TrustStatement.id)).scalars())
        new = [r for r in rows if r["id"] not in known]
        if new:
            conn.execute(sqlite_insert(TrustStatement).on_conflict_do_nothing(), new)
    return len(new)


def load_trust(engine: Engine) -> TrustState:
    """The trust state this PC knows (from its verified statements), offline."""
    from hescb_desktop.storage.device import read_state

    root = read_state(engine).get("trust_root", "")
    return build(load_statements(engine), root)


# ------------------------------------------------------------------ the share
def share_root(share: Share) -> str:
    """The root fingerprint the share points to ("" : a board not protected)."""
    path = share.root / ROOT_FILE
    try:
        obj = orjson.loads(read_bytes(path))
    except FileNotFoundError:
        return ""
    except (OSError, orjson.JSONDecodeError):
        return "?"
    value = obj.get("root") if isinstance(obj, dict) else None
    return value if isinstance(value, str) else "?"


def write_root_pointer(share: Share, root: str) -> None:
    write_new_file(share.root / ROOT_FILE, canonical({"root": root}) + b"\n")


def read_share(
    share: Share, known: set[str] | frozenset[str] = frozenset()
) -> tuple[list[Statement], list[tuple[str, str, str]]]:
    """Every statement on the share that verifies, and (device, file, reason) for every file
    in a trust folder that does not. Files named as a statement in `known` (file names of those
    already kept) are not read again: a statement's file is never replaced, and one whose
    content differs from its name is refused when first read."""
    good: list[Statement] = []
    bad: list[tuple[str, str, str]] = []
    for device in share.devices():
        folder = share.device_dir(device) / TRUST_DIR
        try:
            paths = sorted(folder.iterdir())
        except OSError:
            continue
        for path in paths:
            if path.name.startswith(".") or path.name.endswith(".tmp"):
                continue
            if not _NAME.match(path.name):
                bad.append((device, f"trust/{path.name}", "not a statement's name"))
                continue
            if path.name in known:
                continue
            try:
                data = read_bytes(path)
            except OSError:
                continue  # a transient read: next round
            st = parse(data)
            if isinstance(st, str):
                bad.append((device, f"trust/{path.name}", st))
            elif file_name(st) != path.name:
                bad.append((device, f"trust/{path.name}", "its name does not match its content"))
            else:
                good.append(st)
    return good, bad


def publish_own(share: Share, device_id: str, statements: Iterable[Statement]) -> None:
    """Write this PC's statements that its trust folder does not hold yet."""
    folder = share.device_dir(device_id) / TRUST_DIR
    mine = list(statements)
    if not mine:
        return
    share.own_segments_dir(device_id)  # its folder (never the folders above it)
    folder.mkdir(exist_ok=True)
    for st in mine:
        path = folder / file_name(st)
        if not path.exists():
            write_new_file(path, st.data)


# ------------------------------------------------------------------ enrolment requests
@dataclass(frozen=True)
class Request:
    fingerprint: str
    key: bytes
    device_id: str
    pc_name: str
    account: str
    person_name: str
    legacy_until: int
    at: int


def make_request(
    key: Ed25519PrivateKey,
    device_id: str,
    pc_name: str,
    account: str,
    person_name: str,
    legacy_until: int,
    at: int,
) -> bytes:
    body = {
        "kind": "request",
        "at": at,
        "device_id": device_id,
        "pc_name": pc_name,
        "account": account,
        "person_name": person_name,
        "legacy_until": legacy_until,
    }
    return canonical(
        {
            "body": body,
            "key": key_b64(key),
            "sig": base64.b64encode(sign(key, Purpose.ENROLMENT_REQUEST, canonical(body))).decode(),
        }
    )


def read_requests(share: Share) -> list[Request]:
    """The join requests on the share whose signature verifies (the requester's own key)."""
    found = []
    for device in share.devices():
        path = share.device_dir(device) / REQUEST_FILE
        try:
            data = read_bytes(path)
        except OSError:
            continue
        st = parse(data, Purpose.ENROLMENT_REQUEST)
        if isinstance(st, str):
            continue
        b = st.body
        if b.get("device_id") != device:
            continue
        try:
            found.append(
                Request(
                    st.issuer,
                    st.key,
                    device,
                    str(b.get("pc_name", ""))[:200],
                    str(b.get("account", ""))[:200],
                    str(b.get("person_name", ""))[:200],
                    int(b.get("legacy_until", 0)),
                    st.at,
                )
            )
        except (TypeError, ValueError):
            continue
    return found


def request_path(share: Share, device_id: str) -> Path:
    return share.device_dir(device_id) / REQUEST_FILE
