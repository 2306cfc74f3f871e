"""People, roles and enrolled PCs (issue 15): what the secretariat does, and who this PC is.

- `found_board`: `init` makes this PC the new board's root and the OS account its first
  secretariat member (the root statement, kept here and written to the share on the first sync).
- `upgrade_board`: a board made before issue 15 becomes protected, this PC its root; what every
  PC had already sent stays valid (the root statement names how far each PC's unsigned segments
  go), and the other PCs ask to be approved.
- `request_enrolment` (a new PC), `pending_requests`, `approve` (the secretariat, after comparing
  the fingerprint read out by phone), `revoke`, `set_role`: signed statements, written to the
  share at once when it can be reached (else on the next sync).
- `whoami`, `people`: for the window, the command line and the People page.
- `security_findings`, `refused_changes`: the sync page's Security tab (what this PC refused to
  trust on the share, and the changes refused by the rules on merge), with PCs and people named.
"""

from __future__ import annotations

import base64
import json
import platform
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.domain.errors import NotFoundError, ValidationError
from hescb_desktop.domain.permissions import Identity, Kind, NotAllowedError, Operation, Role
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.storage.base import new_id
from hescb_desktop.storage.device import last_hlc, read_state
from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.identity import identity_changed, os_account, write_identity
from hescb_desktop.storage.journal import (
    ChangeLog,
    LocalState,
    RefusedChange,
    SecurityFinding,
    SyncPeer,
    TrustStatement,
)
from hescb_desktop.storage.models import Person
from hescb_desktop.sync.board import identify_share
from hescb_desktop.sync.cascade import settle_in
from hescb_desktop.sync.healing import listing
from hescb_desktop.sync.hlc import to_datetime
from hescb_desktop.sync.judge import statement_triggers
from hescb_desktop.sync.merger import put_state
from hescb_desktop.sync.retention import read_acks
from hescb_desktop.sync.share import Share, ShareError, read_json, replace_file
from hescb_desktop.sync.signing import same_fingerprint
from hescb_desktop.sync.trust import (
    Request,
    Statement,
    TrustState,
    issue,
    load_statements,
    load_trust,
    make_request,
    publish_own,
    read_requests,
    request_path,
    share_root,
    store,
    write_root_pointer,
)
from hescb_desktop.sync.trust_round import TrustSeal


@dataclass(frozen=True)
class WhoAmI:
    person: str
    person_id: str
    role: str
    acts_for: tuple[str, ...]
    account: str
    pc_id: str
    fingerprint: str
    root_fingerprint: str
    protected: bool

    def as_json(self) -> dict[str, str]:
        """The `whoami --json` contract: exactly these keys."""
        return {
            "person": self.person,
            "role": self.role,
            "pc_id": self.pc_id,
            "fingerprint": self.fingerprint,
            "root_fingerprint": self.root_fingerprint,
        }


def whoami(ctx: ServiceContext) -> WhoAmI:
    identity = ctx.identity
    state = load_trust(ctx.engine)
    return WhoAmI(
        person=identity.name,
        person_id=identity.person_id,
        role=identity.role.value if identity.protected and identity.person_id else "",
        acts_for=tuple(state.names.get(p, p) for p in sorted(identity.acts_for)),
        account=identity.account or os_account(),
        pc_id=ctx.device_id,
        fingerprint=ctx.fingerprint,
        root_fingerprint=read_state(ctx.engine).get("trust_root", ""),
        protected=identity.protected,
    )


# ------------------------------------------------------------------ founding and upgrading
def found_board(ctx: ServiceContext, person_name: str = "") -> Identity:
    """This PC becomes the root of a new board; the OS account its first secretariat member."""
    if read_state(ctx.engine).get("trust_root"):
        raise ValidationError("this PC already belongs to a protected board")
    account = os_account()
    name = (person_name or account).strip()
    identity = Identity(new_id(), name, Role.SECRETARIAT, account=account)
    body = {
        "device_id": ctx.device_id,
        "pc_name": platform.node()[:200],
        "person_id": identity.person_id,
        "person_name": name,
        "account": account,
        "legacy": {},
    }
    st = issue(ctx.pc_key, "root", _statement_time(ctx), body)
    store(ctx.engine, [st])
    # who this PC is, first: the founder's own record is then made in their name
    write_identity(ctx.engine, ctx.fingerprint, identity)
    _put_state(ctx, "trust_founded_here", "1")
    _add_person(ctx, name, identity.person_id)
    return identity


def found_demo(
    ctx: ServiceContext,
    founder_id: str,
    founder_name: str,
    roles: list[tuple[str, str, str, list[str]]],
) -> None:
    """The demo board's statements: this PC its root with `founder_id` (a demo person) its first
    secretariat member, then each (person id, name, role, principals) signed by it."""
    if read_state(ctx.engine).get("trust_root"):
        return
    account = os_account()
    at = _statement_time(ctx)
    statements = [
        issue(
            ctx.pc_key,
            "root",
            at,
            {
                "device_id": ctx.device_id,
                "pc_name": platform.node()[:200],
                "person_id": founder_id,
                "person_name": founder_name,
                "account": account,
                "legacy": {},
            },
        )
    ]
    for n, (pid, name, role, acts_for) in enumerate(roles, start=1):
        if pid == founder_id and role == Role.SECRETARIAT.value and not acts_for:
            continue
        body = {"person_id": pid, "name": name, "role": role, "acts_for": acts_for}
        statements.append(issue(ctx.pc_key, "role", at + n, body))
    store(ctx.engine, statements)
    _put_state(ctx, "trust_founded_here", "1")


def upgrade_board(ctx: ServiceContext, share_folder: Path, person_name: str) -> Identity:
    """Protect a board made before issue 15, with this PC as its root and `person_name` (made
    if new) its first secretariat member. Everything already on the share stays valid."""
    if read_state(ctx.engine).get("trust_root"):
        raise ValidationError("this board is protected already")
    share = identify_share(ctx.engine, Share(share_folder))
    if share_root(share):
        raise ValidationError(
            "the board on this share has been upgraded already: sync with --trust-root"
        )
    legacy = {
        d: max((f.last for f in listing(share.segments_dir(d))), default=0) for d in share.devices()
    }
    with ctx.engine.connect() as conn:
        own_top = conn.scalar(
            select(func.max(ChangeLog.seq)).where(ChangeLog.device_id == ctx.device_id)
        )
        cursors = dict(conn.execute(select(SyncPeer.device_id, SyncPeer.cursor)).all())
    for device, cursor in cursors.items():
        legacy[device] = max(legacy.get(device, 0), int(cursor))
    legacy[ctx.device_id] = max(legacy.get(ctx.device_id, 0), int(own_top or 0))
    account = os_account()
    person = _find_or_add_person(ctx, person_name)
    body = {
        "device_id": ctx.device_id,
        "pc_name": platform.node()[:200],
        "person_id": person.id,
        "person_name": person.name,
        "account": account,
        "legacy": legacy,
        "board_id": share.board_id or "",
    }
    st = issue(ctx.pc_key, "root", _statement_time(ctx), body)
    store(ctx.engine, [st])
    identity = Identity(person.id, person.name, Role.SECRETARIAT, account=account)
    write_identity(ctx.engine, ctx.fingerprint, identity)
    write_root_pointer(share, ctx.fingerprint)
    publish_own(share, ctx.device_id, [st])
    # an app that cannot check signatures must stop writing to this share: FORMAT says 2
    info = read_json(share.root / "FORMAT")
    replace_file(
        share.root / "FORMAT", (json.dumps({**info, "format": 2}, sort_keys=True) + "\n").encode()
    )
    return identity


# ------------------------------------------------------------------ enrolment
def _statement_time(ctx: ServiceContext) -> int:
    """When a statement this PC issues now is dated: after every statement it knows and every
    stamp its database recorded, whatever its wall clock says (a revocation dated before the
    board's root statement, by a secretariat PC whose clock had jumped back, was rejected by
    every PC), and remembered as the database's clock so later changes are dated after it."""
    with ctx.engine.connect() as conn:
        newest = conn.scalar(select(func.max(TrustStatement.at))) or 0
    at = ctx.clock.after(max(int(newest), last_hlc(ctx.engine)))
    with writer(ctx.engine).begin() as conn:
        put_state(conn, "hlc_last", str(at))
    return at


def request_enrolment(ctx: ServiceContext, share_folder: Path) -> str:
    """Publish this PC's join request (its key, name, account); returns its fingerprint."""
    state = read_state(ctx.engine)
    share = identify_share(ctx.engine, Share(share_folder))
    if not state.get("trust_root"):
        root = share_root(share)
        if root:
            raise ShareError(
                f"this board's root fingerprint is {root}: confirm it first "
                f'(sync with --trust-root "{root}")'
            )
        raise ValidationError("this board is not protected: there is nothing to enrol in")
    on_share = share_root(share)
    if on_share not in ("", "?", state["trust_root"]):
        raise ShareError(
            f"this share's board has the root fingerprint {on_share}, not the one this PC "
            f"trusts ({state['trust_root']}): no request sent"
        )
    with ctx.engine.connect() as conn:
        top = conn.scalar(
            select(func.max(ChangeLog.seq)).where(ChangeLog.device_id == ctx.device_id)
        )
    data = make_request(
        ctx.pc_key,
        ctx.device_id,
        platform.node()[:200],
        os_account(),
        os_account(),
        int(top or 0),
        _statement_time(ctx),
    )
    share.own_segments_dir(ctx.device_id)
    replace_file(request_path(share, ctx.device_id), data + b"\n")
    return ctx.fingerprint


def pending_requests(ctx: ServiceContext, share_folder: Path) -> list[Request]:
    share = identify_share(ctx.engine, Share(share_folder))
    state = load_trust(ctx.engine)
    return [r for r in read_requests(share) if r.fingerprint not in state.pcs]


def approve(
    ctx: ServiceContext,
    share_folder: Path,
    typed_fingerprint: str,
    person_name: str,
    role: str,
    acts_for: list[str] | None = None,
) -> Request:
    """Enrol the PC whose request has this fingerprint, for `person_name` (made if new) with
    `role`. The certificate is written to the share at once."""
    _require_secretariat(ctx, "enrol PCs")
    new_role = _role(role)
    share = identify_share(ctx.engine, Share(share_folder))
    state = load_trust(ctx.engine)
    matches = [
        r for r in read_requests(share) if same_fingerprint(typed_fingerprint, r.fingerprint)
    ]
    if not matches:
        raise NotFoundError(
            f"no join request on the share has the fingerprint {typed_fingerprint.strip()}: "
            "ask the PC to run enrol-request, and compare the fingerprint again"
        )
    request = matches[0]
    if request.fingerprint in state.pcs:
        raise ValidationError("this PC is enrolled already")
    person = _find_or_add_person(ctx, person_name)
    principals = [_find_person(ctx, name).id for name in acts_for or []]
    st = issue(
        ctx.pc_key,
        "enrol",
        _statement_time(ctx),
        {
            "key": base64.b64encode(request.key).decode(),
            "device_id": request.device_id,
            "pc_name": request.pc_name,
            "account": request.account,
            "person_id": person.id,
            "name": person.name,
            "role": new_role.value,
            "acts_for": principals,
            "legacy_until": request.legacy_until,
        },
    )
    _keep_and_send(ctx, share, st)
    return request


def revoke(ctx: ServiceContext, share_folder: Path, typed_fingerprint: str) -> str:
    """Revoke an enrolled PC (a lost laptop): its segments after what this board has seen of it
    (this PC's cursor, and every PC's acknowledgement on the share) are refused everywhere."""
    _require_secretariat(ctx, "revoke PCs")
    share = identify_share(ctx.engine, Share(share_folder))
    state = load_trust(ctx.engine)
    found = [c for c in state.pcs.values() if same_fingerprint(typed_fingerprint, c.fingerprint)]
    if not found:
        raise NotFoundError(f"no enrolled PC has the fingerprint {typed_fingerprint.strip()}")
    cert = found[0]
    if cert.fingerprint == state.root:
        raise ValidationError("the board's root PC cannot be revoked")
    if cert.revoked_at is not None:
        raise ValidationError("this PC is revoked already")
    seen = _seen_of(ctx, share, cert.device_id)
    st = issue(
        ctx.pc_key,
        "revoke",
        _statement_time(ctx),
        {"fingerprint": cert.fingerprint, "after_seq": seen},
    )
    _keep_and_send(ctx, share, st)
    return cert.fingerprint


def set_role(
    ctx: ServiceContext,
    person: str,
    role: str,
    share_folder: Path | None = None,
    acts_for: list[str] | None = None,
) -> PersonRef:
    """Give `person` (a name or id) `role`; a synced, signed change only the secretariat makes."""
    _require_secretariat(ctx, "set roles")
    new_role = _role(role)
    found = _find_person(ctx, person)
    state = load_trust(ctx.engine)
    others = [p for p in state.roles if p != found.id and state.current_role(p) is Role.SECRETARIAT]
    if new_role is not Role.SECRETARIAT and not others:
        raise ValidationError(
            f"{found.name} is the board's only secretariat member: make someone else "
            "secretariat first"
        )
    principals = (
        [_find_person(ctx, name).id for name in acts_for]
        if acts_for is not None
        else sorted(state.acts_for_at(found.id, 2**62))
    )
    st = issue(
        ctx.pc_key,
        "role",
        _statement_time(ctx),
        {"person_id": found.id, "name": found.name, "role": new_role.value, "acts_for": principals},
    )
    share = None
    if share_folder is not None:
        try:
            share = identify_share(ctx.engine, Share(share_folder))
        except ShareError:
            share = None  # written on the next sync
    _keep_and_send(ctx, share, st)
    return found


@dataclass(frozen=True)
class PersonRow:
    id: str
    name: str
    role: str
    acts_for: tuple[str, ...]
    accounts: tuple[str, ...]
    pcs: tuple[dict[str, object], ...]

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "acts_for": list(self.acts_for),
            "accounts": list(self.accounts),
            "pcs": list(self.pcs),
        }


def people(ctx: ServiceContext) -> list[PersonRow]:
    state = load_trust(ctx.engine)
    with ctx.uow(write=False) as uow:
        rows = list(
            uow.session.execute(
                select(Person.id, Person.name)
                .where(Person.deleted.is_(False))
                .order_by(func.lower(Person.name))
            )
        )
    names = {pid: name for pid, name in rows}
    out = []
    for pid, name in rows:
        role = state.current_role(pid)
        acts = state.acts_for_at(pid, 2**62)
        pcs = [c for c in state.pcs.values() if c.person_id == pid]
        out.append(
            PersonRow(
                pid,
                name,
                role.value if role else "",
                tuple(sorted(names.get(p, state.names.get(p, p)) for p in acts)),
                tuple(sorted({c.account for c in pcs if c.account})),
                tuple(
                    {
                        "fingerprint": c.fingerprint,
                        "pc_name": c.pc_name,
                        "pc_id": c.device_id,
                        "revoked": c.revoked_at is not None,
                    }
                    for c in sorted(pcs, key=lambda c: c.enrolled_at)
                ),
            )
        )
    return out


def trust_state(ctx: ServiceContext) -> TrustState:
    return load_trust(ctx.engine)


def root_on_share(share_folder: Path) -> str:
    """The root fingerprint the share's board points to ("" : not protected, or the share
    cannot be read). Reads the share: call it off the GUI thread."""
    try:
        found = share_root(Share(share_folder))
    except (ShareError, OSError):
        return ""
    return "" if found == "?" else found


# ------------------------------------------------------------------ the Security tab
@dataclass(frozen=True)
class FindingRow:
    """Something on the share this PC refused to trust (a segment, a statement, a request)."""

    device_id: str
    pc: str  # the PC's name when it is enrolled, else its short id
    person: str  # the person its PC is enrolled for ("" : not enrolled)
    item: str  # the file, usually
    reason: str
    first_seen: datetime  # UTC
    last_seen: datetime


@dataclass(frozen=True)
class RefusedRow:
    """A peer's change refused by the rules on merge: kept, never applied."""

    device_id: str
    seq: int
    pc: str
    person: str  # who the signed record names
    table: str
    row_id: str
    column: str
    value: str  # the change's JSON text, as written
    at: datetime  # its clock time (UTC)
    reason: str


def _pc_label(state: TrustState, device: str) -> tuple[str, str]:
    cert = state.pc_of_device(device)
    short = device.replace("-", "")[-8:]
    if cert is None:
        return f"PC {short}", ""
    name = cert.pc_name or f"PC {short}"
    return name, state.names.get(cert.person_id, "")


def _utc(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return datetime.fromtimestamp(0).astimezone()


def security_findings(ctx: ServiceContext) -> list[FindingRow]:
    """What this PC refused to trust on the share, newest first, each PC named."""
    state = load_trust(ctx.engine)
    with ctx.engine.connect() as conn:
        found = list(
            conn.execute(
                select(
                    SecurityFinding.device_id,
                    SecurityFinding.item,
                    SecurityFinding.reason,
                    SecurityFinding.first_seen,
                    SecurityFinding.last_seen,
                ).order_by(SecurityFinding.last_seen.desc(), SecurityFinding.item)
            )
        )
    rows = []
    for f in found:
        pc, person = _pc_label(state, f.device_id)
        rows.append(
            FindingRow(
                f.device_id, pc, person, f.item, f.reason, _utc(f.first_seen), _utc(f.last_seen)
            )
        )
    return rows


def refused_changes(ctx: ServiceContext) -> list[RefusedRow]:
    """The changes the rules refused on merge, newest first, PCs and people named."""
    state = load_trust(ctx.engine)
    r_ = RefusedChange
    columns = (r_.device_id, r_.seq, r_.hlc, r_.table_name, r_.row_id, r_.column_name, r_.value)
    with ctx.engine.connect() as conn:
        found = list(
            conn.execute(select(*columns, r_.user, r_.reason).order_by(r_.hlc.desc(), r_.seq))
        )
    with ctx.uow(write=False) as uow:
        names = dict(uow.session.execute(select(Person.id, Person.name)).all())
    rows = []
    for r in found:
        pc, _ = _pc_label(state, r.device_id)
        person = names.get(r.user) or state.names.get(r.user) or r.user
        rows.append(
            RefusedRow(
                r.device_id,
                r.seq,
                pc,
                person,
                r.table_name,
                r.row_id,
                r.column_name,
                r.value,
                to_datetime(r.hlc),
                r.reason,
            )
        )
    return rows


# ------------------------------------------------------------------ helpers
def _require_secretariat(ctx: ServiceContext, what: str) -> None:
    identity = ctx.identity
    if not identity.protected:
        raise ValidationError("this board is not protected yet: upgrade it first")
    if not identity.may(Operation.ADMINISTER, Kind.DIRECTORY):
        raise NotAllowedError(f"Only the secretariat may {what}.")


def _role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise ValidationError(
            f"unknown role {text!r}: use secretariat, officer or viewer"
        ) from None


@dataclass(frozen=True)
class PersonRef:
    id: str
    name: str


def _find_person(ctx: ServiceContext, text: str) -> PersonRef:
    wanted = text.strip()
    with ctx.uow(write=False) as uow:
        found = [
            PersonRef(pid, name)
            for pid, name in uow.session.execute(
                select(Person.id, Person.name).where(Person.deleted.is_(False))
            )
            if pid == wanted or name.casefold() == wanted.casefold()
        ]
    if not found:
        raise NotFoundError(f"no person named {wanted!r} on this board")
    if len(found) > 1:
        raise ValidationError(f"{len(found)} people are named {wanted!r}: give their id")
    return found[0]


def _find_or_add_person(ctx: ServiceContext, name: str) -> PersonRef:
    name = name.strip()
    if not name:
        raise ValidationError("a person's name is needed")
    if len(name) > 200:
        raise ValidationError("a person's name is at most 200 characters")
    try:
        return _find_person(ctx, name)
    except NotFoundError:
        pass
    return _add_person(ctx, name)


def _add_person(ctx: ServiceContext, name: str, person_id: str | None = None) -> PersonRef:
    with ctx.uow() as uow:
        person = Person(name=name, role="", **({"id": person_id} if person_id else {}))
        uow.session.add(person)
        uow.session.flush()
        ref = PersonRef(person.id, person.name)
        uow.commit()
    return ref


def _keep_and_send(ctx: ServiceContext, share: Share | None, st: Statement) -> None:
    store(ctx.engine, [st])
    _judge_again(ctx, st)
    if share is not None:
        publish_own(
            share,
            ctx.device_id,
            [s for s in load_statements(ctx.engine) if s.issuer == ctx.fingerprint],
        )
    _refresh_identity(ctx)


def _judge_again(ctx: ServiceContext, st: Statement) -> None:
    """What this PC merged that its own new statement governs, judged again here and now, as
    every other PC judges it when the statement reaches it (a role set after changes its person
    made later by the clock; a revocation): this PC is never the one left holding them."""
    state = load_trust(ctx.engine)
    if not state.protected:
        return
    with writer(ctx.engine).begin() as conn:
        late = statement_triggers(conn, [st])
        done = settle_in(conn, state, ctx.device_id, [], late)
        newest = max((r.hlc for r in done.allowed), default=0)
        if newest:
            put_state(conn, "hlc_last", str(ctx.clock.observe(newest).hlc))


def _refresh_identity(ctx: ServiceContext) -> None:
    state = load_trust(ctx.engine)
    identity = state.identity_of(ctx.fingerprint, os_account())
    write_identity(ctx.engine, state.root, identity if identity.person_id else None)


def _seen_of(ctx: ServiceContext, share: Share, device: str) -> int:
    """The highest seq of `device` this PC has merged, or any PC acknowledges (signed)."""
    with ctx.engine.connect() as conn:
        cursor = conn.scalar(select(SyncPeer.cursor).where(SyncPeer.device_id == device)) or 0
    seen = int(cursor)
    sealed = replace(share, seal=TrustSeal(load_trust(ctx.engine)))
    for peer in share.devices():
        acks = read_acks(sealed, peer)
        value = acks.get(device) if acks is not None else None
        if type(value) is int:
            seen = max(seen, value)
    return seen


def _put_state(ctx: ServiceContext, key: str, value: str) -> None:
    with writer(ctx.engine).begin() as conn:
        stmt = sqlite_insert(LocalState).values(key=key, value=value)
        conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
    identity_changed(ctx.engine)  # this PC's trust state: who is at the keyboard is read again
