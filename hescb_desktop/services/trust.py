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
"""

from __future__ import annotations

import base64
import json
import platform
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.domain.errors import NotFoundError, ValidationError
from hescb_desktop.domain.permissions import Identity, Kind, NotAllowedError, Operation, Role
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.storage.base import new_id
from hescb_desktop.storage.device import read_state
from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.identity import os_account, write_identity
from hescb_desktop.storage.journal import ChangeLog, LocalState, SyncPeer
from hescb_desktop.storage.models import Person
from hescb_desktop.sync.board import identify_share
from hescb_desktop.sync.healing import listing
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
    st = issue(ctx.pc_key, "root", ctx.clock.now(), body)
    store(ctx.engine, [st])
    # who this PC is, first: the founder's own record is then made in their name
    write_identity(ctx.engine, ctx.fingerprint, identity)
    _put_state(ctx, "trust_founded_here", "1")
    _add_person(ctx, name, identity.person_id)
    return identity


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
    st = issue(ctx.pc_key, "root", ctx.clock.now(), body)
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
        ctx.clock.now(),
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
        ctx.clock.now(),
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
        ctx.clock.now(),
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
) -> Person:
    """Give `person` (a name or id) `role`; a synced, signed change only the secretariat makes."""
    _require_secretariat(ctx, "set roles")
    new_role = _role(role)
    found = _find_person(ctx, person)
    state = load_trust(ctx.engine)
    principals = (
        [_find_person(ctx, name).id for name in acts_for]
        if acts_for is not None
        else sorted(state.acts_for_at(found.id, 2**62))
    )
    st = issue(
        ctx.pc_key,
        "role",
        ctx.clock.now(),
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
                .order_by(Person.name)
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


def _find_person(ctx: ServiceContext, text: str) -> Person:
    wanted = text.strip()
    with ctx.uow(write=False) as uow:
        found = [
            p
            for p in uow.session.scalars(select(Person).where(Person.deleted.is_(False)))
            if p.id == wanted or p.name.casefold() == wanted.casefold()
        ]
        for p in found:  # kept as loaded: leaving a read-only unit of work expires its objects
            uow.session.expunge(p)
    if not found:
        raise NotFoundError(f"no person named {wanted!r} on this board")
    if len(found) > 1:
        raise ValidationError(f"{len(found)} people are named {wanted!r}: give their id")
    return found[0]


def _find_or_add_person(ctx: ServiceContext, name: str) -> Person:
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


def _add_person(ctx: ServiceContext, name: str, person_id: str | None = None) -> Person:
    with ctx.uow() as uow:
        person = Person(name=name, role="", **({"id": person_id} if person_id else {}))
        uow.session.add(person)
        uow.session.flush()
        uow.commit()
    return person


def _keep_and_send(ctx: ServiceContext, share: Share | None, st: Statement) -> None:
    store(ctx.engine, [st])
    if share is not None:
        publish_own(
            share,
            ctx.device_id,
            [s for s in load_statements(ctx.engine) if s.issuer == ctx.fingerprint],
        )
    _refresh_identity(ctx)


def _refresh_identity(ctx: ServiceContext) -> None:
    state = load_trust(ctx.engine)
    identity = state.identity_of(ctx.fingerprint, os_account())
    write_identity(ctx.engine, state.root, identity if identity.person_id else None)


def _seen_of(ctx: ServiceContext, share: Share, device: str) -> int:
    with ctx.engine.connect() as conn:
        cursor = conn.scalar(select(SyncPeer.cursor).where(SyncPeer.device_id == device)) or 0
    seen = int(cursor)
    for peer in share.devices():
        try:
            acks = read_json(share.device_dir(peer) / "ack.json")
        except (OSError, ShareError, ValueError):
            continue
        value = acks.get(device) if isinstance(acks, dict) else None
        if isinstance(value, int):
            seen = max(seen, value)
    return seen


def _put_state(ctx: ServiceContext, key: str, value: str) -> None:
    with writer(ctx.engine).begin() as conn:
        stmt = sqlite_insert(LocalState).values(key=key, value=value)
        conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
